"""Which outline a component gets in the exports that draw plain shapes (D2, Excalidraw,
draw.io): the catalogue's shape (stores cylinders, queues and streams queues, the rest boxes),
and people as persons; each exporter maps it to its own shapes."""

from __future__ import annotations

from typing import Literal, cast

from archkit import catalogue
from archkit.model.system import Component

Outline = Literal["cylinder", "queue", "person", "box"]


def outline_of(component: Component) -> Outline:
    tech = catalogue.lookup(component.tech) if component.tech else None
    if tech is not None and tech.id in ("user", "users"):
        return "person"
    return cast(Outline, catalogue.shape_of(component.tech))
