"""Benchmark of the archkit command line, against a reference measured in the same run.

Run it from the repository root with the Python of the environment archkit is installed in::

    .venv/bin/python bench/bench_cli.py            # prints a table, always exits 0
    .venv/bin/python bench/bench_cli.py --strict   # exits 1 when a ratio is over its limit

What is measured, and why this way
----------------------------------
Every figure is the wall time of a WHOLE command, as a user would see it: ``time.perf_counter()``
around ``subprocess.run``, output discarded. Absolute times depend on the machine, its load and
its disk cache, so no figure is compared with a number written down on another machine. Each
archkit command is compared instead with a REFERENCE that pays the same fixed costs and is
measured in the same run, on the same machine, at the same moment:

* the reference is a bare Typer app that prints one line, run by the same Python: starting the
  interpreter and importing Typer is the floor no Typer CLI can go below;
* ``archkit --help`` and ``archkit check`` (the example workspace) are compared with it;
* rendering one 20-node system to SVG is compared with the reference FOLLOWED BY Graphviz's raw
  ``dot -Tsvg`` on the very DOT source archkit generates - what is left is archkit's own work
  (loading, checking, writing DOT, embedding the icons in the SVG). archkit keeps a content-hash
  cache of what it drew (in the workspace's ``.archkit/``), which trusts only files still in the
  output folder, so each of its runs renders into an emptied folder (emptied outside the timed
  block); otherwise it would time the cache, not the render. Icons scaled to their drawn size are
  kept in the user's cache folder, warm after the first run, as they are for a user;
* rendering 50 systems to SVG and PNG a second time with nothing changed (cache hit: Graphviz must
  not run) is compared with the first, cold run. For the cold run the CPU time of the child
  processes is compared with the wall time too, which shows how many cores the render used.

The two commands of a comparison run in PAIRS, A then B, round after round (after one warm-up run
of each, so that neither pays alone for a cold disk cache), so a slow-down of the machine hits both
sides of a pair alike. The table shows the median of A, the median of B and the median of the
per-pair ratios A/B: medians, because one run disturbed by something else on the machine must not
move the result.

Only the standard library is used; archkit and dot run as subprocesses. ``archkit`` is the
executable beside ``sys.executable`` (the same bin folder), else ``python -m archkit``.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import timing

REPO = Path(__file__).resolve().parent.parent

# The folder archkit hands Graphviz as imagepath: the diagrams package's resources/.
ICON_ROOT_CODE = "import archkit.catalogue as c; print(c.resources_root())"

LIMIT_HELP = 1.2
LIMIT_CHECK = 1.5
LIMIT_RENDER_ONE = 1.3
LIMIT_CACHE_HIT = 0.10


def dot_command() -> str:
    found = shutil.which(os.environ.get("ARCHKIT_DOT") or "dot")
    if not found:
        raise timing.BenchError("Graphviz's 'dot' is not on PATH (install Graphviz, or set ARCHKIT_DOT)")
    return found


# --- Workspaces --------------------------------------------------------------------------------


def big_system() -> str:
    """A 20-component system: 6 technologies, a region holding a cluster, 24 annotated arrows."""
    components = [
        ("gateway", "API Gateway", "aws-api-gateway", "aws", "20k req/s peak"),
        ("orders", "Order service", "k8s-service", "eks", "p99 80 ms"),
        ("payments", "Payment service", "k8s-service", "eks", "p99 150 ms"),
        ("catalog", "Catalog service", "k8s-service", "eks", ""),
        ("users", "User service", "k8s-service", "eks", ""),
        ("search", "Search service", "k8s-service", "eks", "p95 40 ms"),
        ("pricing", "Pricing service", "k8s-service", "eks", ""),
        ("inventory", "Inventory service", "k8s-service", "eks", ""),
        ("shipping", "Shipping service", "k8s-service", "eks", ""),
        ("notify", "Notification service", "k8s-service", "eks", "3 replicas"),
        ("analytics", "Analytics consumer", "k8s-service", "eks", ""),
        ("orders-db", "Orders DB", "postgresql", "aws", "p95 < 20 ms"),
        ("users-db", "Users DB", "postgresql", "aws", ""),
        ("catalog-db", "Catalog DB", "postgresql", "aws", ""),
        ("session-cache", "Session cache", "redis", "aws", "p99 2 ms"),
        ("price-cache", "Price cache", "redis", "aws", ""),
        ("events", "Order events", "kafka", "aws", "400M events/day"),
        ("audit", "Audit log", "kafka", "aws", ""),
        ("lake", "Event lake", "aws-s3", "aws", "2 PB"),
        ("invoices", "Invoices", "aws-s3", "aws", ""),
    ]
    connections = [
        ("gateway", "orders", "REST", "sync", "8k req/s"),
        ("gateway", "catalog", "REST", "sync", "12k req/s"),
        ("gateway", "users", "REST", "sync", "3k req/s"),
        ("gateway", "search", "REST", "sync", "5k req/s"),
        ("orders", "payments", "gRPC", "sync", "2k req/s"),
        ("orders", "inventory", "gRPC", "sync", "2k req/s"),
        ("orders", "pricing", "gRPC", "sync", "4k req/s"),
        ("orders", "orders-db", "SQL", "sync", "6k q/s"),
        ("orders", "events", "order events", "async", "4k/s"),
        ("users", "users-db", "SQL", "sync", "3k q/s"),
        ("users", "session-cache", "sessions", "sync", "9k ops/s"),
        ("catalog", "catalog-db", "SQL", "sync", "10k q/s"),
        ("search", "catalog", "gRPC", "sync", "1k req/s"),
        ("pricing", "price-cache", "prices", "sync", "20k ops/s"),
        ("inventory", "orders-db", "SQL", "sync", "1k q/s"),
        ("payments", "audit", "audit trail", "async", "2k/s"),
        ("payments", "invoices", "PDF", "async", "50/s"),
        ("events", "shipping", "order placed", "async", "2k/s"),
        ("events", "notify", "order updates", "async", "4k/s"),
        ("events", "analytics", "all events", "async", "4k/s"),
        ("events", "lake", "archive", "async", "400M/day"),
        ("audit", "lake", "archive", "async", "170M/day"),
        ("shipping", "orders", "status", "sync", "500 req/s"),
        ("notify", "users", "contact details", "sync", "1k req/s"),
    ]
    lines = [
        "name: Big Shop",
        "summary: A 20-component shop, for the benchmark.",
        "scale:",
        "  users: 20M",
        "  orders/day: 4M",
        "  events/day: 400M",
        "  availability SLA: 99.95%",
        "groups:",
        "  - id: aws",
        "    label: AWS eu-west-1",
        "    kind: region",
        "    groups:",
        "      - id: eks",
        "        label: EKS cluster",
        "        kind: cluster",
        "components:",
    ]
    for cid, label, tech, group, metric in components:
        lines += [f"  - id: {cid}", f"    label: {label}", f"    tech: {tech}", f"    group: {group}"]
        if metric:
            lines.append(f"    metrics: [{metric}]")
    lines.append("connections:")
    for source, target, label, mode, throughput in connections:
        lines += [f"  - from: {source}", f"    to: {target}", f"    label: {label}", f"    mode: {mode}"]
        lines.append(f"    throughput: {throughput}")
    return "\n".join(lines) + "\n"


def medium_system(index: int) -> str:
    """Variation ``index`` of a 15-component system: other labels, figures and technologies."""
    return timing.system_yaml(index)


def make_workspace(root: Path, systems: dict[str, str]) -> Path:
    (root / "systems").mkdir(parents=True)
    for name, text in systems.items():
        (root / "systems" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return root


# --- The comparisons ---------------------------------------------------------------------------


def bench_cache(archkit: list[str], ws: Path, repeats: int) -> tuple[timing.Row, float, int]:
    """Cold render of every system vs the same command again (cache hit), ``repeats`` times.

    Returns the row, the median 'cores used' of the cold runs (children's CPU time / wall time)
    and how many systems the last cache-hit run drew again (must be 0: no Graphviz call).
    """
    out = ws / "out"
    command = [*archkit, "-C", str(ws), "diagram", "--format", "svg,png", "--out", str(out)]
    cold_job = timing.Job([command], prepare=timing.emptied(out))
    hit_job = timing.Job([command])
    cold_hit, cores = timing.paired_with_cores(cold_job, hit_job, repeats)
    pairs = [(hit, cold) for cold, hit in cold_hit]
    # One more run, untimed, whose last line says how many systems it drew: "... (0 drawn, 50 unchanged)".
    found = re.search(r"\((\d+) drawn", timing.run_checked(command))
    row = timing.median_row("diagram 50 systems svg,png: cache hit / cold", pairs, LIMIT_CACHE_HIT)
    return row, statistics.median(cores), int(found.group(1)) if found else -1


def main(argv: Sequence[str] | None = None) -> int:
    args = timing.parse_arguments(__doc__, argv, "--cache-repeats", "cold/hit pairs, 50 systems (default 3)")

    archkit = timing.archkit_command()
    dot = dot_command()
    with tempfile.TemporaryDirectory(prefix="archkit-bench-") as scratch:
        tmp = Path(scratch)
        reference = timing.bare_typer_reference(tmp)
        icon_root = timing.run_checked([sys.executable, "-c", ICON_ROOT_CODE]).strip()
        timing.print_archkit_and_python(archkit)
        dot_version = subprocess.run([dot, "-V"], capture_output=True, text=True, check=False).stderr.strip()
        print(f"dot:     {dot} ({dot_version})")
        print(
            f"cpu cores: {os.cpu_count()}; load average {timing.load_average()}; {args.rounds} paired rounds"
        )
        timing.byte_compile_archkit()
        print()

        ref = timing.Job([reference])
        rows: list[timing.Row] = []

        show_help = timing.Job([[*archkit, "--help"]])
        help_row = timing.paired("archkit --help vs bare Typer", show_help, ref, args.rounds, LIMIT_HELP)
        rows.append(timing.reference_row(help_row))
        rows.append(help_row)

        check = timing.Job([[*archkit, "-C", str(REPO), "check"]])
        rows.append(
            timing.paired("archkit check (3 systems) vs bare Typer", check, ref, args.rounds, LIMIT_CHECK)
        )

        big_ws = make_workspace(tmp / "big", {"big": big_system()})
        timing.run_checked([*archkit, "-C", str(big_ws), "check"])
        dot_dir = tmp / "big-dot"
        timing.run_checked(
            [*archkit, "-C", str(big_ws), "diagram", "big", "--format", "dot", "--out", str(dot_dir)]
        )
        svg_out = tmp / "big-svg"
        render = timing.Job(
            [[*archkit, "-C", str(big_ws), "diagram", "big", "--format", "svg", "--out", str(svg_out)]],
            prepare=timing.emptied(svg_out),
        )
        raw_dot = [dot, f"-Gimagepath={icon_root}", "-Tsvg", "-o", os.devnull, str(dot_dir / "big.dot")]
        baseline = timing.Job([reference, raw_dot])
        name = "diagram 1x20 nodes svg vs bare Typer + raw dot"
        rows.append(timing.paired(name, render, baseline, args.rounds, LIMIT_RENDER_ONE))

        many_ws = make_workspace(tmp / "many", {f"service-{i:02d}": medium_system(i) for i in range(50)})
        cache_row, cores_used, drawn = bench_cache(archkit, many_ws, args.cache_repeats)
        rows.append(cache_row)

    timing.print_table(rows)
    print(
        f"\n50-system cold run: cores used ≈ {cores_used:.1f} of {os.cpu_count()}"
        " (children's CPU time / wall time)"
    )
    print(f"cache-hit run drew {drawn if drawn >= 0 else '?'} systems again (0: Graphviz did not run)")
    return timing.exit_status(rows, args.strict)


if __name__ == "__main__":
    timing.run_main(main)
