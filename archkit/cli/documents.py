"""``archkit embed``: diagrams, Mermaid, tables and decision summaries kept fresh in documents."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from archkit.cli.common import EXIT_FINDINGS, State, counted, run, say, shown


def embed(
    files: Annotated[
        Optional[list[Path]],  # noqa: UP045 - Typer needs Optional on Python 3.10
        typer.Argument(
            help="Markdown or HTML documents. Default: every one in the workspace.",
            metavar="[FILE]...",
            show_default=False,
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; list the stale blocks and exit 1 when there are any."),
    ] = False,
) -> None:
    """Fill the <!-- archkit:... --> blocks of documents: a diagram's image link (the image written
    beside the document), a Mermaid block, a system's scale table, a decision record's summary,
    the decisions index. Only the text between the markers changes."""
    from archkit.documents.embed import embed_documents

    report = run(lambda: embed_documents(State.root, files or [], check=check))
    summary = f"{counted(report.documents, 'document')}, {counted(report.blocks, 'block')}"
    if check:
        for stale in report.stale:
            what = "its image is out of date" if stale.reason == "image" else "its text is out of date"
            name = f" {stale.name}" if stale.name else ""
            typer.echo(f"{stale.document}:{stale.line}: stale archkit:{stale.kind}{name}: {what}")
        if report.stale:
            count = len(report.stale)
            say(f"{summary}: {count} stale; run 'archkit embed' to update them")
            raise typer.Exit(EXIT_FINDINGS)
        say(f"{summary}: all up to date")
        return
    for path in report.images:
        say(f"drew {shown(path)}")
    for document in report.updated:
        say(f"updated {document}")
    say(f"{summary}: {counted(len(report.updated), 'document')} updated")
