"""Systems from other tools: scripts written for the diagrams library."""
