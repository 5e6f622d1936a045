"""Scaffolding: new system files that are valid from the start and point editors at the schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

from archkit.errors import ArchkitError, Position, Problem
from archkit.files import write_atomic
from archkit.workspace import Workspace

SCHEMA_FILE = "archkit-system.schema.json"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def schema_text() -> str:
    """The JSON Schema of system files, as written to disk and printed by ``archkit schema``."""
    from archkit.model.spec import json_schema

    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema(path: Path) -> bool:
    """Write the schema unless the file holds something else than an archkit schema; returns
    whether it was written."""
    from archkit.model.spec import SCHEMA_ID

    text = schema_text()
    if path.exists():
        current = path.read_text(encoding="utf-8")
        if current == text:
            return False
        if SCHEMA_ID not in current:
            return False  # a file of the user's own: leave it alone
    write_atomic(path, text)
    return True


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
    from archkit.templating import environment

    text = (
        environment(workspace.root)
        .get_template("system.yaml.j2")
        .render(
            title=name.replace("-", " ").replace("_", " ").title(),
            slug=name,
            schema_file=SCHEMA_FILE,
        )
    )
    written = []
    schema_path = workspace.systems_dir / SCHEMA_FILE
    if write_schema(schema_path):
        written.append(schema_path)
    write_atomic(target, text)
    written.append(target)
    return written
