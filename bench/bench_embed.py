"""Benchmark of ``archkit embed --check`` on documents that are up to date, against a bare Typer command.

Run it from the repository root with the Python of the environment archkit is installed in::

    .venv/bin/python bench/bench_embed.py            # prints a table, always exits 0
    .venv/bin/python bench/bench_embed.py --strict   # exits 1 when a ratio is over its limit

The workspace is generated in a temporary folder: 5 systems (bench_cli's generated system) and 20
decision records, and 20 Markdown documents of 10 blocks each - 2 diagrams (SVG and PNG), 2
Mermaid blocks, 2 scale tables, 2 decision summaries, the decisions index and one more diagram in
a folder of its own - with prose between them. ``archkit embed`` fills them once (untimed); then
``archkit embed --check`` (nothing stale: it must exit 0) is timed in pairs with the bare Typer
app of bench/timing.py, the floor of any Typer command, and the median of the per-pair ratios is
compared with the limit of 1.5. A check that finds nothing stale must neither draw nor parse.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import timing

LIMIT_CHECK = 1.5
DOCUMENTS = 20
SYSTEMS = 5
RECORDS = 20


def record(number: int) -> str:
    return (
        f"# {number}. Decision number {number}\n\nDate: 2025-01-{number % 28 + 1:02d}\n\n## Status\n\n"
        f"Accepted\n\n## Context\n\nWhy {number}.\n\n## Decision\n\nWe chose option {number}.\n\n"
        "## Consequences\n\nSome.\n"
    )


def document(index: int) -> str:
    first, second = f"system-{index % SYSTEMS}", f"system-{(index + 1) % SYSTEMS}"
    blocks = [
        f"diagram {first} format=svg",
        f"diagram {second} format=png",
        f"mermaid {first}",
        f"mermaid {second}",
        f"scale {first}",
        f"scale {second}",
        f"decision {index % RECORDS + 1}",
        f"decision {(index + 7) % RECORDS + 1}",
        "decisions",
        f"diagram {second} format=svg out=images",
    ]
    parts = [f"# Document {index}\n"]
    for n, block in enumerate(blocks):
        parts.append(f"Paragraph {n} of document {index}, with some prose around the block.\n")
        parts.append(f"<!-- archkit:{block} -->\n<!-- archkit:end -->\n")
    return "\n".join(parts)


def make_workspace(root: Path) -> Path:
    for index in range(SYSTEMS):
        path = root / "systems" / f"system-{index}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(timing.system_yaml(index), encoding="utf-8")
    for number in range(1, RECORDS + 1):
        path = root / "decisions" / f"{number:04d}-decision-number-{number}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(record(number), encoding="utf-8")
    for index in range(DOCUMENTS):
        path = root / "docs" / f"section-{index % 4}" / f"page-{index}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(document(index), encoding="utf-8")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = timing.parse_arguments(__doc__, argv, "--fills", "untimed fills before timing (default 3)")
    archkit = timing.archkit_command()
    with tempfile.TemporaryDirectory(prefix="archkit-bench-embed-") as tmp:
        folder = Path(tmp)
        reference = timing.bare_typer_reference(folder)
        ws = make_workspace(folder / "ws")
        timing.print_archkit_and_python(archkit)
        print(
            f"workspace: {DOCUMENTS} documents x 10 blocks, {SYSTEMS} systems, {RECORDS} records; "
            f"load average {timing.load_average()}; {args.rounds} paired rounds"
        )
        timing.byte_compile_archkit()
        for _ in range(args.fills):
            timing.run_checked([*archkit, "-C", str(ws), "embed"])
        out = timing.run_checked([*archkit, "-C", str(ws), "embed", "--check"])
        print(f"embed --check says: {out.strip()}")
        check = timing.Job([[*archkit, "-C", str(ws), "embed", "--check"]])
        bare = timing.Job([reference])
        rows = [
            timing.paired("embed --check, nothing stale / bare Typer", check, bare, args.rounds, LIMIT_CHECK)
        ]
        timing.print_table([timing.reference_row(rows[0]), *rows])
        return timing.exit_status(rows, args.strict)


if __name__ == "__main__":
    timing.run_main(lambda: main(sys.argv[1:]))
