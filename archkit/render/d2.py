"""D2 export: the system as D2 source (https://d2lang.com), compiled by the official ``d2``.

The same nodes, containers, labels and edge styles as the Graphviz diagram: groups are
containers, stores cylinders, queues queues; async arrows are dashed and violet; the name and
the scale figures are the title. Keys are the user's ids, quoted, so that any id (even one of
D2's keywords such as ``label``) stays a plain key.
"""

from __future__ import annotations

from collections.abc import Iterator

from archkit.model.system import Component, Group, System
from archkit.render.shapes import outline_of, tech_subtitle, title_text
from archkit.render.themes import LIGHT

_DIRECTIONS = {"LR": "right", "RL": "left", "TB": "down", "BT": "up"}
_SHAPES = {"cylinder": "cylinder", "queue": "queue", "person": "person", "box": "rectangle"}


def d2_string(text: str) -> str:
    """A double-quoted D2 string (one line; newlines as \\n; ``$`` escaped, else it would start a
    substitution)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("$", "\\$")
    return f'"{escaped}"'


def to_d2(system: System, direction: str | None = None) -> str:
    """The D2 source of a system's diagram; the same system always gives the same text."""
    return "\n".join(_lines(system, direction or system.direction or "LR")) + "\n"


def component_text(component: Component) -> str:
    """A component's label: its title, its technology and its metrics, one a line."""
    lines = [component.title]
    tech = tech_subtitle(component)
    if tech:
        lines.append(tech)
    lines.extend(component.metrics)
    return "\n".join(lines)


def _lines(system: System, direction: str) -> Iterator[str]:
    yield f"# {' '.join(system.name.split())}: drawn by archkit from the system's definition."
    yield f"direction: {_DIRECTIONS.get(direction, 'right')}"
    paths = _paths(system)
    taken = {path.split(".")[0] for path in paths.values()}
    title_key = next(k for k in ("title", "archkit-title", "archkit-title-2") if d2_string(k) not in taken)
    yield (
        f"{d2_string(title_key)}: {d2_string(title_text(system))}"
        " {near: top-center; shape: text; style.font-size: 20}"
    )
    known = {g.id for g in system.all_groups()}
    members: dict[str | None, list[Component]] = {}
    for component in system.components:
        members.setdefault(component.group if component.group in known else None, []).append(component)
    for component in members.get(None, []):
        yield from _node(component, "")
    for group in system.groups:
        yield from _container(group, members, "")
    for connection in system.connections:
        source, target = paths.get(connection.source), paths.get(connection.target)
        if source is None or target is None:
            continue
        line = f"{source} -> {target}"
        if connection.annotation:
            line += f": {d2_string(connection.annotation)}"
        if connection.mode == "async":
            line += f' {{style: {{stroke-dash: 4; stroke: "{LIGHT.async_edge}"}}}}'
        yield line


def _paths(system: System) -> dict[str, str]:
    """Each component's D2 path: its containers' keys, then its own, dot-separated."""
    parents: dict[str, tuple[str, ...]] = {}

    def walk(group: Group, above: tuple[str, ...]) -> None:
        parents[group.id] = (*above, group.id)
        for child in group.groups:
            walk(child, parents[group.id])

    for group in system.groups:
        walk(group, ())
    return {
        c.id: ".".join(d2_string(key) for key in (*parents.get(c.group or "", ()), c.id))
        for c in system.components
    }


def _node(component: Component, indent: str) -> Iterator[str]:
    shape = _SHAPES[outline_of(component)]
    line = f"{indent}{d2_string(component.id)}: {d2_string(component_text(component))}"
    yield line + (f" {{shape: {shape}}}" if shape != "rectangle" else "")


def _container(group: Group, members: dict[str | None, list[Component]], indent: str) -> Iterator[str]:
    yield f"{indent}{d2_string(group.id)}: {d2_string(group.title)} {{"
    for component in members.get(group.id, []):
        yield from _node(component, indent + "  ")
    for child in group.groups:
        yield from _container(child, members, indent + "  ")
    yield f"{indent}}}"
