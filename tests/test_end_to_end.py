"""The installed `archkit` command on the example workspace, as a user runs it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from archkit.catalogue import resources_root
from archkit.render.svg import png_size


def archkit_command() -> list[str]:
    script = Path(sys.executable).with_name("archkit")
    return [str(script)] if script.exists() else [sys.executable, "-m", "archkit"]


def test_example_workspace_renders_in_every_format(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "diagrams"
    done = subprocess.run(
        [
            *archkit_command(),
            "-C",
            str(repo),
            "diagram",
            "--format",
            "svg,png,dot,mermaid",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no warnings on the example workspace
    slugs = sorted(p.stem for p in (repo / "systems").glob("*.yaml") if not p.name.startswith("_"))
    assert len(slugs) == 4
    for slug in slugs:
        svg = ET.parse(out / f"{slug}.svg").getroot()
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"
        width, height = png_size((out / f"{slug}.png").read_bytes())
        assert width > 1000 and height > 800
        mermaid = (out / f"{slug}.mmd").read_text(encoding="utf-8")
        assert "\nflowchart LR\n" in mermaid
        # the DOT file is valid Graphviz input, given where the icons are
        dot = shutil.which("dot")
        assert dot is not None
        icons = f"-Gimagepath={resources_root()}"
        canon = subprocess.run(
            [dot, icons, "-Tcanon", str(out / f"{slug}.dot")], capture_output=True, text=True
        )
        assert canon.returncode == 0, canon.stderr
