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
    assert [(link.label, link.number) for link in records[2].links] == [("Superceded by", 4)]
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
