"""adr-tools compatibility, proven with the real peer: adr-tools-python reads and extends the
records archkit writes, and archkit reads what adr-tools-python writes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from archkit.decisions import DecisionStore, check_records


def adr(command: str, *args: str, cwd: Path) -> str:
    script = Path(sys.executable).with_name(command)
    assert script.exists(), f"{command} (adr-tools-python) is a test dependency"
    done = subprocess.run([str(script), *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DecisionStore:
    monkeypatch.setenv("ARCHKIT_TODAY", "2025-03-01")
    (tmp_path / ".adr-dir").write_text(
        "decisions\n", encoding="utf-8"
    )  # adr-tools looks for doc/adr otherwise
    store = DecisionStore(tmp_path)
    store.new("Use PostgreSQL for orders", status="accepted", options=["PostgreSQL", "DynamoDB"])
    store.new("Cache product pages", status="accepted")
    return store


def test_adr_list_lists_archkit_records(workspace: DecisionStore) -> None:
    assert adr("adr-list", cwd=workspace.root).split() == [
        "decisions/0001-use-postgresql-for-orders.md",
        "decisions/0002-cache-product-pages.md",
    ]


def test_adr_new_supersedes_an_archkit_record_and_the_set_stays_consistent(workspace: DecisionStore) -> None:
    adr("adr-new", "-s", "2", "Cache at the edge", cwd=workspace.root)
    records = workspace.records()
    assert [(r.number, r.title, r.status) for r in records] == [
        (1, "Use PostgreSQL for orders", "accepted"),
        (2, "Cache product pages", "superseded"),
        (3, "Cache at the edge", "accepted"),
    ]
    assert [(link.kind, link.number) for link in records[1].links] == [("superseded by", 3)]
    assert [(link.kind, link.number) for link in records[2].links] == [("supersedes", 2)]
    assert [p for p in check_records(workspace, records) if p.is_error] == []
    # archkit's own text in the superseded record is kept
    assert records[1].metadata["review"] == "2026-03-01"


def test_adr_new_links_to_an_archkit_record_both_ways(workspace: DecisionStore) -> None:
    adr("adr-new", "-l", "1:Amends:Amended by", "Partition orders by region", cwd=workspace.root)
    records = workspace.records()
    assert [(link.label, link.number) for link in records[2].links] == [("Amends", 1)]
    assert [(link.label, link.number) for link in records[0].links] == [("Amended by", 3)]
    assert [p for p in check_records(workspace, records) if p.is_error] == []


def test_archkit_supersedes_a_record_adr_tools_wrote(workspace: DecisionStore) -> None:
    adr("adr-new", "Use Kafka", cwd=workspace.root)
    kafka = workspace.read("0003-Use-Kafka.md")
    assert (kafka.number, kafka.title, kafka.status, kafka.date) == (3, "Use kafka", "accepted", kafka.date)
    workspace.new("Use Kinesis", supersedes=[3], status="accepted")
    records = workspace.records()
    assert records[2].status == "superseded"
    assert [(link.label, link.number) for link in records[2].links] == [("Superseded by", 4)]
    assert [p for p in check_records(workspace, records) if p.is_error] == []
    # and adr-tools-python still works on the set archkit changed
    adr("adr-new", "-s", "4", "Use Pulsar", cwd=workspace.root)
    final = workspace.records()
    assert [(r.number, r.status) for r in final] == [
        (1, "accepted"),
        (2, "accepted"),
        (3, "superseded"),
        (4, "superseded"),
        (5, "accepted"),
    ]
    assert [p for p in check_records(workspace, final) if p.is_error] == []


# -- adr-tools 3.x, the shell tool (Debian's adr-tools package; `make test` installs it) ----------


def adr3(*args: str, cwd: Path) -> str:
    """Run adr-tools' `adr` (3.x) in ``cwd``; no editor is opened."""
    import os
    import shutil

    command = shutil.which("adr")
    assert command, "adr-tools 3.x is a test dependency: scripts/ensure-adr-tools.sh installs it"
    env = {k: v for k, v in os.environ.items() if k not in ("VISUAL", "EDITOR")}
    done = subprocess.run([command, *args], cwd=cwd, capture_output=True, text=True, check=True, env=env)
    return done.stdout


def archkit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "archkit", "-C", str(cwd), *args], capture_output=True, text=True
    )


def test_init_adopts_the_folder_adr_tools_made(tmp_path: Path) -> None:
    adr3("init", cwd=tmp_path)  # doc/adr, with its first record
    adr3("new", "Use Kafka for events", cwd=tmp_path)
    done = archkit("init", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "adopted doc/adr/ (its records are kept; .adr-dir points at it)" in done.stdout
    assert not (tmp_path / "decisions").exists()  # no second, empty folder hiding the records
    assert (tmp_path / ".adr-dir").read_text(encoding="utf-8") == "doc/adr\n"
    assert adr3("list", cwd=tmp_path).split() == [
        "doc/adr/0001-record-architecture-decisions.md",
        "doc/adr/0002-use-kafka-for-events.md",
    ]
    listed = archkit("tdr", "list", cwd=tmp_path)
    assert "Record architecture decisions" in listed.stdout and "Use Kafka for events" in listed.stdout


def test_init_adopts_log4brains_and_madr_folders(tmp_path: Path) -> None:
    for folder in ("docs/adr", "docs/decisions"):
        root = tmp_path / folder.replace("/", "-")
        (root / folder).mkdir(parents=True)
        (root / folder / "0001-use-markdown-records.md").write_text(
            "# Use Markdown records\n\n## Status\n\nAccepted\n", encoding="utf-8"
        )
        done = archkit("init", cwd=root)
        assert done.returncode == 0, done.stderr
        assert f"adopted {folder}/" in done.stdout
        assert not (root / "decisions").exists()
        assert archkit("tdr", "list", "--json", cwd=root).stdout.count('"number": 1') == 1


def test_adr_tools_3_and_archkit_supersede_each_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARCHKIT_TODAY", "2025-03-01")
    adr3("init", cwd=tmp_path)
    adr3("new", "Use Kafka", cwd=tmp_path)
    # archkit supersedes a record adr-tools wrote, in adr-tools' spelling
    assert (
        archkit(
            "tdr", "new", "Use Kinesis", "--supersedes", "2", "--status", "accepted", cwd=tmp_path
        ).returncode
        == 0
    )
    kafka = (tmp_path / "doc/adr/0002-use-kafka.md").read_text(encoding="utf-8")
    assert "Superseded by [3. Use Kinesis](0003-use-kinesis.md)" in kafka
    # adr-tools reads archkit's links, and supersedes archkit's record in turn
    assert adr3("generate", "toc", cwd=tmp_path).count("](") == 3
    adr3("new", "-s", "3", "Use Pulsar", cwd=tmp_path)
    kinesis = (tmp_path / "doc/adr/0003-use-kinesis.md").read_text(encoding="utf-8")
    assert "Superseded by [4. Use Pulsar](0004-use-pulsar.md)" in kinesis
    assert "- Review: 2026-03-01" in kinesis  # archkit's own lines are kept
    store = DecisionStore(tmp_path)
    records = store.records()
    assert [(r.number, r.status) for r in records] == [
        (1, "accepted"),
        (2, "superseded"),
        (3, "superseded"),
        (4, "accepted"),
    ]
    assert [(link.name, link.number) for link in records[2].links] == [
        ("Supersedes", 2),
        ("Superseded by", 4),
    ]
    assert [p for p in check_records(store, records) if p.is_error] == []
    done = archkit("tdr", "check", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # and adr-tools' own link command works on archkit's record
    adr3("link", "4", "Amends", "3", "Amended by", cwd=tmp_path)
    assert [(link.name, link.number) for link in store.read("0003-use-kinesis.md").links][-1] == (
        "Amended by",
        4,
    )


def test_both_spellings_in_one_folder_read_as_one_link(workspace: DecisionStore) -> None:
    adr("adr-new", "-s", "2", "Cache at the edge", cwd=workspace.root)  # adr-tools-python: "Superceded by"
    adr3("new", "-s", "1", "Use CockroachDB", cwd=workspace.root)  # adr-tools 3.x: "Superseded by"
    raw = [
        line
        for path in sorted(workspace.dir.glob("*.md"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.lower().startswith(("superseded", "superceded", "supersedes", "supercedes"))
    ]
    assert {line.split(" [")[0] for line in raw} == {
        "Superceded by",
        "Supercedes",
        "Superseded by",
        "Supersedes",
    }
    listed = archkit("tdr", "list", cwd=workspace.root).stdout
    assert "Superceded" not in listed and "Supercedes" not in listed
    assert listed.count("Superseded by") == 2 and listed.count("Supersedes") == 2
    assert archkit("tdr", "check", cwd=workspace.root).returncode == 0
