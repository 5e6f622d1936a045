"""Benchmark of ``archkit build`` (the static site) at 50 systems, 1,000 decisions and 50 case studies.

Run it from the repository root with the Python of the environment archkit is installed in::

    .venv/bin/python bench/bench_site.py            # prints a table, always exits 0
    .venv/bin/python bench/bench_site.py --strict   # exits 1 when a ratio is over its limit

What is measured, and why this way
----------------------------------
The same method as ``bench_cli.py`` and ``bench_tdr.py``: every figure is the wall time of a WHOLE
command, as a user would see it (``time.perf_counter()`` around ``subprocess.run``, output
discarded), and each archkit command is compared with a REFERENCE measured in the same run, on the
same machine, at the same moment - never with a number written down elsewhere.

The workspace is generated in a temporary folder: 50 systems of 12-15 components in ``systems/``
(with role, context, impact, stack, trade-offs and decision numbers, as a system page shows them),
the 1,000 decision records of ``bench_tdr.py`` in ``decisions/`` (each naming one of the 50
systems), 50 case studies with before/after results in ``case-studies/`` and a ``portfolio.yaml``.
``archkit check --no-checklist`` must pass on it, and ``archkit build`` must succeed, before
anything is timed.

* a COLD ``archkit build`` (the output folder and the workspace's ``.archkit/`` diagram cache are
  deleted before each run, outside the timed block, so the 50 diagrams are really drawn) is
  compared with ``mkdocs build -q`` of a mkdocs project whose ``docs/`` holds the same 1,000
  decision files (a minimal ``mkdocs.yml``, default theme, built into a folder deleted before each
  run): a user could publish their records with mkdocs instead. Each build takes seconds, so this
  pair runs ``--build-rounds`` rounds (3 by default), not ``--rounds``. The CPU time of the child
  processes is compared with the wall time of the archkit runs too, which shows how many cores the
  build used. When mkdocs is not installed the row is skipped, with a line saying how to install it;
* a REBUILD with one changed file: before each run, outside the timed block, one decision record
  gets one more line in its Context; ``archkit build`` then runs on the already built site (and
  its diagram cache). It is compared with the bare Typer app that prints one line, run by the same
  Python: starting the interpreter and importing Typer is the floor no Typer CLI can go below.

The two commands of a comparison run in PAIRS, A then B, round after round (after one warm-up run
of each, so that neither pays alone for a cold disk cache), so a slow-down of the machine hits both
sides of a pair alike. The table shows the median of A, the median of B and the median of the
per-pair ratios A/B: medians, because one run disturbed by something else on the machine must not
move the result. The page counts come from the last line archkit prints, ``built ...: N pages
(R rendered, U unchanged), D diagrams``, of one more untimed run of each kind.

Only the standard library is used; archkit and mkdocs run as subprocesses. ``archkit`` and
``mkdocs`` are the executables beside ``sys.executable`` (the same bin folder); ``archkit`` falls
back to ``python -m archkit``, ``mkdocs`` to the one on PATH.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import bench_tdr
import timing

SYSTEMS = 50
RECORDS = 1000
CASE_STUDIES = 50
EDITED_RECORD = 500  # the record the rebuild changes

LIMIT_COLD = 1.0  # archkit's cold build no slower than mkdocs on the records alone
LIMIT_REBUILD = 3.0

BUILT_LINE = re.compile(r": (\d+) pages \((\d+) rendered, (\d+) unchanged\), (\d+) diagrams")


def mkdocs_command() -> str | None:
    """mkdocs beside this Python, else on PATH; None when it is not installed."""
    return shutil.which("mkdocs", path=str(Path(sys.executable).parent)) or shutil.which("mkdocs")


# --- The workspace -----------------------------------------------------------------------------


def system_name(index: int) -> str:
    return f"service-{index:02d}"


def site_system(index: int) -> str:
    """Variation ``index`` of bench_cli.py's medium system, with 12-15 components (4-7 services)
    and the keys a system page shows: role, context, impact, stack, trade-offs, decisions."""
    db, cache, queue = timing.system_technologies(index)
    first = index * (RECORDS // SYSTEMS) + 1  # this system's own decision records
    about = [
        "role: Technical lead and manager",
        f"team-size: {index % 12 + 4}",
        "context: >-",
        f"  Service {index:02d} serves {index + 1}M users. Its traffic grew {index % 5 + 2}x in two years,",
        "  so the team split the hot paths into services behind one gateway and moved exports to a",
        "  queue and a worker.",
        "impact:",
        f"  - p99 latency down from {index * 10 + 400} ms to {index + 90} ms",
        f"  - Infrastructure cost {index % 30 + 5}% lower",
    ]
    scale = [
        f"  availability SLA: 99.9{index % 10}%",
        f"stack: [Kubernetes, AWS, {db}, {cache}, {queue}, Terraform]",
    ]
    tail = [
        "tradeoffs:",
        f"  - decision: {db} for the service's data",
        "    choice: One primary and a read replica",
        "    tradeoff: Replication lag on the replica's reads",
        f"    result: Reads scale to {(index + 1) * 100} req/s",
        f"    record: {first}",
        f"  - decision: {queue} for exports",
        "    choice: A queue and one worker",
        "    tradeoff: Exports are no longer synchronous",
        "    result: The API no longer waits for exports",
        f"    record: {first + 1}",
        "leadership:",
        f"  - Mentored {index % 3 + 1} engineers through the design reviews",
        f"decisions: [{first}, {first + 1}, {first + 2}]",
    ]
    return timing.system_yaml(index, 7 - index % 4, about, scale, metrics=True, tail=tail)


def case_study(index: int) -> str:
    """A performance (even ``index``) or scaling (odd) case study about one of the systems."""
    system = system_name(index % SYSTEMS)
    record = index * (RECORDS // CASE_STUDIES) + 5
    lines = [
        f"title: Case {index:02d} on {system}",
        f"kind: {('performance', 'scaling')[index % 2]}",
        "challenge: >-",
        f"  During traffic growth, response times on {system} degraded from {index % 5 * 100 + 200} ms",
        f"  to {index % 4 + 2} s, and database CPU reached {index % 20 + 75}%.",
        "analysis: >-",
        "  Profiling the slowest endpoints found N+1 queries and per-pod caches with low hit rates,",
        "  so most reads still reached the database.",
        "solution:",
        "  - Removed the N+1 queries on the hot endpoints",
        "  - A shared cache for hot read paths",
        "  - Connection pooling to the database",
        "leadership:",
        "  - Organised weekly performance review sessions with the team",
        "results:",
    ]
    if index % 2 == 0:
        lines += [
            "  - metric: p90 latency",
            f"    before: {index % 4 + 2} s",
            f"    after: {index % 10 * 10 + 120} ms",
            "  - metric: Database CPU",
            f"    before: {index % 20 + 75}%",
            f"    after: {index % 15 + 35}%",
            "  - metric: Infrastructure cost",
            f"    note: ${index % 40 + 10}K/month saved",
        ]
    else:
        lines += [
            "  - metric: Requests per day",
            f"    before: {index + 1}M requests/day",
            f"    after: {(index + 1) * 10}M requests/day",
        ]
    lines += [
        "outcomes:",
        "  - Zero downtime during the change",
        f"systems: [{system}]",
        f"decisions: [{record}]",
    ]
    return "\n".join(lines) + "\n"


PORTFOLIO = f"""\
name: Bench Mark
headline: Engineering Manager, generated for the benchmark
target: L6
summary: >-
  Engineering Manager with 8+ years building consumer-scale systems, {SYSTEMS} of them in this
  portfolio, with {RECORDS} decision records and {CASE_STUDIES} case studies.
scope:
  team-size: 15-25 engineers
  budget: $4M/year
  domains: [platform, payments, data]
achievements:
  - p90 latency brought from 2 s to 150 ms on {system_name(0)}
  - {system_name(1)} scaled to 10x its traffic with zero downtime
leadership:
  - Developed 3 senior engineers through architecture reviews
relevance: >-
  At L6 the scope is a system owned end to end by one or two teams, as each of these is.
present: [{system_name(0)}, {system_name(1)}]
"""


def record_text(n: int, links: list[str]) -> str:
    """bench_tdr.py's record ``n``, naming one of this workspace's systems instead of 'system-NN'."""
    text = bench_tdr.record_text(n, RECORDS, links)
    owner = system_name((n - 1) // (RECORDS // SYSTEMS))
    return re.sub(r"^- Systems: .*$", f"- Systems: {owner}", text, count=1, flags=re.MULTILINE)


def make_workspace(root: Path) -> Path:
    (root / "systems").mkdir(parents=True)
    for index in range(SYSTEMS):
        (root / "systems" / f"{system_name(index)}.yaml").write_text(site_system(index), encoding="utf-8")
    decisions = root / "decisions"
    decisions.mkdir()
    links = bench_tdr.record_links(RECORDS)
    for n in range(1, RECORDS + 1):
        (decisions / bench_tdr.record_file(n)).write_text(record_text(n, links[n]), encoding="utf-8")
    (root / "case-studies").mkdir()
    for index in range(CASE_STUDIES):
        (root / "case-studies" / f"case-{index:02d}.yaml").write_text(case_study(index), encoding="utf-8")
    (root / "portfolio.yaml").write_text(PORTFOLIO, encoding="utf-8")
    return root


def make_mkdocs_project(root: Path, decisions: Path) -> Path:
    """A mkdocs project whose docs/ holds a copy of the decision records; default theme."""
    shutil.copytree(decisions, root / "docs")
    (root / "mkdocs.yml").write_text("site_name: Decisions\n", encoding="utf-8")
    return root


# --- The comparisons ---------------------------------------------------------------------------


class Built(NamedTuple):
    pages: int
    rendered: int
    diagrams: int


def built(output: str) -> Built:
    """The figures of archkit's last line: 'built X/: N pages (R rendered, U unchanged), D diagrams'."""
    found = BUILT_LINE.search(output)
    if not found:
        raise timing.BenchError(f"archkit build printed no 'N pages (R rendered ...)' line:\n{output}")
    return Built(int(found.group(1)), int(found.group(2)), int(found.group(4)))


def removed(*folders: Path) -> Callable[[], None]:
    """A prepare step: delete ``folders`` (the output and the diagram cache of a cold build)."""

    def prepare() -> None:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)

    return prepare


def edit_record(path: Path) -> Callable[[], None]:
    """A prepare step: one more line at the end of the record's Context (a new one each time)."""
    count = 0

    def prepare() -> None:
        nonlocal count
        count += 1
        text = path.read_text(encoding="utf-8")
        marker = "\n\n## Options considered"
        if marker not in text:
            raise timing.BenchError(f"{path} has no '## Options considered' section")
        edited = text.replace(marker, f"\n- Benchmark edit {count}: the context changed{marker}", 1)
        path.write_text(edited, encoding="utf-8")

    return prepare


def bench_cold(build: timing.Job, mkdocs: timing.Job, rounds: int, name: str) -> tuple[timing.Row, float]:
    """Cold archkit build vs mkdocs build, in pairs; the row and the median 'cores used' of the
    archkit runs (children's CPU time / wall time)."""
    pairs, cores = timing.paired_with_cores(build, mkdocs, rounds)
    return timing.median_row(name, pairs, LIMIT_COLD), statistics.median(cores)


def main(argv: Sequence[str] | None = None) -> int:
    args = timing.parse_arguments(
        __doc__, argv, "--build-rounds", "paired rounds, cold build vs mkdocs (default 3)", rounds=10
    )

    archkit = timing.archkit_command()
    mkdocs = mkdocs_command()
    with tempfile.TemporaryDirectory(prefix="archkit-bench-site-") as scratch:
        tmp = Path(scratch)
        reference = timing.bare_typer_reference(tmp)
        timing.print_archkit_and_python(archkit)
        if mkdocs:
            version = timing.run_checked([mkdocs, "--version"]).strip()
            print(f"mkdocs:  {mkdocs} ({version})")
        else:
            print("mkdocs:  not installed: pip install mkdocs (the cold-build row is skipped)")
        print(
            f"cpu cores: {os.cpu_count()}; load average {timing.load_average()}; {args.rounds} paired rounds"
            f" for the rebuild, {args.build_rounds} for the cold build vs mkdocs"
        )
        timing.byte_compile_archkit()

        ws = make_workspace(tmp / "ws")
        timing.run_checked([*archkit, "-C", str(ws), "check", "--no-checklist"])
        out = tmp / "site"
        cache = ws / ".archkit"
        build_command = [*archkit, "-C", str(ws), "build", "--out", str(out)]
        first = built(timing.run_checked(build_command))
        print(
            f"workspace: {SYSTEMS} systems, {RECORDS} decisions, {CASE_STUDIES} case studies;"
            f" first build: {first.pages} pages, {first.diagrams} diagrams"
        )
        print()

        rows: list[timing.Row] = []
        cores_used = None
        if mkdocs is None:
            print("skipped archkit build (cold) vs mkdocs build: mkdocs is not installed: pip install mkdocs")
        else:
            project = make_mkdocs_project(tmp / "mkdocs", ws / "decisions")
            site = tmp / "mkdocs-site"
            mkdocs_build = [mkdocs, "build", "-q", "-f", str(project / "mkdocs.yml"), "-d", str(site)]
            cold = timing.Job([build_command], prepare=removed(out, cache))
            peer = timing.Job([mkdocs_build], prepare=removed(site), cwd=project)
            name = f"archkit build cold vs mkdocs build ({args.build_rounds} rounds)"
            cold_row, cores_used = bench_cold(cold, peer, args.build_rounds, name)
            rows.append(cold_row)

        # The rebuilds start from a built site and a filled diagram cache.
        timing.run_checked(build_command)
        edit = edit_record(ws / "decisions" / bench_tdr.record_file(EDITED_RECORD))
        rebuild = timing.Job([build_command], prepare=edit)
        ref = timing.Job([reference])
        name = "archkit build, 1 decision changed vs bare Typer"
        rebuild_row = timing.paired(name, rebuild, ref, args.rounds, LIMIT_REBUILD)
        rows.append(timing.reference_row(rebuild_row))
        rows.append(rebuild_row)
        # One more rebuild, untimed, for its counts.
        edit()
        again = built(timing.run_checked(build_command))

    timing.print_table(rows)
    print(f"\nsite: {first.pages} pages, {first.diagrams} diagrams (cold build)")
    if cores_used is None:
        print("cold build: not timed (mkdocs is not installed)")
    else:
        print(
            f"cold build: cores used ≈ {cores_used:.1f} of {os.cpu_count()} (children's CPU time / wall time)"
        )
    print(
        f"rebuild with 1 decision changed: {again.rendered} of {again.pages} pages rendered,"
        f" {again.pages - again.rendered} unchanged"
    )
    return timing.exit_status(rows, args.strict)


if __name__ == "__main__":
    timing.run_main(main)
