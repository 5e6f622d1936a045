"""What every command module of the CLI shares: the workspace, exit codes, output and errors.

Exit codes follow ruff, mypy and git: 0 clean; 1 findings (a check found problems in the
workspace's files, a failing checklist line, overdue reviews with --strict); 2 usage or
configuration errors (bad arguments, no workspace, no records folder) and input a command cannot
work with (as ruff format and mypy exit 2 on a syntax error: `build` on a broken system); 3
something missing from the machine (Graphviz).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import typer
from typer import _click
from typer.core import TyperGroup, TyperOption

if TYPE_CHECKING:
    from archkit.errors import Problem
    from archkit.workspace import Checked

EXIT_OK = 0
EXIT_FINDINGS = 1  # a check found problems in the workspace's files
EXIT_USAGE = 2  # a usage or configuration error: arguments, no workspace, no records folder
EXIT_ENVIRONMENT = 3  # something archkit needs is missing from the machine

T = TypeVar("T")


class State:
    root = Path(".")  # the workspace, from -C or ARCHKIT_DIR
    quiet = False  # --quiet: errors only


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    from archkit.errors import printable

    typer.echo(printable(message), err=True)  # a file name may hold control characters
    raise typer.Exit(code)


def say(message: str = "") -> None:
    """Normal output (results, counts): silent with --quiet; control characters from the input
    (a record's title in 'tdr status') are shown as escapes."""
    if not State.quiet:
        from archkit.errors import printable

        typer.echo(printable(message, keep="\n"))


def counted(count: int, noun: str) -> str:
    """'1 system', '3 systems', '0 warnings'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def clean(count: int, noun: str, warnings: int) -> str:
    """What a check that found no error says: '3 systems OK', '1 record OK, 2 warnings'."""
    return f"{counted(count, noun)} OK" + (f", {counted(warnings, 'warning')}" if warnings else "")


def report(problems: Iterable[Problem]) -> None:
    """Print problems on stderr, one paragraph each; --quiet keeps the errors only."""
    from archkit.errors import format_problem

    for problem in problems:
        if problem.is_error or not State.quiet:
            typer.echo(format_problem(problem), err=True)


def print_json(data: Any) -> None:
    import json

    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def run(action: Callable[[], T]) -> T:
    """Call the core; turn its errors into messages and exit codes, never a traceback."""
    from archkit.errors import ArchkitError, EnvironmentProblem

    try:
        return action()
    except ArchkitError as exc:
        report(exc.problems)
        raise typer.Exit(EXIT_USAGE) from None
    except EnvironmentProblem as exc:
        fail(f"error: {exc}", EXIT_ENVIRONMENT)
    except FileExistsError as exc:
        fail(f"error: {exc.filename} exists already, and is in the way", EXIT_USAGE)
    except NotADirectoryError as exc:
        fail(f"error: {exc.filename} is a file, where a folder is needed", EXIT_USAGE)
    except UnicodeDecodeError as exc:
        fail(f"error: a file is not UTF-8 text ({exc.reason})", EXIT_USAGE)
    except BrokenPipeError:
        raise
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        fail(f"error: {where}{exc.strerror or exc}", EXIT_USAGE)


def load_checked(systems: Sequence[str]) -> Checked:
    """The workspace's systems, loaded and checked (``workspace.load_checked``, the one way
    every command reads them, through the workspace's cache of parsed systems): warnings are
    printed; errors are printed and exit 2."""
    from archkit.files import CACHES, SYSTEMS_CACHE
    from archkit.workspace import load_checked as load

    # through the cache build keeps: a system file is parsed again only once it changed
    checked = run(lambda: load(State.root, systems, State.root / CACHES / SYSTEMS_CACHE))
    report(checked.problems)
    return checked


def shown(path: Path) -> str:
    """A path as the user would type it: relative to the workspace (-C) when inside it."""
    from archkit.errors import display_path

    return display_path(path, State.root)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> None:
    """A plain aligned table: fast for thousands of rows, and as easy to read in a pipe as on a
    terminal (nothing is cut or wrapped; columns ``right`` are right-aligned). Control characters
    in cells are shown as escapes, never sent to the terminal."""
    from archkit.errors import printable

    rows = [[printable(cell) for cell in row] for row in rows]
    widths = [max([len(header), *(len(row[i]) for row in rows)]) for i, header in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    sys.stdout.write("\n".join([line(headers), *(line(row) for row in rows)]) + "\n")


# Options that belong to archkit as a whole, accepted before or after the command's name (as
# `archkit tdr check -C docs/arch` in a pre-commit hook's args): moved in front before parsing.
GLOBAL_WITH_VALUE = ("-C", "--directory")
GLOBAL_FLAGS = ("-q", "--quiet")


def hoist_global_options(args: list[str]) -> list[str]:
    """``args`` with archkit's global options moved in front of the command (nothing after
    ``--`` is touched)."""
    front: list[str] = []
    rest: list[str] = []
    words = iter(args)
    for word in words:
        if word == "--":
            rest += [word, *words]
            break
        if word in GLOBAL_WITH_VALUE:
            value = next(words, None)
            front += [word] if value is None else [word, value]
        elif (
            word.startswith("--directory=")
            or (word.startswith("-C") and len(word) > 2)
            or word in GLOBAL_FLAGS
        ):
            front.append(word)
        else:
            rest.append(word)
    return front + rest


class ArchkitGroup(TyperGroup):
    """The top-level group: global options may follow the command."""

    def parse_args(self, ctx: _click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(args))

    def invoke(self, ctx: _click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # `archkit ... | head -1`: the reader has what it wanted
            _silence_stdout()
            raise typer.Exit(EXIT_OK) from None


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit does not fail again."""
    import os

    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):
        return  # not a real file (a test runner's buffer)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


_display_type_rich = TyperOption.display_type_rich


def _flag_type(self: TyperOption, ctx: _click.Context) -> str | None:
    """Help shows no '<bool>' after a flag: a flag takes no value."""
    return None if self.is_flag else _display_type_rich(self, ctx)


TyperOption.display_type_rich = _flag_type  # type: ignore[method-assign]
