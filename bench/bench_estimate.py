"""Benchmark of ``archkit estimate`` and ``archkit calc``, against a reference measured in the same run.

Run it from the repository root with the Python of the environment archkit is installed in::

    .venv/bin/python bench/bench_estimate.py            # prints a table, always exits 0
    .venv/bin/python bench/bench_estimate.py --strict   # exits 1 when a ratio is over its limit

What is measured, and why this way
----------------------------------
The same method as ``bench_cli.py``: every figure is the wall time of a WHOLE command, as a user
would see it (``time.perf_counter()`` around ``subprocess.run``, output discarded), and each
archkit command is compared with a REFERENCE measured in the same run, on the same machine, at
the same moment - never with a number written down elsewhere. Both commands are bound by
start-up: what they compute takes well under a millisecond.

* the reference is a bare Typer app that prints one line, run by the same Python: starting the
  interpreter and importing Typer is the floor no Typer CLI can go below;
* ``archkit calc "10B/day * 1.27 KB in TB/month"`` is compared with it;
* ``archkit estimate pastebin`` is compared with it, in a generated workspace: the Pastebin of the
  System Design Primer in its own words (6 scale figures, 6 estimates, 6 components) beside
  ``--systems`` other systems (3 by default), as in a real workspace. ``archkit estimate`` must
  succeed on it before anything is timed.

The two commands of a comparison run in PAIRS, A then B, round after round (after one warm-up run
of each, so that neither pays alone for a cold disk cache), so a slow-down of the machine hits both
sides of a pair alike. The table shows the median of A, the median of B and the median of the
per-pair ratios A/B: medians, because one run disturbed by something else on the machine must not
move the result.

Only the standard library is used; archkit runs as a subprocess. ``archkit`` is the executable
beside ``sys.executable`` (the same bin folder), else ``python -m archkit``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import timing

LIMIT_CALC = 1.3
LIMIT_ESTIMATE = 1.3
REPO = Path(__file__).resolve().parent.parent
PASTEBIN = REPO / "tests" / "fixtures" / "primer" / "pastebin.yaml"
EXPRESSION = "10B/day * 1.27 KB in TB/month"


def make_workspace(root: Path, others: int) -> Path:
    (root / "systems").mkdir(parents=True)
    (root / "systems" / "pastebin.yaml").write_text(PASTEBIN.read_text(encoding="utf-8"), encoding="utf-8")
    for index in range(others):
        (root / "systems" / f"service-{index:02d}.yaml").write_text(
            timing.system_yaml(index), encoding="utf-8"
        )
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = timing.parse_arguments(__doc__, argv, "--systems", "other systems in the workspace (default 3)")
    archkit = timing.archkit_command()
    with tempfile.TemporaryDirectory(prefix="archkit-bench-estimate-") as scratch:
        tmp = Path(scratch)
        reference = timing.bare_typer_reference(tmp)
        timing.print_archkit_and_python(archkit)
        print(
            f"cpu cores: {os.cpu_count()}; load average {timing.load_average()}; {args.rounds} paired rounds"
        )
        timing.byte_compile_archkit()
        ws = make_workspace(tmp / "ws", args.systems)
        estimate_command = [*archkit, "-C", str(ws), "estimate", "pastebin"]
        lines = len(timing.run_checked(estimate_command).splitlines())
        print(f"workspace: pastebin and {args.systems} other systems; estimate prints {lines} lines")
        print(f"calc: {timing.run_checked([*archkit, 'calc', EXPRESSION]).splitlines()[0]}")
        print()

        ref = timing.Job([reference])
        rows: list[timing.Row] = []
        calc = timing.Job([[*archkit, "calc", EXPRESSION]])
        calc_row = timing.paired("archkit calc vs bare Typer", calc, ref, args.rounds, LIMIT_CALC)
        rows.append(timing.reference_row(calc_row))
        rows.append(calc_row)
        estimate = timing.Job([estimate_command])
        rows.append(
            timing.paired("archkit estimate vs bare Typer", estimate, ref, args.rounds, LIMIT_ESTIMATE)
        )
        timing.print_table(rows)
        return timing.exit_status(rows, args.strict)


if __name__ == "__main__":
    timing.run_main(main)
