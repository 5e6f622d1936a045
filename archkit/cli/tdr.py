"""``archkit tdr ...``: the decision-record commands (parsing and printing only)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from archkit.cli.common import (
    EXIT_FINDINGS,
    EXIT_USAGE,
    State,
    clean,
    fail,
    print_json,
    print_table,
    report,
    run,
    say,
    shown,
)
from archkit.files import in_workspace

if TYPE_CHECKING:
    from archkit.decisions.store import DecisionStore

tdr_app = typer.Typer(
    help="Technical decision records: new, list, show, link, check, render.",
    no_args_is_help=True,
    rich_markup_mode=None,  # help as written (see root.py)
)

DirOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--dir", "-D", help="Records folder (default: .adr-dir's, else decisions/).", show_default=False
    ),
]


def _store(directory: str | None, existing: bool = True) -> DecisionStore:
    """The records folder; unless ``existing`` is off, it must exist (exit 2 otherwise)."""
    from archkit.decisions.store import DecisionStore

    store = run(lambda: DecisionStore(State.root, directory))
    if existing:
        run(store.require)
    return store


@tdr_app.command("new")
def new(
    title: Annotated[
        list[str], typer.Argument(help="The decision's title (words are joined).", metavar="TITLE")
    ],
    supersedes: Annotated[
        Optional[list[int]],  # noqa: UP045
        typer.Option("--supersedes", "-s", help="Number of a record this one supersedes (repeatable)."),
    ] = None,
    link: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--link", "-l", help='"N:Label:Reverse label", e.g. "3:Amends:Amended by" (repeatable).'
        ),
    ] = None,
    status: Annotated[str, typer.Option("--status", help="proposed, accepted, ...")] = "proposed",
    option: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--option", "-o", help="An option considered (repeatable)."),
    ] = None,
    system: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--system", help="A related system's name (repeatable)."),
    ] = None,
    edit: Annotated[bool, typer.Option("--edit", "-e", help="Open it in $VISUAL / $EDITOR.")] = False,
    directory: DirOption = None,
) -> None:
    """Create the next numbered record from the template and print its path."""
    from archkit.decisions.store import LinkSpec

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if edit and not editor:
        fail("error: --edit needs $VISUAL or $EDITOR to name an editor; nothing was written", EXIT_USAGE)
    store = _store(directory, existing=False)
    links = [run(lambda text=text: LinkSpec.parse(text)) for text in link or []]  # type: ignore[misc]
    path = run(
        lambda: store.new(
            " ".join(title),
            status=status,
            supersedes=supersedes or [],
            links=links,
            options=option or [],
            systems=system or [],
        )
    )
    typer.echo(shown(path))
    if edit and editor:
        import shlex
        import subprocess

        subprocess.run([*shlex.split(editor), str(path)], check=False)


@tdr_app.command("list")
def list_records(
    status: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--status", help="Only records with this status."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON array, for scripts.")] = False,
    directory: DirOption = None,
) -> None:
    """List the records: number, title, status, date, links."""
    from archkit.decisions.store import list_records as listed
    from archkit.decisions.store import listing_json

    store = _store(directory)
    records = run(lambda: listed(store, status))
    if as_json:
        print_json(listing_json(store, records))
        return
    if not records:
        which = f" with status {status.strip().lower()}" if status else ""
        say(f"no decision records in {shown(store.dir)}/{which}")
        return
    table = [
        [
            str(r.number),
            r.title,
            r.status,
            r.date,
            ", ".join(f"{link.name} {link.number}" for link in r.links),
        ]
        for r in records
    ]
    print_table(["#", "title", "status", "date", "links"], table, right=[0])


@tdr_app.command("show")
def show(
    number: Annotated[int, typer.Argument(help="The record's number.")],
    raw: Annotated[bool, typer.Option("--raw", help="Print the Markdown as it is.")] = False,
    directory: DirOption = None,
) -> None:
    """Show a record, rendered for the terminal."""
    store = _store(directory)
    record = run(lambda: store.find(number))
    if raw or not sys.stdout.isatty():
        sys.stdout.write(record.text)
        return
    from rich.console import Console
    from rich.markdown import Markdown

    from archkit.errors import printable

    Console().print(Markdown(printable(record.text.replace("\r\n", "\n"), keep="\n\t")))


@tdr_app.command("link")
def link(
    source: Annotated[int, typer.Argument(help="The record that links.")],
    target: Annotated[int, typer.Argument(help="The record linked to.")],
    label: Annotated[str, typer.Argument(help='The link, e.g. "Amends".')],
    reverse: Annotated[str, typer.Argument(help='The reverse link, e.g. "Amended by".')],
    directory: DirOption = None,
) -> None:
    """Link two records, both ways."""
    store = _store(directory)
    first, second = run(lambda: store.link(source, target, label, reverse))
    say(f"{first.label}: {label} {second.label}")
    say(f"{second.label}: {reverse} {first.label}")


@tdr_app.command("status")
def status(
    number: Annotated[int, typer.Argument(help="The record's number.")],
    value: Annotated[str, typer.Argument(help="proposed, accepted, rejected, deprecated or superseded.")],
    directory: DirOption = None,
) -> None:
    """Change a record's status."""
    store = _store(directory)
    record = run(lambda: store.set_status(number, value))
    say(f"{record.label}: {record.status}")


@tdr_app.command("check")
def check(
    strict: Annotated[bool, typer.Option("--strict", help="Warnings count as errors.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object on stdout (shape in the README).")
    ] = False,
    directory: DirOption = None,
) -> None:
    """Check the records: numbers, links, statuses, missing sections, overdue results (exit 1
    on errors)."""
    from archkit.decisions.checks import check_records, check_records_json

    store = _store(directory)
    records = run(store.cached_records)
    problems = check_records(store, records)
    errors = sum(1 for p in problems if p.is_error or strict)
    code = EXIT_FINDINGS if errors else 0
    if as_json:
        print_json(check_records_json(records, problems, strict))
        raise typer.Exit(code)
    report(problems)
    if errors:
        raise typer.Exit(code)
    say(clean(len(records), "record", len(problems) - errors))


@tdr_app.command("renumber")
def renumber(directory: DirOption = None) -> None:
    """Give records that share a number (after a merge) the next free numbers; links follow."""
    store = _store(directory)
    moves = run(store.renumber)
    for old, new in moves:
        say(f"{old} -> {new}")
    if not moves:
        say("no duplicate numbers")


@tdr_app.command("review")
def review(
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when a review is due.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON array, for scripts.")] = False,
    directory: DirOption = None,
) -> None:
    """Accepted records whose review date has passed and whose results are still empty."""
    from archkit.decisions.checks import reviews_due, reviews_json
    from archkit.errors import printable

    store = _store(directory)
    due = run(lambda: reviews_due(store.cached_records()))
    code = EXIT_FINDINGS if due and strict else 0
    if as_json:
        print_json(reviews_json(store, due))
        raise typer.Exit(code)
    for r in due:
        typer.echo(printable(f"{r.number}. {r.title} (review {r.review}) {shown(store.dir / r.path)}"))
    if not due:
        say("no results review is due")
    raise typer.Exit(code)


@tdr_app.command("render")
def render(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("build/decisions"),
    directory: DirOption = None,
) -> None:
    """Render an index (Markdown and HTML), a page per record, and the decision graph (SVG)."""
    from archkit.decisions.render import render_decisions

    store = _store(directory)
    out_dir = in_workspace(State.root, out)
    written = run(lambda: render_decisions(store, out_dir))
    say(f"wrote {len(written)} files to {shown(out_dir)}/")
