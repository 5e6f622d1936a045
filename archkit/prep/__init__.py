"""Interview preparation: the whiteboard board and its draw order, capacity maths, drills."""
