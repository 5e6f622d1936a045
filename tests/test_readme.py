"""The README says what the code does: its command reference is made from the Typer app, and its
layout section names every module."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def load_script() -> object:
    spec = importlib.util.spec_from_file_location(
        "command_reference", REPO / "scripts" / "command_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_command_reference_is_current() -> None:
    script = load_script()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    made = script.reference()  # type: ignore[attr-defined]
    assert script.current(readme) == made, "run: python scripts/command_reference.py"  # type: ignore[attr-defined]
    # it covers every command, each with its options
    for words in (["check"], ["diagram"], ["tdr", "renumber"], ["templates", "copy"]):
        assert f"### `archkit {' '.join(words)}" in made
    assert "`-d, --direction <str>` | LR (left to right), TB (top to bottom), RL or BT" in made


def test_the_layout_section_names_every_module() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Layout of this repository") : readme.index("## Benchmarks")]
    missing = [
        str(path.relative_to(REPO))
        for path in sorted((REPO / "archkit").rglob("*.py"))
        if path.name != "__init__.py" and path.name not in layout and path.stem not in layout
    ]
    assert missing == []
