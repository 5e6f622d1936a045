"""The static site of a portfolio: pages, build, preview."""
