"""Decision records under kill -9, a full disk and racing writers: a change of several records
lands whole or not at all, and the next command finds the folder as before or as after."""

from __future__ import annotations

import concurrent.futures
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from archkit.cli import app
from archkit.decisions import DecisionStore, check_records

HELPER = Path(__file__).with_name("fault_inject.py")


def cli(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["-C", str(root), *args], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def record(number: int, title: str, date: str = "2024-01-01", extra: str = "", eol: str = "\n") -> str:
    text = f"# {number}. {title}\n\nDate: {date}\n\n## Status\n\nAccepted\n{extra}\n## Context\n\nWhy.\n"
    return text.replace("\n", eol)


def duplicates_workspace(root: Path, count: int = 12) -> Path:
    """Records 1..count, where 3, 5 and 7 exist twice and others link to the duplicates."""
    folder = root / "decisions"
    folder.mkdir(parents=True)
    for n in range(1, count + 1):
        (folder / f"{n:04d}-first-{n}.md").write_text(record(n, f"First {n}"), encoding="utf-8")
    for n in (3, 5, 7):
        links = f"\nAmends [{n}. Second {n}](../decisions/{n:04d}-second-{n}.md)\n"
        (folder / f"{n + 1:04d}-first-{n + 1}.md").write_text(
            record(n + 1, f"First {n + 1}", extra=links), encoding="utf-8"
        )
        back = f"\nAmended by [{n + 1}. First {n + 1}]({n + 1:04d}-first-{n + 1}.md)\n"
        (folder / f"{n:04d}-second-{n}.md").write_text(
            record(n, f"Second {n}", date="2024-02-01", extra=back), encoding="utf-8"
        )
    return folder


def supersede_workspace(root: Path) -> Path:
    folder = root / "decisions"
    folder.mkdir(parents=True)
    for n in range(1, 6):
        (folder / f"{n:04d}-decision-{n}.md").write_text(record(n, f"Decision {n}"), encoding="utf-8")
    return folder


def inject(root: Path, mode: str, at: int, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(HELPER), mode, str(at), "--", "-C", str(root), *args],
        capture_output=True,
        text=True,
        env={"ARCHKIT_TODAY": "2025-01-15", "PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(root / ".cache")},
    )


def steps(root: Path, *args: str, mode: str = "count") -> int:
    done = inject(root, mode, 0, *args)
    assert done.returncode == 0, done.stderr
    return int(re.search(r"steps: (\d+)", done.stderr)[1])  # type: ignore[index]


def assert_whole(folder: Path, before: dict[str, bytes], after: dict[str, bytes]) -> None:
    """The folder is as before or as after the change, with nothing else in it."""
    now = snapshot(folder)
    assert now in (before, after), sorted(set(now) ^ set(before) ^ set(after))
    store = DecisionStore(folder.parent)
    assert [p for p in check_records(store, store.records()) if "one-sided" in p.message] == []


CHANGES = {
    "renumber": (duplicates_workspace, ("tdr", "renumber")),
    "supersede": (supersede_workspace, ("tdr", "new", "Replace four", "--supersedes", "4")),
}


def rehearse(tmp_path: Path, command: str, mode: str) -> tuple[dict[str, bytes], int, dict[str, bytes]]:
    """The folder before and after the change, and the number of steps it takes."""
    make, args = CHANGES[command]
    folder = make(tmp_path / "model")
    before = snapshot(folder)
    total = steps(tmp_path / "model", *args, mode=mode)
    after = snapshot(folder)
    assert after != before and total >= 3
    return before, total, after


@pytest.mark.parametrize("command", sorted(CHANGES))
def test_killed_at_twenty_random_points_the_folder_is_as_before_or_after(
    tmp_path: Path, command: str
) -> None:
    """kill -9 at 20 random steps of the change; the next command (tdr list) finds the folder
    whole, and tdr renumber can always be run again to finish."""
    make, args = CHANGES[command]
    before, total, after = rehearse(tmp_path, command, "count")
    points = sorted(random.Random(13).choices(range(1, total + 1), k=20))
    outcomes = set()
    for i, at in enumerate(points):
        root = tmp_path / f"run-{i}"
        folder = make(root)
        killed = inject(root, "kill", at, *args)
        assert killed.returncode == -9, (at, killed.stderr)
        assert cli(root, "tdr", "list")[0] == 0
        assert_whole(folder, before, after)
        outcomes.add(snapshot(folder) == after)
        if command == "renumber":  # run again: it finishes
            assert cli(root, "tdr", "renumber")[0] == 0
            assert snapshot(folder) == after
    assert outcomes == {False, True}  # the points fell both sides of the commit


@pytest.mark.parametrize("command", sorted(CHANGES))
def test_a_full_disk_at_any_step_leaves_the_folder_as_before_and_names_the_file(
    tmp_path: Path, command: str
) -> None:
    make, args = CHANGES[command]
    before, total, after = rehearse(tmp_path, command, "count-enospc")
    for at in range(1, total + 1):
        root = tmp_path / f"run-{at}"
        folder = make(root)
        failed = inject(root, "enospc", at, *args)
        assert "Traceback" not in failed.stderr and "internal error" not in failed.stderr, failed.stderr
        if failed.returncode:
            assert re.search(r"decisions/\S+\.(md|json): No space left on device", failed.stderr), (
                failed.stderr
            )
        assert cli(root, "tdr", "list")[0] == 0
        assert_whole(folder, before, after)


def test_twenty_concurrent_supersedes_of_one_record_keep_all_twenty_links(tmp_path: Path) -> None:
    folder = supersede_workspace(tmp_path)
    command = [sys.executable, "-m", "archkit", "-C", str(tmp_path), "tdr", "new"]
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        runs = list(
            pool.map(
                lambda i: subprocess.run(
                    [*command, f"Replacement {i}", "--supersedes", "4"], capture_output=True, text=True
                ),
                range(20),
            )
        )
    assert [r.returncode for r in runs] == [0] * 20, [r.stderr for r in runs if r.returncode]
    four = (folder / "0004-decision-4.md").read_text(encoding="utf-8")
    assert len(re.findall(r"^Superseded by \[\d+\. Replacement \d+\]", four, re.M)) == 20
    store = DecisionStore(tmp_path)
    records = store.records()
    assert len(records) == 25
    assert sum(1 for r in records for link in r.links if link.kind == "supersedes") == 20
    assert [p for p in check_records(store, records) if p.is_error] == []
    assert sorted(p.name for p in folder.iterdir() if not p.name[0].isdigit()) == []


def test_renumber_keeps_crlf_line_endings_where_it_changes_a_link(tmp_path: Path) -> None:
    folder = tmp_path / "decisions"
    folder.mkdir()
    (folder / "0001-a.md").write_bytes(record(1, "A").encode())
    (folder / "0001-b.md").write_bytes(record(1, "B", date="2024-03-01").encode())
    amends = "\nAmends [1. B](0001-b.md)\n"
    (folder / "0002-c.md").write_bytes(record(2, "C", extra=amends, eol="\r\n").encode())
    assert cli(tmp_path, "tdr", "renumber")[0] == 0
    rewritten = (folder / "0002-c.md").read_bytes()
    assert b"Amends [3. B](0003-b.md)\r\n" in rewritten
    assert rewritten.count(b"\r\n") == rewritten.count(b"\n")


def test_leftovers_of_a_killed_writer_are_removed_by_the_next_command(tmp_path: Path) -> None:
    folder = supersede_workspace(tmp_path)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    pid = int(dead.stdout)
    (folder / f".0004-decision-4.md.{pid}.0.tmp").write_text("half a rec", encoding="utf-8")
    (folder / f".0006-new.md.{pid}.1.tmp").write_text("", encoding="utf-8")
    assert cli(tmp_path, "tdr", "list")[0] == 0
    assert sorted(p.name for p in folder.iterdir()) == [f"{n:04d}-decision-{n}.md" for n in range(1, 6)]


def test_a_damaged_journal_is_reported_not_followed(tmp_path: Path) -> None:
    folder = supersede_workspace(tmp_path)
    (folder / ".archkit-journal.json").write_text(
        '{"renames": [[".x.1.1.tmp", "../../etc/passwd"]], "remove": []}', encoding="utf-8"
    )
    code, _, err = cli(tmp_path, "tdr", "list")
    assert code == 2
    assert err == (
        "decisions/.archkit-journal.json: error: the journal of an interrupted change of several records "
        "cannot be read: it renames '.x.1.1.tmp' to '../../etc/passwd'; expected a journal archkit "
        "wrote; remove it to keep the records as they are\n"
    )
