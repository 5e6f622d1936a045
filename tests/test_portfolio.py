"""Portfolio content (summary, case studies, leadership, stories) and the guide's checklist."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from typer.testing import CliRunner

from archkit.cli import app
from archkit.errors import format_problem
from archkit.portfolio.checklist import check_workspace, run_checklist
from archkit.portfolio.content import load_content

SYSTEMS = ["recommendation-platform", "payment-platform", "platform-microservices"]


def test_example_content_loads_with_computed_changes(repo: Path) -> None:
    content = load_content(repo, SYSTEMS, [1, 2, 3, 4, 5])
    assert content.problems == ()
    assert content.portfolio is not None and content.portfolio.present == (
        "recommendation-platform",
        "payment-platform",
    )
    assert content.portfolio.summary.startswith("Engineering Manager with 8+ years")
    latency = next(c for c in content.case_studies if c.slug == "api-latency-under-traffic-growth")
    assert [(r.metric, r.change) for r in latency.results if r.before] == [
        ("p90 latency", "93% faster"),
        ("Database CPU", "35 points lower"),
    ]
    scaling = next(c for c in content.case_studies if c.kind == "scaling")
    assert scaling.results[0].change == "10x"
    assert {item.kind for item in content.leadership} == {
        "initiative",
        "team-development",
        "cross-functional",
    }
    assert all(len(item.phases) >= 2 for item in content.leadership)
    assert len(content.stories) >= 5 and all(s.principles for s in content.stories)


def test_content_errors_name_file_line_column_and_suggest(make_tree) -> None:
    root = make_tree(
        {
            "stories/s.yaml": """
            title: Shipping under pressure
            principles: [Deliver Result, Ownership]
            situation: S
            task: T
            action: A
            result: R
            systems: [payments]
            case-studies: [latency]
            """,
            "case-studies/latency.yaml": """
            title: Latency
            kind: perf
            challenge: Slow
            results:
              - metric: p90
                before: 2 s
                after: 5 users
            """,
            "leadership/x.yaml": "title: X\n",
        }
    )
    problems = [format_problem(p) for p in load_content(root, ["payment-platform"], [1]).problems]
    assert problems == [
        "case-studies/latency.yaml:2:7: error: 'kind' is 'perf'; expected one of 'performance', 'scaling'",
        "case-studies/latency.yaml:5:5: warning: cannot compare '2 s' with '5 users' for 'p90'; they are shown as written; expected two figures of the same kind with units, e.g. '2 s' and '150 ms'",
        "leadership/x.yaml:1:1: error: leadership item has no 'context'; expected 'context': the situation and the challenge, with numbers",
        "stories/s.yaml:2:14: error: 'Deliver Result' is not a Leadership Principle; expected a principle as Amazon writes it, e.g. 'Deliver Results'; did you mean 'Deliver Results'?",
        "stories/s.yaml:7:11: error: 'systems' names 'payments', which the workspace does not have; expected one of payment-platform",
    ]


def test_example_workspace_passes_the_checklist(repo: Path) -> None:
    report = check_workspace(repo)
    assert report.lines is not None and report.ok(strict=True)
    assert [line.what for line in report.lines if not line.ok] == []
    assert len(report.lines) >= 10


def test_an_empty_workspace_fails_the_checklist_with_what_to_do(tmp_path: Path) -> None:
    content = load_content(tmp_path)
    lines = run_checklist([], [], content, dt.date(2025, 1, 1))
    failed = [(line.what, line.fix) for line in lines if not line.ok]
    assert failed == [
        ("3-5 systems", "add systems: 'archkit new system NAME'"),
        ("2-3 systems to present at L6", "portfolio.yaml: list 2-3 system names under 'present'"),
        (
            "3-5 technical artifacts",
            "add architecture diagrams with scale, case studies with quantified results, decision records with "
            "rationale (systems/, case-studies/, 'archkit tdr new')",
        ),
        ("3-4 pieces of leadership evidence", "add files to leadership/"),
        ("executive summary on one page", "create portfolio.yaml ('archkit init')"),
        ("decision records with options, rationale, results", "'archkit tdr new TITLE'"),
        ("story bank: STAR parts and a principle", "add STAR stories to stories/"),
    ]


def test_check_strict_fails_on_a_failing_checklist(make_tree) -> None:
    root = make_tree(
        {"portfolio.yaml": "name: A\nsummary: B\n", "systems/s.yaml": "name: S\ncomponents: [{id: a}]\n"}
    )
    result = CliRunner().invoke(app, ["-C", str(root), "check", "--strict"], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "✗ 3-5 systems: 1 (s)" in result.stdout
    assert "-> add systems: 'archkit new system NAME'" in result.stdout
    assert CliRunner().invoke(app, ["-C", str(root), "check"]).exit_code == 0


def test_the_content_cache_gives_back_what_reading_gives(repo: Path, tmp_path: Path) -> None:
    import shutil

    for name in ("case-studies", "leadership", "stories"):
        shutil.copytree(repo / name, tmp_path / name)
    shutil.copy(repo / "portfolio.yaml", tmp_path / "portfolio.yaml")
    cache = tmp_path / "content.json"
    plain = load_content(tmp_path, SYSTEMS, [1, 2, 3, 4, 5])
    first = load_content(tmp_path, SYSTEMS, [1, 2, 3, 4, 5], cache=cache)
    second = load_content(tmp_path, SYSTEMS, [1, 2, 3, 4, 5], cache=cache)
    assert plain == first == second
    assert [c.source.positions for c in plain.case_studies] == [
        c.source.positions for c in second.case_studies
    ]  # type: ignore[union-attr]
    cache.write_text("{broken")
    assert load_content(tmp_path, SYSTEMS, [1, 2, 3, 4, 5], cache=cache) == plain


def test_references_between_content_files_are_checked_even_without_systems(make_tree) -> None:
    root = make_tree(
        {
            "stories/s.yaml": "title: T\nprinciples: [Ownership]\nsituation: S\ntask: T\naction: A\nresult: R\n"
            "case-studies: [nope]\nsystems: [anything]\n",
            "case-studies/bad name.yaml": "title: X\nchallenge: Y\n",
        }
    )
    messages = [format_problem(p) for p in load_content(root).problems]
    assert messages == [
        "case-studies/bad name.yaml: error: 'bad name.yaml' cannot name a page; expected a file name of letters, digits, '.', '_' and '-'",
        "stories/s.yaml:7:16: error: 'case-studies' names 'nope', which the workspace does not have; expected a case study in the workspace",
    ]


def test_results_still_to_be_measured_are_missing_for_the_checklist_as_for_tdr_review(tmp_path: Path) -> None:
    """One rule for 'results written': the checklist, tdr check and tdr review agree."""
    from archkit.decisions.checks import review_due
    from archkit.decisions.record import parse_record

    text = (
        "# 1. Use Kafka\n\nDate: 2024-01-01\n\n- Review: 2024-06-01\n\n## Status\n\nAccepted\n\n"
        "## Options considered\n\n### Kafka\n\n- Pro: replay\n- Con: operations\n\n"
        "## Rationale\n\nReplay mattered more than running it.\n\n## Results\n\nTo be measured after launch.\n"
    )
    record = parse_record(text, "0001-use-kafka.md", 1)
    day = dt.date(2025, 1, 1)
    assert review_due(record, day)
    line = next(
        found
        for found in run_checklist([], [record], load_content(tmp_path), day)
        if found.what.startswith("decision 1")
    )
    assert not line.ok and line.reason == "missing results"
    measured = parse_record(
        text.replace("To be measured after launch.", "Lag under 2 s at 40k events/s."), "0001-use-kafka.md", 1
    )
    assert not review_due(measured, day)
    line = next(
        found
        for found in run_checklist([], [measured], load_content(tmp_path), day)
        if found.what.startswith("decision 1")
    )
    assert line.ok, line
