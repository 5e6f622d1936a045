"""The ``archkit`` command: parses arguments, calls one core function, prints.

Core modules are imported inside each command, so ``archkit --help`` only pays for Typer.
"""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from archkit import __version__
from archkit.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    GLOBAL_FLAGS,
    GLOBAL_WITH_VALUE,
    ArchkitGroup,
    State,
    clean,
    counted,
    fail,
    hoist_global_options,
    load_checked,
    print_json,
    print_table,
    report,
    run,
    say,
    shown,
)
from archkit.cli.documents import embed as documents_embed
from archkit.cli.interop import diff as interop_diff
from archkit.cli.interop import import_app
from archkit.cli.prep import calc as prep_calc
from archkit.cli.prep import drill as prep_drill
from archkit.cli.prep import estimate as prep_estimate
from archkit.cli.prep import whiteboard as prep_whiteboard
from archkit.cli.site import build as site_build
from archkit.cli.site import serve as site_serve
from archkit.cli.tdr import tdr_app
from archkit.cli.templates import templates_app
from archkit.files import in_workspace

if TYPE_CHECKING:
    from collections.abc import Sequence

    from typer.models import CommandInfo

    from archkit.model.system import System
    from archkit.portfolio.checklist import Line
    from archkit.render.pipeline import RenderOptions
    from archkit.workspace import Workspace

_APP_SETTINGS: dict[str, Any] = {
    "name": "archkit",
    "help": "Architecture as code: systems in YAML, diagrams with their scale on the picture.",
    "no_args_is_help": True,
    "cls": ArchkitGroup,
    "pretty_exceptions_enable": False,
    "context_settings": {"help_option_names": ["-h", "--help"]},
    # Help is printed as written: no Rich markup, no ':name:' turned into an emoji.
    "rich_markup_mode": None,
}
app = typer.Typer(**_APP_SETTINGS)
new_app = typer.Typer(help="Create a new file from a template.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(new_app, name="new")
app.add_typer(tdr_app, name="tdr")
app.add_typer(templates_app, name="templates")
app.add_typer(import_app, name="import")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"archkit {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    directory: Annotated[
        Path,
        typer.Option(
            "-C",
            "--directory",
            help="Work on the workspace in DIR instead of the current one (before or after the command).",
            metavar="DIR",
            envvar="ARCHKIT_DIR",
            show_default=False,
        ),
    ] = Path("."),
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print errors only: no warnings, no results.")
    ] = False,
    version: Annotated[
        Optional[bool],  # noqa: UP045 - Typer needs Optional on Python 3.10
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = None,
) -> None:
    """Architecture as code: systems in YAML, diagrams with their scale on the picture."""
    if not directory.is_dir():
        fail(f"error: -C {directory}: no such directory", EXIT_USAGE)
    State.root = directory
    State.quiet = quiet


def _workspace() -> Workspace:
    from archkit.workspace import Workspace

    return Workspace(State.root)


SystemsArg = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Argument(
        help="Systems: a name (file name without extension) or a file path. Default: all.",
        metavar="SYSTEM",
        show_default=False,
    ),
]


@app.command()
def check(
    systems: SystemsArg = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when a checklist line fails.")] = False,
    checklist: Annotated[
        Optional[bool],  # noqa: UP045
        typer.Option(
            "--checklist/--no-checklist",
            help="Run the portfolio guide's checklist (default: when the workspace has portfolio.yaml).",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object on stdout (shape in the README).")
    ] = False,
) -> None:
    """Validate systems and portfolio content (file:line:column for every problem, exit 1 on
    errors), then run the portfolio checklist."""
    from archkit.portfolio.checklist import check_json, check_workspace

    found = run(lambda: check_workspace(State.root, systems or (), checklist))
    code = EXIT_OK if found.ok(strict) else EXIT_FINDINGS
    if as_json:
        print_json(check_json(found, strict))
        raise typer.Exit(code)
    report(found.problems)
    if found.errors:
        raise typer.Exit(code)
    say(clean(len(found.systems), "system", sum(1 for p in found.problems if not p.is_error)))
    if found.lines is None:
        return
    _print_checklist(found.lines, found.failed)
    raise typer.Exit(code)


def _print_checklist(lines: Sequence[Line], failed: int) -> None:
    say("\nPortfolio checklist")
    for line in lines:
        mark = "✓" if line.ok else "✗"
        text = f"  {mark} {line.what}: {line.reason}"
        say(text + (f"\n      -> {line.fix}" if line.fix else ""))
    say(f"{len(lines) - failed} of {len(lines)} checklist lines pass")


DirectionOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--direction", "-d", help="LR (left to right), TB (top to bottom), RL or BT; default: the system's."
    ),
]
WidthOption = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option(
        "--width",
        help="Lay the diagram out for a page this many pixels wide: labels at least 11 px high there.",
        min=300,
        max=4000,
        metavar="PX",
    ),
]


@app.command()
def diagram(
    systems: SystemsArg = None,
    format: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="Comma-separated: svg, png, dot, mermaid, d2, excalidraw, drawio."
        ),
    ] = "svg,png",
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Output folder (relative to the workspace); '-' writes one format of one system to "
            "standard output.",
        ),
    ] = Path("build/diagrams"),
    direction: DirectionOption = None,
    theme: Annotated[str, typer.Option("--theme", help="light or dark.")] = "light",
    legend: Annotated[bool, typer.Option("--legend/--no-legend", help="Draw the legend.")] = True,
    width: WidthOption = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Parallel renders (0: one per core).", min=0)] = 0,
) -> None:
    """Render architecture diagrams (with the scale on the picture) into the output folder."""
    from archkit.render.pipeline import RenderOptions, render_diagrams

    options = run(lambda: RenderOptions((format,), direction, theme, legend, jobs or None, width))
    to_stdout = str(out) == "-"
    if to_stdout and len(options.formats) != 1:
        fail(f"error: --out - writes one format to standard output; got --format {format}", EXIT_USAGE)
    checked = load_checked(systems or [])
    if to_stdout:
        _diagram_to_stdout(checked.systems, options)
        return
    out_dir = in_workspace(State.root, out)
    results = run(lambda: render_diagrams(checked.systems, out_dir, options, State.root / ".archkit"))
    for result in results:
        if result.note:
            typer.echo(f"warning: {result.system}: {result.note}", err=True)
    fresh = sum(1 for r in results if not r.cached)
    for result in results:
        for path in result.files:
            say(f"{'unchanged' if result.cached else 'wrote'} {shown(path)}")
    say(f"{counted(len(results), 'system')} rendered ({fresh} drawn, {len(results) - fresh} unchanged)")


def _diagram_to_stdout(systems: Sequence[System], options: RenderOptions) -> None:
    from archkit.render.pipeline import render_bytes

    if len(systems) != 1:
        names = ", ".join(s.slug for s in systems) or "none"
        fail(f"error: --out - writes one system to standard output; name one of: {names}", EXIT_USAGE)
    data = run(lambda: render_bytes(systems[0], options.formats[0], options))
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


@app.command()
def techs(
    query: Annotated[
        str | None, typer.Argument(help="Search ids, aliases, names, categories and tags.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON array, for scripts.")] = False,
) -> None:
    """List the technologies a component's 'tech' can name, or search them (best matches first;
    a category or tag such as 'nosql' lists that kind)."""
    from archkit import catalogue

    found = catalogue.search(query or "")
    if as_json:
        print_json([t.as_json() for t in found])
        raise typer.Exit(0 if found else EXIT_FINDINGS)
    if not found:
        fail(f"no technology matches '{query}'{catalogue.not_found_note(query or '')}", EXIT_FINDINGS)
    rows = [[t.id, t.name, t.category, t.shape, t.provider, ", ".join(t.aliases)] for t in found]
    print_table(["tech", "name", "category", "shape", "provider", "aliases"], rows)
    if query:
        say(f"{len(found)} of {len(catalogue.technologies())} technologies")


@app.command()
def schema(
    kind: Annotated[
        str,
        typer.Option(
            "--type", "-t", help="system, portfolio, case-study, leadership or story.", metavar="TYPE"
        ),
    ] = "system",
    out: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--out", "-o", help="Write to this file instead of printing."),
    ] = None,
) -> None:
    """Print the JSON Schema of a kind of file (for editors and other tools)."""
    from archkit.scaffold.starters import save_schema, schema_text

    if out is None:
        sys.stdout.write(run(lambda: schema_text(kind)))
        return
    target = in_workspace(State.root, out)
    written = run(lambda: save_schema(target, kind))
    say(f"wrote {shown(target)}" if written else f"{shown(target)} is up to date")


@app.command()
def init(
    directory: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Argument(
            help="The workspace's folder, created when missing. Default: the current one (or -C's).",
            metavar="DIR",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Create a workspace: portfolio.yaml, systems/, decisions/, case-studies/, leadership/ and
    stories/, each with a commented starter file and its schema. Never replaces a file."""
    from archkit.errors import display_path
    from archkit.scaffold.init import init_workspace

    root = State.root if directory is None else in_workspace(State.root, directory)
    actions = run(lambda: init_workspace(root))
    for action, path in actions:
        note = " (its records are kept; .adr-dir points at it)" if action == "adopted" else ""
        say(f"{action} {display_path(path, root)}{'/' if path.is_dir() else ''}{note}")
    if all(action in ("kept", "adopted") for action, _ in actions):
        say("nothing to write: the workspace has every part")
        return
    here = root.resolve() == Path.cwd().resolve()
    command = "archkit check" if here else f"archkit -C {display_path(root)} check"
    say(f"next: replace the starters' text with your own, then run '{command}'")


@new_app.command("system")
def new_system(
    name: Annotated[str, typer.Argument(help="File name of the new system: systems/NAME.yaml.")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Scaffold systems/NAME.yaml: a commented, valid example that editors complete from the schema."""
    from archkit.scaffold.starters import new_system as scaffold

    for path in run(lambda: scaffold(_workspace(), name, force)):
        say(f"wrote {shown(path)}")


app.command("embed")(documents_embed)
app.command("build")(site_build)
app.command("serve")(site_serve)
app.command("whiteboard")(prep_whiteboard)
app.command("drill")(prep_drill)
app.command("estimate")(prep_estimate)
app.command("calc")(prep_calc)
app.command("diff")(interop_diff)


def _command_word(argv: list[str]) -> str | None:
    """The command a command line names (``tdr`` in ``archkit -C ws tdr new X``); None when it
    asks for the top level (``--help``, ``--version``, nothing)."""
    words = iter(hoist_global_options(argv))
    for word in words:
        if word in GLOBAL_WITH_VALUE:
            next(words, None)
        elif word.startswith(("--directory=", "-C")) or word in GLOBAL_FLAGS:
            continue
        elif word.startswith("-"):
            return None
        else:
            return word
    return None


def _command_name(command: CommandInfo) -> str:
    """The name Typer gives a command: its own, or its function's with '-' for '_'."""
    if command.name:
        return command.name
    return getattr(command.callback, "__name__", "").replace("_", "-")


def _app_for(argv: list[str]) -> typer.Typer:
    """The app with only the command the line names (and, in a group, only its subcommand):
    Typer builds and converts every command it is given, so a one-command app starts faster.
    Help, completion and unknown commands get the whole app, or the whole group."""
    if any(key.startswith("_ARCHKIT_COMPLETE") for key in os.environ):
        return app
    word = _command_word(argv)
    commands = [c for c in app.registered_commands if _command_name(c) == word]
    groups = [g for g in app.registered_groups if g.name == word]
    if word is None or not (commands or groups):
        return app
    if groups and groups[0].typer_instance is not None:
        rest = argv[argv.index(word) + 1 :]
        sub = rest[0] if rest and not rest[0].startswith("-") else None
        group_app = groups[0].typer_instance
        chosen = [c for c in group_app.registered_commands if _command_name(c) == sub]
        if chosen:
            pruned = typer.Typer(rich_markup_mode=None)
            pruned.info = group_app.info  # the group's own help and settings
            pruned.registered_callback = group_app.registered_callback
            pruned.registered_commands = chosen
            group = copy.copy(groups[0])
            group.typer_instance = pruned
            groups = [group]
    single = typer.Typer(**_APP_SETTINGS)
    single.registered_callback = app.registered_callback
    single.registered_commands = commands
    single.registered_groups = groups
    return single


def main() -> None:
    """The console entry point: a bug in archkit reads as one line, not a traceback."""
    from archkit.errors import ArchkitError, format_problem

    if sys.stdout is None:  # started with standard output closed: what it prints goes nowhere
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process
    try:
        _app_for(sys.argv[1:])()
    except ArchkitError as exc:  # input refused where a command did not expect it: still exit 2
        for problem in exc.problems:
            typer.echo(format_problem(problem), err=True)
        raise SystemExit(EXIT_USAGE) from None
    except Exception as exc:  # pragma: no cover - only reached by a bug
        if os.environ.get("ARCHKIT_DEBUG"):
            raise
        typer.echo(
            f"archkit: internal error: {type(exc).__name__}: {exc} (set ARCHKIT_DEBUG=1 to see where)",
            err=True,
        )
        raise SystemExit(1) from None
