"""Back-of-the-envelope figures from a system's scale: average and peak rates per second, data
rates per day, month and year, and the downtime an availability SLA allows.

A thin view of :mod:`archkit.prep.estimates` (which reads the figures with their units). What cannot
be read is kept as written, with ``readable=False``, never an error: the cheat sheet shows it as
the user wrote it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from archkit.model.system import Metric, System
from archkit.prep import figures as F
from archkit.prep.estimates import DEFAULT_PEAK_FACTOR, estimate

DAY = F.DAY
MONTH = F.MONTH
YEAR = F.YEAR


class Derived(NamedTuple):
    name: str
    value: str  # as written
    readable: bool
    figures: tuple[str, ...]  # what follows from it: "≈ 11.6k/s on average", ...


def derive(scale: Sequence[Metric], peak_factor: float = DEFAULT_PEAK_FACTOR) -> list[Derived]:
    """What each scale figure implies; ``peak_factor`` is peak traffic over the average."""
    found = estimate(System("", scale=tuple(scale)), peak_factor)
    return [Derived(f.name, f.text, f.readable, f.implies) for f in found.figures]


number = F.count
data_size = F.size
duration = F.duration
