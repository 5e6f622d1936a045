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

import argparse
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

RECORDS = 1000

BARE_TYPER_APP = """\
import typer

app = typer.Typer()


@app.command()
def main():
    print("hello")


app()
"""

LIMIT_NEW = 1.25
LIMIT_LIST = 2.0
LIMIT_CHECK = 3.0
LIMIT_RENDER = 0.25  # archkit at least 4x faster than adr-tools' generate toc

NEW_TITLE = "Some title"


class BenchError(Exception):
    """A command failed, or something the benchmark needs is missing: no figure would mean anything."""


def archkit_command() -> list[str]:
    """The installed ``archkit`` beside this Python, else ``python -m archkit``."""
    found = shutil.which("archkit", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "archkit"]


def adr_new_command() -> str:
    """adr-tools-python's ``adr-new`` beside this Python (it is a dev dependency), else on PATH."""
    found = shutil.which("adr-new", path=str(Path(sys.executable).parent)) or shutil.which("adr-new")
    if not found:
        raise BenchError("adr-tools-python's 'adr-new' is not installed (pip install adr-tools-python)")
    return found


def load_average() -> str:
    """The 1-minute load average before the benchmark starts: other work on the machine adds noise."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except (AttributeError, OSError):
        return "?"


def run_checked(command: Sequence[str], cwd: Path | None = None) -> str:
    """Run a command outside any timing; its stdout, or BenchError with its stderr."""
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=cwd)
    if done.returncode != 0:
        hint = ""
        if "No module named" in done.stderr:
            hint = "\n(run the benchmark with the Python archkit is installed in, e.g. .venv/bin/python)"
        raise BenchError(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr.strip()}{hint}")
    return done.stdout


@dataclass
class Job:
    """Commands timed together, one after the other, in ``cwd``; ``prepare`` runs first and
    ``cleanup`` after, both outside the timing."""

    commands: list[list[str]]
    prepare: Callable[[], None] | None = None
    cleanup: Callable[[], None] | None = None
    cwd: Path | None = None

    def run(self) -> float:
        if self.prepare is not None:
            self.prepare()
        start = time.perf_counter()
        for command in self.commands:
            done = subprocess.run(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd=self.cwd
            )
            if done.returncode != 0:
                raise BenchError(f"{' '.join(command)} exited {done.returncode}")
        elapsed = time.perf_counter() - start
        if self.cleanup is not None:
            self.cleanup()
        return elapsed

    def warm_up(self) -> None:
        """One untimed run that shows the error, if any."""
        if self.prepare is not None:
            self.prepare()
        for command in self.commands:
            run_checked(command, self.cwd)
        if self.cleanup is not None:
            self.cleanup()


@dataclass
class Row:
    name: str
    a: float  # median seconds
    b: float | None = None
    ratio: float | None = None  # median of the per-pair ratios A/B
    limit: float | None = None

    @property
    def over(self) -> bool:
        return self.limit is not None and self.ratio is not None and self.ratio > self.limit


def paired(name: str, a: Job, b: Job, rounds: int, limit: float | None) -> Row:
    """Warm up each, then time A and B in pairs; medians of each side and of the ratios."""
    a.warm_up()
    b.warm_up()
    pairs = []
    for _ in range(rounds):
        time_a = a.run()
        time_b = b.run()
        pairs.append((time_a, time_b))
    return Row(
        name,
        statistics.median(p[0] for p in pairs),
        statistics.median(p[1] for p in pairs),
        statistics.median(p[0] / p[1] for p in pairs),
        limit,
    )


def emptied(folder: Path) -> Callable[[], None]:
    """A prepare step: make ``folder`` exist and be empty (nothing left from the previous run)."""

    def prepare() -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)

    return prepare


def remove_new_records(folder: Path, keep: frozenset[str]) -> Callable[[], None]:
    """A cleanup step: delete the one file a ``new`` command added to ``folder`` (and check it did)."""

    def cleanup() -> None:
        added = [name for name in os.listdir(folder) if name not in keep]
        for name in added:
            (folder / name).unlink()
        if len(added) != 1:
            raise BenchError(f"expected the command to add one record to {folder}, found {added}")

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


def print_table(rows: list[Row]) -> None:
    def cell(value: float | None, spec: str) -> str:
        return "-" if value is None else format(value, spec)

    width = max(len(row.name) for row in rows)
    print(f"{'A vs B':<{width}}  {'A ms':>8}  {'B ms':>8}  {'A/B':>6}  {'limit':>6}  result")
    for row in rows:
        result = "" if row.limit is None else ("OVER" if row.over else "PASS")
        print(
            f"{row.name:<{width}}  {cell(row.a * 1000, '.1f'):>8}  {cell(row.b and row.b * 1000, '.1f'):>8}"
            f"  {cell(row.ratio, '.2f'):>6}  {cell(row.limit, '.2f'):>6}  {result}".rstrip()
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="paired rounds per comparison (default 15)")
    parser.add_argument(
        "--render-rounds", type=int, default=3, help="paired rounds, tdr render vs adr-tools (default 3)"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a ratio is over its limit")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.render_rounds < 1:
        parser.error("--rounds and --render-rounds must be at least 1")

    archkit = archkit_command()
    adr_new = adr_new_command()
    adr = shutil.which("adr")
    with tempfile.TemporaryDirectory(prefix="archkit-bench-tdr-") as scratch:
        tmp = Path(scratch)
        bare = tmp / "bare_typer.py"
        bare.write_text(BARE_TYPER_APP, encoding="utf-8")
        reference = [sys.executable, str(bare)]
        print(f"archkit: {' '.join(archkit)}")
        print(f"python:  {sys.executable} ({sys.version.split()[0]})")
        print(f"adr-new: {adr_new} (adr-tools-python)")
        print(f"adr:     {adr or 'not installed: apt-get install adr-tools (the render row is skipped)'}")
        print(
            f"cpu cores: {os.cpu_count()}; load average {load_average()}; {args.rounds} paired rounds,"
            f" {args.render_rounds} for tdr render vs adr-tools"
        )
        # Byte-compile archkit as a regular install does, so that an editable checkout under
        # PYTHONDONTWRITEBYTECODE does not recompile its sources on every timed run.
        package = run_checked(
            [sys.executable, "-c", "import archkit, os; print(os.path.dirname(archkit.__file__))"]
        )
        run_checked([sys.executable, "-m", "compileall", "-q", package.strip()])

        ws = make_workspace(tmp / "ws", RECORDS)
        folder = ws / "decisions"
        originals = frozenset(os.listdir(folder))
        # The set must be sound before anything is timed: errors exit 2, warnings are fine.
        summary = subprocess.run(
            [*archkit, "-C", str(ws), "tdr", "check"], capture_output=True, text=True, check=False
        )
        if summary.returncode != 0:
            errors = "\n".join(summary.stderr.splitlines()[:10])
            raise BenchError(f"tdr check failed on the records (exit {summary.returncode}):\n{errors}")
        print(f"workspace: {len(originals)} records; tdr check: {summary.stdout.strip()}")
        print()

        ref = Job([reference])
        rows: list[Row] = []

        cleanup = remove_new_records(folder, originals)
        new = Job([[*archkit, "-C", str(ws), "tdr", "new", NEW_TITLE]], cleanup=cleanup)
        new_row = paired("archkit tdr new vs bare Typer", new, ref, args.rounds, LIMIT_NEW)
        # The reference alone, from the same pairs (B of the first comparison), for scale.
        rows.append(Row("reference: bare Typer app (median of B below)", new_row.b or 0.0))
        rows.append(new_row)

        peer_new = Job([[adr_new, NEW_TITLE]], cleanup=cleanup, cwd=ws)
        rows.append(paired("adr-new (adr-tools-python) vs bare Typer", peer_new, ref, args.rounds, None))

        listing = Job([[*archkit, "-C", str(ws), "tdr", "list"]])
        rows.append(paired("archkit tdr list vs bare Typer", listing, ref, args.rounds, LIMIT_LIST))

        check = Job([[*archkit, "-C", str(ws), "tdr", "check"]])
        rows.append(paired("archkit tdr check vs bare Typer", check, ref, args.rounds, LIMIT_CHECK))

        if adr is None:
            print("skipped tdr render vs adr generate toc: 'adr' is not on PATH (apt-get install adr-tools)")
        else:
            out = tmp / "render"
            render_command = [*archkit, "-C", str(ws), "tdr", "render", "--out", str(out)]
            render = Job([render_command], prepare=emptied(out))
            toc = Job([[adr, "generate", "toc"]], cwd=ws)
            name = f"archkit tdr render vs adr generate toc ({args.render_rounds} rounds)"
            rows.append(paired(name, render, toc, args.render_rounds, LIMIT_RENDER))

        if sorted(os.listdir(folder)) != sorted(originals):
            raise BenchError("the records folder changed during the benchmark")

    print_table(rows)
    print(f"\n{RECORDS} records; A/B must not exceed the limit (tdr render: 4x faster than adr-tools)")
    over = [row.name for row in rows if row.over]
    if over:
        print(f"OVER the limit: {'; '.join(over)}")
    return 1 if over and args.strict else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        sys.exit(f"bench: {exc}")
