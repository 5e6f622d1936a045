"""What every renderer shows the same way: the outline a component gets in the exports that draw
plain shapes (D2, Excalidraw, draw.io: the catalogue's shape, stores cylinders, queues and
streams queues, the rest boxes, and people as persons; each exporter maps it to its own shapes),
the technology line under a component's title, and the title of a diagram."""

from __future__ import annotations

from typing import Literal, cast

from archkit import catalogue
from archkit.model.system import Component, System

Outline = Literal["cylinder", "queue", "person", "box"]


def outline_of(component: Component) -> Outline:
    tech = catalogue.lookup(component.tech) if component.tech else None
    if tech is not None and tech.id in ("user", "users"):
        return "person"
    return cast(Outline, catalogue.shape_of(component.tech))


def tech_subtitle(component: Component) -> str:
    """The technology's name under the component's title, or '' when it would only repeat the
    title ('Redis' under 'redis')."""
    name = catalogue.display_name(component.tech)
    return name if name and name.casefold() != component.title.casefold() else ""


def title_text(system: System) -> str:
    """A diagram's title: the system's name, then its scale figures on one line."""
    lines = [" ".join(system.name.split())]
    if system.scale:
        lines.append(" · ".join(f"{m.value} {m.name}" for m in system.scale))
    return "\n".join(lines)
