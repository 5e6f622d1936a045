"""The sentences archkit's scaffolds write are recognised: tdr check warns, the checklist counts
them as missing, and starter files are not counted until renamed or replaced."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from archkit.cli import app
from archkit.placeholders import fragments, is_placeholder


@pytest.mark.parametrize(
    "text",
    [
        "Why this option over the others; which trade-off was accepted.",
        "What was decided.",
        "What forces this decision: the problem, the scale, the constraints. Numbers help.",
        "- Phase 1:\n- Phase 2:",
        "What it does, for whom, in one line.",
        "Engineering Manager with N years building systems that serve N users. Led teams of N engineers\n"
        "  through a change that moved a key figure from X to Y, and established practices that improved\n"
        "  delivery or reliability by N%.",
        "",
    ],
)
def test_scaffold_sentences_are_placeholders(text: str) -> None:
    assert is_placeholder(text)


@pytest.mark.parametrize(
    "text",
    [
        "Redis: we measured a 40% hit rate and accepted stale reads for 5 s.",
        "What was decided: Redis, because the hot keys fit in memory.",
        "Phase 1: shadow reads for a week.",
    ],
)
def test_the_user_s_own_words_are_not(text: str) -> None:
    assert not is_placeholder(text)


def test_the_sentences_come_from_the_scaffolds_themselves() -> None:
    assert "why this option over the others which trade off was accepted" in fragments()
    assert "what it does for whom in one line" in fragments()


def test_tdr_check_warns_for_each_section_still_holding_the_scaffold(tmp_path: Path) -> None:
    runner = CliRunner()
    assert (
        runner.invoke(app, ["-C", str(tmp_path), "tdr", "new", "Use", "Redis", "-o", "Redis"]).exit_code == 0
    )
    result = runner.invoke(app, ["-C", str(tmp_path), "tdr", "check"])
    warnings = [line for line in result.stderr.splitlines() if "scaffold" in line]
    assert [w.split(": warning: ")[1].split(" still")[0] for w in warnings] == [
        "record 1: Context",
        "record 1: Decision",
        "record 1: Rationale",
        "record 1: Implementation plan",
        "record 1: option 'Redis'",
    ]
    assert warnings[2] == (
        "decisions/0001-use-redis.md:31: warning: record 1: Rationale still holds the scaffold's sentence "
        "'Why this option over the others; which trade-off was acce...'; expected your own rationale in "
        "place of the scaffold's"
    )


def test_the_checklist_counts_scaffold_text_as_missing_and_starters_as_not_there(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["-C", str(tmp_path), "init"]).exit_code == 0
    runner.invoke(
        app, ["-C", str(tmp_path), "tdr", "new", "Use", "Redis", "-o", "A", "-o", "B", "--status", "accepted"]
    )
    result = runner.invoke(app, ["-C", str(tmp_path), "check", "--strict"])
    out = result.stdout
    assert result.exit_code == 1
    assert "✗ 3-5 systems: 0 (none); not counted: the starter systems/my-system.yaml" in out
    assert "rename or replace the starter systems/my-system.yaml" in out
    assert "✗ executive summary on one page: the summary is the starter's text" in out
    assert "✗ decision 2: options, rationale, results: missing options, rationale" in out
    assert "-> 0002-use-redis.md: add options, rationale" in out
    (tmp_path / "systems" / "my-system.yaml").rename(tmp_path / "systems" / "shop.yaml")
    for path in [tmp_path / "portfolio.yaml", *tmp_path.glob("*/my-*.yaml")]:
        path.write_text(path.read_text(encoding="utf-8").replace("my-system", "shop"), encoding="utf-8")
    out = runner.invoke(app, ["-C", str(tmp_path), "check"]).stdout
    assert "3-5 systems: 1 (shop)" in out and "starter" not in out.split("executive summary")[0]


def _removed_one_by_one(text: str) -> bool:
    """The definition: take every starter sentence out, longest first; is anything left?"""
    left = " " + " ".join(re.findall(r"[a-z0-9%$]+", text.lower())) + " "
    for fragment in fragments():
        left = left.replace(f" {fragment} ", " ")
    return not left.strip()


@given(
    st.lists(
        st.one_of(
            st.sampled_from(fragments()),
            st.sampled_from(sorted({w for f in fragments() for w in f.split()})),
            st.sampled_from(["kafka", "postgres", "we", "p99", "the"]),
        ),
        max_size=6,
    )
)
def test_the_quick_answer_is_the_definition_s(parts: list[str]) -> None:
    """A word no starter sentence has settles it at once; otherwise the sentences are taken out."""
    text = ". ".join(parts)
    assert is_placeholder(text) == _removed_one_by_one(text)
