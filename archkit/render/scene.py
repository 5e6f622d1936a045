"""A system as plain shapes placed on a canvas, for the editable exports (Excalidraw, draw.io).

``scene_of`` turns a system, or its whiteboard board, into boxes, frames (the groups still drawn)
and links, in the draw order; ``place`` asks archkit's own Graphviz layout for every position in
one ``dot -Tjson`` call, so the file opens laid out and the editor keeps it editable.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from archkit.model.system import Component, Group, System
from archkit.render.shapes import Outline, outline_of, tech_subtitle, title_text

if TYPE_CHECKING:
    from archkit.prep.board import Board


class Box(NamedTuple):
    id: str  # a component's id, or "group:<id>" for a collapsed group
    label: str
    detail: tuple[str, ...]  # lines under the label: technology, metrics
    outline: Outline
    frame: str | None  # the innermost group still drawn around it
    step: int  # 1-based draw-order step
    tech: str = ""  # the component's tech as written ("" for a collapsed group)


class Frame(NamedTuple):
    id: str
    label: str
    kind: str
    parent: str | None


class Link(NamedTuple):
    source: str
    target: str
    label: str
    mode: str


class Scene(NamedTuple):
    name: str
    title: str  # the name, then the scale figures
    boxes: tuple[Box, ...]  # in draw order
    frames: tuple[Frame, ...]  # outer before inner
    links: tuple[Link, ...]
    steps: tuple[str, ...]  # each step's title


class Rect(NamedTuple):
    x: float
    y: float
    width: float
    height: float


class Placed(NamedTuple):
    boxes: dict[str, Rect]
    frames: dict[str, Rect]
    links: list[tuple[tuple[float, float], ...]]  # each link's route, start to end
    label_at: list[tuple[float, float] | None]  # each link's label centre
    width: float
    height: float


def _detail(component: Component) -> tuple[str, ...]:
    tech_name = tech_subtitle(component)
    return (*([tech_name] if tech_name else []), *component.metrics)


def scene_of(system: System, max_boxes: int | None = None, whole: bool = False) -> Scene:
    """The system as a whiteboard board (at most ``max_boxes`` boxes, groups collapsing), or
    with ``whole`` every component and group, in the whiteboard's draw order either way."""
    board = _board(system, max_boxes, whole)
    parent = _parents(system)
    boxes = _boxes(system, board, parent)
    frames = _frames(system, boxes, parent)
    if whole:  # every connection, with all it says; a board has one arrow per pair of boxes
        known = {b.id for b in boxes}
        links = tuple(
            Link(c.source, c.target, c.annotation, c.mode)
            for c in system.connections
            if c.source in known and c.target in known
        )
    else:
        links = tuple(Link(a.source, a.target, a.label, a.mode) for a in board.arrows)
    return Scene(
        system.name, title_text(system), tuple(boxes), frames, links, tuple(t for t, _ in board.steps)
    )


def _board(system: System, max_boxes: int | None, whole: bool) -> Board:
    """The whiteboard board: with ``whole``, one box per component, no group collapsed."""
    from archkit.prep.board import simplify

    if not whole:
        return simplify(system, max_boxes)
    settings = system.whiteboard
    kept = dataclasses.replace(settings, collapse=()) if settings else None
    return simplify(dataclasses.replace(system, whiteboard=kept), max(len(system.components), 1))


def _parents(system: System) -> dict[str, str | None]:
    """Each group's enclosing group (None at the top)."""
    parent: dict[str, str | None] = {}

    def walk(group: Group, above: str | None) -> None:
        parent[group.id] = above
        for child in group.groups:
            walk(child, group.id)

    for group in system.groups:
        walk(group, None)
    return parent


def _boxes(system: System, board: Board, parent: dict[str, str | None]) -> list[Box]:
    """The board's boxes in draw order, each in the innermost group still drawn around it."""
    groups = {g.id: g for g in system.all_groups()}
    collapsed = {b.id.removeprefix("group:") for b in board.boxes if b.id.startswith("group:")}
    hidden = {g.id for c in collapsed for g in groups[c].walk()}

    def drawn(group_id: str | None) -> str | None:
        while group_id is not None and (group_id in hidden or group_id not in groups):
            group_id = parent.get(group_id)
        return group_id

    step_of = {box_id: n for n, (_, ids) in enumerate(board.steps, start=1) for box_id in ids}
    boxes = []
    for box in sorted(board.boxes, key=lambda b: step_of[b.id]):
        component = system.component(box.id)
        step = step_of[box.id]
        if component is not None:
            frame = drawn(component.group)
            boxes.append(
                Box(box.id, box.label, _detail(component), outline_of(component), frame, step, component.tech)
            )
        else:  # a collapsed group
            outline: Outline = "cylinder" if box.kind == "store" else "box"
            frame = drawn(parent.get(box.id.removeprefix("group:")))
            boxes.append(Box(box.id, box.label, (f"{len(box.members)} components",), outline, frame, step))
    return boxes


def _frames(system: System, boxes: Sequence[Box], parent: dict[str, str | None]) -> tuple[Frame, ...]:
    """The groups still drawn: those around a box, and the groups around them, outer first."""
    used = {b.frame for b in boxes} - {None}
    for frame_id in list(used):
        above = parent.get(frame_id or "")
        while above is not None:
            used.add(above)
            above = parent.get(above)
    return tuple(Frame(g.id, g.title, g.kind, parent[g.id]) for g in system.all_groups() if g.id in used)


def place(scene: Scene, sizes: Mapping[str, tuple[float, float]], direction: str = "LR") -> Placed:
    """Positions (in points, y downwards, from the top left) of every box, frame and link, from
    one Graphviz layout; ``sizes`` is each box's width and height."""
    from archkit.render import graphviz
    from archkit.render.dot import quote

    lines = [
        "digraph scene {",
        f'  graph [rankdir="{direction}" nodesep="0.6" ranksep="1.1" fontname="DejaVu Sans" fontsize="16"]',
        '  node [shape="box" fixedsize="true" label=""]',
        '  edge [fontname="DejaVu Sans" fontsize="14"]',
    ]
    children: dict[str | None, list[Frame]] = {}
    for frame in scene.frames:
        children.setdefault(frame.parent, []).append(frame)
    members: dict[str | None, list[Box]] = {}
    for box in scene.boxes:
        members.setdefault(box.frame, []).append(box)

    def emit(frame_id: str | None, indent: str) -> None:
        for box in members.get(frame_id, []):
            width, height = sizes[box.id]
            lines.append(f'{indent}{quote(box.id)} [width="{width / 72:.4f}" height="{height / 72:.4f}"]')
        for frame in children.get(frame_id, []):
            lines.append(f"{indent}subgraph {quote('cluster_' + frame.id)} {{")
            lines.append(f'{indent}  graph [label={quote(frame.label)} margin="20"]')
            emit(frame.id, indent + "  ")
            lines.append(f"{indent}}}")

    emit(None, "  ")
    for link in scene.links:
        label = f" [label={quote(link.label)}]" if link.label else ""
        lines.append(f"  {quote(link.source)} -> {quote(link.target)}{label}")
    lines.append("}")
    laid = json.loads(graphviz.layout_json("\n".join(lines) + "\n"))
    return _read_layout(laid, scene)


def _floats(text: str) -> list[float]:
    return [float(v) for v in text.split(",")]


def _read_layout(laid: Mapping[str, object], scene: Scene) -> Placed:
    _, _, width, height = _floats(str(laid["bb"]))
    objects = laid.get("objects", [])
    assert isinstance(objects, list)
    boxes: dict[str, Rect] = {}
    frames: dict[str, Rect] = {}
    index_to_name: dict[int, str] = {}
    for obj in objects:
        name = str(obj.get("name", ""))
        if "bb" in obj and name.startswith("cluster_"):
            x0, y0, x1, y1 = _floats(obj["bb"])
            frames[name.removeprefix("cluster_")] = Rect(x0, height - y1, x1 - x0, y1 - y0)
        elif "pos" in obj:
            x, y = _floats(obj["pos"])
            w, h = float(obj["width"]) * 72, float(obj["height"]) * 72
            boxes[name] = Rect(x - w / 2, height - y - h / 2, w, h)
            index_to_name[int(obj["_gvid"])] = name
    edges = laid.get("edges", [])
    assert isinstance(edges, list)
    by_ends: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for edge in sorted(edges, key=lambda e: int(e["_gvid"])):  # matched to the links by their ends
        by_ends.setdefault((index_to_name[int(edge["tail"])], index_to_name[int(edge["head"])]), []).append(
            edge
        )
    routes: list[tuple[tuple[float, float], ...]] = []
    label_at: list[tuple[float, float] | None] = []
    for link in scene.links:
        edge = by_ends[(link.source, link.target)].pop(0)
        routes.append(_route(str(edge.get("pos", "")), height))
        lp = edge.get("lp")
        label_at.append((_floats(lp)[0], height - _floats(lp)[1]) if lp else None)
    return Placed(boxes, frames, routes, label_at, width, height)


def _route(pos: str, height: float) -> tuple[tuple[float, float], ...]:
    """A Graphviz spline (``e,x,y`` end point, then control points) as a few points along it:
    start, the curve's middle, end."""
    end: tuple[float, float] | None = None
    points: list[tuple[float, float]] = []
    for part in pos.split():
        fields = part.split(",")
        if fields[0] == "e":
            end = (float(fields[1]), height - float(fields[2]))
        elif fields[0] == "s":
            continue
        else:
            points.append((float(fields[0]), height - float(fields[1])))
    if not points:
        return ()
    if end is not None:
        points.append(end)
    if len(points) <= 2:
        return (points[0], points[-1])
    return (points[0], points[len(points) // 2], points[-1])


def text_width(text: str, size: float) -> float:
    """A generous estimate of a line's width in a hand-drawn or sans font."""
    return max((len(line) for line in text.split("\n")), default=0) * size * 0.6


def box_size(box: Box, size: float, minimum: Sequence[float] = (150, 70)) -> tuple[float, float]:
    """Room for a box's label and detail lines, with padding."""
    lines = [box.label, *box.detail]
    width = max(minimum[0], max(text_width(line, size) for line in lines) + 40)
    height = max(minimum[1], len(lines) * size * 1.35 + 30)
    if box.outline == "cylinder":
        height += 20
    return round(width), round(height)
