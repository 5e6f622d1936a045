"""Scaffolding: new files that are valid from the start and point editors at their schema."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import NamedTuple

from archkit.errors import ArchkitError, Position, Problem, closest
from archkit.files import write_atomic
from archkit.model.spec import SCHEMA_ID, SYSTEM, ObjectSpec, json_schema
from archkit.names import slugify
from archkit.portfolio.spec import CASE_STUDY, LEADERSHIP, PORTFOLIO, STORY
from archkit.workspace import Workspace

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class SchemaKind(NamedTuple):
    """One file format's JSON Schema: the spec it is made from, its file name and its $id."""

    spec: ObjectSpec
    file: str
    id: str


_BASE = "https://archkit.dev/schema"
# archkit schema --type KIND; init writes each file beside the files it describes
SCHEMAS: dict[str, SchemaKind] = {
    "system": SchemaKind(SYSTEM, "archkit-system.schema.json", SCHEMA_ID),
    "portfolio": SchemaKind(PORTFOLIO, "archkit-portfolio.schema.json", f"{_BASE}/portfolio.json"),
    "case-study": SchemaKind(CASE_STUDY, "archkit-case-study.schema.json", f"{_BASE}/case-study.json"),
    "leadership": SchemaKind(LEADERSHIP, "archkit-leadership.schema.json", f"{_BASE}/leadership.json"),
    "story": SchemaKind(STORY, "archkit-story.schema.json", f"{_BASE}/story.json"),
}
SCHEMA_FILE = SCHEMAS["system"].file


def schema_kind(kind: str) -> SchemaKind:
    """The schema of ``kind``; an ArchkitError naming the kinds (and the closest) otherwise."""
    if kind in SCHEMAS:
        return SCHEMAS[kind]
    hint = closest(kind, SCHEMAS)
    raise ArchkitError(
        [
            Problem(
                f"unknown schema type '{kind}'",
                expected="one of " + ", ".join(SCHEMAS),
                suggestion=hint,
            )
        ]
    )


def schema_text(kind: str = "system") -> str:
    """The JSON Schema of one kind of file, as written to disk and printed by ``archkit schema``."""
    found = schema_kind(kind)
    return json.dumps(json_schema(found.spec, found.id), indent=2, ensure_ascii=False) + "\n"


def write_schema(path: Path, kind: str = "system") -> bool:
    """Write the schema of ``kind`` unless the file holds something else than that archkit
    schema (its own $id); returns whether it was written."""
    text = schema_text(kind)  # an unknown kind raises before anything is read
    if path.exists():
        current = _text_or_empty(path)  # unreadable: not archkit's
        if current == text:
            return False
        if SCHEMAS[kind].id not in current:
            return False  # a file of the user's own: leave it alone
    write_atomic(path, text)
    return True


def save_schema(path: Path, kind: str = "system") -> bool:
    """``archkit schema --out``: write the schema of ``kind`` to ``path``. An earlier archkit
    schema of that kind there is brought up to date; any other file is refused, never
    overwritten; a missing folder is not made. Returns whether the file was written."""
    schema_kind(kind)  # an unknown kind is the first error
    if not path.parent.is_dir():  # a folder the user did not ask for is never made
        raise ArchkitError(
            [Problem(f"the folder {path.parent} does not exist", expected="--out in an existing folder")]
        )
    if path.exists() and not path.is_file():
        raise ArchkitError([Problem(f"{path} is not a file", expected="a file name for --out")])
    written = write_schema(path, kind)
    if not written and SCHEMAS[kind].id not in _text_or_empty(path):
        raise ArchkitError(
            [
                Problem(
                    f"{path} exists and is not archkit's {kind} schema: it is left as it is",
                    expected="a new file name for --out, or remove the file first",
                )
            ]
        )
    return written


def _text_or_empty(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def new_system(workspace: Workspace, name: str, force: bool = False) -> list[Path]:
    """Create ``systems/<name>.yaml`` from the template; returns the files written."""
    if not _SLUG.match(name):
        suggestion = slugify(name)
        raise ArchkitError(
            [
                Problem(
                    f"'{name}' cannot name a system file",
                    expected="lowercase letters, digits, '-' and '_', starting with a letter or digit",
                    suggestion=suggestion,
                )
            ]
        )
    target = workspace.systems_dir / f"{name}.yaml"
    for existing in (target, target.with_suffix(".yml"), target.with_suffix(".py")):
        if existing.exists() and not (force and existing == target):
            raise ArchkitError(
                [
                    Problem(
                        "a system with this name exists already",
                        Position(workspace.show(existing)),
                        expected="a new name, or --force to replace the .yaml file",
                    )
                ]
            )
    from archkit.templating import render

    # through render: a broken template of the user's is an error at its line, not a crash
    text = render(
        workspace.root,
        "system.yaml.j2",
        title=name.replace("-", " ").replace("_", " ").title(),
        slug=name,
        schema_file=SCHEMA_FILE,
    )
    written = []
    schema_path = workspace.systems_dir / SCHEMA_FILE
    if write_schema(schema_path):
        written.append(schema_path)
    write_atomic(target, text)
    written.append(target)
    return written
