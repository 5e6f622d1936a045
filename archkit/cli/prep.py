"""``archkit whiteboard``, ``drill``, ``estimate`` and ``calc``: interview preparation (parsing and
printing only)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from archkit.cli.common import (
    State,
    load_checked,
    print_json,
    print_table,
    report,
    run,
    say,
    shown,
)

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
    from archkit.prep.whiteboard import whiteboard as prepare

    prepared = run(lambda: prepare(State.root, system, out, max_boxes or None, peak_factor, format))
    report(prepared.problems)
    for path in prepared.files:
        say(f"wrote {shown(path)}")


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

    from archkit.prep.drill import drill as deal
    from archkit.prep.drill import print_deck, session

    deck = run(lambda: deal(State.root, system, shuffle, seed))
    report(deck.problems)
    if not deck.cards:
        typer.echo(
            "nothing to drill: add trade-offs or scale figures to systems/, or options to decision records"
        )
        raise typer.Exit(1)
    width = min(shutil.get_terminal_size((80, 24)).columns, 100)
    if print_all or not _is_terminal():
        print_deck(deck.cards, sys.stdout, width)
        return
    session(deck.cards, _read_line, sys.stdout, width)


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
