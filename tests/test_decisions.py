"""Decision records: parsing every format, creating, linking, checking, renumbering, rendering."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from archkit.cli import app
from archkit.decisions import DecisionStore, LinkSpec, check_records, parse_record, slugify
from archkit.decisions.render import render_decisions
from archkit.errors import ArchkitError, format_problem

ADR_TOOLS_RECORD = """# 3. Use Kafka for events

Date: 2021-03-04

## Status

Superceded by [5. Use Kinesis](0005-use-kinesis.md)

Amended by [4. Partition by user](0004-partition-by-user.md)

## Context

Context here.

## Decision

We use Kafka.

## Consequences

Ops work.
"""

MADR2 = """# Use PostgreSQL for orders

* Status: accepted
* Deciders: Alice, Bob
* Date: 2020-05-06

## Context and Problem Statement

Orders need transactions.

## Considered Options

* PostgreSQL
* MongoDB

## Decision Outcome

Chosen option: "PostgreSQL", because transactions.

## Pros and Cons of the Options

### PostgreSQL

* Good, because ACID
* Bad, because vertical scaling

### MongoDB

* Good, because flexible schema
* Bad, because multi-document transactions came late
"""

MADR4 = """---
status: "proposed"
date: 2024-02-03
decision-makers: Platform team
consulted: SRE
informed: everyone
---

# Adopt OpenTelemetry

## Context and Problem Statement

Three tracing libraries.

## Considered Options

* OpenTelemetry
* Vendor agent

## Decision Outcome

Chosen option: "OpenTelemetry".

### Consequences

* Good, because vendor-neutral
"""


def cli(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["-C", str(root), *args], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DecisionStore:
    monkeypatch.setenv("ARCHKIT_TODAY", "2025-01-15")
    return DecisionStore(tmp_path)


def test_example_records_parse_into_structure(repo: Path) -> None:
    records = DecisionStore(repo).records()
    assert [r.number for r in records] == [1, 2, 3, 4, 5, 6]
    migration = records[1]
    assert migration.title == "Migration from monolith to microservices"
    assert migration.status == "accepted" and migration.date == "2023-06-15"
    assert migration.metadata["decision-makers"].startswith("Engineering leadership team")
    assert [o.name for o in migration.options] == [
        "Status quo: keep the monolith",
        "Full microservices",
        "Modular monolith",
    ]
    assert all(o.pros and o.cons for o in migration.options)
    assert "No migration risk" in migration.options[0].pros
    assert {(link.kind, link.number) for link in migration.links} >= {("supersedes", 1)}
    for key in ("context", "options", "decision", "rationale", "implementation", "results"):
        assert migration.section(key), key
    assert records[0].status == "superseded"


def test_example_records_check_clean(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHKIT_TODAY", "2026-11-25")
    store = DecisionStore(repo)
    assert check_records(store, store.records()) == []


def test_adr_tools_record_without_status_word_is_superseded() -> None:
    record = parse_record(ADR_TOOLS_RECORD, "0003-use-kafka-for-events.md", 3)
    assert (record.number, record.title, record.date, record.status) == (
        3,
        "Use Kafka for events",
        "2021-03-04",
        "superseded",
    )
    assert [(link.kind, link.number, link.target) for link in record.links] == [
        ("superseded by", 5, "0005-use-kinesis.md"),
        ("amended by", 4, "0004-partition-by-user.md"),
    ]
    assert record.section("consequences") == "Ops work."


def test_madr2_and_madr4_records() -> None:
    madr2 = parse_record(MADR2, "0007-use-postgresql-for-orders.md", 7)
    assert (madr2.number, madr2.title, madr2.status, madr2.date) == (
        7,
        "Use PostgreSQL for orders",
        "accepted",
        "2020-05-06",
    )
    assert madr2.metadata["decision-makers"] == "Alice, Bob"
    assert [(o.name, o.pros, o.cons) for o in madr2.options] == [
        ("PostgreSQL", ("ACID",), ("vertical scaling",)),
        ("MongoDB", ("flexible schema",), ("multi-document transactions came late",)),
    ]
    assert madr2.section("context") == "Orders need transactions."
    madr4 = parse_record(MADR4, "0008-adopt-opentelemetry.md", 8)
    assert (madr4.number, madr4.title, madr4.status, madr4.date, madr4.style) == (
        8,
        "Adopt OpenTelemetry",
        "proposed",
        "2024-02-03",
        "madr3",
    )
    assert madr4.metadata == {"decision-makers": "Platform team", "consulted": "SRE", "informed": "everyone"}
    assert [o.name for o in madr4.options] == ["OpenTelemetry", "Vendor agent"]


def test_files_that_are_not_records_are_left_alone(store: DecisionStore) -> None:
    store.dir.mkdir()
    (store.dir / "README.md").write_text("# Our decisions\n", encoding="utf-8")
    (store.dir / "template.md").write_text("# NUMBER. TITLE\n", encoding="utf-8")
    (store.dir / "index.md").write_text("* [1. A](0001-a.md)\n", encoding="utf-8")
    assert store.records() == []
    path = store.new("First")
    assert path.name == "0001-first.md"
    assert (store.dir / "README.md").read_text(encoding="utf-8") == "# Our decisions\n"


def test_new_record_scaffold(store: DecisionStore) -> None:
    path = store.new(
        "Use Kafka for events", options=["Kafka", "Kinesis"], systems=["recommendation-platform"]
    )
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[:3] == ["# 1. Use Kafka for events", "", "Date: 2025-01-15"]
    record = store.read(path.name)
    assert record.status == "proposed"
    assert record.review == "2026-01-15"
    assert record.metadata["systems"] == "recommendation-platform"
    assert [o.name for o in record.options] == ["Kafka", "Kinesis"]
    assert store.new("Second", status="accepted").name == "0002-second.md"
    assert store.read("0002-second.md").status == "accepted"


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("../../etc/passwd", "etc-passwd"),
        ("..", "decision"),
        ("C:\\Windows\\x.md", "c-windows-x-md"),
        ("Ünïcödé ✓", "n-c-d"),
    ],
)
def test_titles_never_escape_the_folder(store: DecisionStore, title: str, slug: str) -> None:
    assert slugify(title) == slug
    path = store.new(title)
    assert path.parent == store.dir
    assert path.name == f"0001-{slug}.md"
    assert sorted(str(p.relative_to(store.root)) for p in store.root.rglob("*") if p.is_file()) == [
        f"decisions/{path.name}"
    ]


def test_supersede_and_links_update_the_targets(store: DecisionStore) -> None:
    store.new("Keep the monolith", status="accepted")
    store.new("Postgres for orders", status="accepted")
    before = (store.dir / "0002-postgres-for-orders.md").read_text(encoding="utf-8")
    path = store.new("Split the monolith", supersedes=[1], links=[LinkSpec(2, "Amends", "Amended by")])
    new = store.read(path.name)
    assert [(link.label, link.number) for link in new.links] == [("Supersedes", 1), ("Amends", 2)]
    old = store.read("0001-keep-the-monolith.md")
    assert old.status == "superseded"
    assert [(link.label, link.number, link.target) for link in old.links] == [
        ("Superseded by", 3, "0003-split-the-monolith.md")
    ]
    amended = (store.dir / "0002-postgres-for-orders.md").read_text(encoding="utf-8")
    added = [line for line in amended.splitlines() if line not in before.splitlines()]
    assert added == ["Amended by [3. Split the monolith](0003-split-the-monolith.md)"]
    assert check_records(store, store.records()) == [] or all(
        not p.is_error for p in check_records(store, store.records())
    )


def test_rewrites_keep_every_other_byte(store: DecisionStore) -> None:
    store.dir.mkdir()
    original = ADR_TOOLS_RECORD.replace(
        "Superceded by [5. Use Kinesis](0005-use-kinesis.md)\n\n", "Accepted\n\n"
    )
    original = original.replace("Amended by [4. Partition by user](0004-partition-by-user.md)\n\n", "")
    original = original.replace("\n", "\r\n") + "Trailing notes   \r\n\r\n"
    (store.dir / "0003-use-kafka-for-events.md").write_bytes(original.encode())
    store.set_status(3, "deprecated")
    changed = (store.dir / "0003-use-kafka-for-events.md").read_bytes().decode()
    assert changed == original.replace("\r\nAccepted\r\n", "\r\nDeprecated\r\n")


def test_unknown_status_and_missing_record_are_clear_errors(store: DecisionStore) -> None:
    store.new("A")
    with pytest.raises(ArchkitError) as caught:
        store.set_status(1, "acepted")
    assert format_problem(caught.value.problems[0]) == (
        "error: unknown status 'acepted'; expected one of 'proposed', 'accepted', 'rejected', "
        "'deprecated', 'superseded'; did you mean 'accepted'?"
    )
    with pytest.raises(ArchkitError) as caught:
        store.new("B", supersedes=[7])
    assert format_problem(caught.value.problems[0]) == (
        "error: no decision record numbered 7 in decisions/; expected a record number from 1 to 1; did you mean '1'?"
    )
    assert [p.name for p in store.dir.iterdir()] == ["0001-a.md"]  # nothing half-done


def test_check_finds_what_breaks_a_set(store: DecisionStore) -> None:
    store.dir.mkdir()
    files = {
        "0001-a.md": "# 1. A\n\nDate: 2020-01-01\n\n## Status\n\nSuperseded\n",
        "0002-b.md": "# 2. B\n\nDate: 2020-01-02\n\n## Status\n\nAcepted\n\nAmends [1. A](0001-a.md)\n"
        "Relates to [9. Gone](0009-gone.md)\n",
        "0002-c.md": "# 2. C\n\nDate: 2020-01-03\n\n## Status\n\nProposed\n",
        "0003-d.md": "---\nstatus: accepted\nnot a field\n---\n# D\n",
    }
    for name, text in files.items():
        (store.dir / name).write_text(text, encoding="utf-8")
    problems = [
        format_problem(p) for p in check_records(store, store.records(), dt.date(2025, 1, 1)) if p.is_error
    ]
    assert problems == [
        "decisions/0001-a.md:7: error: the record is superseded, but does not say by which record; expected a "
        "'Superseded by [N. Title](file)' line in its Status section",
        "decisions/0002-b.md:1: error: number 2 is used twice (also by 0002-c.md); expected one record per number: "
        "'archkit tdr renumber' moves the later one",
        "decisions/0002-b.md:7: error: unknown status 'acepted'; expected one of 'proposed', 'accepted', 'rejected', "
        "'deprecated', 'superseded'; did you mean 'accepted'?",
        "decisions/0002-b.md:9: error: one-sided link: 'Amends' 1. A, but 0001-a.md has no 'Amended by' link back; "
        'expected \'archkit tdr link 2 1 "Amends" "Amended by"\'',
        "decisions/0002-b.md:10: error: link 'Relates to' points to 0009-gone.md, which does not exist; expected a "
        "record file in this folder",
        "decisions/0002-c.md:1: error: number 2 is used twice (also by 0002-b.md); expected one record per number: "
        "'archkit tdr renumber' moves the later one",
        "decisions/0003-d.md:1: error: malformed front matter: line 3: expected 'key: value' in the front matter",
    ]


def test_check_warns_about_content_and_overdue_results(store: DecisionStore) -> None:
    store.dir.mkdir()
    (store.dir / "0001-a.md").write_text(
        "# 1. A\n\nDate: 2020-01-01\n\n- Review: 2021-01-01\n\n## Status\n\nAccepted\n\n## Context\n\nX\n\n"
        "## Options considered\n\n### Only pros\n\n- Pro: fast\n\n## Decision\n\nY\n",
        encoding="utf-8",
    )
    problems = check_records(store, store.records(), dt.date(2025, 1, 1))
    assert [p.severity for p in problems] == ["warning"] * 3
    assert [p.message for p in problems] == [
        "accepted record 1 has no Rationale section (or it is empty)",
        "option 'Only pros' lists no cons",
        "the results review was due on 2021-01-01, and Results is empty",
    ]
    assert problems[1].position is not None and problems[1].position.line == 17


def test_renumber_moves_the_later_record_and_rewrites_links(store: DecisionStore) -> None:
    store.dir.mkdir()
    (store.dir / "0001-a.md").write_text(
        "# 1. A\n\nDate: 2020-01-01\n\n## Status\n\nAccepted\n\nAmended by [2. C](0002-c.md)\n",
        encoding="utf-8",
    )
    (store.dir / "0002-b.md").write_text(
        "# 2. B\n\nDate: 2020-02-01\n\n## Status\n\nAccepted\n", encoding="utf-8"
    )
    (store.dir / "0002-c.md").write_text(
        "# 2. C\n\nDate: 2020-03-01\n\n## Status\n\nAccepted\n\nAmends [1. A](0001-a.md)\n\nSee [2. C](0002-c.md).\n",
        encoding="utf-8",
    )
    assert store.renumber() == [("0002-c.md", "0003-c.md")]
    assert [name for _, name in store.files()] == ["0001-a.md", "0002-b.md", "0003-c.md"]
    moved = (store.dir / "0003-c.md").read_text(encoding="utf-8")
    assert moved.startswith("# 3. C\n") and "See [3. C](0003-c.md)." in moved
    assert "Amended by [3. C](0003-c.md)" in (store.dir / "0001-a.md").read_text(encoding="utf-8")
    assert [p for p in check_records(store, store.records()) if p.is_error] == []
    assert store.renumber() == []


def test_twenty_concurrent_new_commands_get_twenty_numbers(tmp_path: Path) -> None:
    (tmp_path / "decisions").mkdir()
    command = [sys.executable, "-m", "archkit", "-C", str(tmp_path), "tdr", "new"]
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        runs = list(
            pool.map(
                lambda i: subprocess.run([*command, f"Decision {i}"], capture_output=True, text=True),
                range(20),
            )
        )
    assert [r.returncode for r in runs] == [0] * 20, [r.stderr for r in runs if r.returncode]
    files = sorted(p.name for p in (tmp_path / "decisions").iterdir())
    assert len(files) == 20
    assert sorted(int(name[:4]) for name in files) == list(range(1, 21))
    assert sorted(r.stdout.strip() for r in runs) == sorted(f"decisions/{name}" for name in files)
    for name in files:  # each file holds the record its name says
        number = int(name[:4])
        assert (
            (tmp_path / "decisions" / name).read_text(encoding="utf-8").startswith(f"# {number}. Decision ")
        )


def test_render_pages_index_and_graph(repo: Path, tmp_path: Path) -> None:
    store = DecisionStore(repo)
    written = render_decisions(store, tmp_path / "a")
    names = sorted(p.name for p in written)
    assert names[:6] == sorted(r.path.replace(".md", ".html") for r in store.records())
    assert {"index.md", "index.html", "decisions.svg"} <= set(names)
    index_md = (tmp_path / "a" / "index.md").read_text(encoding="utf-8")
    assert "* [2. Migration from monolith to microservices](" in index_md
    page = (tmp_path / "a" / "0002-migration-from-monolith-to-microservices.html").read_text(encoding="utf-8")
    assert 'href="0001-keep-the-monolith-and-improve-its-modularity.html"' in page
    assert '<li class="pro">No migration risk</li>' in page
    svg = ET.parse(tmp_path / "a" / "decisions.svg").getroot()
    titles = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}title")]
    assert (
        "0002-migration-from-monolith-to-microservices.md&#45;&gt;0001-keep-the-monolith-and-improve-its-modularity.md"
        in titles
        or any("0002" in (t or "") and "0001" in (t or "") for t in titles)
    )
    assert str(tmp_path) not in (tmp_path / "a" / "decisions.svg").read_text(encoding="utf-8")
    render_decisions(store, tmp_path / "b")
    for path in written:  # deterministic
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_render_escapes_what_records_say(store: DecisionStore, tmp_path: Path) -> None:
    store.dir.mkdir()
    (store.dir / "0001-x.md").write_text(
        '# 1. <script>alert("t")</script>\n\nDate: 2020-01-01\n\n## Status\n\nAccepted\n\n## Context\n\n'
        "<img src=x onerror=alert(1)> and **bold**\n",
        encoding="utf-8",
    )
    render_decisions(store, tmp_path / "out")
    page = (tmp_path / "out" / "0001-x.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "<strong>bold</strong>" in page


def test_cli_new_list_status_link_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHKIT_TODAY", "2025-01-15")
    assert cli(tmp_path, "tdr", "new", "Use", "Kafka") == (0, "decisions/0001-use-kafka.md\n", "")
    assert cli(tmp_path, "tdr", "new", "Use Kinesis", "--supersedes", "1", "--status", "accepted")[0] == 0
    assert cli(tmp_path, "tdr", "new", "Partition by user", "--link", "2:Amends:Amended by")[0] == 0
    code, out, _ = cli(tmp_path, "tdr", "list", "--json")
    rows = json.loads(out)
    assert [(r["number"], r["status"]) for r in rows] == [(1, "superseded"), (2, "accepted"), (3, "proposed")]
    assert rows[0]["path"] == "decisions/0001-use-kafka.md"
    assert rows[1]["links"] == [
        {"label": "Supersedes", "number": 1, "path": "0001-use-kafka.md"},
        {"label": "Amended by", "number": 3, "path": "0003-partition-by-user.md"},
    ]
    code, out, _ = cli(tmp_path, "tdr", "list", "--status", "accepted")
    assert code == 0 and "Use Kinesis" in out and "Use Kafka" not in out
    assert cli(tmp_path, "tdr", "status", "3", "accepted") == (0, "3. Partition by user: accepted\n", "")
    code, _, err = cli(tmp_path, "tdr", "status", "3", "done")
    assert code == 2 and "did you mean" not in err and "unknown status 'done'" in err
    assert cli(tmp_path, "tdr", "link", "3", "1", "Relates to", "Relates to")[0] == 0
    code, out, err = cli(tmp_path, "tdr", "check")
    assert code == 0, err
    assert out.startswith("3 records OK")
    code, out, _ = cli(tmp_path, "tdr", "show", "2", "--raw")
    assert out.startswith("# 2. Use Kinesis\n")
    code, _, err = cli(tmp_path, "tdr", "show", "9")
    assert code == 2 and "no decision record numbered 9" in err


def test_cli_check_fails_on_errors_and_review_lists_due_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARCHKIT_TODAY", "2030-01-01")
    decisions = tmp_path / "decisions"
    decisions.mkdir()
    (decisions / "0001-a.md").write_text(
        "# 1. A\n\nDate: 2020-01-01\n\n- Review: 2021-01-01\n\n## Status\n\nAccepted\n\nAmends [2. B](0002-b.md)\n",
        encoding="utf-8",
    )
    code, _, err = cli(tmp_path, "tdr", "check")
    assert code == 1 and "0002-b.md, which does not exist" in err
    code, out, _ = cli(tmp_path, "tdr", "review")
    assert out == "1. A (review 2021-01-01) decisions/0001-a.md\n"


def test_edit_opens_the_editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "opened"
    monkeypatch.setenv(
        "EDITOR",
        f"{sys.executable} -c \"import sys, pathlib; pathlib.Path(r'{marker}').write_text(sys.argv[1])\"",
    )
    monkeypatch.delenv("VISUAL", raising=False)
    assert cli(tmp_path, "tdr", "new", "X", "--edit")[0] == 0
    assert marker.read_text() == str(tmp_path / "decisions" / "0001-x.md")


def test_adr_dir_pointer_is_honoured(tmp_path: Path) -> None:
    (tmp_path / ".adr-dir").write_text("doc/architecture\n", encoding="utf-8")
    assert cli(tmp_path, "tdr", "new", "Pick a folder") == (0, "doc/architecture/0001-pick-a-folder.md\n", "")
    assert re.match(
        r"^# 1\. Pick a folder$",
        (tmp_path / "doc/architecture/0001-pick-a-folder.md").read_text().splitlines()[0],
    )


def test_without_a_folder_lock_records_are_still_never_lost(
    store: DecisionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where flock does not exist (or another tool writes at once), exclusive creation and the
    rival check still give every record its own number; only gaps may appear."""
    import contextlib

    from archkit.decisions import store as store_module

    monkeypatch.setattr(store_module, "_folder_lock", lambda folder: contextlib.nullcontext())
    store.dir.mkdir()
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        paths = list(pool.map(lambda i: store.new(f"Decision {i}"), range(20)))
    numbers = [int(p.name[:4]) for p in paths]
    assert len(set(numbers)) == 20
    assert sorted(p.name for p in store.dir.iterdir()) == sorted(p.name for p in paths)


def test_madr_records_are_updated_in_their_own_layout(store: DecisionStore) -> None:
    store.dir.mkdir()
    (store.dir / "0001-adopt-opentelemetry.md").write_text(MADR4, encoding="utf-8")
    (store.dir / "0002-use-postgresql-for-orders.md").write_text(MADR2, encoding="utf-8")
    store.new("Adopt vendor agents", supersedes=[1], links=[LinkSpec(2, "Relates to", "Relates to")])
    madr4 = (store.dir / "0001-adopt-opentelemetry.md").read_text(encoding="utf-8")
    assert madr4.splitlines()[1] == "status: superseded"
    assert madr4.endswith("## Links\n\nSuperseded by [3. Adopt vendor agents](0003-adopt-vendor-agents.md)\n")
    assert madr4.replace("status: superseded", 'status: "proposed"').split("\n## Links")[0] == MADR4
    madr2 = store.read("0002-use-postgresql-for-orders.md")
    assert madr2.status == "accepted" and [(link.label, link.number) for link in madr2.links] == [
        ("Relates to", 3)
    ]
    records = store.records()
    assert [p for p in check_records(store, records) if p.is_error] == []


def test_a_listing_reads_the_same_header_as_a_full_parse(repo: Path) -> None:
    store = DecisionStore(repo)
    for full, header in zip(store.records(), store.records(header_only=True), strict=True):
        assert (header.number, header.title, header.status, header.date, header.links) == (
            full.number,
            full.title,
            full.status,
            full.date,
            full.links,
        )
        assert header.options == () and full.options
        assert header.text == "" and full.text


def test_a_listing_keeps_the_headers_it_read_and_sees_a_change(repo: Path, tmp_path: Path) -> None:
    """tdr list keeps the headers it parsed in the records cache's heads/ (one small file, not a
    file per record), apart from the whole records check and build keep."""
    from archkit.decisions.store import list_records

    workspace = tmp_path / "ws"
    shutil.copytree(repo / "decisions", workspace / "decisions")
    store = DecisionStore(workspace)
    fresh = store.records(header_only=True)
    assert list_records(store) == fresh
    heads = workspace / ".archkit" / "cache" / "records" / "heads"
    assert sorted(p.name for p in heads.iterdir()) == ["pack.json"]
    assert not (heads.parent / "pack.json").exists()  # whole records are not made by a listing
    assert list_records(store) == fresh  # from the cache
    target = sorted(store.dir.glob("0003-*.md"))[0]
    target.write_text(
        target.read_text(encoding="utf-8").replace("Accepted", "Deprecated", 1), encoding="utf-8"
    )
    assert [r.status for r in list_records(store)][2] == "deprecated"
    assert list_records(store, "deprecated") == [store.records(header_only=True)[2]]


def test_a_workspace_template_overrides_the_scaffold(store: DecisionStore) -> None:
    (store.root / "templates").mkdir()
    (store.root / "templates" / "tdr.md.j2").write_text(
        "# {{ number }}. {{ title }}\n\nDate: {{ date }}\n\n## Status\n\n{{ status | capitalize }}\n\n## Context\n\nOurs.\n",
        encoding="utf-8",
    )
    path = store.new("Use our template")
    assert path.read_text(encoding="utf-8").endswith("## Context\n\nOurs.\n")
    (store.root / "templates" / "tdr.md.j2").write_text("# {{ number }. {{ title }}\n", encoding="utf-8")
    with pytest.raises(ArchkitError) as caught:
        store.new("Broken template")
    assert format_problem(caught.value.problems[0]).startswith(
        "templates/tdr.md.j2:1: error: template error:"
    )
    assert [p.name for p in store.dir.iterdir()] == [path.name]


def test_the_record_cache_gives_back_what_parsing_gives_and_notices_changes(
    repo: Path, tmp_path: Path
) -> None:
    workspace = tmp_path / "ws"
    shutil.copytree(repo / "decisions", workspace / "decisions")
    store = DecisionStore(workspace)
    cache = tmp_path / "cache" / "records"
    parsed = store.records()
    assert store.records(cache=cache) == parsed  # first run: parsed, then stored
    assert store.records(cache=cache) == parsed  # second run: from the cache
    target = workspace / "decisions" / "0003-hybrid-real-time-and-batch-processing-for-recommendations.md"
    target.write_text(
        target.read_text(encoding="utf-8").replace("Accepted", "Deprecated", 1), encoding="utf-8"
    )
    assert [r.status for r in store.records(cache=cache)][2] == "deprecated"
    assert (cache / "changed" / f"{target.name}.json").is_file()  # one change: one small file
    store.records(cache=cache)
    entry = cache / "changed" / f"{target.name}.json"
    damaged = entry.read_text().replace('"value":{', '"value":{"surprise":1,')
    assert damaged != entry.read_text()
    entry.write_text(damaged)
    assert store.records(cache=cache)[2] == store.records()[2]  # a damaged entry is ignored, never trusted
    entry.write_text("not json")
    assert store.records(cache=cache)[2] == store.records()[2]
    pack = cache / "pack.json"
    pack.write_text(pack.read_text().replace('"value":{', '"value":{"surprise":1,'))
    assert store.records(cache=cache) == store.records()
    pack.write_text("not json")
    assert store.records(cache=cache) == store.records()
    target.unlink()
    assert len(store.records(cache=cache)) == 5
    assert sorted(p.name for p in cache.iterdir()) == ["pack.json"]  # a record gone: packed again
    assert len(json.loads(pack.read_text())["entries"]) == 5


def test_the_record_cache_writes_one_small_file_per_change_then_packs_them(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import archkit.decisions.store as store_module
    from archkit.stamp_cache import PackedStampCache

    monkeypatch.setattr(PackedStampCache, "CHANGED_MAX", 2)
    workspace = tmp_path / "ws"
    shutil.copytree(repo / "decisions", workspace / "decisions")
    store = DecisionStore(workspace)
    cache = tmp_path / "cache" / "records"
    (cache).mkdir(parents=True)
    (cache / "0001-left-by-an-older-release.md.json").write_text("{}")
    store.records(cache=cache)
    assert sorted(p.name for p in cache.iterdir()) == ["pack.json"]  # a first run: one pack
    pack = (cache / "pack.json").stat()
    parsed: list[str] = []
    real = store_module.parse_record
    monkeypatch.setattr(
        store_module, "parse_record", lambda text, name, *a: parsed.append(name) or real(text, name, *a)
    )
    store.records(cache=cache)
    assert parsed == []  # all from the pack
    records = sorted(store.dir.glob("0*.md"))
    for count, record in enumerate(records[:3], start=1):
        record.write_text(record.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
        assert [r.path for r in store.records(cache=cache)] == [p.name for p in records]
        assert parsed == [p.name for p in records[:count]]  # only the record just edited is parsed
        waiting = sorted(p.name for p in (cache / "changed").glob("*.json")) if count < 3 else []
        assert waiting == ([f"{p.name}.json" for p in records[:count]] if count < 3 else [])
        now = (cache / "pack.json").stat()
        assert ((now.st_ino, now.st_mtime_ns) == (pack.st_ino, pack.st_mtime_ns)) == (count < 3)
    assert not (cache / "changed").exists()  # the third change: packed again, nothing waiting
    cached = store.records(cache=cache)
    assert len(parsed) == 3 and cached == store.records()


def test_a_packed_cache_keeps_unasked_entries_when_told_and_packs_what_waits_without_a_pack(
    tmp_path: Path,
) -> None:
    from archkit.stamp_cache import PackedStampCache

    sources = [tmp_path / f"{n}.md" for n in range(3)]
    for source in sources:
        source.write_text(source.name, encoding="utf-8")
    folder = tmp_path / "cache"
    first = PackedStampCache(folder, 1)
    for source in sources:
        assert first.get(source) is None
        first.put(source, source.name.upper())
    first.save()
    some = PackedStampCache(folder, 1)
    assert some.get(sources[0]) == "0.MD"
    sources[0].write_text("changed", encoding="utf-8")
    again = PackedStampCache(folder, 1)
    assert again.get(sources[0]) is None
    again.put(sources[0], "NEW")
    again.save(forget_unused=False)  # asked for one source only: the others are kept
    kept = PackedStampCache(folder, 1)
    assert [kept.get(source) for source in sources] == ["NEW", "1.MD", "2.MD"]
    (folder / "pack.json").unlink()  # only changed/ is left: the next save packs it
    lost = PackedStampCache(folder, 1)
    assert lost.get(sources[0]) == "NEW" and not lost.packed
    lost.save()
    assert (folder / "pack.json").is_file() and not (folder / "changed").exists()
    assert PackedStampCache(folder, 1).get(sources[0]) == "NEW"


def test_tdr_check_keeps_parsed_records_and_sees_a_record_change(
    store: DecisionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tdr check reads records through the workspace's cache (.archkit/cache/records/), as build
    does: a record parsed once is not parsed again, and one edited since is."""
    import archkit.decisions.store as store_module

    store.dir.mkdir()
    record = store.dir / "0001-a.md"
    record.write_text("# 1. A\n\nDate: 2020-01-01\n\n## Status\n\nProposed\n", encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(app, ["-C", str(store.root), "tdr", "check"])
    assert first.exit_code == 0, first.output
    assert (store.root / ".archkit" / "cache" / "records" / "pack.json").is_file()
    parsed: list[str] = []
    real = store_module.parse_record
    monkeypatch.setattr(
        store_module, "parse_record", lambda text, name, *a: parsed.append(name) or real(text, name, *a)
    )
    again = runner.invoke(app, ["-C", str(store.root), "tdr", "check"])
    assert again.exit_code == 0 and parsed == []  # unchanged: taken from the cache
    record.write_text("# 1. A\n\nDate: 2020-01-01\n\n## Status\n\nAcepted\n", encoding="utf-8")
    broken = runner.invoke(app, ["-C", str(store.root), "tdr", "check"])
    assert parsed == ["0001-a.md"]
    assert broken.exit_code == 1 and "unknown status 'acepted'" in broken.output


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_a_listing_reads_the_same_head_as_a_full_parse(repo: Path, newline: str) -> None:
    """tdr list parses only up to the end of the Status section: title, status, date, links and
    metadata are what the whole record gives, whatever the line endings."""
    from archkit.decisions.record import parse_record

    for path in sorted((repo / "decisions").glob("*.md")):
        text = path.read_text(encoding="utf-8").replace("\n", newline)
        head, whole = parse_record(text, path.name, 1, header_only=True), parse_record(text, path.name, 1)
        fields = ("number", "title", "status", "status_line", "date", "metadata", "links", "style")
        assert [getattr(head, f) for f in fields] == [getattr(whole, f) for f in fields], path.name
        assert whole.sections and len(head.sections) < len(whole.sections)


def test_a_front_matter_key_given_twice_is_an_error_not_a_guess() -> None:
    """Which of two 'status:' lines counts would be a guess, and a status change would rewrite one
    while the reader kept the other: the record is reported, and not changed."""
    from archkit.decisions.checks import check_records
    from archkit.decisions.record import parse_record, split_front_matter
    from archkit.decisions.store import _with_status

    text = "---\nstatus: proposed\nstatus: accepted\n---\n# 3. X\n"
    assert split_front_matter(text)[2] == "line 3: 'status' is given twice in the front matter"
    record = parse_record(text, "0003-x.md", 3)
    errors = [p.message for p in check_records(DecisionStore(Path("/nowhere")), [record]) if p.is_error]
    assert "malformed front matter: line 3: 'status' is given twice in the front matter" in errors
    with pytest.raises(ArchkitError, match="its front matter is malformed"):
        _with_status(record, "superseded")
