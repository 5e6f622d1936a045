"""Mermaid flowchart export, for Markdown that GitHub and GitLab render in place.

Same nodes, groups (as subgraphs), labels and edge labels as the Graphviz diagram; async arrows
are dotted. Ids are prefixed (``c_``, ``g_``) so that a user id such as ``end`` cannot collide with
a Mermaid keyword.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from archkit import catalogue
from archkit.model.system import Component, Group, System
from archkit.render.shapes import tech_subtitle

_ENTITIES = {"&": "#amp;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "#": "#35;", "|": "#124;", "`": "#96;"}


def escape(text: str) -> str:
    """Text inside a quoted Mermaid label."""
    return "".join(_ENTITIES.get(ch, ch) for ch in text).replace("\n", " ")


# Mermaid sanitises a diagram's title as HTML and then shows the result as plain text, so '<'
# reads '&lt;' and '&' reads '&amp;' (entity codes such as #lt; are not read there either): the
# title says them differently: U+2039 and U+203A (single angle quotes, in every common font) and
# 'and'. Checked with mermaid-cli 11.
_TITLE_LOOKALIKES = str.maketrans({"<": "\u2039", ">": "\u203a", "&": " and "})


def escape_title(text: str) -> str:
    """A diagram title for the front matter: one line, quoted for YAML, readable as Mermaid draws it."""
    return json.dumps(" ".join(text.translate(_TITLE_LOOKALIKES).split()), ensure_ascii=False)


def mermaid_id(prefix: str, raw: str) -> str:
    """A Mermaid id, one-to-one with the user's id: '_' -> '__', '-' -> '_h', '.' -> '_d'."""
    encoded = raw.replace("_", "__").replace("-", "_h").replace(".", "_d")
    return prefix + re.sub(r"[^A-Za-z0-9_]", lambda m: f"_x{ord(m.group(0)):x}_", encoded)


def to_mermaid(system: System, direction: str | None = None) -> str:
    """The Mermaid source of a system's diagram."""
    return "\n".join(_lines(system, direction or system.direction or "LR")) + "\n"


def _lines(system: System, direction: str) -> Iterator[str]:
    title = system.name
    if system.scale:
        title += " — " + " · ".join(f"{m.value} {m.name}" for m in system.scale)
    yield "---"
    yield "title: " + escape_title(title)
    yield "---"
    yield f"flowchart {direction}"
    known = {g.id for g in system.all_groups()}
    members: dict[str | None, list[Component]] = {}
    for component in system.components:
        members.setdefault(component.group if component.group in known else None, []).append(component)
    for component in members.get(None, []):
        yield "  " + _node(component)
    for group in system.groups:
        yield from _subgraph(group, members, "  ")
    for connection in system.connections:
        arrow = "-.->" if connection.mode == "async" else "-->"
        source = mermaid_id("c_", connection.source)
        target = mermaid_id("c_", connection.target)
        if connection.annotation:
            yield f'  {source} {arrow}|"{escape(connection.annotation)}"| {target}'
        else:
            yield f"  {source} {arrow} {target}"
    known_ids = {c.id for c in system.components}
    for replica in system.components:
        if replica.replica_of in known_ids and replica.replica_of is not None:
            primary = mermaid_id("c_", replica.replica_of)
            yield f'  {primary} ==>|"replication"| {mermaid_id("c_", replica.id)}'
    yield "  classDef component fill:#ffffff,stroke:#94a3b8,color:#0f172a"
    ids = ",".join(mermaid_id("c_", c.id) for c in system.components)
    if ids:
        yield f"  class {ids} component"


_SHAPES = {catalogue.BOX: ("[", "]"), catalogue.CYLINDER: ("[(", ")]"), catalogue.QUEUE: ("[[", "]]")}


def _node(component: Component) -> str:
    parts = [f"<b>{escape(component.title)}</b>"]
    tech_name = tech_subtitle(component)
    if tech_name:
        parts.append(f"<small>{escape(tech_name)}</small>")
    badges = [f"×{component.copies}"] if component.copies > 1 else []
    badges += [f"{component.shards} shards"] if component.shards else []
    badges += ["read replica"] if component.is_replica else ["primary"] if component.role == "primary" else []
    if badges:
        parts.append(f"<small>{escape(' · '.join(badges))}</small>")
    parts.extend(f"<small>{escape(m)}</small>" for m in component.metrics)
    # the shape follows the category: [(cylinder)] for stores, [[double sides]] for queues
    opening, closing = _SHAPES[catalogue.shape_of(component.tech)]
    return f'{mermaid_id("c_", component.id)}{opening}"{"<br/>".join(parts)}"{closing}'


def _subgraph(group: Group, members: dict[str | None, list[Component]], indent: str) -> Iterator[str]:
    yield f'{indent}subgraph {mermaid_id("g_", group.id)}["{escape(group.title)}"]'
    for component in members.get(group.id, []):
        yield indent + "  " + _node(component)
    for child in group.groups:
        yield from _subgraph(child, members, indent + "  ")
    yield f"{indent}end"
