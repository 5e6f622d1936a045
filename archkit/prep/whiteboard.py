"""Whiteboard prep: a system reduced to what a person redraws in an interview, and the order to
draw it in.

A board has at most ``max_boxes`` plain boxes: when a system has more components, its groups
collapse into one box each (the most populous first) until it fits. The draw order follows how
people draw: clients and the entry point, then services, then the asynchronous paths, then the
data stores. Each step is rendered from the same Graphviz layout (the boxes of later steps are
laid out but invisible), so nothing moves from one step to the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from archkit import catalogue
from archkit.errors import ArchkitError, Problem
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


class Box(NamedTuple):
    id: str
    label: str
    kind: str  # one of KINDS
    members: tuple[str, ...]  # the component ids it stands for


class Arrow(NamedTuple):
    source: str
    target: str
    label: str
    mode: str  # sync or async


class Board(NamedTuple):
    name: str
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]
    steps: tuple[tuple[str, tuple[str, ...]], ...]  # (title, box ids first drawn in it)


def kind_of(component: Component) -> str:
    tech = catalogue.find(component.tech) if component.tech else None
    return _CATEGORY_KIND.get(tech.category, "service") if tech else "service"


def simplify(system: System, max_boxes: int | None = None) -> Board:
    """The board of a system: at most ``max_boxes`` boxes (default: the system's own setting,
    else 12), arrows between them, the draw order (the system's own, then the usual one)."""
    settings = system.whiteboard
    budget = max_boxes or (settings.max_boxes if settings and settings.max_boxes else DEFAULT_MAX_BOXES)
    owner = {c.id: c.id for c in system.components}
    boxes = {c.id: Box(c.id, c.title, kind_of(c), (c.id,)) for c in system.components}
    groups = {g.id: g for g in system.all_groups()}
    forced = [groups[g] for g in (settings.collapse if settings else ()) if g in groups]
    for group in [*forced, *_collapsible(system)]:
        if group not in forced and len(boxes) <= budget:
            break
        members = [cid for cid in owner if cid in _components_in(system, group)]
        current = {owner[m] for m in members}
        if len(current) < 2 and group not in forced:
            continue
        kinds = [boxes[b].kind for b in current]
        if not kinds:
            continue
        merged = Box(
            f"group:{group.id}", group.title, max(set(kinds), key=kinds.count), tuple(sorted(members))
        )
        for box_id in current:
            del boxes[box_id]
        boxes[merged.id] = merged
        for member in members:
            owner[member] = merged.id
    arrows: dict[tuple[str, str], Arrow] = {}
    for connection in system.connections:
        source, target = owner.get(connection.source), owner.get(connection.target)
        if source is None or target is None or source == target or (source, target) in arrows:
            continue
        arrows[(source, target)] = Arrow(source, target, connection.label, connection.mode)
    ordered = sorted(boxes.values(), key=lambda b: KINDS.index(b.kind))
    user_order = _user_order(system, owner, boxes) if settings and settings.order else []
    return Board(system.name, tuple(ordered), tuple(arrows.values()), _steps(ordered, user_order))


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


def board_dot(board: Board, upto: int) -> str:
    """DOT of the board with the boxes of steps after ``upto`` (1-based) laid out but invisible,
    so that every step has the same layout."""
    from archkit.render.dot import quote

    shown = {box_id for _, ids in board.steps[:upto] for box_id in ids}
    lines = [
        f"digraph {quote('whiteboard')} {{",
        '  graph [rankdir="LR" nodesep="0.5" ranksep="0.9" pad="0.3" bgcolor="white" fontname="DejaVu Sans"]',
        '  node [shape="box" style="rounded" penwidth="2" fontname="DejaVu Sans" fontsize="14" '
        'margin="0.25,0.12"]',
        '  edge [penwidth="1.6" fontname="DejaVu Sans" fontsize="11" arrowsize="0.9"]',
    ]
    for box in board.boxes:
        style = "" if box.id in shown else ' style="invis"'
        shape = ' shape="cylinder"' if box.kind == "store" else ""
        lines.append(f"  {quote(box.id)} [label={quote(box.label)}{shape}{style}]")
    for arrow in board.arrows:
        visible = arrow.source in shown and arrow.target in shown
        attrs = [f"label={quote(arrow.label)}"] if arrow.label else []
        if arrow.mode == "async":
            attrs.append('style="dashed"')
        if not visible:
            attrs.append('style="invis"')
        lines.append(f"  {quote(arrow.source)} -> {quote(arrow.target)} [{' '.join(attrs)}]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def hand_drawn(svg: str) -> str:
    """A marker-on-whiteboard look: each box's and arrow's lines wobble a little (an SVG filter
    on the shapes only, with room around them, so no stray pixels appear)."""
    rough = (
        '<defs><filter id="hand-drawn" x="-10%" y="-10%" width="120%" height="120%">'
        '<feTurbulence type="fractalNoise" baseFrequency="0.02" numOctaves="2" seed="7"/>'
        '<feDisplacementMap in="SourceGraphic" scale="2.2"/></filter></defs>\n'
    )
    marked = svg.replace('<g id="graph0"', rough + '<g id="graph0"', 1)
    for kind in ("node", "edge"):
        marked = marked.replace(f'class="{kind}">', f'class="{kind}" filter="url(#hand-drawn)">')
    return marked


class Sheet(NamedTuple):
    """The one-page cheat sheet: numbers, what they imply, trade-offs, likely follow-ups."""

    name: str
    summary: str
    scale: tuple[tuple[str, str, tuple[str, ...]], ...]  # name, value, derived figures
    estimates: tuple[tuple[str, str, str], ...]  # name, value as shown, working
    tradeoffs: tuple[dict[str, object], ...]
    questions: tuple[str, ...]


def cheat_sheet(system: System, records: Sequence[object] = (), peak_factor: float = 3.0) -> Sheet:
    """``records`` are the workspace's decision records: a trade-off that names one lists the
    options that lost."""
    from archkit.decisions.record import Record
    from archkit.prep.capacity import Derived
    from archkit.prep.drill import chosen_option
    from archkit.prep.estimates import estimate

    by_number = {getattr(r, "number", None): r for r in records}
    tradeoffs: list[dict[str, object]] = []
    for t in system.tradeoffs:
        record = by_number.get(t.record) if t.record else None
        chosen = chosen_option(record) if isinstance(record, Record) else None
        options = [o.name for o in getattr(record, "options", ()) if o is not chosen]  # the ones that lost
        tradeoffs.append(
            {
                "decision": t.decision,
                "choice": t.choice,
                "tradeoff": t.tradeoff,
                "result": t.result,
                "options": options,
                "lost": chosen is not None,  # else: the options considered, the chosen one among them
            }
        )
    found = estimate(system, peak_factor)
    derived = [Derived(f.name, f.text, f.readable, f.implies) for f in found.figures if f.kind == "scale"]
    return Sheet(
        system.name,
        system.summary,
        tuple((d.name, d.value, d.figures) for d in derived),
        tuple((f.name, f.shown, f.working) for f in found.estimates),
        tuple(tradeoffs),
        tuple(_questions(system, derived)),
    )


def _questions(system: System, derived: Sequence[object]) -> list[str]:
    """Follow-ups an interviewer is likely to ask, from what the system shows."""
    questions = []
    for t in system.tradeoffs:
        questions.append(
            f"You chose {t.choice or t.decision}. What did you give up, and would you choose it again?"
        )
    stores = [c for c in system.components if kind_of(c) == "store"]
    for store in stores[:2]:
        questions.append(f"What happens when {store.title} is slow or unavailable?")
    if any(c.mode == "async" for c in system.connections):
        questions.append("How do you handle duplicate or out-of-order events on the asynchronous paths?")
    rates = [d for d in derived if getattr(d, "figures", ()) and "/s" in " ".join(getattr(d, "figures", ()))]
    if rates:
        questions.append(f"What breaks first at 10x the {getattr(rates[0], 'name', 'traffic')}?")
    questions.append("How would you know it is broken? Which signals page someone?")
    return questions


class Prepared(NamedTuple):
    """What :func:`whiteboard` wrote, and the warnings to show (figures it could not read...)."""

    files: list[Path]
    problems: list[Problem]


def whiteboard(
    root: Path | str,
    system: str,
    out_dir: Path | str = "build/whiteboard",
    max_boxes: int | None = None,
    peak_factor: float = 3.0,
) -> Prepared:
    """``archkit whiteboard``: the workspace ``root``'s system (a name or a file) as a board of at
    most ``max_boxes`` boxes (None: the system's setting, else 12), its draw order one SVG per
    step, a page that steps through them and a cheat sheet, written to ``out_dir`` (relative to
    ``root``). ArchkitError when the system does not load or an option is out of range."""
    from archkit.decisions.store import workspace_records
    from archkit.files import in_workspace
    from archkit.prep.estimates import estimate
    from archkit.workspace import load_checked

    _check_options(max_boxes, peak_factor)
    root = Path(root)
    checked = load_checked(root, [system])
    target = checked.systems[0]
    out = in_workspace(root, Path(out_dir))
    files = render_whiteboard(target, out, max_boxes, workspace_records(root), peak_factor, root)
    return Prepared(files, [*checked.problems, *estimate(target, peak_factor).problems])


def _check_options(max_boxes: int | None, peak_factor: float) -> None:
    problems = []
    if max_boxes is not None and (
        isinstance(max_boxes, bool) or not isinstance(max_boxes, int) or max_boxes < 1
    ):
        problems.append(Problem(f"max_boxes is {max_boxes!r}", expected="a whole number from 1, or None"))
    if not isinstance(peak_factor, (int, float)) or not peak_factor >= 1:
        problems.append(
            Problem(f"peak_factor is {peak_factor!r}", expected="a number from 1 (peak over average)")
        )
    if problems:
        raise ArchkitError(problems)


def render_whiteboard(
    system: System,
    out_dir: Path,
    max_boxes: int | None = None,
    records: Sequence[object] = (),
    peak_factor: float = 3.0,
    root: Path = Path("."),
) -> list[Path]:
    """Write step SVGs, the stepping page, and the cheat sheet (HTML and Markdown) into
    ``out_dir``; returns the files written. A template in ``root``/templates/ overrides archkit's."""
    from archkit.files import write_atomic
    from archkit.render import graphviz
    from archkit.render.svg import inline_svg
    from archkit.templating import render

    out = out_dir
    board = simplify(system, max_boxes)
    written: list[Path] = []
    svgs = []
    for step in range(1, len(board.steps) + 1):
        svg = hand_drawn(graphviz.svg_of(board_dot(board, step), imagepath=out))
        path = out / f"{system.slug}-step-{step}.svg"
        write_atomic(path, svg)
        written.append(path)
        svgs.append(inline_svg(svg))
    sheet = cheat_sheet(system, records, peak_factor)
    context = {"board": board, "svgs": svgs, "sheet": sheet, "slug": system.slug}
    for name, template in (
        (f"{system.slug}-whiteboard.html", "whiteboard/steps.html.j2"),
        (f"{system.slug}-cheat-sheet.html", "whiteboard/cheat-sheet.html.j2"),
        (f"{system.slug}-cheat-sheet.md", "whiteboard/cheat-sheet.md.j2"),
    ):
        write_atomic(out / name, render(root, template, **context))
        written.append(out / name)
    return written
