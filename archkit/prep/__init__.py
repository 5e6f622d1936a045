"""Interview preparation: the whiteboard board and its draw order, capacity maths, drills."""

from __future__ import annotations

from typing import NamedTuple


class Card(NamedTuple):
    """One drill question (drill.py asks the trade-offs, estimates.py the numbers)."""

    question: str
    answer: str  # paragraphs and '- ' bullets, one a line
    source: str  # where the answer comes from: 'systems/x.yaml', 'decisions/0002-....md'
    options: tuple[str, ...] = ()  # the options the question is about, listed one a line
    kind: str = "trade-off"  # or "number"
