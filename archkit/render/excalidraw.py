"""Excalidraw export: a system's whiteboard view as an ``.excalidraw`` scene (Excalidraw's JSON
format, version 2) to practise on and edit in excalidraw.com or the editor extensions.

Boxes are rectangles (people ellipses; stores cylinders: a rectangle and its elliptic lid, grouped),
each with its label bound to it; arrows are bound to their shapes at both ends (recorded on the
arrow and on each shape, so dragging a box drags its arrows), with their labels bound to them.
Top-level groups are frames; groups inside them are dashed, labelled rectangles within the frame
(Excalidraw's frames do not nest). Elements come in the whiteboard's draw order: each step's
boxes, then every arrow whose two ends are drawn. Ids, seeds and timestamps derive from the
system, so the same system gives the same file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from archkit.model.system import System
from archkit.render.scene import Box, Placed, Rect, Scene, box_size, place, scene_of, text_width
from archkit.render.themes import LIGHT

FONT_SIZE = 18
TITLE_SIZE = 28
LINE_HEIGHT = 1.25
VIRGIL = 1  # Excalidraw's hand-drawn font, known to every version
STROKE = "#1e1e1e"
ASYNC = LIGHT.async_edge
FILLS = {"box": "#e7f5ff", "cylinder": "#fff3bf", "queue": "#f3f0ff", "person": "#ebfbee"}
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
MARGIN = 40.0


def to_excalidraw(
    system: System, direction: str | None = None, max_boxes: int | None = None, whole: bool = True
) -> str:
    """The ``.excalidraw`` JSON of a system: every component (``whole``), or its whiteboard board
    of at most ``max_boxes`` boxes."""
    scene = scene_of(system, max_boxes, whole=whole)
    sizes = {box.id: box_size(box, FONT_SIZE) for box in scene.boxes}
    placed = place(scene, sizes, direction or system.direction or "LR")
    elements = _Writer(scene, placed).elements()
    document = {
        "type": "excalidraw",
        "version": 2,
        "source": "archkit",
        "elements": elements,
        "appState": {"viewBackgroundColor": "#ffffff", "gridSize": None},
        "files": {},
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def _seed(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:4], "big") % 2_000_000_000 + 1


def _index(position: int) -> str:
    """A fractional index (the ordering key Excalidraw stores) for the n-th element."""
    if position < 62:
        return "a" + _DIGITS[position]
    if position < 62 * 62:
        return "b" + _DIGITS[position // 62] + _DIGITS[position % 62]
    return "c" + _DIGITS[position // 3844 % 62] + _DIGITS[position // 62 % 62] + _DIGITS[position % 62]


class _Writer:
    def __init__(self, scene: Scene, placed: Placed) -> None:
        self.scene = scene
        self.placed = placed
        self.top = MARGIN + TITLE_SIZE * LINE_HEIGHT * len(scene.title.split("\n")) + 20
        self.out: list[dict[str, Any]] = []
        self.by_id: dict[str, dict[str, Any]] = {}
        frames = {f.id: f for f in scene.frames}
        self.outer: dict[str, str] = {}
        for frame in scene.frames:
            root = frame
            while root.parent is not None:
                root = frames[root.parent]
            self.outer[frame.id] = root.id

    def rect(self, r: Rect) -> Rect:
        return Rect(r.x + MARGIN, r.y + self.top, r.width, r.height)

    def add(self, element_id: str, kind: str, r: Rect, **extra: Any) -> dict[str, Any]:
        element: dict[str, Any] = {
            "id": element_id,
            "type": kind,
            "x": round(r.x, 2),
            "y": round(r.y, 2),
            "width": round(r.width, 2),
            "height": round(r.height, 2),
            "angle": 0,
            "strokeColor": STROKE,
            "backgroundColor": "transparent",
            "fillStyle": "solid",
            "strokeWidth": 2,
            "strokeStyle": "solid",
            "roughness": 1,
            "opacity": 100,
            "groupIds": [],
            "frameId": None,
            "index": _index(len(self.out)),
            "roundness": None,
            "seed": _seed(element_id),
            "version": 1,
            "versionNonce": _seed("nonce:" + element_id),
            "isDeleted": False,
            "boundElements": None,
            "updated": 1,
            "link": None,
            "locked": False,
        }
        element.update(extra)
        self.out.append(element)
        self.by_id[element_id] = element
        return element

    def text(
        self,
        element_id: str,
        text: str,
        r: Rect,
        size: float,
        container: str | None,
        align: str = "center",
        valign: str = "middle",
        **extra: Any,
    ) -> dict[str, Any]:
        width = text_width(text, size)
        height = len(text.split("\n")) * size * LINE_HEIGHT
        if container is None:
            at = Rect(r.x, r.y, width, height)
        elif align == "left":
            at = Rect(r.x + 10, r.y + 8, width, height)
        else:
            at = Rect(r.x + (r.width - width) / 2, r.y + (r.height - height) / 2, width, height)
        element = self.add(
            element_id,
            "text",
            at,
            fontSize=size,
            fontFamily=VIRGIL,
            text=text,
            originalText=text,
            textAlign=align,
            verticalAlign=valign,
            containerId=container,
            autoResize=True,
            lineHeight=LINE_HEIGHT,
            **extra,
        )
        if container is not None:
            self.bind(container, element_id, "text")
        return element

    def bind(self, shape_id: str, element_id: str, kind: str) -> None:
        shape = self.by_id[shape_id]
        shape["boundElements"] = [*(shape["boundElements"] or []), {"id": element_id, "type": kind}]

    def elements(self) -> list[dict[str, Any]]:
        title_lines = self.scene.title.split("\n")
        self.text("title", title_lines[0], Rect(MARGIN, MARGIN, 0, 0), TITLE_SIZE, None)
        if len(title_lines) > 1:
            self.text("scale", title_lines[1], Rect(MARGIN, MARGIN + TITLE_SIZE * 1.4, 0, 0), FONT_SIZE, None)
        for frame in self.scene.frames:
            r = self.rect(self.placed.frames[frame.id])
            if frame.parent is None:
                self.add(
                    f"frame:{frame.id}",
                    "frame",
                    r,
                    name=frame.label,
                    roughness=0,
                    strokeWidth=1,
                    customData={"archkit": {"group": frame.id}},
                )
            else:
                self.add(
                    f"group:{frame.id}",
                    "rectangle",
                    r,
                    strokeStyle="dashed",
                    strokeWidth=1,
                    roundness={"type": 3},
                    frameId=f"frame:{self.outer[frame.id]}",
                    customData={"archkit": {"group": frame.id}},
                )
                self.text(
                    f"group:{frame.id}:label",
                    frame.label,
                    r,
                    FONT_SIZE - 2,
                    f"group:{frame.id}",
                    align="left",
                    valign="top",
                    frameId=f"frame:{self.outer[frame.id]}",
                )
        drawn: set[str] = set()
        pending = list(enumerate(self.scene.links))
        for step in range(1, len(self.scene.steps) + 1):
            for box in self.scene.boxes:
                if box.step == step:
                    self.box(box)
                    drawn.add(box.id)
            for number, link in list(pending):
                if link.source in drawn and link.target in drawn:
                    self.arrow(number)
                    pending.remove((number, link))
        return self.out

    def box(self, box: Box) -> None:
        r = self.rect(self.placed.boxes[box.id])
        frame = f"frame:{self.outer[box.frame]}" if box.frame else None
        common: dict[str, Any] = {
            "backgroundColor": FILLS[box.outline],
            "frameId": frame,
            "customData": {"archkit": {"id": box.id, "step": box.step}},
        }
        if box.outline == "person":
            self.add(box.id, "ellipse", r, roundness={"type": 2}, **common)
        elif box.outline == "cylinder":
            lid = 22.0
            group = [f"cylinder:{box.id}"]
            self.add(
                box.id,
                "rectangle",
                Rect(r.x, r.y + lid / 2, r.width, r.height - lid / 2),
                roundness=None,
                groupIds=group,
                **common,
            )
            self.add(
                f"{box.id}:lid",
                "ellipse",
                Rect(r.x, r.y, r.width, lid),
                groupIds=group,
                backgroundColor=FILLS["cylinder"],
                frameId=frame,
            )
            r = Rect(r.x, r.y + lid / 2, r.width, r.height - lid / 2)
        else:
            self.add(box.id, "rectangle", r, roundness={"type": 3}, **common)
        text = "\n".join([box.label, *box.detail])
        self.text(
            f"{box.id}:label",
            text,
            r,
            FONT_SIZE,
            box.id,
            frameId=frame,
            groupIds=self.by_id[box.id]["groupIds"],
        )

    def arrow(self, number: int) -> None:
        link = self.scene.links[number]
        route = [(x + MARGIN, y + self.top) for x, y in self.placed.links[number]]
        arrow_id = f"arrow:{number}:{link.source}->{link.target}"
        xs, ys = [p[0] for p in route], [p[1] for p in route]
        x0, y0 = route[0]
        dashed = link.mode == "async"
        self.add(
            arrow_id,
            "arrow",
            Rect(x0, y0, max(xs) - min(xs), max(ys) - min(ys)),
            points=[[round(x - x0, 2), round(y - y0, 2)] for x, y in route],
            startBinding=self.binding(link.source, route[0]),
            endBinding=self.binding(link.target, route[-1]),
            startArrowhead=None,
            endArrowhead="arrow",
            elbowed=False,
            lastCommittedPoint=None,
            roundness={"type": 2},
            strokeStyle="dashed" if dashed else "solid",
            strokeColor=ASYNC if dashed else STROKE,
            customData={"archkit": {"from": link.source, "to": link.target, "mode": link.mode}},
        )
        self.bind(link.source, arrow_id, "arrow")
        self.bind(link.target, arrow_id, "arrow")
        if link.label:
            at = self.placed.label_at[number] or route[len(route) // 2]
            centre = Rect(at[0] + MARGIN, at[1] + self.top, 0, 0)
            self.text(f"{arrow_id}:label", link.label, centre, FONT_SIZE - 4, arrow_id)

    def binding(self, shape_id: str, point: tuple[float, float]) -> dict[str, Any]:
        """Both of Excalidraw's binding forms: focus and gap (before 0.18), and the fixed point
        on the shape with the orbit mode (since)."""
        shape = self.by_id[shape_id]
        fx = (point[0] - shape["x"]) / shape["width"] if shape["width"] else 0.5
        fy = (point[1] - shape["y"]) / shape["height"] if shape["height"] else 0.5
        return {
            "elementId": shape_id,
            "focus": 0,
            "gap": 4,
            "fixedPoint": [round(min(max(fx, 0.0), 1.0), 4), round(min(max(fy, 0.0), 1.0), 4)],
            "mode": "orbit",
        }


def write_whiteboard_scene(system: System, out_dir: Path, max_boxes: int | None = None) -> Path:
    """Write ``<slug>-whiteboard.excalidraw``: the system's whiteboard board (at most
    ``max_boxes`` boxes, groups collapsing as on the whiteboard page); returns its path."""
    from archkit.files import write_atomic

    path = out_dir / f"{system.slug}-whiteboard.excalidraw"
    out_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(path, to_excalidraw(system, max_boxes=max_boxes, whole=False))
    return path
