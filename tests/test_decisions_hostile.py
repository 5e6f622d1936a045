"""Decision records that are hostile, broken or strange: every command answers with an error
naming the file, nothing unsafe is published, nothing outside the workspace is read or written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from archkit.cli import app
from archkit.decisions import DecisionStore, parse_record

HELLO = "# {n}. {title}\n\nDate: 2024-01-01\n\n## Status\n\nProposed\n{extra}\n## Context\n\nWhy.\n"


def cli(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["-C", str(root), *args], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ARCHKIT_TODAY", "2025-01-15")
    folder = tmp_path / "ws" / "decisions"
    folder.mkdir(parents=True)
    for n in range(1, 5):
        (folder / f"{n:04d}-record-{n}.md").write_text(
            HELLO.format(n=n, title=f"Record {n}", extra=""), encoding="utf-8"
        )
    return tmp_path / "ws"


def test_a_record_that_is_not_utf8_is_named_with_its_line_in_every_command(workspace: Path) -> None:
    with open(workspace / "decisions" / "0003-record-3.md", "ab") as handle:
        handle.write(b"Caf\xe9\n")
    message = (
        "decisions/0003-record-3.md:12:4: error: the file is not UTF-8 text (byte 0xe9); "
        "expected UTF-8 text: re-save the file as UTF-8\n"
    )
    for args in (["tdr", "list"], ["tdr", "check"], ["tdr", "render"], ["tdr", "renumber"], ["build"]):
        assert cli(workspace, *args) == (2, "", message), args
    (workspace / "decisions" / "0003-record-3.md").write_text(HELLO.format(n=3, title="R", extra=""), "utf-8")
    (workspace / "systems").mkdir()
    (workspace / "systems" / "shop.yaml").write_bytes(b"name: Caf\xe9\n")
    code, _, err = cli(workspace, "check")
    assert code == 1 and "systems/shop.yaml" in err and "UTF-8" in err


def test_tdr_render_publishes_no_link_made_of_what_a_record_says(workspace: Path) -> None:
    record = workspace / "decisions" / "0002-record-2.md"
    hostile = "\nAmends [4. X](javascript:alert`document.domain`;x.md)\n"
    record.write_text(HELLO.format(n=2, title="Record 2", extra=hostile), encoding="utf-8")
    assert cli(workspace, "tdr", "render", "--out", "out")[0] == 0
    for page in ("index.html", "0002-record-2.html"):
        html = (workspace / "out" / page).read_text(encoding="utf-8")
        assert "javascript:" not in html.lower(), page
        assert "Amends" in html


@pytest.mark.parametrize("out", ["decisions", ".", "..", "holds-notes", "link-to-notes", "decisions/sub"])
def test_tdr_render_refuses_a_folder_of_sources_or_of_someone_elses_files(workspace: Path, out: str) -> None:
    (workspace / "holds-notes").mkdir()
    (workspace / "holds-notes" / "notes.txt").write_text("mine", encoding="utf-8")
    (workspace / "link-to-notes").symlink_to(workspace / "holds-notes")
    before = {p: p.read_bytes() for p in workspace.parent.rglob("*") if p.is_file()}
    code, _, err = cli(workspace, "tdr", "render", "--out", out)
    assert code == 2 and err.startswith(f"error: will not render into {workspace / out}: "), err
    assert {p: p.read_bytes() for p in workspace.parent.rglob("*") if p.is_file()} == before


def test_tdr_render_renders_again_into_its_own_output(workspace: Path) -> None:
    assert cli(workspace, "tdr", "render")[0] == 0
    assert cli(workspace, "tdr", "render") == (0, "wrote 7 files to build/decisions/\n", "")


@pytest.mark.parametrize(("label", "reverse"), [("", ""), ("Bad]label", "x(y"), ("Amends", "x" * 61)])
def test_tdr_link_refuses_labels_it_could_not_read_back(workspace: Path, label: str, reverse: str) -> None:
    before = {p.name: p.read_bytes() for p in (workspace / "decisions").iterdir()}
    code, out, err = cli(workspace, "tdr", "link", "1", "2", label, reverse)
    assert code == 2 and out == ""
    assert err.startswith("error: cannot use '") and " as a link label; expected a letter, then" in err
    assert {p.name: p.read_bytes() for p in (workspace / "decisions").iterdir()} == before


def test_a_title_with_brackets_links_and_reads_back(workspace: Path) -> None:
    assert cli(workspace, "tdr", "new", "Use [x] or ]y[ \\ z", "--supersedes", "1")[0] == 0
    store = DecisionStore(workspace)
    one = store.find(1)
    assert [(link.number, link.title) for link in one.links] == [(5, "Use [x] or ]y[ \\ z")]
    assert cli(workspace, "tdr", "check")[0] == 0


def test_tdr_check_reports_supersede_cycles_and_link_lines_it_cannot_read(workspace: Path) -> None:
    folder = workspace / "decisions"
    four = "\nSupercedes [5. Five](0005-five.md)\n\nSuperceded by [5. Five](0005-five.md)\n"
    (folder / "0004-record-4.md").write_text(HELLO.format(n=4, title="Four", extra=four), encoding="utf-8")
    five = "\nSupercedes [4. Four](0004-record-4.md)\n\nSuperceded by [4. Four](0004-record-4.md)\n"
    five += "\nAmends [2. Two)(0002-record-2.md)\n\n9 lives [3. Three](0003-record-3.md)\n"
    (folder / "0005-five.md").write_text(HELLO.format(n=5, title="Five", extra=five), encoding="utf-8")
    code, _, err = cli(workspace, "tdr", "check")
    assert code == 1
    assert err == (
        "decisions/0005-five.md:13: error: cannot read the link line 'Amends [2. Two)(0002-record-2.md)'; "
        "expected 'Label [N. Title](NNNN-file.md)', the label a letter, then letters, digits, spaces, ',', \"'\" or '-'\n"
        "decisions/0005-five.md:15: error: cannot read the link line '9 lives [3. Three](0003-record-3.md)'; "
        "expected 'Label [N. Title](NNNN-file.md)', the label a letter, then letters, digits, spaces, ',', \"'\" or '-'\n"
        "decisions/0004-record-4.md:9: error: records supersede each other in a cycle: 4 supersedes 5 supersedes 4; "
        "expected each record superseded by a later one, never by one it supersedes\n"
    )


def test_records_and_adr_dir_outside_the_workspace_are_refused(workspace: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text(HELLO.format(n=9, title="SECRET", extra=""), encoding="utf-8")
    (workspace / "decisions" / "0009-secret.md").symlink_to(secret)
    code, out, err = cli(workspace, "tdr", "list")
    assert (code, out) == (2, "") and "SECRET" not in err
    assert err == (
        "decisions/0009-secret.md: error: the record is a symbolic link to a file outside the workspace; "
        "expected a record file inside the workspace\n"
    )
    (workspace / "decisions" / "0009-secret.md").unlink()
    for pointer in (str(tmp_path / "elsewhere"), "../../.."):
        (workspace / ".adr-dir").write_text(pointer + "\n", encoding="utf-8")
        code, _, err = cli(workspace, "tdr", "new", "Escape")
        assert code == 2 and err.startswith(
            ".adr-dir:1: error: .adr-dir names a folder outside the workspace"
        )
    assert not (tmp_path / "elsewhere").exists()
    assert sorted(p.name for p in tmp_path.parent.iterdir() if p.suffix == ".md") == []


def test_titles_are_escaped_in_the_markdown_index_and_on_the_terminal(workspace: Path) -> None:
    folder = workspace / "decisions"
    title = '"><img src=x onerror=alert(1)>] \x1b[31mred\x1b[0m'
    (folder / "0004-record-4.md").write_text(HELLO.format(n=4, title=title, extra=""), encoding="utf-8")
    code, out, _ = cli(workspace, "tdr", "list")
    assert code == 0 and "\x1b" not in out and "\\x1b[31mred" in out
    assert cli(workspace, "tdr", "render")[0] == 0
    index = (workspace / "build" / "decisions" / "index.md").read_text(encoding="utf-8")
    line = next(line for line in index.splitlines() if line.startswith("* [4."))
    assert line == (
        '* [4. ">\\<img src=x onerror=alert(1)>\\] \x1b\\[31mred\x1b\\[0m](../../decisions/0004-record-4.md)'
        " — proposed, 2024-01-01"
    )


def test_a_record_with_cr_line_endings_is_read_line_by_line(workspace: Path) -> None:
    text = HELLO.format(n=4, title="Old Mac", extra="\nAmends [1. Record 1](0001-record-1.md)\n")
    record = parse_record(text.replace("\n", "\r"), "0004-old-mac.md", 4)
    assert (record.title, record.status, record.date) == ("Old Mac", "proposed", "2024-01-01")
    assert [(link.label, link.number, link.line) for link in record.links] == [("Amends", 1, 9)]
    (workspace / "decisions" / "0004-record-4.md").write_bytes(text.replace("\n", "\r").encode())
    assert cli(workspace, "tdr", "link", "4", "2", "Amends", "Amended by")[0] == 0
    raw = (workspace / "decisions" / "0004-record-4.md").read_bytes()
    assert b"\n" not in raw and b"\rAmends [2. Record 2](0002-record-2.md)\r" in raw


def test_tdr_list_with_standard_output_closed_is_no_internal_error(workspace: Path) -> None:
    archkit = shutil.which("archkit", path=os.path.dirname(sys.executable))
    assert archkit
    done = subprocess.run(
        f"'{archkit}' -C '{workspace}' tdr list >&-", shell=True, capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stderr == ""
