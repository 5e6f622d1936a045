"""Fuzz targets, one per input kind: systems, decision records, portfolio files. Whatever the input,
archkit answers with a result or problems naming the file, never a traceback; a record change
reads back. Brief in `make test`; longer with HYPOTHESIS_PROFILE=long (see conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from archkit.decisions import DecisionStore, check_records, parse_record
from archkit.decisions.record import LINE_BREAK, split_front_matter
from archkit.decisions.store import _with_link, _with_status
from archkit.errors import ArchkitError
from archkit.model.check import check_system
from archkit.model.load import parse_system
from archkit.portfolio.content import load_content

# Pieces records are made of, hostile ones included: every kind of line ending, brackets in
# titles, links of every shape, front matter, fences, control characters, long runs.
RECORD_PIECES = [
    "# 3. Title", "# Title ] [x](y)", "## Status", "## Links", "## Context", "## Options considered",
    "### Option A", "- Pro: fast", "- Con: slow", "Accepted", "Superseded", "proposed",
    "Supercedes [1. A](0001-a.md)", "Superceded by [2. B](../decisions/0002-b.md)",
    "Amends [4. X](javascript:alert(1);x.md)", "Bad]label [1. A](0001-a.md)", "[1. A](0001-a.md)",
    "Date: 2024-01-01", "- Review: 2020-01-01", "- Systems: shop, ", "---", "status: accepted",
    "title: x", "```", "~~~", "\\", "\x1b[31m", "\x00", "é", "\u2028", "<script>alert(1)</script>",
    "x" * 300, "", " ", "\t",
]  # fmt: skip
ENDINGS = ["\n", "\r\n", "\r"]
record_texts = st.lists(st.tuples(st.sampled_from(RECORD_PIECES), st.sampled_from(ENDINGS)), max_size=30).map(
    lambda parts: "".join(piece + end for piece, end in parts)
)
any_text = st.one_of(record_texts, st.text(max_size=200))


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(any_text)
def test_any_record_text_parses_and_checks(text: str) -> None:
    record = parse_record(text, "0003-x.md", 3)
    lines = LINE_BREAK.split(text)
    for link in record.links:
        assert 1 <= link.line <= len(lines) and link.label in lines[link.line - 1]
    store = DecisionStore(Path("/nonexistent-workspace"))
    for problem in check_records(store, [record], errors_only=True):
        assert problem.position is not None and problem.position.file.endswith("0003-x.md")


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(any_text, st.sampled_from(["superseded", "accepted"]), st.sampled_from(["Amends", "Superceded by"]))
def test_a_status_and_a_link_added_to_any_record_read_back(text: str, status: str, label: str) -> None:
    assume(text.count("```") % 2 == 0 and text.count("~~~") % 2 == 0)  # a fence left open hides the rest
    record = parse_record(text, "0003-x.md", 3)
    if split_front_matter(text)[2]:  # front matter that does not close: refused, not changed
        with pytest.raises(ArchkitError, match="its front matter is malformed"):
            _with_status(record, status)
        return
    target = parse_record("# 7. Tar]get [x]\n", "0007-target.md", 7)
    changed = parse_record(_with_status(record, status), record.path, 3)
    assert changed.status == status or record.style == "madr2"
    linked = parse_record(_with_link(changed, label, target), record.path, 3)
    assert any(link.label == label and link.target == "0007-target.md" for link in linked.links)
    assert (linked.title, linked.date) == (changed.title, changed.date)


KEYS = ["name", "headline", "summary", "scope", "present", "title", "situation", "task", "action", "result",
        "results", "metric", "before", "after", "systems", "decisions", "phases", "principles", "team-size",
        "budget", "domains", "x-a", "<<", "competency", "relevance", "stories", "case-studies"]  # fmt: skip
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(), st.sampled_from(["a", "1B", "x y", "∞"])
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.sampled_from(KEYS), children, max_size=4)
    ),
    max_leaves=20,
)
FOLDERS = ["portfolio.yaml", "case-studies/a.yaml", "leadership/b.yaml", "stories/c.yaml"]


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(FOLDERS), st.one_of(st.dictionaries(st.sampled_from(KEYS), values, max_size=8), values)
)
def test_any_portfolio_file_gives_content_or_problems(tmp_path: Path, name: str, document: object) -> None:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    content = load_content(tmp_path, ["shop"], [1])
    for problem in content.problems:
        assert problem.position is not None and problem.position.file == name
    path.unlink()


system_keys = ["name", "summary", "components", "connections", "groups", "scale", "id", "tech", "from", "to",
               "label", "group", "kind", "metrics", "tradeoffs", "whiteboard"]  # fmt: skip
system_values = st.recursive(
    st.one_of(scalars, st.text(max_size=30), st.just("x" * 2500), st.just("9" * 300 + "B")),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.sampled_from(system_keys), children, max_size=4)
    ),
    max_leaves=20,
)


@given(st.dictionaries(st.sampled_from(system_keys), system_values, max_size=8))
def test_any_system_gives_a_system_or_problems_with_limits(document: dict[str, object]) -> None:
    system, problems = parse_system(yaml.safe_dump(document, allow_unicode=True), "fuzz.yaml", "fuzz")
    if system is not None:
        problems += check_system(system)
        for component in system.components:
            assert len(component.id) <= 100 and len(component.label or "") <= 2000
    for problem in problems:
        assert problem.position is not None and problem.position.file == "fuzz.yaml"
        assert len(problem.message) < 500
