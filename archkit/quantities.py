"""Quantities as engineers write them: "50M", "1B+/day", "20k rps", "p95 < 50 ms", "99.9%",
"2 TB/day", "$40K/month" — parsed into a value in base units, and compared before/after.

Used for case-study results ("2 s -> 150 ms: 93% faster") and capacity maths. What cannot be
read is None, never an exception: callers show the text as written.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

# dimension -> {unit spelling: factor to the base unit}
_TIME = {
    "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "msec": 1e-3,
    "s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
    "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0,
    "h": 3600.0, "hr": 3600.0, "hrs": 3600.0, "hour": 3600.0, "hours": 3600.0,
    "d": 86400.0, "day": 86400.0, "days": 86400.0,
    "week": 604800.0, "weeks": 604800.0,
    "month": 2629800.0, "months": 2629800.0, "mo": 2629800.0,
    "year": 31557600.0, "years": 31557600.0, "yr": 31557600.0, "y": 31557600.0,
}  # fmt: skip
_DATA = {
    "b": 1.0, "byte": 1.0, "bytes": 1.0,
    "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "pb": 1e15,
    "kib": 1024.0, "mib": 1024.0**2, "gib": 1024.0**3, "tib": 1024.0**4, "pib": 1024.0**5,
}  # fmt: skip
_SCALE = {
    "k": 1e3,
    "K": 1e3,
    "m": 1e6,
    "M": 1e6,
    "mm": 1e6,
    "b": 1e9,
    "B": 1e9,
    "bn": 1e9,
    "t": 1e12,
    "T": 1e12,
    "mn": 1e6,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
}
_PER_SECOND = {"rps", "qps", "tps", "ops", "iops"}
_CURRENCY = {"$": "USD", "€": "EUR", "£": "GBP"}

_NUMBER = r"(?P<number>\d+(?:[.,]\d+)*)"
_PATTERN = re.compile(
    r"^\s*(?P<pct>p\d{2,3}(?:\.\d+)?|\d{2}(?:st|nd|rd|th)\s+percentile)?\s*"
    r"(?P<bound><=|>=|≤|≥|<|>|~|≈|up\s+to|under|over)?\s*"
    r"(?P<currency>[$€£])?\s*" + _NUMBER + r"(?P<gap>\s*)"
    r"(?P<scale>(?i:thousand|million|billion|trillion)(?![a-zA-Z])|bn|mn|mm|[kKmMbBtT](?![a-zA-Z]))?"
    r"\s*(?P<plus>\+)?\s*"
    r"(?P<rest>.*?)\s*$"
)


class Quantity(NamedTuple):
    value: float  # in base units: seconds, bytes, a count, a percentage, an amount of money
    dimension: str  # "time", "data", "count", "percent", "money", "score" (3.1/5)
    per: float | None  # a rate: the length of its period in seconds ("/day" -> 86400)
    noun: str  # what is counted or measured: "users", "events", "CPU"
    currency: str  # "USD" for money
    percentile: str  # "p95"
    bound: str  # "<", ">", "~" or ""
    text: str  # as written
    out_of: float | None = None  # a score's scale: 5 in "3.1/5"

    @property
    def per_second(self) -> float | None:
        """A rate's value per second."""
        return self.value / self.per if self.per else None


def parse_quantity(text: str) -> Quantity | None:
    """Read a quantity; None when the text is not one (the caller shows it as written)."""
    match = _PATTERN.match(text.replace("\u202f", " ").replace("\u00a0", " "))
    if not match:
        return None
    number = read_number(match["number"])
    if number is None:
        return None
    scale = match["scale"] or ""
    rest = match["rest"]
    if scale.lower() == "b" and match["gap"]:
        # as in estimates (prep/figures.py): "1B" is a billion, "1 B" a byte
        scale, rest = "", f"{scale}{rest}"
    value = number * _SCALE.get(scale.lower() if len(scale) > 2 else scale, 1.0)  # "Million" too
    percentile = _percentile(match["pct"] or "")
    bound = _bound(match["bound"] or "")
    currency = _CURRENCY.get(match["currency"] or "", "")
    score = re.fullmatch(r"/\s*(\d+(?:\.\d+)?)\s*(?P<noun>.*)", rest)
    if score and not currency and not scale:
        # "3.1/5": a score out of 5, compared in points
        out_of = float(score.group(1))
        if out_of <= 0:
            return None
        # compared as points out of the same scale: 3/5 -> 8/10 is 60% -> 80%
        return Quantity(value, "score", None, score["noun"], "", percentile, bound, text, out_of)
    unit, per, noun = _unit_and_period(rest)
    if unit is None:
        return None
    if currency:
        dimension = "money"
    elif unit == "%":
        dimension = "percent"
    elif unit in _TIME:
        dimension, value = "time", value * _TIME[unit]
    elif unit in _DATA:
        dimension, value = "data", value * _DATA[unit]
    else:
        dimension = "count"
    return Quantity(
        value, dimension, per, noun, currency, percentile, bound or ("+" if match["plus"] else ""), text
    )


def read_number(text: str) -> float | None:
    """'1,200' -> 1200.0, '1,5' -> 1.5, '1.000,5' -> 1000.5, '2e9' -> 2e9; None when not a number."""
    if "," in text and "." in text:
        if text.rfind(",") < text.rfind("."):
            text = text.replace(",", "")
        else:
            text = text.replace(".", "").replace(",", ".")
    elif "," in text:
        head, _, tail = text.rpartition(",")
        text = text.replace(",", "") if len(tail) == 3 else head.replace(",", "") + "." + tail
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _percentile(text: str) -> str:
    if not text:
        return ""
    digits = re.match(r"p?(\d+(?:\.\d+)?)", text.lower())
    return f"p{digits.group(1)}" if digits else ""


def _bound(text: str) -> str:
    text = " ".join(text.lower().split())
    return {"<=": "<", "≤": "<", "under": "<", "up to": "<", ">=": ">", "≥": ">", "over": ">", "≈": "~"}.get(
        text, text
    )


def _unit_and_period(rest: str) -> tuple[str | None, float | None, str]:
    """('ms', None, ''), ('', 86400.0, 'events') for 'events/day', (None, ...) when unreadable."""
    rest = rest.strip()
    per: float | None = None
    period = re.search(r"(?:/|\bper\s+|\ba\s+)(?P<period>[a-zA-Zµμ]+)\s*$", rest)
    if period:
        word = period["period"].lower()
        if word not in _TIME:
            return None, None, ""
        per = _TIME[word]
        rest = rest[: period.start()].strip()
    if "→" in rest or "->" in rest:
        return None, None, ""  # a change ("3 → 5"), not one quantity
    words = rest.split()
    if not words:
        return "", per, ""
    first = words[0]
    lowered = first.lower()
    if first == "%":
        return "%", per, " ".join(words[1:])
    if lowered in _PER_SECOND:
        return "", 1.0, " ".join(words[1:]) or "requests"
    if lowered in _TIME and per is None:
        return lowered, None, " ".join(words[1:])
    if lowered in _DATA and (lowered != "b" or len(words) == 1):
        return lowered, per, " ".join(words[1:])
    if first.startswith("%"):
        return "%", per, " ".join([first[1:], *words[1:]]).strip()
    if lowered in _TIME:  # "5 ms/day" is not a thing we can use
        return None, None, ""
    noun = "requests" if rest.lower() in ("req", "reqs") else rest
    return "", per, noun  # a count of something: "users", "events", "requests"


def change(before: Quantity, after: Quantity) -> str:
    """How 'after' compares with 'before', in the words an engineer would use; '' when they
    cannot be compared (different dimensions or periods)."""
    if before.dimension != after.dimension or (before.per is None) != (after.per is None):
        return ""
    if before.currency != after.currency or before.percentile != after.percentile:
        return ""  # dollars against euros, p99 against p50: not the same measure
    b = before.per_second if before.per else before.value
    a = after.per_second if after.per else after.value
    if b is None or a is None:
        return ""
    if before.dimension == "score" and before.out_of != after.out_of:
        return ""  # 3/5 against 8/10: say nothing rather than something wrong
    if before.dimension in ("percent", "score"):
        points = after.value - before.value
        return (
            f"{_short(abs(points))} points {'lower' if points < 0 else 'higher'}" if points else "unchanged"
        )
    if b == 0:
        return ""
    if a == 0:
        return "down to zero"
    ratio = a / b
    if ratio == 1:
        return "unchanged"
    if before.dimension == "time" and not before.per:
        if ratio < 1:
            return f"{_percent(1 - ratio)}% faster" if ratio > 0.01 else f"{_short(1 / ratio)}x faster"
        return f"{_short(ratio)}x slower" if ratio >= 2 else f"{_percent(ratio - 1)}% slower"
    if ratio >= 2:
        return f"{_short(ratio)}x"
    if ratio > 1:
        return f"{_percent(ratio - 1)}% more"
    return f"{_percent(1 - ratio)}% less"


def _percent(fraction: float) -> int:
    """A share as a whole percentage, halves rounded up (92.5% -> 93%, as people round)."""
    return math.floor(fraction * 100 + 0.5)


def _short(number: float) -> str:
    """10.0 -> '10', 2.5 -> '2.5', 13.333 -> '13'."""
    if number >= 10:
        return str(round(number))
    rounded = round(number, 1)
    return str(int(rounded)) if rounded == int(rounded) else str(rounded)
