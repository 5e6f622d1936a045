"""Change between versions (diff.py), and systems from other tools: scripts written for the
diagrams library (diagrams_script.py)."""
