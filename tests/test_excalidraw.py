"""Excalidraw export: the scene checked against Excalidraw's format and read back as the system."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from archkit.model import Component, Connection, Group, System, load_system
from archkit.render.excalidraw import to_excalidraw

ELEMENT_KEYS = {
    "id", "type", "x", "y", "width", "height", "angle", "strokeColor", "backgroundColor", "fillStyle",
    "strokeWidth", "strokeStyle", "roughness", "opacity", "groupIds", "frameId", "index", "roundness",
    "seed", "version", "versionNonce", "isDeleted", "boundElements", "updated", "link", "locked",
}  # fmt: skip
TYPES = {"rectangle", "ellipse", "diamond", "text", "arrow", "frame"}


def check_scene(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Excalidraw's scene format: every element complete, ids unique, bindings on both ends."""
    assert document["type"] == "excalidraw" and document["version"] == 2
    elements = document["elements"]
    ids = [e["id"] for e in elements]
    assert len(ids) == len(set(ids))
    by_id = {e["id"]: e for e in elements}
    indices = [e["index"] for e in elements]
    assert indices == sorted(indices) and len(set(indices)) == len(indices)
    for element in elements:
        assert set(element) >= ELEMENT_KEYS, element["id"]
        assert element["type"] in TYPES
        assert isinstance(element["seed"], int) and element["seed"] > 0
        if element["frameId"] is not None:
            assert by_id[element["frameId"]]["type"] == "frame"
        for bound in element["boundElements"] or []:
            other = by_id[bound["id"]]
            assert other["type"] == bound["type"]
            if bound["type"] == "text":
                assert other["containerId"] == element["id"]
            else:
                ends = {other["startBinding"]["elementId"], other["endBinding"]["elementId"]}
                assert element["id"] in ends
        if element["type"] == "text" and element["containerId"]:
            container = by_id[element["containerId"]]
            assert {"id": element["id"], "type": "text"} in container["boundElements"]
        if element["type"] == "arrow":
            for end in ("startBinding", "endBinding"):
                binding = element[end]
                shape = by_id[binding["elementId"]]
                assert shape["type"] in ("rectangle", "ellipse", "diamond")
                assert {"id": element["id"], "type": "arrow"} in shape["boundElements"]
                assert all(0 <= v <= 1 for v in binding["fixedPoint"]) and binding["mode"] == "orbit"
            assert element["points"][0] == [0, 0] and len(element["points"]) >= 2
    return by_id


def read_back(
    document: dict[str, Any],
) -> tuple[dict[str, str], dict[str, str], list[tuple[str, str, str, str]]]:
    """Boxes (id -> label), groups (id -> label) and arrows of a scene archkit wrote."""
    by_id = {e["id"]: e for e in document["elements"]}
    boxes, groups, arrows = {}, {}, []
    for element in document["elements"]:
        data = (element.get("customData") or {}).get("archkit", {})
        if "id" in data:
            label = next(by_id[b["id"]]["text"] for b in element["boundElements"] if b["type"] == "text")
            boxes[data["id"]] = label.split("\n")[0]
        elif "group" in data:
            groups[data["group"]] = element.get("name") or next(
                by_id[b["id"]]["text"] for b in element["boundElements"] if b["type"] == "text"
            )
        elif element["type"] == "arrow":
            label = next(
                (by_id[b["id"]]["text"] for b in element["boundElements"] or [] if b["type"] == "text"), ""
            )
            arrows.append(
                (
                    element["startBinding"]["elementId"],
                    element["endBinding"]["elementId"],
                    label,
                    element["strokeStyle"],
                )
            )
    return boxes, groups, arrows


@pytest.mark.parametrize("name", ["recommendation-platform", "payment-platform", "platform-microservices"])
def test_whole_system_reads_back_and_follows_the_format(repo: Path, name: str) -> None:
    system = load_system(repo / "systems" / f"{name}.yaml")
    document = json.loads(to_excalidraw(system))
    check_scene(document)
    boxes, groups, arrows = read_back(document)
    assert boxes == {c.id: c.title for c in system.components}
    assert groups == {g.id: g.title for g in system.all_groups()}
    expected = {
        (c.source, c.target, c.annotation, "dashed" if c.mode == "async" else "solid")
        for c in system.connections
    }
    assert set(arrows) == expected and len(arrows) == len(expected)


def test_frames_hold_their_groups_and_boxes(repo: Path) -> None:
    system = load_system(repo / "systems" / "platform-microservices.yaml")
    by_id = check_scene(json.loads(to_excalidraw(system)))
    frames = {e["id"] for e in by_id.values() if e["type"] == "frame"}
    assert frames == {"frame:k8s", "frame:stores"}  # top-level groups; inner ones are rectangles in them
    assert by_id["group:services"]["frameId"] == "frame:k8s"
    assert by_id["user-svc"]["frameId"] == "frame:k8s" and by_id["user-db"]["frameId"] == "frame:stores"
    assert by_id["clients"]["frameId"] is None
    frame = by_id["frame:k8s"]
    box = by_id["user-svc"]
    assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]
    assert frame["y"] <= box["y"] and box["y"] + box["height"] <= frame["y"] + frame["height"]
    # stores are cylinders: the body and its lid grouped; people ellipses
    assert by_id["user-db:lid"]["type"] == "ellipse"
    assert by_id["user-db"]["groupIds"] == by_id["user-db:lid"]["groupIds"] != []
    assert by_id["clients"]["type"] == "ellipse"


def test_element_order_is_the_draw_order(repo: Path) -> None:
    system = load_system(repo / "systems" / "platform-microservices.yaml")
    document = json.loads(to_excalidraw(system))
    steps = [
        e["customData"]["archkit"]["step"]
        for e in document["elements"]
        if "step" in (e.get("customData") or {}).get("archkit", {})
    ]
    assert steps == sorted(steps) and steps[0] == 1 and len(set(steps)) > 2
    seen: set[str] = set()
    for element in document["elements"]:
        data = (element.get("customData") or {}).get("archkit", {})
        if "id" in data:
            seen.add(data["id"])
        if element["type"] == "arrow":  # drawn once both its ends are
            assert {data["from"], data["to"]} <= seen


def test_whiteboard_board_collapses_groups(repo: Path) -> None:
    system = load_system(repo / "systems" / "platform-microservices.yaml")
    document = json.loads(to_excalidraw(system, max_boxes=6, whole=False))
    check_scene(document)
    boxes, _, arrows = read_back(document)
    assert len(boxes) <= 6 and "group:k8s" in boxes
    assert ("clients", "group:k8s", "HTTPS", "solid") in arrows


def test_same_system_same_file_and_hostile_text_stays_text() -> None:
    system = System(
        name='"Quoted" </script> name',
        groups=[Group("g", "Group \\ one")],
        components=[Component("a", 'A "b"\nc', tech="postgres", group="g"), Component("b", "B")],
        connections=[Connection("a", "b", label="</x>", mode="async"), Connection("a", "b", label="again")],
    )
    text = to_excalidraw(system)
    assert text == to_excalidraw(system)
    document = json.loads(text)
    check_scene(document)
    boxes, _, arrows = read_back(document)
    assert boxes["a"] == 'A "b"'
    assert arrows == [("a", "b", "</x>", "dashed"), ("a", "b", "again", "solid")]


def test_cli_diagram_and_whiteboard_write_scenes(repo: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from archkit.cli import app

    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "-C",
            str(repo),
            "diagram",
            "platform-microservices",
            "-f",
            "excalidraw,drawio",
            "-o",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    check_scene(json.loads((tmp_path / "platform-microservices.excalidraw").read_text(encoding="utf-8")))
    assert (tmp_path / "platform-microservices.drawio").read_text(encoding="utf-8").startswith("<mxfile")
    result = runner.invoke(
        app,
        [
            "-C",
            str(repo),
            "whiteboard",
            "platform-microservices",
            "-f",
            "excalidraw",
            "-n",
            "5",
            "-o",
            str(tmp_path / "wb"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "wb").iterdir()) == [
        "platform-microservices-whiteboard.excalidraw"
    ]
    boxes, _, _ = read_back(
        json.loads(
            (tmp_path / "wb" / "platform-microservices-whiteboard.excalidraw").read_text(encoding="utf-8")
        )
    )
    assert len(boxes) <= 5
    result = runner.invoke(app, ["-C", str(repo), "whiteboard", "platform-microservices", "-f", "excalidrw"])
    assert result.exit_code == 2
    assert result.output.strip().endswith(
        "error: unknown format 'excalidrw'; expected html, excalidraw; did you mean 'excalidraw'?"
    )
