"""Back-of-the-envelope estimates: reading quantities, unit algebra, errors with positions,
rounding, the guide's worked designs, and the commands that show them."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from inline_snapshot import snapshot
from typer.testing import CliRunner

from archkit.cli import app
from archkit.errors import ArchkitError, format_problem
from archkit.model.load import load_system, load_system_text
from archkit.model.system import System
from archkit.prep import figures as F
from archkit.prep.estimates import calc, estimate, number_cards

PRIMER = Path(__file__).parent / "fixtures" / "primer"


def read(text: str) -> F.Value:
    return F.read_quantity(text).value


def shown(text: str) -> str:
    reading = F.read_quantity(text)
    return F.show(reading.value, reading.period)


@pytest.mark.parametrize(
    ("text", "amount", "unit", "as_shown"),
    [
        # number words and suffixes, in any case
        ("10 million per month", 1e7 / F.MONTH, "1/s", "10M/month"),
        ("1.2 billion per day", 1.2e9 / F.DAY, "1/s", "1.2B/day"),
        ("500 million", 500e6, "1", "500M"),
        ("10 thousand/s", 1e4, "1/s", "10k/s"),
        ("3 trillion", 3e12, "1", "3T"),
        ("2 bn", 2e9, "1", "2B"),
        ("7mn users", 7e6, "1", "7M"),
        ("20k rps", 2e4, "1/s", "20k/s"),
        ("20K req/s", 2e4, "1/s", "20k/s"),
        ("1B+", 1e9, "1", "1B"),
        ("1B+ events/day", 1e9 / F.DAY, "1/s", "1B/day"),
        ("1,200,000", 1.2e6, "1", "1.2M"),
        ("1.5 hundred", 150.0, "1", "150"),
        # rates
        ("100 per second", 100.0, "1/s", "100/s"),
        ("90 per minute", 1.5, "1/s", "90/min"),
        ("3600/h", 1.0, "1/s", "3.6k/h"),
        ("5 a day", 5 / F.DAY, "1/s", "5/day"),
        ("2 daily", 2 / F.DAY, "1/s", "2/day"),
        ("12 monthly", 12 / F.MONTH, "1/s", "12/month"),
        ("1 per week", 1 / F.WEEK, "1/s", "1/week"),
        ("52/yr", 52 / F.YEAR, "1/s", "52/year"),
        ("4 billion links crawled each month", 4e9 / F.MONTH, "1/s", "4B/month"),
        # sizes: SI powers of 1000, IEC of 1024, bits
        ("1.27 KB", 1270.0, "B", "1.27 KB"),
        ("500 B", 500.0, "B", "500 B"),
        ("40 bytes", 40.0, "B", "40 B"),
        ("2 TB", 2e12, "B", "2 TB"),
        ("3 PB", 3e15, "B", "3 PB"),
        ("1 GiB", 1024.0**3, "B", "1.07 GB"),
        ("1 KiB", 1024.0, "B", "1.02 KB"),
        ("8 bits", 1.0, "B", "1 B"),
        ("100 Mbps", 12.5e6, "B/s", "12.5 MB/s"),
        ("1 Gbps", 1.25e8, "B/s", "125 MB/s"),
        ("12.7 GB/month", 12.7e9 / F.MONTH, "B/s", "12.7 GB/month"),
        ("50.8 KB/s", 50800.0, "B/s", "50.8 KB/s"),
        # durations
        ("3 years", 3 * F.YEAR, "s", "3 years"),
        ("36 months", 3 * F.YEAR, "s", "3 years"),
        ("90 days", 90 * F.DAY, "s", "90 days"),
        ("45 min", 2700.0, "s", "45 min"),
        ("p95 < 50 ms", 0.05, "s", "50 ms"),
        ("under 2 s", 2.0, "s", "2 s"),
        # percentages, ratios, approximations, money
        ("99.9%", 0.999, "1", "99.9%"),
        ("80% CPU", 0.8, "1", "80%"),
        ("10:1", 10.0, "1", "10"),
        ("100:1 read to write ratio", 100.0, "1", "100"),
        ("~1.27 KB", 1270.0, "B", "1.27 KB"),
        ("about 450 GB", 450e9, "B", "450 GB"),
        ("$40K/month", 40e3 / F.MONTH, "$/s", "$40k/month"),
        # what is counted
        ("10 million paste writes per month", 1e7 / F.MONTH, "1/s", "10M/month"),
        ("50 friends per user average", 50.0, "1", "50"),
    ],
)
def test_spellings(text: str, amount: float, unit: str, as_shown: str) -> None:
    value = read(text)
    assert value.amount == pytest.approx(amount, rel=1e-9)
    assert F.base_unit(value.dims) == unit
    assert shown(text) == as_shown


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("PCI DSS", "no number"),
        ("3 → 5", "unexpected '→'"),
        ("3 in 18 months", "unexpected 'in'"),
        ("ten", "no number"),
        ("5 users 3 days", "unexpected '3'"),
        ("10 gazillion", "'gazillion' is not a number word or unit archkit knows"),
        ("5 gigs", "'gigs' is not a number word or unit archkit knows"),
        ("3 megabites", "'megabites' is not a number word or unit archkit knows"),
        ("12 users 5 years", "unexpected '5'"),
        ("3.1/5", "not one figure"),
        ("", "no number"),
    ],
)
def test_what_is_not_one_figure_is_an_error_never_a_number(text: str, reason: str) -> None:
    with pytest.raises(F.CalcError) as caught:
        F.read_quantity(text)
    assert caught.value.message == reason


def test_the_name_gives_the_period() -> None:
    system = System(
        "S",
        scale={"storage/month": "12.7 GB", "tweets/day": "500 million", "tweets per day": "5", "users": "5"},
    )
    found = {f.name: f.shown for f in estimate(system).figures}
    assert found == {
        "storage/month": "12.7 GB/month",
        "tweets/day": "500M/day",
        "tweets per day": "5/day",
        "users": "5",
    }


@pytest.mark.parametrize(
    ("expression", "result"),
    [
        ("10B/day in /s", "116k/s"),
        ("100M * 500 B in TB", "0.05 TB"),
        ("100M * 500 B", "50 GB"),
        ("12.7 GB/month * 3 years in GB", "457 GB"),
        ("10M/month * 3 years", "360M"),
        ("1 GB / 100 MB/s", "10 s"),
        ("(2 KB + 500 B) * 4", "10 KB"),
        ("1 day - 12 h in h", "12 h"),
        ("1 Gbps in MB/s", "125 MB/s"),
        ("64 GiB / 1 KiB", "67.1M"),
        ("50M * 20%", "10M"),
        ("1B / 2.5M", "400"),
        ("-3 KB", "-3 KB"),
        ("10M x 2", "20M"),
        ("1 year in days", "365 days"),
        ("1 TB / 1 day in MB/s", "11.6 MB/s"),
    ],
)
def test_unit_algebra(expression: str, result: str) -> None:
    assert calc(expression).shown == result


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("1 KB + 2 s", "<expression>:1:6: error: cannot add a duration (s) to a size (B); expected quantities of the same unit on both sides of + and -"),
        ("10M in GB/month", "<expression>:1:5: error: cannot show a count (1) in GB/month, which is a data rate (B/s); expected a unit of a count (1), or another expression"),
        ("5 GB / 0", "<expression>:1:6: error: division by zero; expected a divisor that is not 0"),
        ("3 GBz", "<expression>:1:3: error: unknown unit 'GBz'; expected a unit (B, KB, GB, KiB, Mbps, s, ms, day, month, %), an operator or 'in UNIT'; did you mean 'GB'?"),
        ("(1 + 2", "<expression>:1:1: error: '(' is never closed; expected ')'"),
        ("2 *", "<expression>:1:4: error: the expression ends too early; expected a number, a [name] or '('"),
        ("1 KB in parsecs", "<expression>:1:9: error: 'in' needs a unit; expected a unit such as GB, TB, KB/s, GB/month, /s or /day; did you mean 'sec'?"),
        ("__import__('os')", "<expression>:1:12: error: unexpected '''; expected numbers, units, [names] and + - * / ( )"),
        ("__import__", "<expression>:1:1: error: unknown unit '__import__'; expected a unit (B, KB, GB, KiB, Mbps, s, ms, day, month, %), an operator or 'in UNIT'"),
        ("[users] * 2", "<expression>:1:1: error: [users] names a figure, but a lone expression has none; expected numbers with units: 10B/day in /s, 100M * 500 B in TB"),
        ("1e308 * 1e308", "<expression>:1:7: error: the result is too large to compute"),
    ],
)  # fmt: skip
def test_errors_name_the_column_and_both_units(expression: str, message: str) -> None:
    with pytest.raises(ArchkitError) as caught:
        calc(expression)
    assert [format_problem(p) for p in caught.value.problems] == [message]


def test_rounding_for_speaking() -> None:
    assert [F.sig(x) for x in (12.6999, 457.2, 3.8026, 0.04567, 1234567, 999.96)] == [
        "12.7", "457", "3.8", "0.0457", "1,230,000", "1,000",
    ]  # fmt: skip
    assert [F.count(x) for x in (3.8026, 950, 11574.07, 360e6, 999_960, 2.5e9, 4.2e12)] == [
        "3.8", "950", "11.6k", "360M", "1M", "2.5B", "4.2T",
    ]  # fmt: skip
    assert [F.size(x) for x in (500, 1270, 457.2e9, 5.48e15)] == ["500 B", "1.27 KB", "457 GB", "5.48 PB"]
    assert [F.duration(x) for x in (0.05, 26, 2629.8, 31557.6, 6 * F.MONTH, 3 * F.YEAR)] == [
        "50 ms", "26 s", "43.8 min", "8.77 h", "6 months", "3 years",
    ]  # fmt: skip


PASTEBIN = """\
name: Pastebin
scale:
  paste writes: 10 million per month
  paste reads: 100 million per month
  size per paste: 1.27 KB
  retention: 3 years
estimates:
  new content: "[paste writes] * [size per paste] in GB/month"   # 12.7 GB/month
  content stored: "[new content] * [retention] in GB"             # about 457 GB
  shortlinks stored: "[paste writes] * [retention]"               # 360M
  read bandwidth: "[paste reads] * [size per paste] in KB/s"      # about 48 KB/s
"""


def test_the_issue_example_gives_the_figures_in_its_comments() -> None:
    found = estimate(load_system_text(PASTEBIN, "pastebin.yaml"))
    assert found.problems == ()
    assert [(f.name, f.shown, f.working) for f in found.estimates] == snapshot(
        [
            (
                "new content",
                "12.7 GB/month",
                "[paste writes] x [size per paste] = 10M/month x 1.27 KB = 12.7 GB/month",
            ),
            ("content stored", "457 GB", "[new content] x [retention] = 12.7 GB/month x 3 years = 457 GB"),
            ("shortlinks stored", "360M", "[paste writes] x [retention] = 10M/month x 3 years = 360M"),
            (
                "read bandwidth",
                "48.3 KB/s",
                "[paste reads] x [size per paste] = 100M/month x 1.27 KB = 48.3 KB/s",
            ),
        ]
    )


# The guide's derived figures, and archkit's. The guide rounds with "2.5 million seconds per month"
# and 30-day months; archkit uses a twelfth of a year of 365.25 days, so its figures are within 6%.
GUIDE = {
    "pastebin": {
        "new content": 12.7e9 / F.MONTH,
        "content stored": 450e9,
        "shortlinks stored": 360e6,
        "writes per second": 4,
        "reads per second": 40,
    },
    "twitter": {
        "new tweet content": 150e12 / F.MONTH,
        "tweet content stored": 5.4e15,
        "reads per second": 100e3,
        "tweets per second": 6000,
        "deliveries per second": 60e3,
        "searches per second": 4000,
    },
    "web-crawler": {
        "page content per month": 2e15 / F.MONTH,
        "page content stored": 72e15,
        "writes per second": 1600,
        "searches per second": 40e3,
    },
    "sales-rank": {
        "new transaction content": 40e9 / F.MONTH,
        "transaction content stored": 1.44e12,
        "transactions per second": 400,
        "reads per second": 40e3,
    },
    "mint": {
        "budget items stored": 100e6,
        "new transaction content": 250e9 / F.MONTH,
        "transaction content stored": 9e12,
        "transactions per second": 2000,
        "reads per second": 200,
    },
    "query-cache": {"cache data per month": 2.7e12 / F.MONTH, "requests per second": 4000},
    "social-graph": {"friend relationships": 5e9, "searches per second": 400},
}


@pytest.mark.parametrize("slug", sorted(GUIDE))
def test_the_guide_worked_designs_are_reproduced(slug: str) -> None:
    system = load_system(PRIMER / f"{slug}.yaml")
    found = estimate(system)
    assert found.problems == ()
    for name, expected in GUIDE[slug].items():
        figure = found.figure(name)
        assert figure is not None and figure.value is not None, name
        assert figure.value.amount == pytest.approx(expected, rel=0.06), (slug, name, figure.shown)


def test_the_guide_figures_as_shown() -> None:
    shown_by = {
        slug: {f.name: f.shown for f in estimate(load_system(PRIMER / f"{slug}.yaml")).estimates}
        for slug in GUIDE
    }
    assert shown_by == snapshot(
        {
            "pastebin": {
                "new content": "12.7 GB/month",
                "content stored": "457 GB",
                "shortlinks stored": "360M",
                "writes per second": "3.8/s",
                "reads per second": "38/s",
                "read bandwidth": "48.3 KB/s",
            },
            "twitter": {
                "new tweet content": "152 TB/month",
                "tweet content stored": "5.48 PB",
                "reads per second": "95.1k/s",
                "tweets per second": "5.7k/s",
                "deliveries per second": "57.9k/s",
                "searches per second": "3.8k/s",
            },
            "web-crawler": {
                "page content per month": "2 PB/month",
                "page content stored": "72 PB",
                "writes per second": "1.52k/s",
                "searches per second": "38k/s",
            },
            "sales-rank": {
                "new transaction content": "40 GB/month",
                "transaction content stored": "1.44 TB",
                "transactions per second": "380/s",
                "reads per second": "38k/s",
            },
            "mint": {
                "budget items stored": "100M",
                "new transaction content": "250 GB/month",
                "transaction content stored": "9 TB",
                "transactions per second": "1.9k/s",
                "reads per second": "190/s",
            },
            "query-cache": {"cache data per month": "2.7 TB/month", "requests per second": "3.8k/s"},
            "social-graph": {"friend relationships": "5B", "searches per second": "380/s"},
        }
    )


def test_estimate_errors_are_placed_in_the_file(tmp_path: Path) -> None:
    (tmp_path / "systems").mkdir()
    text = PASTEBIN + (
        '  mixed: "[paste writes] + [size per paste]"\n'
        "  typo: '[paste writs] * 2'\n"
        '  asked wrong: "[paste writes] in GB/month"\n'
        '  loop a: "[loop b] * 2"\n'
        '  loop b: "[loop a] / 2"\n'
        '  halved: "[new content] / 0"\n'
        "diagram-estimates: [content stord]\n"
    )
    (tmp_path / "systems" / "paste.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["-C", str(tmp_path), "check"])
    assert result.exit_code == 1  # findings
    assert result.stderr.splitlines() == snapshot(
        [
            "systems/paste.yaml:1:1: warning: the system has no components; expected a 'components' list",
            "systems/paste.yaml:12:26: error: estimate 'mixed': cannot add a size (B) to a rate (1/s); expected quantities of the same unit on both sides of + and -",
            "systems/paste.yaml:13:10: error: estimate 'typo': unknown figure [paste writs]; expected the name of a scale figure or another estimate: [paste writes], [paste reads], [size per paste], [retention], [new content], [content stored], [shortlinks stored], [read bandwidth], [mixed], [asked wrong], [loop a], [loop b]; did you mean 'paste writes'?",
            "systems/paste.yaml:14:32: error: estimate 'asked wrong': cannot show a rate (1/s) in GB/month, which is a data rate (B/s); expected a unit of a rate (1/s), or another expression",
            "systems/paste.yaml:16:12: error: estimate 'loop b': [loop a] depends on itself: loop a -> loop b -> loop a",
            "systems/paste.yaml:17:26: error: estimate 'halved': division by zero; expected a divisor that is not 0",
            "systems/paste.yaml:18:21: error: diagram-estimates names unknown estimate 'content stord'; expected the name of an estimate: 'new content', 'content stored', 'shortlinks stored', 'read bandwidth', 'mixed', 'typo', 'asked wrong', 'loop a', 'loop b', 'halved'; did you mean 'content stored'?",
        ]
    )


def test_an_unreadable_scale_figure_is_shown_as_written_and_an_estimate_using_it_fails() -> None:
    system = System("S", scale={"regions": "three, soon four"}, estimates={"per region": "[regions] * 2"})
    found = estimate(system)
    figure = found.figure("regions")
    assert figure is not None and (figure.value, figure.shown) == (None, "three, soon four")
    assert [format_problem(p) for p in found.problems] == snapshot(
        [
            "warning: scale 'regions: three, soon four' is not a figure archkit can compute with (unexpected ','); it is shown as written; expected a number with its unit, such as 10M/month, 1.27 KB, 3 years or 99.9%",
            "error: estimate 'per region': [regions] is the scale figure 'three, soon four', which archkit cannot read; expected a scale figure written as a number with its unit, such as 10M/month or 1.27 KB",
        ]
    )


def test_python_systems_have_estimates() -> None:
    system = System("S", scale={"writes": "10M/month"}, estimates={"per second": "[writes] in /s"})
    assert [f.shown for f in estimate(system).estimates] == ["3.8/s"]


# --- The commands --------------------------------------------------------------------------------


@pytest.fixture
def primer(tmp_path: Path) -> Path:
    (tmp_path / "systems").mkdir()
    for path in PRIMER.glob("*.yaml"):
        (tmp_path / "systems" / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def test_estimate_prints_a_table_with_the_working(primer: Path) -> None:
    result = CliRunner().invoke(app, ["-C", str(primer), "estimate", "social-graph"])
    assert result.exit_code == 0
    assert result.stdout == snapshot("""\
figure                value     working
users                 100M
friends per user      50
friend searches       1B/month  ≈ 380/s on average; 1.14k/s at peak (×3)
friend relationships  5B        [users] x [friends per user] = 100M x 50 = 5B
searches per second   380/s     [friend searches] = 1B/month = 380/s (1.14k/s at peak (×3); 32.9M/day)
""")


def test_estimate_json_has_one_object_per_figure(primer: Path) -> None:
    result = CliRunner().invoke(app, ["-C", str(primer), "estimate", "pastebin", "--json"])
    assert result.exit_code == 0
    figures = json.loads(result.stdout)
    by_name = {f["name"]: f for f in figures}
    assert len(figures) == 12
    assert by_name["paste writes"] == {
        "name": "paste writes",
        "kind": "scale",
        "text": "10 million paste writes per month",
        "value": pytest.approx(1e7 / F.MONTH),
        "unit": "1/s",
        "shown": "10M/month",
        "peak": pytest.approx(3e7 / F.MONTH),
        "implies": ["≈ 3.8/s on average", "11.4/s at peak (×3)"],
    }
    stored = by_name["content stored"]
    assert (stored["value"], stored["unit"], stored["shown"]) == (pytest.approx(457.2e9), "B", "457 GB")
    assert stored["working"] == "[new content] x [retention] = 12.7 GB/month x 3 years = 457 GB"
    assert "peak" not in stored
    assert by_name["read bandwidth"]["unit"] == "B/s" and by_name["retention"]["unit"] == "s"


def test_estimate_warns_about_what_it_cannot_read(tmp_path: Path) -> None:
    (tmp_path / "systems").mkdir()
    (tmp_path / "systems" / "s.yaml").write_text(
        "name: S\nscale:\n  writes: 10 gazillion\n", encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["-C", str(tmp_path), "estimate", "s"])
    assert result.exit_code == 0
    assert result.stderr == snapshot("""\
systems/s.yaml:1:1: warning: the system has no components; expected a 'components' list
systems/s.yaml:3:14: warning: scale 'writes: 10 gazillion' is not a figure archkit can compute with ('gazillion' is not a number word or unit archkit knows); it is shown as written; expected a number with its unit, such as 10M/month, 1.27 KB, 3 years or 99.9%
""")
    assert "10 gazillion" in result.stdout


def test_calc_prints_the_result_and_what_it_implies() -> None:
    result = CliRunner().invoke(app, ["calc", "10B/day in /s"])
    assert (result.exit_code, result.stdout) == (
        0,
        snapshot("""\
10B/day in /s = 116k/s
  ≈ 116k/s on average
  347k/s at peak (×3)
  10B/day
"""),
    )
    bad = CliRunner().invoke(app, ["calc", "1 KB + 2 s"])
    assert bad.exit_code == 2
    assert bad.stderr == snapshot(
        "<expression>:1:6: error: cannot add a duration (s) to a size (B); expected quantities of the same unit on both sides of + and -\n"
    )
    as_json = json.loads(CliRunner().invoke(app, ["calc", "100M * 500 B in TB", "--json"]).stdout)
    assert (as_json["value"], as_json["unit"], as_json["shown"]) == (pytest.approx(5e10), "B", "0.05 TB")


def test_drill_asks_number_questions_with_their_working(primer: Path) -> None:
    cards = number_cards([load_system(PRIMER / "pastebin.yaml")])
    questions = [(c.question, c.answer) for c in cards]
    assert questions[0] == (
        "Pastebin, paste writes: 10 million paste writes per month. How many per second, on average and at peak?",
        "≈ 3.8/s on average; 11.4/s at peak (×3)",
    )
    stored = next(q for q in questions if "content stored" in q[0])
    assert stored == (
        "Pastebin from new content = 12.7 GB/month, retention = 3 years: what is the content stored?",
        "[new content] x [retention] = 12.7 GB/month x 3 years = 457 GB",
    )
    result = CliRunner().invoke(app, ["-C", str(primer), "drill", "--system", "social-graph", "--print"])
    assert result.exit_code == 0
    printed = " ".join(result.stdout.split())  # drill wraps its lines to the terminal
    assert "what is the friend relationships?" in printed
    assert "[users] x [friends per user] = 100M x 50 = 5B" in printed


def test_the_cheat_sheet_lists_the_estimates_with_their_working(primer: Path, tmp_path: Path) -> None:
    out = tmp_path / "board"
    result = CliRunner().invoke(app, ["-C", str(primer), "whiteboard", "pastebin", "-o", str(out)])
    assert result.exit_code == 0, result.output
    markdown = (out / "pastebin-cheat-sheet.md").read_text(encoding="utf-8")
    assert (
        "- **content stored**: 457 GB — \\[new content\\] x \\[retention\\] = 12.7 GB/month x 3 years = 457 GB"
        in markdown
    )  # the brackets escaped: Markdown would read them as links
    html = (out / "pastebin-cheat-sheet.html").read_text(encoding="utf-8")
    assert "<th>shortlinks stored</th><td>360M</td>" in html


def test_the_title_block_shows_the_chosen_estimates() -> None:
    from archkit.render.dot import to_dot

    system = load_system_text(
        PASTEBIN + "diagram-estimates: [content stored]\ncomponents: [{id: a}]\n", "p.yaml"
    )
    dot = to_dot(system)
    assert "457 GB" in dot and "content stored" in dot
    assert "360M" not in dot  # not chosen


# --- Properties ----------------------------------------------------------------------------------

_DIMS = [F.COUNT, F.RATE, F.SIZE, F.DATA_RATE, F.TIME, F.MONEY, (0, -1, 1)]


@st.composite
def spellings(draw: st.DrawFn) -> str:
    number = draw(st.sampled_from(["1", "12.7", "1,200", "0.5", "360", "3", "99.9", "1.27"]))
    suffix = draw(st.sampled_from(["", "k", "M", "B", " thousand", " million", " bn", "K"]))
    unit = draw(
        st.sampled_from(["", " KB", " GB", " GiB", " bytes", " ms", " years", "%", " Mbps", " users"])
    )
    period = draw(st.sampled_from(["", "/s", " per month", "/day", " a week", " daily"]))
    prefix = draw(st.sampled_from(["", "~", "about ", "$", "p99 < "]))
    return f"{prefix}{number}{suffix}{unit}{period}"


@settings(max_examples=400, deadline=None)
@given(st.one_of(spellings(), st.text(max_size=16)))
def test_what_the_parser_accepts_reads_back_the_same_when_formatted(text: str) -> None:
    try:
        reading = F.read_quantity(text)
    except F.CalcError:
        return  # refused, with a reason: never a number
    again = F.read_quantity(F.show(reading.value, reading.period)).value
    assert again.dims == reading.value.dims
    assert math.isclose(again.amount, reading.value.amount, rel_tol=5e-3, abs_tol=1e-12), text


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=1e-3, max_value=1e17), st.sampled_from(_DIMS))
def test_every_value_shown_reads_back_within_rounding(amount: float, dims: F.Dims) -> None:
    value = F.Value(amount, dims)
    again = F.read_quantity(F.show(value)).value
    assert again.dims == dims
    assert math.isclose(again.amount, amount, rel_tol=5e-3)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_any_expression_is_computed_or_refused_with_a_position(text: str) -> None:
    try:
        calc(text)
    except ArchkitError as exc:
        (problem,) = exc.problems
        assert problem.position is not None and 1 <= problem.position.column <= len(text) + 1


@pytest.mark.parametrize(
    ("value", "shown"),
    [(1e299, "1e299"), (9.996e20, "1e21"), (1.234e21, "1.23e21"), (2.5e9, "2.5B"), (1234567, "1.23M")],
)
def test_a_figure_past_a_float_s_exact_digits_is_shown_in_powers_of_ten(value: float, shown: str) -> None:
    """'1e299', never 1,000,000,000,000,000,066,436,... (digits a float made up)."""
    from archkit.prep import figures as F

    assert F.count(value) == shown
    assert F.read_quantity(F.count(value)).value.amount == pytest.approx(float(F.sig(value).replace(",", "")))
