"""``archkit diff`` and ``archkit import``: change between versions, and systems from other tools
(parsing and printing only)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from archkit.cli.common import EXIT_FINDINGS, State, print_json, run, say, shown

FromOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--from", help="Git revision of the 'before' version (default: HEAD).", metavar="REV"),
]
ToOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--to", help="Git revision of the 'after' version (default: the working tree).", metavar="REV"
    ),
]


def diff(
    systems: Annotated[
        list[str],
        typer.Argument(
            help="A system (name or file) to compare between git revisions, or two files: OLD NEW.",
            metavar="SYSTEM [NEW]",
            show_default=False,
        ),
    ],
    revision_from: FromOption = None,
    revision_to: ToOption = None,
    format: Annotated[
        str,
        typer.Option("--format", "-f", help="Comma-separated: svg, png, dot, json; 'none' draws nothing."),
    ] = "svg,png",
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Output folder (relative to the workspace).")
    ] = Path("build/diagrams"),
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the changes as JSON instead of text.")
    ] = False,
    direction: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--direction", "-d", help="LR or TB; default: the system's."),
    ] = None,
) -> None:
    """What changed between two versions of a system: one diagram of both (added green, removed
    red and struck through, changed amber with the old value), and a summary. Exit 1 when they
    differ, 0 when they do not (as git diff --exit-code)."""
    from archkit.interop.diff import diff as compare
    from archkit.render.diff import summary

    found, written = run(
        lambda: compare(State.root, systems, revision_from, revision_to, out, format, direction)
    )
    if as_json:
        print_json(found.as_dict())
    else:
        say("\n".join(summary(found)))
        for path in written:
            say(f"wrote {shown(path)}")
    if not found.empty:
        raise typer.Exit(EXIT_FINDINGS)


import_app = typer.Typer(help="Create a system from another tool's files.", no_args_is_help=True)


@import_app.command("diagrams")
def import_diagrams(
    script: Annotated[Path, typer.Argument(help="A Python script written for the diagrams library.")],
    out: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--out", "-o", help="The system file to write (default: systems/<diagram name>.yaml)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Run a diagrams script with its rendering switched off and write the archkit system it
    draws: clusters as groups, nodes as components (classes mapped to the catalogue), edges as
    connections. The script is Python and runs in this process: import only what you would run."""
    from archkit.files import in_workspace, user_path
    from archkit.interop.diagrams_script import write_imported

    target = None if out is None else in_workspace(State.root, out)
    written, imported = run(
        lambda: write_imported(user_path(State.root, script), target, State.root / "systems", force)
    )
    for warning in imported.warnings:
        typer.echo(warning, err=True)
    say(f"wrote {shown(written)}")
