"""The site's folder on disk: a small change is written in place, a big one swapped in whole,
and either way the folder ends as a fresh build of the same workspace would make it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from archkit.errors import ArchkitError
from archkit.site import output
from archkit.site.build import build_site

RECORD = "0002-migration-from-monolith-to-microservices"
SPARE = """# 99. A spare record

Date: 2024-01-01

## Status

Accepted

## Context

A record no system names.

## Decision

Keep it for a while.

## Consequences

None to speak of.
"""


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def folders(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir()}


def inodes(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and modification time (an inode freed by a rename may be used again)."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def edit_record(workspace: Path, old: str, new: str) -> None:
    record = workspace / "decisions" / f"{RECORD}.md"
    text = record.read_text(encoding="utf-8")
    assert old in text
    record.write_text(text.replace(old, new, 1), encoding="utf-8")


def retired_sites(out: Path) -> list[str]:
    return [name for name in os.listdir(out.parent) if name.startswith(f".{out.name}.")]


def test_a_small_change_is_written_in_place_and_equals_a_fresh_build(example_copy: Path) -> None:
    out = example_copy / "site"
    build_site(example_copy, out)
    folder, before = out.stat().st_ino, inodes(out)
    edit_record(example_copy, "## Context\n", "## Context\n\nA sentence added by the test.\n")
    report = build_site(example_copy, out)
    assert 0 < report.rendered <= output.IN_PLACE_MAX
    assert out.stat().st_ino == folder and retired_sites(out) == []  # not swapped: updated in place
    after = inodes(out)
    changed = {path for path in after if after[path] != before.get(path)}
    assert f"decisions/{RECORD}.html" in changed and ".archkit-site.json" in changed
    assert "index.html" not in changed  # unchanged pages keep their files
    assert "A sentence added by the test." in (out / "decisions" / f"{RECORD}.html").read_text(
        encoding="utf-8"
    )
    build_site(example_copy, example_copy / "fresh")
    assert tree(out) == tree(example_copy / "fresh")


def test_a_rebuild_that_changes_nothing_writes_nothing(example_copy: Path) -> None:
    out = example_copy / "site"
    build_site(example_copy, out)
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    assert build_site(example_copy, out).rendered == 0
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == stamps


def test_a_removed_record_takes_its_page_away_in_place(example_copy: Path) -> None:
    out = example_copy / "site"
    spare = example_copy / "decisions" / "0099-a-spare-record.md"
    spare.write_text(SPARE, encoding="utf-8")
    build_site(example_copy, out)
    assert (out / "decisions" / "0099-a-spare-record.html").is_file()
    (out / "decisions" / "stray").mkdir()
    (out / "decisions" / "stray" / "old.html").write_text("left by hand", encoding="utf-8")
    (out / "empty" / "deeper").mkdir(parents=True)
    spare.unlink()
    folder = out.stat().st_ino
    report = build_site(example_copy, out)
    assert report.rendered <= output.IN_PLACE_MAX and out.stat().st_ino == folder  # in place
    assert not (out / "decisions" / "0099-a-spare-record.html").exists()
    assert not (out / "decisions" / "stray").exists()  # what the site does not have is removed
    assert not (out / "empty").exists()
    build_site(example_copy, example_copy / "fresh")
    assert tree(out) == tree(example_copy / "fresh")
    assert folders(out) == folders(example_copy / "fresh")


def test_a_template_error_in_a_small_change_writes_nothing(example_copy: Path) -> None:
    out = example_copy / "site"
    build_site(example_copy, out)
    before = tree(out)
    edit_record(example_copy, "## Context\n", "## Context\n\nChanged.\n")
    (example_copy / "templates" / "site").mkdir(parents=True, exist_ok=True)
    # a workspace template that fails when a decision page renders, not when it is loaded
    (example_copy / "templates" / "site" / "decision.html.j2").write_text(
        "{{ record.title }}{{ 1 // 0 }}\n", encoding="utf-8"
    )
    with pytest.raises(ArchkitError) as raised:
        build_site(example_copy, out)
    assert str(raised.value) == (
        "templates/site/decision.html.j2:1: error: template site/decision.html.j2: ZeroDivisionError:"
        " integer division or modulo by zero; expected a template that renders with the values archkit passes"
    )
    assert tree(out) == before


def test_a_run_killed_half_way_leaves_whole_files_and_the_next_build_finishes_it(
    example_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = example_copy / "site"
    build_site(example_copy, out)
    record = example_copy / "decisions" / f"{RECORD}.md"
    text = record.read_text(encoding="utf-8")
    first_line = text.splitlines()[0]
    record.write_text(text.replace(first_line, first_line + " (revised)", 1), encoding="utf-8")
    writes = []
    real = output.write_atomic

    def dies_after_two(path: Path, data: str | bytes) -> None:
        writes.append(path)
        if len(writes) == 3:  # the manifest that forgets the changing pages, then one page
            raise KeyboardInterrupt
        real(path, data)

    monkeypatch.setattr(output, "write_atomic", dies_after_two)
    with pytest.raises(KeyboardInterrupt):
        build_site(example_copy, out)
    monkeypatch.undo()
    manifest = json.loads((out / ".archkit-site.json").read_text(encoding="utf-8"))
    assert f"decisions/{RECORD}.html" not in manifest  # not vouched for: it is rendered again
    record.write_text(text, encoding="utf-8")  # the edit taken back: the pages written must go too
    build_site(example_copy, out)
    build_site(example_copy, example_copy / "fresh")
    assert tree(out) == tree(example_copy / "fresh")
    assert "(revised)" not in "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))


def test_a_link_planted_in_the_site_sends_the_build_to_a_new_folder(
    example_copy: Path, tmp_path: Path
) -> None:
    out = example_copy / "site"
    build_site(example_copy, out)
    elsewhere = tmp_path / "elsewhere"
    (out / "decisions").rename(elsewhere)  # the pages, outside the site now, with their names
    planted = elsewhere / "0001-keep-the-monolith-and-improve-its-modularity.html"
    planted.write_text("planted outside the site", encoding="utf-8")
    before = tree(elsewhere)
    (out / "decisions").symlink_to(elsewhere, target_is_directory=True)
    edit_record(example_copy, "## Context\n", "## Context\n\nChanged.\n")
    build_site(example_copy, out)
    assert tree(elsewhere) == before  # nothing written through the link
    # nothing carried over through it either, though names and inputs match
    assert "planted" not in (out / "decisions" / planted.name).read_text(encoding="utf-8")
    assert (out / "decisions").is_dir() and not (out / "decisions").is_symlink()
    build_site(example_copy, example_copy / "fresh")
    assert tree(out) == tree(example_copy / "fresh")


def test_many_changed_pages_are_swapped_in_whole(example_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = example_copy / "site"
    build_site(example_copy, out)
    folder = out.stat().st_ino
    monkeypatch.setattr(output, "IN_PLACE_MAX", 0)
    edit_record(example_copy, "## Context\n", "## Context\n\nChanged.\n")
    report = build_site(example_copy, out)
    assert report.rendered > 0 and out.stat().st_ino != folder  # a new folder took its place
    build_site(example_copy, example_copy / "fresh")
    assert tree(out) == tree(example_copy / "fresh")


def test_a_changed_diagram_is_replaced_in_place(example_copy: Path) -> None:
    out = example_copy / "site"
    build_site(example_copy, out)
    folder = out.stat().st_ino
    system = example_copy / "systems" / "url-shortener.yaml"
    text = system.read_text(encoding="utf-8")
    assert "\nname: " in text
    system.write_text(text.replace("\nname: ", "\nname: Renamed ", 1), encoding="utf-8")
    report = build_site(example_copy, out)
    assert 0 < report.rendered <= output.IN_PLACE_MAX and out.stat().st_ino == folder
    assert "Renamed" in (out / "diagrams" / "url-shortener.svg").read_text(encoding="utf-8")
    build_site(example_copy, example_copy / "fresh")
    assert tree(out) == tree(example_copy / "fresh")


def test_an_output_path_that_is_a_file_is_refused_and_kept(example_copy: Path) -> None:
    out = example_copy / "site"
    out.write_text("a file of mine", encoding="utf-8")
    with pytest.raises(ArchkitError):
        build_site(example_copy, out)
    assert out.read_text(encoding="utf-8") == "a file of mine"
