"""Hardening beyond the reported findings: what archkit prints never carries control characters
from the input, workspace templates cannot run forever, interrupted diagram and whiteboard runs
leave nothing behind, and no workspace content is read through a symlink out of the workspace."""

from __future__ import annotations

import os
import shutil
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
    for args in (
        ["tdr", "list"],
        ["tdr", "review"],
        ["tdr", "check"],
        ["drill", "--print"],
        ["check"],
        ["tdr", "status", "5", "accepted"],
        ["tdr", "link", "5", "3", "Relates to", "Relates to"],
    ):
        code, out, err = cli(hostile_record, *args)
        assert code in (0, 1), (args, err)
        assert_clean(out + err)
        if args[0] == "drill" or (args[0] == "tdr" and args[1] != "check"):  # the title, as escapes
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


def test_a_loop_whose_every_step_is_slow_is_stopped_by_the_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Few steps, each a long sort: the processor-time backstop stops it at its line."""
    from archkit import templating
    from archkit.errors import ArchkitError

    monkeypatch.setattr(templating, "MAX_SECONDS", 0.2)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "slow.md.j2").write_text(
        "{% for a in range(1000) %}\n{% set n = ('xy' * 500000)|list|sort|length %}{% endfor %}",
        encoding="utf-8",
    )
    with pytest.raises(ArchkitError) as raised:
        templating.render(tmp_path, "slow.md.j2")
    [problem] = raised.value.problems
    assert problem.message == "template slow.md.j2 takes more than 0.2 seconds of processor time"
    assert problem.position is not None and problem.position.line == 2


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


# --- 3. what killed runs left beside their outputs is removed by the next run ------------------------

DEAD = 4_999_999  # above any process id Linux gives (pid_max is at most 4,194,304): a killed run


def plant_leftovers(folder: Path, output: str) -> tuple[list[Path], list[Path]]:
    """Temporary files a run killed while writing ``output`` into ``folder`` left, and files that
    must stay: a live run's temporary file and a user's files that only look alike."""
    folder.mkdir(parents=True, exist_ok=True)
    stale = [folder / f".{output}.{DEAD}.0.tmp", folder / f".{output}.{DEAD}.17.tmp"]
    kept = [
        folder / f".{output}.1.0.tmp",  # process 1 is alive: someone is writing it now
        folder / f".{output}.{os.getpid()}.0.tmp",  # this process's own
        folder / f"{output}.{DEAD}.0.tmp",  # no leading dot: not archkit's name
        folder / f".{output}.{DEAD}.tmp",  # no counter: not archkit's name
        folder / "notes.tmp",
    ]
    for path in stale + kept:
        path.write_text("left over", encoding="utf-8")
    return stale, kept


def assert_cleaned(stale: list[Path], kept: list[Path]) -> None:
    assert [p.name for p in stale if p.exists()] == []
    assert [p.name for p in kept if not p.exists()] == []


def test_diagram_removes_what_a_killed_diagram_left_in_its_output_folder(example: Path) -> None:
    out = example / "drawings"
    stale, kept = plant_leftovers(out, "url-shortener.svg")
    code, _, err = cli(example, "diagram", "url-shortener", "--out", "drawings")
    assert (code, err) == (0, "")
    assert (out / "url-shortener.svg").is_file()
    assert_cleaned(stale, kept)


def test_whiteboard_removes_what_a_killed_whiteboard_left(example: Path) -> None:
    out = example / "build" / "whiteboard"
    stale, kept = plant_leftovers(out, "url-shortener-whiteboard.html")
    code, _, err = cli(example, "whiteboard", "url-shortener")
    assert (code, err) == (0, "")
    assert (out / "url-shortener-whiteboard.html").is_file()
    assert_cleaned(stale, kept)


def test_embed_removes_what_a_killed_embed_left_beside_the_document(example: Path) -> None:
    doc = example / "docs" / "architecture.md"
    doc.parent.mkdir()
    doc.write_text(
        "# Architecture\n\n<!-- archkit:diagram url-shortener -->\n<!-- archkit:end -->\n", "utf-8"
    )
    stale, kept = plant_leftovers(doc.parent, "architecture.md")
    code, _, err = cli(example, "embed", "docs/architecture.md")
    assert (code, err) == (0, "")
    assert "url-shortener" in doc.read_text(encoding="utf-8").split("archkit:diagram", 1)[1]
    assert_cleaned(stale, kept)


def test_an_interrupted_change_of_several_records_keeps_its_files_for_the_store(tmp_path: Path) -> None:
    """A folder with a journal is the record store's to finish: its temporary files are not
    removed by a write that only passes through."""
    from archkit.files import JOURNAL, write_atomic

    (tmp_path / JOURNAL).write_text("{}", encoding="utf-8")
    pending = tmp_path / f".0002-b.md.{DEAD}.0.tmp"
    pending.write_text("# 2. B\n", encoding="utf-8")
    write_atomic(tmp_path / "other.txt", "x")
    assert pending.is_file()


# --- 4. nothing is read through a symbolic link out of the workspace ---------------------------------

SECRET = "TOP-SECRET-4711"


def outside_copy(example: Path, relative: str) -> Path:
    """The workspace's file ``relative`` moved outside the workspace (with a secret in it) and
    replaced by a symbolic link to it."""
    inside = example / relative
    outside = example.parent / "elsewhere" / relative
    outside.parent.mkdir(parents=True, exist_ok=True)
    text = inside.read_text(encoding="utf-8")
    outside.write_text(
        text.replace("title: ", f"title: {SECRET} ", 1).replace("name: ", f"name: {SECRET} ", 1)
    )
    inside.unlink()
    inside.symlink_to(outside)
    return outside


def assert_not_read(example: Path, out: str, err: str) -> None:
    assert SECRET not in out + err
    for path in (example / "build").rglob("*") if (example / "build").exists() else ():
        if path.is_file():
            assert SECRET not in path.read_text(encoding="utf-8", errors="replace"), path


@pytest.mark.parametrize(
    "relative",
    [
        "portfolio.yaml",
        "case-studies/api-latency-under-traffic-growth.yaml",
        "leadership/engineering-excellence-program.yaml",
        "stories/dive-deep-api-latency.yaml",
    ],
)
def test_a_content_file_linked_out_of_the_workspace_is_refused_at_the_link(
    example: Path, relative: str
) -> None:
    outside_copy(example, relative)
    code, out, err = cli(example, "check")
    assert code == 1
    assert (
        f"{relative}: error: the file is a symbolic link to a file outside the workspace; "
        "expected a file inside the workspace (archkit reads nothing outside it)"
    ) in err
    assert_not_read(example, out, err)
    code, out, err = cli(example, "build")
    assert code == 2 and f"{relative}: error: the file is a symbolic link" in err
    assert_not_read(example, out, err)


def link_out(example: Path, folder: str) -> Path:
    """The workspace's ``folder`` moved out of the workspace, a symbolic link to it in its place."""
    elsewhere = example.parent / "elsewhere"
    shutil.move(example / folder, elsewhere)
    (example / folder).symlink_to(elsewhere)
    return elsewhere


def test_a_content_folder_linked_out_of_the_workspace_is_refused_file_by_file(example: Path) -> None:
    elsewhere = link_out(example, "stories")
    code, out, err = cli(example, "check")
    assert code == 1
    refused = [line for line in err.splitlines() if "is a symbolic link to a file outside" in line]
    assert sorted(line.split(":")[0] for line in refused) == sorted(
        f"stories/{p.name}" for p in elsewhere.glob("*.yaml")
    )
    assert_not_read(example, out, err)


def test_a_systems_folder_linked_out_of_the_workspace_is_refused(example: Path) -> None:
    link_out(example, "systems")
    code, _, err = cli(example, "check")
    assert code == 1
    assert "systems/url-shortener.yaml: error: the system file is a symbolic link to a file outside" in err


def test_links_that_stay_inside_the_workspace_are_read(example: Path) -> None:
    shared = example / "shared"
    shared.mkdir()
    story = example / "stories" / "dive-deep-api-latency.yaml"
    shutil.move(story, shared / story.name)
    story.symlink_to(Path("..") / "shared" / story.name)
    portfolio = example / "portfolio.yaml"
    shutil.move(portfolio, shared / "portfolio.yaml")
    portfolio.symlink_to(Path("shared") / "portfolio.yaml")
    code, _, err = cli(example, "check")
    assert (code, err) == (0, "")


@pytest.mark.parametrize("pointer", [False, True], ids=["found by its usual name", "named by .adr-dir"])
def test_a_records_folder_linked_out_of_the_workspace_is_refused(example: Path, pointer: bool) -> None:
    elsewhere = link_out(example, "decisions")
    before = sorted(p.name for p in elsewhere.iterdir())
    if pointer:
        (example / ".adr-dir").write_text("decisions\n", encoding="utf-8")
        message = ".adr-dir:1: error: .adr-dir names a folder outside the workspace: 'decisions'"
    else:
        (example / ".adr-dir").unlink()
        message = (
            "decisions: error: the records folder decisions/ is a symbolic link to a folder outside the "
            "workspace; expected a records folder inside the workspace (or --dir naming the one you mean)\n"
        )
    for args in (["tdr", "list"], ["tdr", "new", "Written outside"], ["check"], ["build"]):
        code, out, err = cli(example, *args)
        assert code in (1, 2) and message in err, args
        assert "Keep the monolith" not in out + err
    assert sorted(p.name for p in elsewhere.iterdir()) == before


def test_a_template_linked_out_of_the_workspace_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "templates").mkdir(parents=True)
    outside = tmp_path / "elsewhere.md.j2"
    outside.write_text(f"# {{{{ number }}}}. {SECRET}\n", encoding="utf-8")
    (root / "templates" / "tdr.md.j2").symlink_to(outside)
    code, out, err = cli(root, "tdr", "new", "Read outside")
    assert (code, out) == (2, "")
    assert err == (
        "templates/tdr.md.j2: error: the template is a symbolic link to a file outside the workspace; "
        "expected a template inside the workspace (archkit reads nothing outside it)\n"
    )
    assert not (root / "decisions").exists() or list((root / "decisions").iterdir()) == []
