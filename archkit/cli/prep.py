"""``archkit whiteboard``, ``drill``, ``estimate`` and ``calc``: interview preparation (parsing and
printing only)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from archkit.cli.common import (
    EXIT_USAGE,
    State,
    fail,
    load_checked,
    print_json,
    print_table,
    report,
    run,
    say,
    shown,
)
from archkit.errors import Problem
from archkit.files import in_workspace

PeakFactor = Annotated[
    float,
    typer.Option("--peak-factor", help="Peak traffic over the average.", min=1.0, max=1000.0),
]


def whiteboard(
    system: Annotated[str, typer.Argument(help="A system's name or file.", metavar="SYSTEM")],
    max_boxes: Annotated[
        int,
        typer.Option(
            "--max-boxes", "-n", help="At most this many boxes (0: the system's setting, else 12).", min=0
        ),
    ] = 0,
    peak_factor: PeakFactor = 3.0,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Output folder (relative to the workspace).")
    ] = Path("build/whiteboard"),
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="Comma-separated: html (step SVGs, the stepping page, the cheat sheet), excalidraw.",
        ),
    ] = "html",
) -> None:
    """Whiteboard prep: a simplified diagram to redraw, its draw order step by step, and a
    one-page cheat sheet of numbers, trade-offs and likely follow-up questions."""
    formats = [f.strip().lower() for f in format.split(",") if f.strip()]
    unknown = [f for f in formats if f not in ("html", "excalidraw")]
    if unknown or not formats:
        from archkit.errors import closest

        wrong = unknown[0] if unknown else format
        hint = closest(wrong, ("html", "excalidraw"))
        extra = f"; did you mean '{hint}'?" if hint else ""
        fail(f"error: unknown format '{wrong}'; expected html, excalidraw{extra}", EXIT_USAGE)
    from archkit.decisions.store import workspace_records
    from archkit.prep.whiteboard import render_whiteboard

    checked = load_checked([system])
    records = run(lambda: workspace_records(State.root))
    out_dir = in_workspace(State.root, out)
    target = checked.systems[0]
    from archkit.prep.estimates import estimate

    report(estimate(target, peak_factor).problems)
    from archkit.prep.whiteboard import simplify

    board = simplify(target, max_boxes or None)
    report([Problem(w, target.locate(), severity="warning") for w in board.warnings])
    if "excalidraw" in formats:
        from archkit.render.excalidraw import write_whiteboard_scene

        scene = run(lambda: write_whiteboard_scene(target, out_dir, max_boxes or None))
        say(f"wrote {shown(scene)}")
    if "html" not in formats:
        return
    for path in run(
        lambda: render_whiteboard(target, out_dir, max_boxes or None, records, peak_factor, State.root)
    ):
        say(f"wrote {shown(Path(str(path)))}")


def drill(
    system: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--system", "-s", help="Only this system's trade-offs, decisions and numbers."),
    ] = None,
    print_all: Annotated[
        bool, typer.Option("--print", help="Print every question and answer, for paper.")
    ] = False,
    shuffle: Annotated[bool, typer.Option("--shuffle", help="Ask in a random order.")] = False,
    seed: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option("--seed", help="With --shuffle: the same seed gives the same order."),
    ] = None,
) -> None:
    """Practise the trade-offs and the numbers: one question at a time, the recorded answer on
    Enter, then y or n for whether you knew it; missed questions come back before the end, and a
    score ends the session (q quits)."""
    import shutil

    from archkit.decisions.store import workspace_records
    from archkit.prep.drill import cards, order, print_deck, session

    checked = load_checked([system] if system else [])
    records = run(lambda: workspace_records(State.root))
    slug = checked.systems[0].slug if system and checked.systems else None
    deck = order(cards(checked.systems, records, slug), shuffle, seed)
    if not deck:
        typer.echo(
            "nothing to drill: add trade-offs or scale figures to systems/, or options to decision records"
        )
        raise typer.Exit(1)
    width = min(shutil.get_terminal_size((80, 24)).columns, 100)
    if print_all or not _is_terminal():
        print_deck(deck, sys.stdout, width)
        return
    session(deck, _read_line, sys.stdout, width)


def _read_line(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        return None


def _is_terminal() -> bool:
    return sys.stdin.isatty()


def estimate(
    system: Annotated[str, typer.Argument(help="A system's name or file.", metavar="SYSTEM")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per figure, for scripts.")] = False,
    peak_factor: PeakFactor = 3.0,
) -> None:
    """The numbers of a system: its scale figures and estimates, each with its value, its working
    and what it implies (rates per second at average and peak, data per day, month and year)."""
    from archkit.prep.estimates import estimate as compute

    checked = load_checked([system])
    found = compute(checked.systems[0], peak_factor)
    report(found.problems)
    if as_json:
        print_json([f.as_json() for f in found.figures])
        return
    if not found.figures:
        typer.echo("no figures: add 'scale' figures and 'estimates' to the system")
        return
    rows = []
    for figure in found.figures:
        if not figure.readable:
            rows.append([figure.name, figure.text, "(not a figure archkit can read: shown as written)"])
            continue
        said = "; ".join(figure.implies)
        working = figure.working + (f" ({said})" if figure.working and said else said)
        rows.append([figure.name, figure.shown, working])
    print_table(["figure", "value", "working"], rows)


def calc(
    expression: Annotated[
        str, typer.Argument(help='Numbers with units: "10B/day in /s", "100M * 500 B in TB".', metavar="EXPR")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="The result as a JSON object.")] = False,
    peak_factor: PeakFactor = 3.0,
) -> None:
    """A back-of-the-envelope calculator: numbers with units, + - * / ( ), and 'in UNIT' to
    choose how the result is shown."""
    from archkit.prep.estimates import calc as compute

    figure = run(lambda: compute(expression, peak_factor))
    if as_json:
        print_json(figure.as_json())
        return
    typer.echo(figure.working)
    for line in figure.implies:
        typer.echo(f"  {line}")
