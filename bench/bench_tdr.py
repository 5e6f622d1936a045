"""Benchmark of archkit's decision-record commands at 1,000 records, against same-run references.

Run it from the repository root with the Python of the environment archkit is installed in::

    .venv/bin/python bench/bench_tdr.py            # prints a table, always exits 0
    .venv/bin/python bench/bench_tdr.py --strict   # exits 1 when a ratio is over its limit

What is measured, and why this way
----------------------------------
The same method as ``bench_cli.py``: every figure is the wall time of a WHOLE command, as a user
would see it (``time.perf_counter()`` around ``subprocess.run``, output discarded), and each
archkit command is compared with a REFERENCE measured in the same run, on the same machine, at
the same moment - never with a number written down elsewhere.

The workspace is generated in a temporary folder: 1,000 records in archkit's layout in
``decisions/`` (60-100 lines each: date, metadata list, status and link lines, context, options
with pros and cons, decision, rationale, implementation plan, results), every 10th superseding the
one before it (both ways), some ``Amends`` / ``Amended by`` and ``Relates to`` pairs, and a
``.adr-dir`` file naming ``decisions``, which archkit, adr-tools and adr-tools-python all read.
``archkit tdr check`` must pass on it (warnings only) before anything is timed.

* the reference is a bare Typer app that prints one line, run by the same Python: starting the
  interpreter and importing Typer is the floor no Typer CLI can go below;
* ``tdr new``, ``tdr list`` and ``tdr check`` are compared with it. ``tdr new`` creates a record
  each time: the new file is deleted after each run, outside the timed block, so every run sees
  1,000 records. adr-tools-python's ``adr-new`` (run in the workspace) is timed beside the same
  reference and its file deleted the same way; its row has no limit, it is there for scale;
* ``tdr render`` (Markdown index, an HTML page per record, an index page and the decision graph
  through Graphviz) is compared with Debian adr-tools' ``adr generate toc`` (a Markdown index
  only), run in the workspace, output discarded. archkit renders into an emptied folder (emptied
  outside the timed block). adr-tools starts a few processes per record, so it takes seconds per
  run: this pair runs ``--render-rounds`` rounds (3 by default), not ``--rounds``. When ``adr`` is
  not on PATH the row is skipped, with a line saying how to install it.

The two commands of a comparison run in PAIRS, A then B, round after round (after one warm-up run
of each, so that neither pays alone for a cold disk cache), so a slow-down of the machine hits both
sides of a pair alike. The table shows the median of A, the median of B and the median of the
per-pair ratios A/B: medians, because one run disturbed by something else on the machine must not
move the result.

Only the standard library is used; archkit, adr-tools-python and adr-tools run as subprocesses.
``archkit`` and ``adr-new`` are the executables beside ``sys.executable`` (the same bin folder);
``archkit`` falls back to ``python -m archkit``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import timing

RECORDS = 1000

LIMIT_NEW = 1.25
LIMIT_LIST = 2.0
LIMIT_CHECK = 3.0
LIMIT_RENDER = 0.25  # archkit at least 4x faster than adr-tools' generate toc

NEW_TITLE = "Some title"


def adr_new_command() -> str:
    """adr-tools-python's ``adr-new`` beside this Python (it is a dev dependency), else on PATH."""
    found = shutil.which("adr-new", path=str(Path(sys.executable).parent)) or shutil.which("adr-new")
    if not found:
        raise timing.BenchError(
            "adr-tools-python's 'adr-new' is not installed (pip install adr-tools-python)"
        )
    return found


def remove_new_records(folder: Path, keep: frozenset[str]) -> Callable[[], None]:
    """A cleanup step: delete the one file a ``new`` command added to ``folder`` (and check it did)."""

    def cleanup() -> None:
        added = [name for name in os.listdir(folder) if name not in keep]
        for name in added:
            (folder / name).unlink()
        if len(added) != 1:
            raise timing.BenchError(f"expected the command to add one record to {folder}, found {added}")

    return cleanup


# --- The workspace -----------------------------------------------------------------------------

TECHNOLOGIES = (
    "PostgreSQL",
    "Kafka",
    "Redis",
    "Elasticsearch",
    "gRPC",
    "GraphQL",
    "Kubernetes",
    "S3",
    "RabbitMQ",
    "Terraform",
    "OpenTelemetry",
    "DynamoDB",
    "Envoy",
    "Flink",
    "ClickHouse",
    "Vault",
    "Cassandra",
)
AREAS = (
    "order events",
    "user sessions",
    "search indexing",
    "billing",
    "the recommendation pipeline",
    "audit logs",
    "the public API",
    "inventory sync",
    "notifications",
    "analytics exports",
    "service discovery",
    "feature flags",
    "payments",
)
VERBS = ("Use", "Adopt", "Introduce", "Standardise on", "Move to", "Evaluate", "Keep")
TEAMS = ("Platform team", "Payments team", "Data team", "SRE", "Security", "Mobile team", "Search team")


def record_title(n: int) -> str:
    tech = TECHNOLOGIES[n % len(TECHNOLOGIES)]
    area = AREAS[(n // len(TECHNOLOGIES)) % len(AREAS)]
    verb = VERBS[(n // 7) % len(VERBS)]
    return f"{verb} {tech} for {area}"


def slugify(title: str) -> str:
    """archkit's slug: lowercase letters and digits joined by '-' (60 characters at most)."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].strip("-") or "decision"


def record_file(n: int) -> str:
    return f"{n:04d}-{slugify(record_title(n))}.md"


def record_link(label: str, n: int) -> str:
    return f"{label} [{n}. {record_title(n)}]({record_file(n)})"


def record_links(count: int) -> dict[int, list[str]]:
    """Link lines per record, both ways: every 10th supersedes the one before; some amend,
    some relate to an earlier one."""
    links: dict[int, list[str]] = {n: [] for n in range(1, count + 1)}

    def pair(source: int, target: int, label: str, reverse: str) -> None:
        links[source].append(record_link(label, target))
        links[target].append(record_link(reverse, source))

    for n in range(1, count + 1):
        if n % 10 == 0:
            pair(n, n - 1, "Supercedes", "Superceded by")
        if n % 25 == 7 and n > 10:
            pair(n, n - 5, "Amends", "Amended by")
        if n % 50 == 33:
            pair(n, n - 12, "Relates to", "Relates to")
    return links


def record_status(n: int, count: int) -> str:
    if n % 10 == 9 and n + 1 <= count:
        return "Superseded"
    if n % 23 == 5:
        return "Proposed"
    if n % 41 == 17:
        return "Rejected"
    if n % 37 == 11:
        return "Deprecated"
    return "Accepted"


def record_text(n: int, count: int, links: list[str]) -> str:
    """One record in archkit's layout (see archkit/decisions/record.py), 60-100 lines."""
    tech = TECHNOLOGIES[n % len(TECHNOLOGIES)]
    other = TECHNOLOGIES[(n * 7 + 3) % len(TECHNOLOGIES)]
    area = AREAS[(n // len(TECHNOLOGIES)) % len(AREAS)]
    day = dt.date(2015, 1, 1) + dt.timedelta(days=n * 3)
    review = day + dt.timedelta(days=365)
    team = TEAMS[n % len(TEAMS)]
    lines = [
        f"# {n}. {record_title(n)}",
        "",
        f"Date: {day.isoformat()}",
        "",
        f"- Decision-makers: {team} lead, engineering leadership team",
        f"- Consulted: {TEAMS[(n + 2) % len(TEAMS)]}, {TEAMS[(n + 4) % len(TEAMS)]}",
        "- Informed: Engineering organisation",
        f"- Review: {review.isoformat()}",
        f"- Tags: {tech.lower()}, {area.split()[-1]}",
        f"- Systems: system-{n % 40:02d}",
        "",
        "## Status",
        "",
        record_status(n, count),
    ]
    for link in links:
        lines += ["", link]
    lines += [
        "",
        "## Context",
        "",
        f"{area.capitalize()} handle about {(n % 90 + 10) * 1000} requests per second at peak, and the",
        f"current set-up misses its latency target (p99 {n % 400 + 100} ms against 200 ms) during",
        "the evening peak. The team looked at what the load needs and what the team can run.",
        "",
        f"- Traffic grows by {n % 30 + 5}% a year",
        f"- {n % 6 + 2} teams depend on {area}",
        f"- The on-call rotation has {n % 5 + 3} engineers",
        "",
        "## Options considered",
    ]
    options = [tech, other, "Status quo", "Build it in house"][: 2 + n % 3]
    for index, name in enumerate(options):
        description = f"Run {area} on {name.lower()}, option {index + 1} of {len(options)}."
        lines += ["", f"### {name}", "", description, ""]
        lines += [
            f"- Pro: {name} is known to {TEAMS[(n + index + k) % len(TEAMS)]}" for k in range(1 + n % 3)
        ]
        lines += [
            f"- Con: {name} costs {(index + k + 1) * 5}% more to run" for k in range(1 + (n + index) % 2)
        ]
    lines += [
        "",
        "## Decision",
        "",
        f"Use {tech} for {area}, rolled out service by service behind a feature flag.",
        "",
        "## Rationale",
        "",
        f"- {tech} meets the latency target in the load test ({n % 80 + 40} ms p99).",
        f"- {other} would need a rewrite of the clients.",
        "- The status quo does not scale past next year's peak.",
        "",
        "## Implementation plan",
        "",
        f"- Phase 1: one service on {tech}, shadow traffic ({n % 4 + 2} weeks)",
        "- Phase 2: half the traffic, with a rollback switch",
        "- Phase 3: all traffic; the old path is removed",
        "",
        "## Results",
        "",
    ]
    if n % 13 == 0:
        lines.append("Filled in at the review date: what was measured, against what was expected.")
    else:
        lines += [
            "Results (12 months later):",
            "",
            f"- p99 latency down from {n % 400 + 100} ms to {n % 80 + 40} ms",
            f"- Operating cost {n % 20 - 10:+d}%",
            "- No incident caused by the change",
        ]
    return "\n".join(lines) + "\n"


def make_workspace(root: Path, count: int) -> Path:
    """``count`` records in ``root/decisions`` and a ``.adr-dir`` naming it."""
    folder = root / "decisions"
    folder.mkdir(parents=True)
    (root / ".adr-dir").write_text("decisions\n", encoding="utf-8")
    links = record_links(count)
    for n in range(1, count + 1):
        (folder / record_file(n)).write_text(record_text(n, count, links[n]), encoding="utf-8")
    return root


# --- The run -----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    args = timing.parse_arguments(
        __doc__, argv, "--render-rounds", "paired rounds, tdr render vs adr-tools (default 3)"
    )

    archkit = timing.archkit_command()
    adr_new = adr_new_command()
    adr = shutil.which("adr")
    with tempfile.TemporaryDirectory(prefix="archkit-bench-tdr-") as scratch:
        tmp = Path(scratch)
        reference = timing.bare_typer_reference(tmp)
        timing.print_archkit_and_python(archkit)
        print(f"adr-new: {adr_new} (adr-tools-python)")
        print(f"adr:     {adr or 'not installed: apt-get install adr-tools (the render row is skipped)'}")
        print(
            f"cpu cores: {os.cpu_count()}; load average {timing.load_average()}; {args.rounds} paired rounds,"
            f" {args.render_rounds} for tdr render vs adr-tools"
        )
        timing.byte_compile_archkit()

        ws = make_workspace(tmp / "ws", RECORDS)
        folder = ws / "decisions"
        originals = frozenset(os.listdir(folder))
        # The set must be sound before anything is timed: errors exit 2, warnings are fine.
        summary = subprocess.run(
            [*archkit, "-C", str(ws), "tdr", "check"], capture_output=True, text=True, check=False
        )
        if summary.returncode != 0:
            errors = "\n".join(summary.stderr.splitlines()[:10])
            raise timing.BenchError(f"tdr check failed on the records (exit {summary.returncode}):\n{errors}")
        print(f"workspace: {len(originals)} records; tdr check: {summary.stdout.strip()}")
        print()

        ref = timing.Job([reference])
        rows: list[timing.Row] = []

        cleanup = remove_new_records(folder, originals)
        new = timing.Job([[*archkit, "-C", str(ws), "tdr", "new", NEW_TITLE]], cleanup=cleanup)
        new_row = timing.paired("archkit tdr new vs bare Typer", new, ref, args.rounds, LIMIT_NEW)
        rows.append(timing.reference_row(new_row))
        rows.append(new_row)

        peer_new = timing.Job([[adr_new, NEW_TITLE]], cleanup=cleanup, cwd=ws)
        rows.append(
            timing.paired("adr-new (adr-tools-python) vs bare Typer", peer_new, ref, args.rounds, None)
        )

        listing = timing.Job([[*archkit, "-C", str(ws), "tdr", "list"]])
        rows.append(timing.paired("archkit tdr list vs bare Typer", listing, ref, args.rounds, LIMIT_LIST))

        check = timing.Job([[*archkit, "-C", str(ws), "tdr", "check"]])
        rows.append(timing.paired("archkit tdr check vs bare Typer", check, ref, args.rounds, LIMIT_CHECK))

        if adr is None:
            print("skipped tdr render vs adr generate toc: 'adr' is not on PATH (apt-get install adr-tools)")
        else:
            out = tmp / "render"
            render_command = [*archkit, "-C", str(ws), "tdr", "render", "--out", str(out)]
            render = timing.Job([render_command], prepare=timing.emptied(out))
            toc = timing.Job([[adr, "generate", "toc"]], cwd=ws)
            name = f"archkit tdr render vs adr generate toc ({args.render_rounds} rounds)"
            rows.append(timing.paired(name, render, toc, args.render_rounds, LIMIT_RENDER))

        if sorted(os.listdir(folder)) != sorted(originals):
            raise timing.BenchError("the records folder changed during the benchmark")

    timing.print_table(rows)
    print(f"\n{RECORDS} records; A/B must not exceed the limit (tdr render: 4x faster than adr-tools)")
    return timing.exit_status(rows, args.strict)


if __name__ == "__main__":
    timing.run_main(main)
