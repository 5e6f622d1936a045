"""``archkit whiteboard`` and ``archkit drill``: interview preparation (parsing and printing only)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from archkit.cli.common import EXIT_USAGE, State, report, run, say, shown


def whiteboard(
    system: Annotated[str, typer.Argument(help="A system's name or file.", metavar="SYSTEM")],
    max_boxes: Annotated[
        int,
        typer.Option(
            "--max-boxes", "-n", help="At most this many boxes (0: the system's setting, else 12).", min=0
        ),
    ] = 0,
    peak_factor: Annotated[
        float,
        typer.Option("--peak-factor", help="Peak traffic over the average, for the cheat sheet.", min=1.0),
    ] = 3.0,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Output folder (relative to the workspace).")
    ] = Path("build/whiteboard"),
) -> None:
    """Whiteboard prep: a simplified diagram to redraw, its draw order step by step, and a
    one-page cheat sheet of numbers, trade-offs and likely follow-up questions."""
    from archkit.decisions.store import DecisionStore
    from archkit.errors import Problem
    from archkit.prep.whiteboard import render_whiteboard
    from archkit.workspace import Workspace

    workspace = Workspace(State.root)
    run(workspace.require)
    checked = run(lambda: workspace.load([system]))
    report(checked.problems)
    if checked.errors:
        raise typer.Exit(EXIT_USAGE)
    store = DecisionStore(State.root)
    records = run(store.records) if store.dir.is_dir() else []
    out_dir = out if out.is_absolute() else State.root / out
    target = checked.systems[0]
    from archkit.prep.capacity import derive

    for derived in derive(target.scale):
        if not derived.readable:
            where = target.locate("scale", derived.name)
            report(
                [
                    Problem(
                        f"scale '{derived.name}: {derived.value}' is not a figure archkit can "
                        "compute with; the cheat sheet shows it as written",
                        where,
                        severity="warning",
                    )
                ]
            )
    for path in run(lambda: render_whiteboard(target, out_dir, max_boxes or None, records, peak_factor)):
        say(f"wrote {shown(Path(str(path)))}")


def drill(
    system: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--system", "-s", help="Only this system's trade-offs and decisions."),
    ] = None,
    print_all: Annotated[
        bool, typer.Option("--print", help="Print every question and answer, for paper.")
    ] = False,
) -> None:
    """Practise the trade-offs: one question at a time, the recorded answer on Enter (q quits)."""
    from archkit.decisions.store import DecisionStore
    from archkit.prep.drill import cards
    from archkit.workspace import Workspace

    workspace = Workspace(State.root)
    run(workspace.require)
    checked = run(lambda: workspace.load([system] if system else []))
    store = DecisionStore(State.root)
    records = run(store.records) if store.dir.is_dir() else []
    slug = checked.systems[0].slug if system and checked.systems else None
    deck = cards(checked.systems, records, slug)
    if not deck:
        typer.echo("nothing to drill: add trade-offs to systems/ or options to decision records")
        raise typer.Exit(1)
    interactive = not print_all and _is_terminal()
    for number, card in enumerate(deck, start=1):
        typer.echo(f"\n{number}/{len(deck)}. {card.question}")
        if interactive:
            reply = input("   (Enter shows the answer, q quits) ")
            if reply.strip().lower() == "q":
                return
        typer.echo(f"   → {card.answer}\n     ({card.source})")
        if (
            interactive
            and number < len(deck)
            and input("   (Enter for the next one, q quits) ").strip().lower() == "q"
        ):
            return


def _is_terminal() -> bool:
    return sys.stdin.isatty()
