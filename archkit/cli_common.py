"""What every command module of the CLI shares: the workspace, exit codes, error printing."""

from __future__ import annotations

from collections.abc import Callable
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
