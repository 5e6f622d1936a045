"""What the benchmarks in this folder share: paired timing of whole commands, and the table.

``bench_cli.py``, ``bench_tdr.py`` and ``bench_site.py`` import it as ``timing``: they run as scripts
(``python bench/bench_cli.py``), so this folder is the first entry of ``sys.path``.

Every figure is the wall time of a WHOLE command, as a user would see it: ``time.perf_counter()``
around ``subprocess.run``, output discarded. A ``Job`` is the commands timed together; ``paired``
runs two jobs A then B, round after round (after one warm-up run of each), and gives a ``Row``
with the median of A, the median of B and the median of the per-pair ratios A/B. ``print_table``
prints the rows against their limits.

The reference most comparisons use is ``BARE_TYPER_APP``: a bare Typer app that prints one line,
run by the same Python; starting the interpreter and importing Typer is the floor no Typer CLI
can go below.

``system_yaml`` writes variation ``index`` of the generated system ``bench_cli.py`` renders 50 of;
``bench_site.py`` builds its 50 systems with it too, with fewer services and the keys a system page
shows.

Only the standard library is used; everything timed runs as a subprocess.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

BARE_TYPER_APP = """\
import typer

app = typer.Typer()


@app.command()
def main():
    print("hello")


app()
"""


def system_technologies(index: int) -> tuple[str, str, str]:
    """The database, cache and queue of variation ``index`` of the generated system."""
    return (
        ("postgresql", "mysql", "mongodb")[index % 3],
        ("redis", "memcached")[index % 2],
        ("kafka", "rabbitmq", "aws-sqs")[index % 3],
    )


def system_yaml(
    index: int,
    services: int = 7,
    about: Sequence[str] = (),
    scale: Sequence[str] = (),
    metrics: bool = False,
    tail: Sequence[str] = (),
) -> str:
    """Variation ``index`` of a system of ``services`` services plus 8 other components (15 with the
    default 7): other labels, figures and technologies. ``about`` lines follow the summary, ``scale``
    lines end the scale (and may add top-level keys after it), ``tail`` lines end the file;
    ``metrics`` gives every fourth component a p95 figure. Connections to services left out are
    dropped."""
    db, cache, queue = system_technologies(index)
    components = [
        ("gateway", "aws-api-gateway", "aws"),
        *((f"svc{n}", "k8s-service", "eks") for n in range(1, services + 1)),
        ("db", db, "aws"),
        ("replica", db, "aws"),
        ("cache", cache, "aws"),
        ("queue", queue, "aws"),
        ("worker", "k8s-service", "eks"),
        ("bucket", "aws-s3", "aws"),
        ("mobile", "mobile-app", ""),
    ]
    connections = [("mobile", "gateway", "HTTPS", "sync")]
    connections += [("gateway", f"svc{n}", "REST", "sync") for n in range(1, 5)]
    connections += [
        ("svc1", "svc5", "gRPC", "sync"),
        ("svc2", "svc6", "gRPC", "sync"),
        ("svc3", "svc7", "gRPC", "sync"),
        ("svc1", "db", "SQL", "sync"),
        ("db", "replica", "replication", "async"),
        ("svc2", "cache", "reads", "sync"),
        ("svc4", "queue", "jobs", "async"),
        ("queue", "worker", "jobs", "async"),
        ("worker", "bucket", "exports", "sync"),
        ("svc5", "replica", "SQL", "sync"),
    ]
    if index % 2:
        connections.append(("svc6", "cache", "writes", "sync"))
    ids = {cid for cid, _, _ in components}
    connections = [c for c in connections if c[0] in ids and c[1] in ids]
    lines = [
        f"name: Service {index:02d}",
        f"summary: Variation {index} of a {len(components)}-component system, for the benchmark.",
        *about,
        "scale:",
        f"  users: {index + 1}M",
        f"  requests/s: {(index + 1) * 100}",
        *scale,
        "groups:",
        "  - id: aws",
        f"    label: AWS region {index % 4 + 1}",
        "    kind: region",
        "    groups:",
        "      - id: eks",
        "        label: Cluster",
        "        kind: cluster",
        "components:",
    ]
    for n, (cid, tech, group) in enumerate(components):
        lines += [f"  - id: {cid}", f"    label: {cid.capitalize()} {index}", f"    tech: {tech}"]
        lines += [f"    group: {group}"] if group else []
        if metrics and n % 4 == index % 4:
            lines.append(f"    metrics: [p95 {n * 5 + 10} ms]")
    lines.append("connections:")
    for n, (source, target, label, mode) in enumerate(connections):
        lines += [f"  - from: {source}", f"    to: {target}", f"    label: {label}", f"    mode: {mode}"]
        if n % 3 == index % 3:
            lines.append(f"    throughput: {(n + 1) * (index + 1)} req/s")
    lines += tail
    return "\n".join(lines) + "\n"


class BenchError(Exception):
    """A command failed, or something the benchmark needs is missing: no figure would mean anything."""


def parse_arguments(
    doc: str, argv: Sequence[str] | None, count_option: str, count_help: str, rounds: int = 15
) -> argparse.Namespace:
    """The options of a benchmark: ``--rounds`` (default ``rounds``), its own ``count_option``
    (default 3), both at least 1, and ``--strict``; the description is the first paragraph of ``doc``."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument(
        "--rounds", type=int, default=rounds, help=f"paired rounds per comparison (default {rounds})"
    )
    parser.add_argument(count_option, type=int, default=3, help=count_help)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a ratio is over its limit")
    args = parser.parse_args(argv)
    if args.rounds < 1 or getattr(args, count_option.lstrip("-").replace("-", "_")) < 1:
        parser.error(f"--rounds and {count_option} must be at least 1")
    return args


def archkit_command() -> list[str]:
    """The installed ``archkit`` beside this Python, else ``python -m archkit``."""
    found = shutil.which("archkit", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "archkit"]


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


def bare_typer_reference(folder: Path) -> list[str]:
    """Write the bare Typer app into ``folder``; the command that runs it with this Python."""
    bare = folder / "bare_typer.py"
    bare.write_text(BARE_TYPER_APP, encoding="utf-8")
    return [sys.executable, str(bare)]


def print_archkit_and_python(archkit: Sequence[str]) -> None:
    """The first lines of a benchmark's header: which archkit and which Python are timed."""
    print(f"archkit: {' '.join(archkit)}")
    print(f"python:  {sys.executable} ({sys.version.split()[0]})")


def byte_compile_archkit() -> None:
    """Byte-compile archkit as a regular install does, so that an editable checkout under
    PYTHONDONTWRITEBYTECODE does not recompile its sources on every timed run."""
    package = run_checked(
        [sys.executable, "-c", "import archkit, os; print(os.path.dirname(archkit.__file__))"]
    )
    run_checked([sys.executable, "-m", "compileall", "-q", package.strip()])


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


def median_row(name: str, pairs: Sequence[tuple[float, float]], limit: float | None) -> Row:
    """The row of timed ``(a, b)`` pairs: the median of each side and of the per-pair ratios."""
    return Row(
        name,
        statistics.median(p[0] for p in pairs),
        statistics.median(p[1] for p in pairs),
        statistics.median(p[0] / p[1] for p in pairs),
        limit,
    )


def paired(name: str, a: Job, b: Job, rounds: int, limit: float | None) -> Row:
    """Warm up each, then time A and B in pairs; medians of each side and of the ratios."""
    a.warm_up()
    b.warm_up()
    pairs = []
    for _ in range(rounds):
        time_a = a.run()
        time_b = b.run()
        pairs.append((time_a, time_b))
    return median_row(name, pairs, limit)


def reference_row(first: Row) -> Row:
    """The reference alone, from the same pairs (B of the first comparison), for scale."""
    return Row("reference: bare Typer app (median of B below)", first.b or 0.0)


def emptied(folder: Path) -> Callable[[], None]:
    """A prepare step: make ``folder`` exist and be empty (nothing left from the previous run,
    such as archkit's cache in it)."""

    def prepare() -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)

    return prepare


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


def exit_status(rows: Iterable[Row], strict: bool) -> int:
    """Name the rows over their limit, if any; 1 when there are some and ``strict``, else 0."""
    over = [row.name for row in rows if row.over]
    if over:
        print(f"OVER the limit: {'; '.join(over)}")
    return 1 if over and strict else 0


def run_main(main: Callable[[], int]) -> NoReturn:
    """Exit with what ``main`` returns; a BenchError ends the run with its message instead."""
    try:
        sys.exit(main())
    except BenchError as exc:
        sys.exit(f"bench: {exc}")


def paired_with_cores(a: Job, b: Job, rounds: int) -> tuple[list[tuple[float, float]], list[float]]:
    """Run A then B ``rounds`` times (after a warm-up of each): the (A, B) times of each pair,
    and the cores A used in each run (its children's CPU time over its wall time)."""
    a.warm_up()
    b.warm_up()
    pairs, cores = [], []
    for _ in range(rounds):
        before = os.times()
        time_a = a.run()
        after = os.times()
        time_b = b.run()
        cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
        cores.append(cpu / time_a)
        pairs.append((time_a, time_b))
    return pairs, cores
