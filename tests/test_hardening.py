"""Hardening beyond the reported findings: what archkit prints never carries control characters
from the input, workspace templates cannot run forever, interrupted diagram and whiteboard runs
leave nothing behind, and no workspace content is read through a symlink out of the workspace."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from archkit.cli import app
from archkit.errors import Position, Problem, format_problem

HOSTILE = "\x1b[2J\rEVIL"  # clears the screen, then overwrites the line: never sent raw
RAW = ("\x1b", "\r")


def cli(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["-C", str(root), *args], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    return result.exit_code, result.stdout, result.stderr


def assert_clean(text: str) -> None:
    for char in RAW:
        assert char not in text, repr(text)


# --- 1. control characters never reach the terminal ------------------------------------------------


def test_a_problem_shows_the_control_characters_it_quotes_as_escapes() -> None:
    problem = Problem(
        f"the title '{HOSTILE}' is bad",
        Position(f"decisions/0001-x{HOSTILE}.md", 3, 1),
        expected=f"no {HOSTILE}",
        suggestion=f"{HOSTILE}2",
    )
    assert format_problem(problem) == (
        "decisions/0001-x\\x1b[2J\\rEVIL.md:3:1: error: the title '\\x1b[2J\\rEVIL' is bad; "
        "expected no \\x1b[2J\\rEVIL; did you mean '\\x1b[2J\\rEVIL2'?"
    )


def test_a_system_file_name_with_escapes_is_reported_escaped(example: Path) -> None:
    system = example / "systems" / "url-shortener.yaml"
    system.rename(system.with_name(f"evil{HOSTILE}.yaml"))
    for command in ("check", "build", "diagram"):
        code, out, err = cli(example, command)
        assert code != 0, command
        assert "systems/evil\\x1b[2J\\rEVIL.yaml: error: the file name" in err, command
        assert_clean(out + err)


def test_a_portfolio_field_with_escapes_is_reported_escaped(example: Path) -> None:
    portfolio = example / "portfolio.yaml"
    text = portfolio.read_text(encoding="utf-8")
    portfolio.write_text(text.replace("target: L6", 'target: "L\\x1b[2J\\r6"'), encoding="utf-8")
    code, out, err = cli(example, "check")
    assert code == 1
    assert "portfolio.yaml:3:9: error: 'target' holds a control character" in err
    assert_clean(out + err)


@pytest.fixture
def hostile_record(example: Path) -> Path:
    """Record 5 with escapes in its title and a results review that is due."""
    record = next((example / "decisions").glob("0005-*.md"))
    text = record.read_text(encoding="utf-8")
    text = text.replace("hot API paths\n", f"hot API paths {HOSTILE}\n", 1)
    text = text.replace("Review: 2027-03-01", "Review: 2020-03-01")
    text = text[: text.index("## Results")] + "## Results\n"  # still to be written: a review is due
    record.write_text(text, encoding="utf-8")
    return example


def test_record_titles_with_escapes_are_listed_escaped(hostile_record: Path) -> None:
    for args in (["tdr", "list"], ["tdr", "review"], ["tdr", "check"], ["drill", "--print"], ["check"]):
        code, out, err = cli(hostile_record, *args)
        assert code in (0, 1), (args, err)
        assert_clean(out + err)
        if args[-1] in ("list", "review", "--print"):
            assert "hot API paths \\x1b[2J" in out, args


def test_tdr_show_on_a_terminal_shows_escapes_and_keeps_its_lines(hostile_record: Path) -> None:
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "archkit", "-C", str(hostile_record), "tdr", "show", "5"],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"},
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.wait(timeout=60) == 0, process.stderr.read() if process.stderr else ""
    text = shown.decode("utf-8").replace("\r\n", "\n")  # the terminal's own line endings
    assert "hot API paths \\x1b[2J" in text and "Redis" in text
    assert "\x1b[2J" not in text and "\r" not in text
    assert "Context" in text.split("hot API paths", 1)[1]  # the record's lines are still lines


# --- 2. a workspace's template cannot loop forever ---------------------------------------------------

BOMB = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"


def test_nested_loops_that_write_nothing_are_stopped_naming_the_template(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "tdr.md.j2").write_text(
        "# {{ number }}. {{ title }}\n\n" + BOMB, encoding="utf-8"
    )
    code, out, err = cli(tmp_path, "tdr", "new", "Bomb")
    assert (code, out) == (2, "")
    assert err == (
        f"{tmp_path / 'templates' / 'tdr.md.j2'}:3: error: template tdr.md.j2 runs its loops more than "
        "10,000,000 times; expected loops that end sooner (archkit stops a workspace's template there)\n"
    )
    assert not (tmp_path / "decisions").exists() or list((tmp_path / "decisions").iterdir()) == []


@pytest.mark.parametrize(
    ("template", "line"),
    [
        ("{% for a in range(30) %}\n{% for b in range(30) %}{% endfor %}{% endfor %}", 2),
        ("{% set xs = 'x' * 30 %}{% for a in xs %}\n\n{% for b in xs %}{% endfor %}{% endfor %}", 3),
        ("{% for a in [1, 2, 3] %}\n{% set n = range(400)|sum %}{% endfor %}", 2),
        (
            "{% set xs = 'x' * 30 %}\n{% for a in xs recursive %}{% if loop.depth < 3 %}{{ loop(xs) }}{% endif %}"
            "{% endfor %}",
            0,
        ),
        (
            "{% macro m(n) %}{% for a in range(30) %}{% if n %}{{ m(n - 1) }}{% endif %}{% endfor %}{% endmacro %}"
            "\n{{ m(3) }}",
            1,
        ),
    ],
    ids=["nested ranges", "nested strings", "ranges summed in a loop", "recursive loop", "recursive macro"],
)
def test_every_kind_of_loop_spends_one_budget_per_render(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template: str, line: int
) -> None:
    from archkit import templating
    from archkit.errors import ArchkitError

    monkeypatch.setattr(templating, "MAX_STEPS", 500)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.md.j2").write_text(template, encoding="utf-8")
    with pytest.raises(ArchkitError) as raised:
        templating.render(tmp_path, "page.md.j2")
    [problem] = raised.value.problems
    assert problem.message == "template page.md.j2 runs its loops more than 500 times"
    assert problem.position is not None and problem.position.file.endswith("page.md.j2")
    if line:
        assert problem.position.line == line
    # the budget is per render: a template that stays within it renders every time
    (tmp_path / "templates" / "small.md.j2").write_text(
        "{% for a in range(10) %}{% for b in range(10) %}.{% endfor %}{% endfor %}", encoding="utf-8"
    )
    for _ in range(3):
        assert templating.render(tmp_path, "small.md.j2") == "." * 100


def test_archkit_s_own_templates_spend_no_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from archkit import templating
    from archkit.errors import ArchkitError

    monkeypatch.setattr(templating, "MAX_STEPS", 1)
    records = [
        {"number": n, "title": f"T{n}", "status": "accepted", "date": "2024-01-01", "source": f"{n}.md"}
        for n in range(1, 30)
    ]
    assert "T29" in templating.render(tmp_path, "decisions/index.md.j2", records=records)
    (tmp_path / "templates" / "decisions").mkdir(parents=True)
    (tmp_path / "templates" / "decisions" / "index.md.j2").write_text(
        "{% for r in records %}{{ r.title }}{% endfor %}", encoding="utf-8"
    )
    with pytest.raises(ArchkitError, match="runs its loops more than 1 times"):
        templating.render(tmp_path, "decisions/index.md.j2", records=records)


def test_a_site_page_template_that_loops_forever_stops_the_build(example: Path) -> None:
    (example / "templates" / "site").mkdir(parents=True)
    (example / "templates" / "site" / "index.html.j2").write_text(BOMB, encoding="utf-8")
    code, _, err = cli(example, "build")
    assert code == 2
    assert (
        "index.html.j2:1: error: template site/index.html.j2 runs its loops more than 10,000,000 times" in err
    )
