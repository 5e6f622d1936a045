"""Problems found in a user's input, with where they are, and the one place that formats them.

Every check in archkit reports a :class:`Problem`; a command collects all of them, prints them
together with :func:`format_problem`, and aborts once (exit code 2) when any is an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple


class Position(NamedTuple):
    """A place in a file: 1-based line and column (0 means unknown)."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line and self.column:
            return f"{self.file}:{self.line}:{self.column}"
        if self.line:
            return f"{self.file}:{self.line}"
        return self.file


class Problem(NamedTuple):
    """One thing wrong (or worth a warning) in the input."""

    message: str
    position: Position | None = None
    expected: str = ""
    suggestion: str = ""
    severity: str = "error"  # "error" or "warning"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class ArchkitError(Exception):
    """Raised when input cannot be used; carries every problem found, not only the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(format_problem(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[ArchkitError], tuple[list[Problem]]]:
        return (ArchkitError, (self.problems,))  # crosses process boundaries whole


class EnvironmentProblem(Exception):
    """Something archkit needs is missing from the machine (for example Graphviz)."""


def by_position(problem: Problem) -> tuple[int, int]:
    """Sort key: problems in the order of their lines and columns."""
    where = problem.position
    return (where.line, where.column) if where else (0, 0)


def format_problem(problem: Problem) -> str:
    """One paragraph: ``file:line:col: error: message; expected ...; did you mean 'x'?``.

    Whatever a message quotes from the input (a file name, a title, a value) may hold control
    characters; they are shown as escapes (``\\x1b``, ``\\r``), so a message never moves the cursor,
    clears the screen or breaks into lines that look like other messages."""
    where = f"{problem.position}: " if problem.position else ""
    text = f"{where}{problem.severity}: {problem.message}"
    if problem.expected:
        text += f"; expected {problem.expected}"
    if problem.suggestion:
        text += f"; did you mean '{problem.suggestion}'?"
    return printable(text)


def problem_json(problem: Problem) -> dict[str, object]:
    """A problem as JSON for scripts: the same facts as :func:`format_problem`, one per key."""
    where = problem.position
    return {
        "file": where.file if where else None,
        "line": where.line or None if where else None,
        "column": where.column or None if where else None,
        "severity": problem.severity,
        "message": problem.message,
        "expected": problem.expected or None,
        "suggestion": problem.suggestion or None,
    }


def closest(word: str, choices: Iterable[str]) -> str:
    """The close match for a typo, or '' when nothing is close enough to suggest."""
    import difflib

    options = list(choices)
    matches = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in options}
        matches = [lowered[m] for m in difflib.get_close_matches(word.lower(), lowered, n=1)]
    return matches[0] if matches else ""


def excerpt(text: str, limit: int = 60) -> str:
    """User input quoted in a message: at most ``limit`` characters, control characters shown
    as escapes (a 1 MB id or a terminal escape sequence never reaches the screen whole)."""
    return printable(text if len(text) <= limit else text[: limit - 1] + "…")


def printable(text: str, keep: str = "") -> str:
    """Text for a terminal: control characters (escape sequences, line breaks) shown as escapes,
    except those in ``keep`` (``"\\n\\t"`` for a document shown whole)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in keep else repr(c)[1:-1] for c in text)


def one_of(choices: Iterable[str]) -> str:
    """'one of a, b, c' for an expectation."""
    return "one of " + ", ".join(f"'{c}'" for c in choices)


def display_link(path: Path, root: Path) -> str:
    """A path as the user named it, relative to the workspace ``root``: a symbolic link (or a
    file in a linked folder) is shown where it is, never where it points."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return display_path(path, root)


def display_path(path: Path, root: Path | None = None) -> str:
    """A path as the user would type it: relative to the workspace or cwd when possible."""
    for base in (root, Path.cwd()):
        if base is None:
            continue
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return str(path)
