"""Back-of-the-envelope figures from scale annotations."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from archkit.model.system import Metric
from archkit.prep.capacity import derive, duration, number


def figures(name: str, value: str) -> tuple[str, ...]:
    (derived,) = derive([Metric(name, value)])
    assert derived.readable
    return derived.figures


def test_daily_volumes_become_rates_with_a_peak() -> None:
    assert figures("events/day", "1B+") == ("≈ 11.6k/s on average", "34.7k/s at peak (×3)")
    assert figures("traffic", "100M requests/day") == ("≈ 1.16k/s on average", "3.47k/s at peak (×3)")
    assert figures("requests/s", "20k") == ("60k/s at peak (×3)", "1.73B/day")  # 20k/s not said again
    (custom,) = derive([Metric("orders", "2M/day")], peak_factor=5)
    assert custom.figures[1] == "116/s at peak (×5)"


def test_an_availability_sla_allows_this_much_downtime() -> None:
    assert figures("availability SLA", "99.9%") == ("allows 43.8 min/month of downtime", "8.77 h/year")
    assert figures("uptime", "99.99%") == ("allows 4.38 min/month of downtime", "52.6 min/year")
    assert figures("CPU", "45%") == ()  # a percentage that is not an SLA implies nothing


def test_data_rates_per_day_month_and_year() -> None:
    assert figures("ingest", "2 TB/day") == ("60.9 TB/month", "730 TB/year")  # not 2 TB/day again
    assert figures("read bandwidth", "50.8 KB/s") == ("≈ 4.39 GB/day", "134 GB/month", "1.6 TB/year")
    assert figures("storage/month", "12.7 GB") == ("≈ 417 MB/day", "152 GB/year")


def test_what_cannot_be_read_is_kept_as_written() -> None:
    (derived,) = derive([Metric("regions", "three, soon four")])
    assert (derived.readable, derived.value, derived.figures) == (False, "three, soon four", ())
    assert figures("users", "50M") == ()  # a count alone implies no rate


def test_number_and_duration_words() -> None:
    assert [number(x) for x in (3.0, 950, 11574.07, 2.5e9)] == ["3", "950", "11.6k", "2.5B"]
    assert [duration(s) for s in (26, 2629.8, 31557.6, 200000)] == ["26 s", "43.8 min", "8.77 h", "2.31 days"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=20), st.text(max_size=20))
def test_any_scale_text_derives_without_error(name: str, value: str) -> None:
    (derived,) = derive([Metric(name, value)])
    assert derived.value == value
