"""Quantities as engineers write them, and how a result compares with its baseline."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archkit.quantities import change, parse_quantity


@pytest.mark.parametrize(
    ("text", "value", "dimension", "per", "noun", "percentile", "bound"),
    [
        ("50M", 50e6, "count", None, "", "", ""),
        ("50M users", 50e6, "count", None, "users", "", ""),
        ("1B+", 1e9, "count", None, "", "", "+"),
        ("1B+/day", 1e9, "count", 86400.0, "", "", "+"),
        ("1B+ events/day", 1e9, "count", 86400.0, "events", "", "+"),
        ("1.5bn events per day", 1.5e9, "count", 86400.0, "events", "", ""),
        ("20k rps", 20e3, "count", 1.0, "requests", "", ""),
        ("20K req/s", 20e3, "count", 1.0, "requests", "", ""),
        ("12k events/s", 12e3, "count", 1.0, "events", "", ""),
        ("p95 < 50 ms", 0.05, "time", None, "", "p95", "<"),
        ("p99 2ms", 0.002, "time", None, "", "p99", ""),
        ("95th percentile < 50ms", 0.05, "time", None, "", "p95", "<"),
        ("< 100 ms", 0.1, "time", None, "", "", "<"),
        ("under 2 s", 2.0, "time", None, "", "", "<"),
        ("~300 µs", 3e-4, "time", None, "", "", "~"),
        ("4hrs", 14400.0, "time", None, "", "", ""),
        ("45 min", 2700.0, "time", None, "", "", ""),
        ("99.9%", 99.9, "percent", None, "", "", ""),
        ("80% CPU", 80.0, "percent", None, "CPU", "", ""),
        ("2 TB/day", 2e12, "data", 86400.0, "", "", ""),
        ("2.5 GiB", 2.5 * 1024**3, "data", None, "", "", ""),
        ("$40K/month", 40e3, "money", 2629800.0, "", "", ""),
        ("$2M", 2e6, "money", None, "", "", ""),
        ("1,000", 1000.0, "count", None, "", "", ""),
        ("10 million requests/day", 1e7, "count", 86400.0, "requests", "", ""),
        ("1.2 Billion per day", 1.2e9, "count", 86400.0, "", "", ""),
        ("10 thousand/s", 1e4, "count", 1.0, "", "", ""),
        ("500 million", 5e8, "count", None, "", "", ""),
        ("1,5 s", 1.5, "time", None, "", "", ""),
        ("3.1/5", 3.1, "score", None, "", "", ""),
    ],
)
def test_spellings(
    text: str, value: float, dimension: str, per: float | None, noun: str, percentile: str, bound: str
) -> None:
    q = parse_quantity(text)
    assert q is not None, text
    assert q.value == pytest.approx(value)
    assert (q.dimension, q.per, q.noun, q.percentile, q.bound, q.text) == (
        dimension,
        per,
        noun,
        percentile,
        bound,
        text,
    )


@pytest.mark.parametrize("text", ["", "ten", "n/a", "3 → 5", "5 ms/day", "TBD", "12 per fortnight"])
def test_what_is_not_one_quantity_is_none(text: str) -> None:
    assert parse_quantity(text) is None


def test_rates_per_second() -> None:
    q = parse_quantity("1B+ events/day")
    assert q is not None and q.per_second == pytest.approx(11574.07, rel=1e-4)


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("2 s", "150 ms", "93% faster"),  # the guide's 2s -> 150ms (93% improvement)
        ("200 ms", "2 s", "10x slower"),
        ("200 ms", "300 ms", "50% slower"),
        ("10M requests/day", "100M requests/day", "10x"),
        ("10M/day", "15M/day", "50% more"),
        ("10 million requests/day", "1 billion requests/day", "100x"),
        ("80% CPU", "45% CPU", "35 points lower"),
        ("65%", "92%", "27 points higher"),
        ("3.1/5", "4.3/5", "1.2 points higher"),
        ("3/5", "8/10", ""),
        ("2 s", "0 ms", "down to zero"),
        ("$40K/month", "€30K/month", ""),
        ("p99 2 s", "p50 1 s", ""),
        ("8/month", "2/month", "75% less"),
        ("4 hrs", "45 min", "81% faster"),
        ("$120K/month", "$80K/month", "33% less"),
        ("1 s", "1000 ms", "unchanged"),
        ("1 s", "5 users", ""),
        ("5/day", "5", ""),
    ],
)
def test_change_has_the_right_sign_and_unit(before: str, after: str, expected: str) -> None:
    b, a = parse_quantity(before), parse_quantity(after)
    assert b is not None and a is not None
    assert change(b, a) == expected


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=30))
def test_no_text_raises(text: str) -> None:
    q = parse_quantity(text)
    if q is not None:
        assert q.text == text
        other = parse_quantity("1 s")
        assert other is not None
        change(q, other)
        change(other, q)


@pytest.mark.parametrize(
    ("text", "amount", "dimension"),
    [("500 B", 500.0, "data"), ("1 b/day", 1.0, "data"), ("1B", 1e9, "count"), ("3B requests", 3e9, "count")],
)
def test_a_b_is_a_byte_apart_from_the_number_and_a_billion_beside_it_as_in_estimates(
    text: str, amount: float, dimension: str
) -> None:
    """Case-study results and estimates read one figure the same way."""
    from archkit.prep.figures import read_quantity

    found = parse_quantity(text)
    assert found is not None and (found.value, found.dimension) == (amount, dimension)
    reading = read_quantity(text)
    assert reading.value.dims[0] == (1 if dimension == "data" else 0)
    assert reading.value.amount == pytest.approx(amount / (86400 if "/day" in text else 1))
