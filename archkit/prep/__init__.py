"""Interview preparation: the whiteboard board and its draw order, capacity maths, drills."""

from __future__ import annotations

from typing import NamedTuple


class Card(NamedTuple):
    """One drill question (drill.py asks the trade-offs, estimates.py the numbers)."""

    question: str
    answer: str
    source: str  # where the answer comes from: 'systems/x.yaml', 'decisions/0002-....md'
