"""The README's command reference, made from the Typer app so that it cannot drift from the code.

    python scripts/command_reference.py          rewrite the reference in README.md
    python scripts/command_reference.py --check  exit 1 when README.md's reference is stale

tests/test_readme.py runs the check as part of `make test`.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parent.parent / "README.md"
START = "<!-- command reference: made by scripts/command_reference.py from the code; do not edit -->"
END = "<!-- end of the command reference -->"


def commands() -> Iterator[tuple[list[str], Any]]:
    """Every command of the app, as (its words after 'archkit', the click command), in help order."""
    import typer

    from archkit.cli.root import app

    def walk(command: Any, words: list[str]) -> Iterator[tuple[list[str], Any]]:
        if hasattr(command, "list_commands"):
            for name in command.list_commands(None):
                yield from walk(command.get_command(None, name), [*words, name])
        else:
            yield words, command

    yield from walk(typer.main.get_command(app), [])


def _argument(param: Any) -> str:
    name: str = param.metavar or param.name.upper()
    return name if param.required or name.startswith("[") else f"[{name}]"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def section(words: list[str], command: Any) -> str:
    """A command's synopsis, its help, and a table of its arguments and options (as --help has them)."""
    context = command.context_class(command, info_name=" ".join(["archkit", *words]))
    arguments = [p for p in command.params if p.param_type_name == "argument"]
    synopsis = " ".join(["archkit", *words, *(_argument(a) for a in arguments), "[OPTIONS]"])
    lines = [f"### `{synopsis}`", "", _cell(inspect.cleandoc(command.help or "")), ""]
    rows = [(_argument(a), a.help or "") for a in arguments]
    rows += [
        record
        for option in command.params
        if option.param_type_name == "option" and not option.hidden
        for record in [option.get_help_record(context)]
        if record
    ]
    if rows:
        lines += ["| argument or option | what it does |", "| --- | --- |"]
        lines += [f"| `{name}` | {_cell(text)} |" for name, text in rows]
    return "\n".join(lines) + "\n"


def reference() -> str:
    """The Markdown of every command, between the README's markers."""
    body = "\n".join(section(words, command) for words, command in commands())
    return f"{START}\n\n{body}\n{END}"


def current(readme: str) -> str:
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"{README}: the markers of the command reference are missing")
    return readme[start : end + len(END)]


def main(argv: list[str]) -> int:
    readme = README.read_text(encoding="utf-8")
    made = reference()
    if "--check" in argv:
        if current(readme) != made:
            print("README.md's command reference is stale: run python scripts/command_reference.py")
            return 1
        return 0
    README.write_text(readme.replace(current(readme), made), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
