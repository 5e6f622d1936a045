"""Back-of-the-envelope figures from a system's scale: average and peak rates per second, storage
growth per day and year, and the downtime an availability SLA allows.

What cannot be read is kept as written, with ``readable=False``, never an error: the cheat sheet
shows it as the user wrote it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from archkit.model.system import Metric
from archkit.quantities import Quantity, parse_quantity

DAY = 86400.0
MONTH = 2629800.0  # 30.44 days: a twelfth of a year
YEAR = 31557600.0  # 365.25 days
_AVAILABILITY_WORDS = ("sla", "availability", "uptime", "slo")


class Derived(NamedTuple):
    name: str
    value: str  # as written
    readable: bool
    figures: tuple[str, ...]  # what follows from it: "≈ 11.6k/s on average", ...


def derive(scale: Sequence[Metric], peak_factor: float = 3.0) -> list[Derived]:
    """What each scale figure implies; ``peak_factor`` is peak traffic over the average."""
    return [_derive(metric, peak_factor) for metric in scale]


def _derive(metric: Metric, peak_factor: float) -> Derived:
    quantity = _read(metric)
    if quantity is None:
        return Derived(metric.name, metric.value, False, ())
    figures: list[str] = []
    name = metric.name.lower()
    if quantity.dimension == "percent" and any(word in name for word in _AVAILABILITY_WORDS):
        if 0 < quantity.value < 100:
            down = 1 - quantity.value / 100
            figures.append(f"allows {duration(down * MONTH)}/month of downtime")
            figures.append(f"{duration(down * YEAR)}/year")
    elif quantity.per and quantity.dimension == "data":
        per_second = quantity.value / quantity.per
        figures.append(f"≈ {data_size(per_second * DAY)}/day")
        figures.append(f"{data_size(per_second * YEAR)}/year of growth")
    elif quantity.per and quantity.dimension == "count":
        per_second = quantity.value / quantity.per
        figures.append(f"≈ {number(per_second)}/s on average")
        figures.append(f"{number(per_second * peak_factor)}/s at peak (×{number(peak_factor)})")
        if quantity.per < DAY:
            figures.append(f"{number(per_second * DAY)}/day")
    return Derived(metric.name, metric.value, True, tuple(figures))


def _read(metric: Metric) -> Quantity | None:
    """The figure, reading the unit from the name when the value has none: 'events/day: 1B+'."""
    quantity = parse_quantity(metric.value)
    if quantity is not None and (quantity.per or quantity.dimension != "count" or quantity.noun):
        return quantity
    with_name = parse_quantity(f"{metric.value} {metric.name}")
    if with_name is not None and (with_name.per or with_name.dimension != "count"):
        return with_name
    return quantity


def number(value: float) -> str:
    """11574.07 -> '11.6k', 34722 -> '34.7k', 3.0 -> '3', 2.5e9 -> '2.5B'."""
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return _trim(value / limit) + suffix
    return _trim(value)


def data_size(value: float) -> str:
    for limit, suffix in ((1e15, "PB"), (1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB")):
        if value >= limit:
            return f"{_trim(value / limit)} {suffix}"
    return f"{_trim(value)} B"


def duration(seconds: float) -> str:
    """2630 -> '43.8 min', 31557 -> '8.8 h', 26 -> '26 s'."""
    for limit, suffix in ((DAY, "d"), (3600.0, "h"), (60.0, "min")):
        if seconds >= limit:
            return f"{_trim(seconds / limit)} {suffix}"
    return f"{_trim(seconds)} s"


def _trim(value: float) -> str:
    if value >= 100:
        return str(round(value))
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else str(rounded)
