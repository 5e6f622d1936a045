"""draw.io export: well-formed mxGraph XML, read back and compared with the system."""

from __future__ import annotations

import html
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from archkit import catalogue
from archkit.model import Component, Connection, Group, System, load_system
from archkit.render.drawio import library_style, shapes, to_drawio


def _text(value: str) -> list[str]:
    """The lines of an html=1 label, as a person reads them."""
    return [html.unescape(re.sub(r"<[^>]+>", "", part)) for part in value.split("<br>")]


def read_drawio(text: str) -> tuple[dict[str, ET.Element], list[ET.Element]]:
    root = ET.fromstring(text)
    assert root.tag == "mxfile"
    cells = root.findall("./diagram/mxGraphModel/root/mxCell")
    by_id = {c.get("id", ""): c for c in cells}
    assert len(by_id) == len(cells)  # ids unique
    for cell in cells:
        parent = cell.get("parent")
        assert parent is None or parent in by_id
        if cell.get("edge") == "1":
            assert by_id[cell.get("source", "")].get("vertex") == "1"
            assert by_id[cell.get("target", "")].get("vertex") == "1"
    return by_id, [c for c in cells if c.get("edge") == "1"]


@pytest.mark.parametrize("name", ["recommendation-platform", "payment-platform", "platform-microservices"])
def test_drawio_reads_back_as_the_system(repo: Path, name: str) -> None:
    system = load_system(repo / "systems" / f"{name}.yaml")
    by_id, edges = read_drawio(to_drawio(system))
    components = {k[2:]: c for k, c in by_id.items() if k.startswith("c:")}
    groups = {k[2:]: c for k, c in by_id.items() if k.startswith("g:")}
    assert set(components) == {c.id for c in system.components}
    assert {g: _text(c.get("value", ""))[0] for g, c in groups.items()} == {
        g.id: g.title for g in system.all_groups()
    }
    for group in system.all_groups():
        assert "container=1" in groups[group.id].get("style", "")
        for child in group.groups:
            assert groups[child.id].get("parent") == f"g:{group.id}"
    for component in system.components:
        cell = components[component.id]
        assert _text(cell.get("value", ""))[0] == component.title
        assert cell.get("parent") == (f"g:{component.group}" if component.group else "1")
    found = [
        (
            e.get("source"),
            e.get("target"),
            html.unescape(e.get("value", "")),
            "dashed=1" in e.get("style", ""),
        )
        for e in edges
    ]
    assert found == [
        (f"c:{c.source}", f"c:{c.target}", c.annotation, c.mode == "async") for c in system.connections
    ]


def test_library_shapes_where_draw_io_has_one_boxes_otherwise() -> None:
    system = System(
        name="Mixed",
        components=[
            Component("s3", "Blobs", tech="s3"),
            Component("bq", "Warehouse", tech="bigquery"),
            Component("cosmos", "Docs", tech="cosmos-db"),
            Component("svc", "API", tech="k8s-service"),
            Component("pg", "Orders", tech="postgres"),
            Component("mine", "Mine", tech="something-of-my-own"),
        ],
    )
    by_id, _ = read_drawio(to_drawio(system))
    style = {k[2:]: c.get("style", "") for k, c in by_id.items() if k.startswith("c:")}
    assert "resIcon=mxgraph.aws4.s3;" in style["s3"]
    assert "shape=mxgraph.gcp2.bigquery;" in style["bq"]
    assert "image=img/lib/azure2/databases/Azure_Cosmos_DB.svg;" in style["cosmos"]
    assert "prIcon=svc;" in style["svc"]
    assert "shape=cylinder3" in style["pg"]
    assert style["mine"].startswith("rounded=1;")


def test_every_listed_shape_names_a_catalogue_technology() -> None:
    for tech_id in shapes():
        assert catalogue.find(tech_id) is not None and catalogue.find(tech_id).id == tech_id  # type: ignore[union-attr]
        assert library_style(tech_id)


def test_positions_nest_inside_their_containers(repo: Path) -> None:
    system = load_system(repo / "systems" / "platform-microservices.yaml")
    by_id, _ = read_drawio(to_drawio(system))

    def geometry(cell_id: str) -> tuple[float, float, float, float]:
        g = by_id[cell_id].find("mxGeometry")
        assert g is not None
        return tuple(float(g.get(k, "0")) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]

    for cell_id, cell in by_id.items():
        parent = cell.get("parent")
        if cell_id.startswith(("c:", "g:")) and parent and parent.startswith("g:"):
            x, y, w, h = geometry(cell_id)  # relative to the container
            _, _, pw, ph = geometry(parent)
            assert x >= 0 and x + w <= pw and y >= 0 and y + h <= ph, cell_id


def test_user_text_is_escaped_and_output_is_deterministic() -> None:
    system = System(
        name="<script>alert(1)</script>",
        groups=[Group("g", '"><img src=x onerror=alert(1)>')],
        components=[Component("a", "<b>bold</b> & co", group="g"), Component("b", "B")],
        connections=[
            Connection("a", "b", label="<i>x</i>", mode="async"),
            Connection("a", "b", label="again"),
        ],
    )
    text = to_drawio(system)
    assert text == to_drawio(system)
    by_id, edges = read_drawio(text)
    assert _text(by_id["c:a"].get("value", ""))[0] == "<b>bold</b> & co"  # shown as text, not markup
    assert "<img" not in by_id["g:g"].get("value", "")
    assert [html.unescape(e.get("value", "")) for e in edges] == ["<i>x</i>", "again"]  # both kept
    assert "<script>" not in by_id["title"].get("value", "")
