"""``archkit build``: the portfolio as a static site (parsing and printing only)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from archkit.cli.common import State, report, run, say, shown
from archkit.files import in_workspace


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
    from archkit.site.build import build_site
    from archkit.workspace import Workspace

    run(Workspace(State.root).require)
    out_dir = in_workspace(State.root, out)  # as shown; build_site takes a relative out from the workspace
    with _progress() as progress:
        built = run(lambda: build_site(State.root, out, jobs=jobs or None, progress=progress))
    report(built.problems)
    carried = built.pages - built.rendered
    say(
        f"built {shown(out_dir)}/: {built.pages} pages ({built.rendered} rendered, {carried} unchanged), "
        f"{built.diagrams} diagrams"
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
        int, typer.Option("--port", "-p", help="Port (0: any free one).", min=0, max=65535)
    ] = 8000,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (0.0.0.0: every interface).")
    ] = "127.0.0.1",
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the site in the default browser once served.")
    ] = False,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Output folder (relative to the workspace).")
    ] = Path("build/site"),
) -> None:
    """Preview the site, rebuilding it when a source file changes; open pages reload themselves."""
    from archkit.site.serve import serve as serve_site
    from archkit.workspace import Workspace

    run(Workspace(State.root).require)

    def opened(url: str) -> None:
        if open_browser:
            import webbrowser

            webbrowser.open(url)

    # serve, as build_site, takes a relative out from the workspace
    run(lambda: serve_site(State.root, out, port, say=say, host=host, on_ready=opened, quiet=State.quiet))
