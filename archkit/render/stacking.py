"""Boundaries stacked one below another, for a diagram laid out for a narrow page.

Graphviz ranks every component by its arrows, so two boundaries whose components sit on the same
ranks are drawn side by side: a system with a data-stores boundary beside its services comes out
twice as wide as either. For a page width (``--width``) top to bottom, sibling boundaries that
exchange arrows are put in an order, the main direction of their arrows, and each is kept below
the previous one: an invisible point between them, every component of the one above ranked before
it, every component of the one below at its rank or after. An arrow against that order (an event
sent back up) is left to Graphviz, which draws it upwards, or keeps a small boundary beside when
the arrows leave no room for it below.
"""

from __future__ import annotations

from itertools import pairwise
from typing import NamedTuple

from archkit.model.system import System


class Stacking(NamedTuple):
    # inside each group (None: the graph), for each step down: the components above, those below
    steps: dict[str | None, list[tuple[list[str], list[str]]]]


def plan_stacking(system: System) -> Stacking:
    """The invisible points and edges that stack each group's sibling boundaries."""
    chains = _chains(system)
    children: dict[str | None, list[str]] = {None: [g.id for g in system.groups]}
    for group in system.all_groups():
        children[group.id] = [g.id for g in group.groups]
    pairs = [(c.source, c.target) for c in system.connections if c.source in chains and c.target in chains]
    steps: dict[str | None, list[tuple[list[str], list[str]]]] = {}
    for parent, kids in children.items():
        if len(kids) < 2:
            continue
        band = {cid: _band_of(chain, parent) for cid, chain in chains.items()}
        order = _order(kids, [(band[s], band[t]) for s, t in pairs])
        if len(order) < 2:
            continue
        steps[parent] = [
            ([c for c, b in band.items() if b == above], [c for c, b in band.items() if b == below])
            for above, below in pairwise(order)
        ]
    return Stacking(steps)


def _chains(system: System) -> dict[str, list[str]]:
    """For each component, its groups from the outermost in."""
    parent: dict[str, str | None] = {group.id: None for group in system.groups}
    for group in system.all_groups():
        parent.update((kid.id, group.id) for kid in group.groups)
    chains: dict[str, list[str]] = {}
    for component in system.components:
        chain: list[str] = []
        at = component.group if component.group in parent else None
        while at is not None:
            chain.insert(0, at)
            at = parent[at]
        chains[component.id] = chain
    return chains


def _band_of(chain: list[str], parent: str | None) -> str | None:
    """The child of ``parent`` a component lies in, if it lies in one."""
    if parent is None:
        return chain[0] if chain else None
    if parent in chain and chain.index(parent) + 1 < len(chain):
        return chain[chain.index(parent) + 1]
    return None


def _order(bands: list[str], arrows: list[tuple[str | None, str | None]]) -> list[str]:
    """The bands that exchange arrows, each placed where more arrows leave it than reach it
    among those left (a greedy order that follows most arrows, declaration order on ties)."""
    weight: dict[tuple[str, str], int] = {}
    for source, target in arrows:
        if source in bands and target in bands and source != target:
            assert source is not None and target is not None
            weight[(source, target)] = weight.get((source, target), 0) + 1
    left = [b for b in bands if any(b in pair for pair in weight)]
    order: list[str] = []
    while left:

        def lead(band: str) -> int:
            out = sum(w for (s, t), w in weight.items() if s == band and t in left)
            return out - sum(w for (s, t), w in weight.items() if t == band and s in left)

        chosen = max(left, key=lead)  # the first of the best, in declaration order
        order.append(chosen)
        left.remove(chosen)
    return order
