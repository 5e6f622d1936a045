"""draw.io (diagrams.net) export: a ``.drawio`` file (mxGraph XML) that opens laid out and stays
editable.

Components use the matching shape of draw.io's AWS, Google Cloud, Azure or Kubernetes library
where there is one (``drawio-shapes.txt`` beside this module), a labelled box otherwise (a
cylinder for stores, a person for users). Groups are containers, nested as the system nests them,
so moving a group moves what is in it. Edges carry their labels; async ones are dashed.
Positions come from archkit's own Graphviz layout.
"""

from __future__ import annotations

import functools
import html
from pathlib import Path
from typing import NamedTuple
from xml.etree import ElementTree as ET

from archkit import catalogue
from archkit.model.system import System
from archkit.render.scene import Box, Link, Placed, Rect, Scene, place, scene_of, text_width
from archkit.render.themes import LIGHT

DATA = Path(__file__).with_name("drawio-shapes.txt")
ICON = 60.0
FONT = 12.0
TITLE_HEIGHT = 70.0
MARGIN = 30.0
# AWS's colour for each kind of service, as its icons use them
_AWS_FILL = {
    "compute": "#ED7100", "container": "#ED7100", "storage": "#7AA116", "database": "#C925D1",
    "cache": "#C925D1", "network": "#8C4FFF", "gateway": "#E7157B", "cdn": "#8C4FFF", "dns": "#8C4FFF",
    "streaming": "#8C4FFF", "analytics": "#8C4FFF", "queue": "#E7157B", "integration": "#E7157B",
    "workflow": "#E7157B", "security": "#DD344C", "ml": "#01A88D", "monitoring": "#E7157B",
    "logging": "#E7157B", "ci-cd": "#C925D1", "iac": "#E7157B", "search": "#8C4FFF",
}  # fmt: skip
_BOX = "rounded=1;whiteSpace=wrap;html=1;arcSize=12;fillColor=#ffffff;strokeColor=#94a3b8;fontColor=#0f172a;"
_CYLINDER = (
    "shape=cylinder3;whiteSpace=wrap;html=1;boundedLbl=1;backgroundOutline=1;size=10;"
    "fillColor=#fff7e6;strokeColor=#94a3b8;fontColor=#0f172a;"
)
_PERSON = "shape=umlActor;verticalLabelPosition=bottom;verticalAlign=top;html=1;outlineConnect=0;"
_UNDER = "verticalLabelPosition=bottom;verticalAlign=top;align=center;html=1;outlineConnect=0;aspect=fixed;"


class Shape(NamedTuple):
    library: str  # aws4, gcp2, azure2, k8s
    name: str


@functools.cache
def shapes() -> dict[str, Shape]:
    """Catalogue tech id -> the draw.io library shape drawn for it."""
    found: dict[str, Shape] = {}
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            tech, library, name = (cell.strip() for cell in line.split("|"))
            found[tech] = Shape(library, name)
    return found


def library_style(tech_id: str) -> str | None:
    """The style of a technology's draw.io library shape (icon with its label under it), or None."""
    shape = shapes().get(tech_id)
    if shape is None:
        return None
    tech = catalogue.find(tech_id)
    category = tech.category if tech else ""
    if shape.library == "aws4":
        fill = _AWS_FILL.get(category, "#232F3E")
        return (
            f"{_UNDER}shape=mxgraph.aws4.resourceIcon;resIcon=mxgraph.aws4.{shape.name};"
            f"fillColor={fill};strokeColor=#ffffff;fontColor=#232F3E;"
        )
    if shape.library == "gcp2":
        return f"{_UNDER}shape=mxgraph.gcp2.{shape.name};strokeColor=none;fillColor=#4285F4;"
    if shape.library == "azure2":
        return f"{_UNDER}image;image=img/lib/azure2/{shape.name}.svg;"
    return f"{_UNDER}shape=mxgraph.kubernetes.icon;prIcon={shape.name};fillColor=#2875E2;strokeColor=#ffffff;"


def _style_of(box: Box) -> tuple[str, bool]:
    """A box's style, and whether it is an icon with its label under it."""
    tech = catalogue.find(box.tech) if box.tech else None
    icon = library_style(tech.id) if tech else None
    if icon is not None:
        return icon, True
    if box.outline == "person":
        return _PERSON, True
    if box.outline == "cylinder":
        return _CYLINDER, False
    return _BOX, False


def _value(lines: list[str]) -> str:
    """A cell's label: HTML (draw.io's html=1), so user text is escaped and lines break with <br>."""
    first, *rest = lines
    parts = [f"<b>{html.escape(first)}</b>"]
    parts += [f'<font style="font-size: 10px" color="#64748b">{html.escape(line)}</font>' for line in rest]
    return "<br>".join(parts)


def to_drawio(system: System, direction: str | None = None) -> str:
    """The ``.drawio`` XML of a system: every component and group, laid out by Graphviz."""
    scene = scene_of(system, whole=True)
    styles = {box.id: _style_of(box) for box in scene.boxes}
    placed = place(scene, _sizes(scene, styles), direction or system.direction or "LR")
    mxfile, root = _document(system, placed)
    title_lines = [line for line in (system.name, " · ".join(str(m) for m in system.scale)) if line]
    _vertex(
        root, "title", _value(title_lines).replace("font-size: 10px", "font-size: 13px"),
        "text;html=1;align=left;verticalAlign=top;fontSize=20;whiteSpace=wrap;", "1",
        Rect(MARGIN, MARGIN, max(placed.width, 400), TITLE_HEIGHT - 10), None,
    )  # fmt: skip
    frame_rect = {f.id: _on_page(placed.frames[f.id]) for f in scene.frames}
    for frame in scene.frames:
        parent = f"g:{frame.parent}" if frame.parent else "1"
        origin = frame_rect[frame.parent] if frame.parent else None
        _vertex(root, f"g:{frame.id}", html.escape(frame.label), _frame_style(frame.kind), parent,
                frame_rect[frame.id], origin)  # fmt: skip
    for box in scene.boxes:
        style, under = styles[box.id]
        r = _on_page(placed.boxes[box.id])
        if under:  # the icon at the top of the room the layout kept, centred
            r = Rect(r.x + (r.width - ICON) / 2, r.y, ICON, ICON)
        parent = f"g:{box.frame}" if box.frame else "1"
        _vertex(root, f"c:{box.id}", _value([box.label, *box.detail]), style, parent, r,
                frame_rect[box.frame] if box.frame else None)  # fmt: skip
    for number, link in enumerate(scene.links):
        _edge(root, number, link, placed.links[number])
    ET.indent(mxfile, space=" ")
    return ET.tostring(mxfile, encoding="unicode") + "\n"


def _sizes(scene: Scene, styles: dict[str, tuple[str, bool]]) -> dict[str, tuple[float, float]]:
    """Each box's room in the layout: an icon with its label under it, or a box around its label."""
    sizes: dict[str, tuple[float, float]] = {}
    for box in scene.boxes:
        lines = [box.label, *box.detail]
        if styles[box.id][1]:  # icon, label under it: the layout keeps room for the label
            width = max(ICON + 20, max(text_width(line, FONT) for line in lines))
            sizes[box.id] = (round(width), round(ICON + len(lines) * FONT * 1.3 + 10))
        else:
            width = max(140.0, max(text_width(line, FONT) for line in lines) + 30)
            sizes[box.id] = (round(width), round(max(56.0, len(lines) * FONT * 1.35 + 24)))
    return sizes


def _document(system: System, placed: Placed) -> tuple[ET.Element, ET.Element]:
    """The ``mxfile`` element, a page the size of the layout, and the root its cells go in."""
    mxfile = ET.Element("mxfile", host="archkit", type="device")
    diagram = ET.SubElement(mxfile, "diagram", id="archkit-" + (system.slug or "system"), name=system.name)
    width = placed.width + 2 * MARGIN
    height = placed.height + TITLE_HEIGHT + 2 * MARGIN
    model = ET.SubElement(
        diagram, "mxGraphModel", grid="1", gridSize="10", guides="1", tooltips="1", connect="1", arrows="1",
        fold="1", page="1", pageScale="1", pageWidth=f"{width:.0f}", pageHeight=f"{height:.0f}", math="0",
        shadow="0",
    )  # fmt: skip
    root = ET.SubElement(model, "root")
    ET.SubElement(root, "mxCell", id="0")
    ET.SubElement(root, "mxCell", {"id": "1", "parent": "0"})
    return mxfile, root


def _on_page(r: Rect) -> Rect:
    """A layout rectangle moved below the page's margin and title."""
    return Rect(r.x + MARGIN, r.y + MARGIN + TITLE_HEIGHT, r.width, r.height)


def _vertex(
    root: ET.Element, cell_id: str, value: str, style: str, parent: str, r: Rect, origin: Rect | None
) -> None:
    """A shape; its position is relative to its container's (``origin``) when it has one."""
    x, y = (r.x - origin.x, r.y - origin.y) if origin else (r.x, r.y)
    element = ET.SubElement(
        root, "mxCell", {"id": cell_id, "value": value, "style": style, "vertex": "1", "parent": parent}
    )
    ET.SubElement(
        element, "mxGeometry", {"x": f"{x:.1f}", "y": f"{y:.1f}", "width": f"{r.width:.1f}",
                                "height": f"{r.height:.1f}", "as": "geometry"},
    )  # fmt: skip


def _frame_style(kind: str) -> str:
    """A group's container, in the colours of its kind."""
    look = LIGHT.group(kind)
    return (
        "rounded=1;arcSize=4;html=1;container=1;collapsible=0;recursiveResize=0;verticalAlign=top;"
        f"align=left;spacingLeft=10;fontStyle=1;fillColor={look.fill};strokeColor={look.border};"
        f"fontColor={look.border};" + ("dashed=1;" if look.dashed else "")
    )


def _edge(root: ET.Element, number: int, link: Link, route: tuple[tuple[float, float], ...]) -> None:
    """A connection, dashed when async, bent through the middle of its route when it curves."""
    style = "html=1;rounded=1;curved=1;endArrow=block;endFill=1;fontSize=10;labelBackgroundColor=#ffffff;"
    style += f"strokeColor={LIGHT.async_edge};dashed=1;" if link.mode == "async" else "strokeColor=#475569;"
    edge = ET.SubElement(
        root, "mxCell", {"id": f"e:{number}", "value": html.escape(link.label), "style": style,
                         "edge": "1", "parent": "1", "source": f"c:{link.source}",
                         "target": f"c:{link.target}"},
    )  # fmt: skip
    geometry = ET.SubElement(edge, "mxGeometry", {"relative": "1", "as": "geometry"})
    if len(route) > 2:
        points = ET.SubElement(geometry, "Array", {"as": "points"})
        x, y = route[1]
        ET.SubElement(points, "mxPoint", x=f"{x + MARGIN:.1f}", y=f"{y + MARGIN + TITLE_HEIGHT:.1f}")
