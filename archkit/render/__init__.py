"""Diagram rendering: DOT, SVG, PNG and Mermaid from the system model."""
