"""``archkit build``: the portfolio as a static site (parsing and printing only)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from archkit.cli_common import State, run, shown


def build(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Output folder (relative to the workspace).")
    ] = Path("build/site"),
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", help="Parallel diagram renders (0: one per core).", min=0)
    ] = 0,
) -> None:
    """Build the portfolio site: summary, systems with diagrams, decisions, case studies, leadership,
    story bank, search, and a printable single page (plus Markdown)."""
    from archkit.errors import format_problem
    from archkit.site.build import build_site

    out_dir = out if out.is_absolute() else State.root / out
    with _progress() as progress:
        report = run(lambda: build_site(State.root, out_dir, jobs=jobs or None, progress=progress))
    for problem in report.problems:
        typer.echo(format_problem(problem), err=True)
    carried = report.pages - report.rendered
    typer.echo(
        f"built {shown(out_dir)}/: {report.pages} pages ({report.rendered} rendered, {carried} unchanged), "
        f"{report.diagrams} diagrams"
    )


class _progress:
    """A progress bar on a terminal; nothing in a pipe or a log."""

    def __enter__(self) -> Callable[[str, int, int], None] | None:
        if not sys.stderr.isatty():
            return None
        from rich.progress import Progress

        # no refresh thread: the build may fork worker processes, which must not inherit one
        self.bar = Progress(transient=True, auto_refresh=False)
        self.bar.start()
        self.tasks: dict[str, Any] = {}
        return self.update

    def update(self, what: str, done: int, total: int) -> None:
        if what not in self.tasks:
            self.tasks[what] = self.bar.add_task(what, total=total)
        self.bar.update(self.tasks[what], completed=done, total=total)
        self.bar.refresh()

    def __exit__(self, *exc: object) -> None:
        if hasattr(self, "bar"):
            self.bar.stop()


def serve(
    port: Annotated[
        int, typer.Option("--port", "-p", help="Port on 127.0.0.1 (0: any free one).", min=0)
    ] = 8000,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Output folder (relative to the workspace).")
    ] = Path("build/site"),
) -> None:
    """Preview the site on localhost and rebuild it when a source file changes."""
    from archkit.errors import ArchkitError, format_problem
    from archkit.site.build import build_site
    from archkit.site.serve import serve as serve_site
    from archkit.site.serve import timed

    out_dir = out if out.is_absolute() else State.root / out

    def rebuild() -> str:
        try:
            # one process: the server's threads must not be forked into page workers
            report = build_site(State.root, out_dir, jobs=1)
        except ArchkitError as exc:
            return "not rebuilt:\n" + "\n".join(format_problem(p) for p in exc.problems)
        notes = "".join("\n" + format_problem(p) for p in report.problems)
        return f"built {report.pages} pages ({report.rendered} rendered){notes}"

    run(lambda: serve_site(State.root, out_dir, port, timed(rebuild), typer.echo))


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
    from archkit.errors import format_problem
    from archkit.whiteboard import render_whiteboard
    from archkit.workspace import Workspace

    checked = run(lambda: Workspace(State.root).load([system]))
    for problem in checked.problems:
        typer.echo(format_problem(problem), err=True)
    if checked.errors:
        raise typer.Exit(2)
    store = DecisionStore(State.root)
    records = run(store.records) if store.dir.is_dir() else []
    out_dir = out if out.is_absolute() else State.root / out
    target = checked.systems[0]
    from archkit.capacity import derive

    for derived in derive(target.scale):
        if not derived.readable:
            where = target.locate("scale", derived.name)
            typer.echo(
                f"{where}: warning: scale '{derived.name}: {derived.value}' is not a figure archkit can "
                "compute with; the cheat sheet shows it as written",
                err=True,
            )
    for path in run(lambda: render_whiteboard(target, out_dir, max_boxes or None, records, peak_factor)):
        typer.echo(f"wrote {shown(Path(str(path)))}")


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
    from archkit.drill import cards
    from archkit.workspace import Workspace

    checked = run(lambda: Workspace(State.root).load([system] if system else []))
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
