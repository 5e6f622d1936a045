"""The whiteboard's board: a system reduced to what a person redraws in an interview, and the
order to draw it in.

A board has at most ``max_boxes`` plain boxes: when a system has more components, its groups
collapse into one box each (the innermost first) until it fits; when groups cannot bring it under
the budget, boxes of the same tier and category merge ("Read services x3"), then boxes of the same
tier; what still does not fit is named in a warning. Stores are cylinders, queues look like
queues, replicated parts are stacks with "x3". The draw order follows how
people draw: clients and the entry point, then services, then the asynchronous paths, then the
data stores. The whiteboard's pages (whiteboard.py) and its Excalidraw scene draw the same board.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from archkit import catalogue
from archkit.model.system import Component, Group, System

DEFAULT_MAX_BOXES = 12
KINDS = ("client", "entry", "service", "async", "store")
STEP_TITLES = {
    "client": "Clients and the way in",
    "entry": "Clients and the way in",
    "service": "Services",
    "async": "Asynchronous paths",
    "store": "Data stores",
}
_CATEGORY_KIND = {
    "client": "client",
    "gateway": "entry",
    "cdn": "entry",
    "dns": "entry",
    "network": "entry",
    "streaming": "async",
    "queue": "async",
    "workflow": "async",
    "notification": "async",
    "batch": "async",
    "stream-processing": "async",
    "database": "store",
    "cache": "store",
    "search": "store",
    "storage": "store",
    "warehouse": "store",
}


# What a merged box of several components of one category is called: "Read services x3".
_PLURALS = {
    "client": "clients",
    "entry": "entry points",
    "service": "services",
    "async": "async paths",
    "store": "stores",
    "database": "databases",
    "cache": "caches",
    "search": "search indexes",
    "storage": "storage",
    "warehouse": "warehouses",
    "queue": "queues",
    "streaming": "streams",
    "batch": "batch jobs",
    "stream-processing": "stream processors",
    "compute": "services",
    "container": "services",
}


class Box(NamedTuple):
    id: str
    label: str
    kind: str  # one of KINDS
    members: tuple[str, ...]  # the component ids it stands for
    shape: str = "box"  # catalogue.BOX, CYLINDER or QUEUE
    copies: int = 1  # drawn as a stack with 'xN' when more than one
    category: str = ""  # the catalogue category its members share ('' when mixed or unknown)
    note: str = ""  # a second line: '16 shards'

    @property
    def text(self) -> str:
        """What the box says: its label, 'xN' for a stack, and its note."""
        label = f"{self.label} ×{self.copies}" if self.copies > 1 else self.label
        return f"{label}\n{self.note}" if self.note else label


class Arrow(NamedTuple):
    source: str
    target: str
    label: str
    mode: str  # sync, async or replication


class Board(NamedTuple):
    name: str
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]
    steps: tuple[tuple[str, tuple[str, ...]], ...]  # (title, box ids first drawn in it)
    warnings: tuple[str, ...] = ()  # the budget could not be kept: what to collapse


def kind_of(component: Component) -> str:
    tech = catalogue.find(component.tech) if component.tech else None
    return _CATEGORY_KIND.get(tech.category, "service") if tech else "service"


def _box(component: Component) -> Box:
    tech = catalogue.find(component.tech) if component.tech else None
    shards = component.shards
    note = "" if not shards else ("1 shard" if shards == 1 else f"{shards} shards")
    if component.is_replica:
        note = ", ".join(part for part in (note, "read replica") if part)
    return Box(
        component.id,
        component.title,
        kind_of(component),
        (component.id,),
        tech.shape if tech else catalogue.BOX,
        component.copies,
        tech.category if tech else "",
        note,
    )


def simplify(system: System, max_boxes: int | None = None) -> Board:
    """The board of a system: at most ``max_boxes`` boxes (default: the system's own setting,
    else 12), arrows between them, the draw order (the system's own, then the usual one)."""
    settings = system.whiteboard
    budget = max_boxes or (settings.max_boxes if settings and settings.max_boxes else DEFAULT_MAX_BOXES)
    owner = {c.id: c.id for c in system.components}
    boxes = {c.id: _box(c) for c in system.components}
    groups = {g.id: g for g in system.all_groups()}
    forced = [groups[g] for g in (settings.collapse if settings else ()) if g in groups]
    for group in [*forced, *_collapsible(system)]:
        if group not in forced and len(boxes) <= budget:
            break
        inside = _components_in(system, group)
        members = [cid for cid in owner if cid in inside]
        current = list(dict.fromkeys(owner[m] for m in members))  # in draw order: never a set's
        if len(current) < 2 and group not in forced:
            continue
        kinds = [boxes[b].kind for b in current]
        if not kinds:
            continue
        merged = _merged(
            f"group:{group.id}",
            group.title,
            [boxes[b] for b in current],
            max(dict.fromkeys(kinds), key=kinds.count),
        )
        _replace(boxes, owner, current, merged)
    warnings = _merge_to_budget(boxes, owner, budget)
    arrows: dict[tuple[str, str], Arrow] = {}
    links: list[tuple[str, str, str, str]] = [
        (c.source, c.target, c.label, c.mode) for c in system.connections
    ]
    links += [(c.replica_of, c.id, "replication", "replication") for c in system.components if c.replica_of]
    for source_id, target_id, label, mode in links:
        source, target = owner.get(source_id), owner.get(target_id)
        if source is None or target is None or source == target or (source, target) in arrows:
            continue
        arrows[(source, target)] = Arrow(source, target, label, mode)
    ordered = _in_draw_order(boxes.values(), {c.id: i for i, c in enumerate(system.components)})
    user_order = _user_order(system, owner, boxes) if settings and settings.order else []
    steps = _steps(ordered, user_order)
    return Board(system.name, tuple(ordered), tuple(arrows.values()), steps, tuple(warnings))


def _merged(box_id: str, label: str, boxes: Sequence[Box], kind: str) -> Box:
    """One box standing for several: their members, a shape and category they all share."""
    shapes = {b.shape for b in boxes}
    categories = {b.category for b in boxes}
    members = tuple(sorted(m for b in boxes for m in b.members))
    return Box(
        box_id,
        label,
        kind,
        members,
        shapes.pop() if len(shapes) == 1 else catalogue.BOX,
        1,
        categories.pop() if len(categories) == 1 else "",
    )


def _replace(boxes: dict[str, Box], owner: dict[str, str], current: Iterable[str], merged: Box) -> None:
    for box_id in list(current):
        del boxes[box_id]
    boxes[merged.id] = merged
    for member in merged.members:
        owner[member] = merged.id


def _merge_to_budget(boxes: dict[str, Box], owner: dict[str, str], budget: int) -> list[str]:
    """Keep the budget when groups could not: merge boxes of one tier and category whose labels
    start alike ('Read API', 'Read stats' -> 'Read services x2'), then of one tier and category,
    then of one tier; the most numerous first, in draw order. Warn, naming what to collapse,
    when even one box per tier is too many."""
    order = {member: i for i, member in enumerate(owner)}
    keys: tuple[Callable[[Box], tuple[str, str, str]], ...] = (
        lambda b: (b.kind, b.category, b.label.split()[0].lower() if b.label.split() else ""),
        lambda b: (b.kind, b.category, ""),
        lambda b: (b.kind, "", ""),
    )
    for key in keys:
        while len(boxes) > budget:
            runs: dict[tuple[str, str, str], list[Box]] = {}
            for box in _in_draw_order(boxes.values(), order):
                runs.setdefault(key(box), []).append(box)
            mergeable = [run for run in runs.values() if len(run) > 1]
            if not mergeable:
                break
            # the smallest merge that is enough, else the biggest; the first of equals in draw order
            need = len(boxes) - budget
            enough = [run for run in mergeable if len(run) - 1 >= need]
            run = min(enough, key=len) if enough else max(mergeable, key=len)
            kind, category, _ = key(run[0])
            merged = _merged(f"merged:{run[0].id}", _merged_label(run, kind, category), run, kind)
            _replace(boxes, owner, [b.id for b in run], merged._replace(copies=len(merged.members)))
    if len(boxes) <= budget:
        return []
    biggest = sorted(boxes.values(), key=lambda b: -len(b.members))[: len(boxes) - budget + 1]
    names = ", ".join(f"'{b.text.splitlines()[0]}'" for b in biggest)
    return [
        f"the board has {len(boxes)} boxes, over the budget of {budget}, with one box per tier "
        f"already: raise --max-boxes to {len(boxes)}, or put {names} in one group and collapse it "
        "(whiteboard: collapse)"
    ]


def _in_draw_order(boxes: Iterable[Box], order: dict[str, int]) -> list[Box]:
    """Tier by tier, and within a tier as the system lists the components."""
    return sorted(boxes, key=lambda b: (KINDS.index(b.kind), min(order[m] for m in b.members)))


def _merged_label(boxes: Sequence[Box], kind: str, category: str) -> str:
    """'Read services' for 'Read API', 'Read cache service' and 'Read stats' (their first words in
    common, then what they are); 'Services' when they share no first word."""
    words = [b.label.split() for b in boxes]
    common: list[str] = []
    for column in zip(*words, strict=False):
        if len({w.lower() for w in column}) != 1:
            break
        common.append(column[0])
    noun = _PLURALS.get(category) or _PLURALS[kind]
    if common and len(common) < min(len(w) for w in words):
        return " ".join([*common, noun])
    return noun[:1].upper() + noun[1:]


def _user_order(system: System, owner: dict[str, str], boxes: dict[str, Box]) -> list[list[str]]:
    """The boxes the system's own draw order names, one step each, in its order."""
    assert system.whiteboard is not None
    steps: list[list[str]] = []
    placed: set[str] = set()
    for item in system.whiteboard.order:
        if item in owner:
            ids = [owner[item]]
        elif f"group:{item}" in boxes:
            ids = [f"group:{item}"]
        else:  # a group drawn as its members
            group = next((g for g in system.all_groups() if g.id == item), None)
            ids = sorted({owner[c] for c in _components_in(system, group)}) if group else []
        fresh = [i for i in ids if i not in placed]
        if fresh:
            steps.append(fresh)
            placed.update(fresh)
    return steps


def _collapsible(system: System) -> list[Group]:
    """Groups in the order they collapse: the innermost first (a cluster before its region),
    then the most populous; a group holding every component never collapses (the board would
    be one box)."""
    everything = {c.id for c in system.components}
    groups = [g for g in system.all_groups() if _components_in(system, g) != everything]
    return sorted(groups, key=lambda g: (-_depth(system, g), -len(_components_in(system, g))))


def _components_in(system: System, group: Group) -> set[str]:
    inside = {g.id for g in group.walk()}
    return {c.id for c in system.components if c.group in inside}


def _depth(system: System, group: Group) -> int:
    def walk(groups: Sequence[Group], depth: int) -> int:
        for g in groups:
            if g.id == group.id:
                return depth
            found = walk(g.groups, depth + 1)
            if found >= 0:
                return found
        return -1

    return walk(system.groups, 0)


def _steps(
    boxes: Sequence[Box], user_order: Sequence[Sequence[str]] = ()
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The user's own steps first (named after what they draw), then the usual order for the rest."""
    titles = {b.id: b.label for b in boxes}
    result = [(", ".join(titles[i] for i in ids), tuple(ids)) for ids in user_order]
    placed = {i for ids in user_order for i in ids}
    usual: dict[str, list[str]] = {}
    for box in boxes:
        if box.id not in placed:
            usual.setdefault(STEP_TITLES[box.kind], []).append(box.id)
    return tuple(result) + tuple((title, tuple(ids)) for title, ids in usual.items())
