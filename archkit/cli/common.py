"""What every command module of the CLI shares: the workspace, exit codes, error printing."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TypeVar

import typer

EXIT_PROBLEMS = 2  # the input has errors
EXIT_ENVIRONMENT = 3  # something archkit needs is missing from the machine

T = TypeVar("T")


class State:
    root = Path(".")  # the workspace, from -C


def fail(message: str, code: int) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def run(action: Callable[[], T]) -> T:
    """Call the core; turn its errors into messages and exit codes, never a traceback."""
    from archkit.errors import ArchkitError, EnvironmentProblem, format_problem

    try:
        return action()
    except ArchkitError as exc:
        for problem in exc.problems:
            typer.echo(format_problem(problem), err=True)
        raise typer.Exit(EXIT_PROBLEMS) from None
    except EnvironmentProblem as exc:
        fail(f"error: {exc}", EXIT_ENVIRONMENT)
    except FileExistsError as exc:
        fail(f"error: {exc.filename} exists already, and is in the way", EXIT_PROBLEMS)
    except NotADirectoryError as exc:
        fail(f"error: {exc.filename} is a file, where a folder is needed", EXIT_PROBLEMS)
    except UnicodeDecodeError as exc:
        fail(f"error: a file is not UTF-8 text ({exc.reason})", EXIT_PROBLEMS)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        fail(f"error: {where}{exc.strerror or exc}", 1)


def shown(path: Path) -> str:
    """A path as the user would type it: relative to the workspace (-C) when inside it."""
    from archkit.errors import display_path

    return display_path(path, State.root)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> None:
    """A plain aligned table: fast for thousands of rows, and as easy to read in a pipe as on a
    terminal (nothing is cut or wrapped; columns ``right`` are right-aligned)."""
    widths = [max([len(header), *(len(row[i]) for row in rows)]) for i, header in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    sys.stdout.write("\n".join([line(headers), *(line(row) for row in rows)]) + "\n")
