"""``archkit templates``: the templates a workspace can override (parsing and printing only)."""

from __future__ import annotations

from typing import Annotated

import typer

from archkit.cli.common import State, print_table, run, shown

templates_app = typer.Typer(
    help="The Jinja2 templates archkit renders with; a file of the same name in the workspace's "
    "templates/ folder overrides one.",
    no_args_is_help=True,
)


@templates_app.command("list")
def list_command() -> None:
    """List archkit's templates by the name that overrides them, and the workspace's copies."""
    from archkit.templating import list_templates

    found = run(lambda: list_templates(State.root))
    rows = [[t.name, shown(t.override) if t.override else ""] for t in found]
    print_table(["template", "overridden by"], rows)


@templates_app.command("copy")
def copy_command(
    name: Annotated[str, typer.Argument(help="A name from 'archkit templates list'.", metavar="NAME")],
) -> None:
    """Copy one of archkit's templates into the workspace's templates/ to edit it there (never
    replaces a file)."""
    from archkit.templating import copy_template

    typer.echo(f"wrote {shown(run(lambda: copy_template(State.root, name)))}")
