"""``archkit whiteboard``: a system's board (board.py) drawn step by step on one Graphviz layout
(the boxes of later steps are laid out but invisible, so nothing moves from one step to the next)
with a hand-drawn look, a page that steps through them, a one-page cheat sheet of numbers,
trade-offs and likely follow-up questions, and the board as an Excalidraw scene.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from archkit import catalogue
from archkit.errors import ArchkitError, Problem
from archkit.model.system import System
from archkit.prep.board import Board, kind_of, simplify


def board_dot(board: Board, upto: int) -> str:
    """DOT of the board with the boxes of steps after ``upto`` (1-based) laid out but invisible,
    so that every step has the same layout."""
    from archkit.render.dot import _h, quote

    shown = {box_id for _, ids in board.steps[:upto] for box_id in ids}
    ink = "#1e293b"
    lines = [
        f"digraph {quote('whiteboard')} {{",
        '  graph [rankdir="LR" nodesep="0.5" ranksep="0.9" pad="0.3" bgcolor="white" fontname="DejaVu Sans"]',
        '  node [shape="box" style="rounded" penwidth="2" fontname="DejaVu Sans" fontsize="14" '
        'margin="0.25,0.12"]',
        '  edge [penwidth="1.6" fontname="DejaVu Sans" fontsize="11" arrowsize="0.9"]',
    ]
    for box in board.boxes:
        attrs = [f"label={quote(box.text)}"]
        if box.shape == catalogue.CYLINDER:
            attrs.append('shape="cylinder" margin="0.3,0.22"')
        elif box.shape == catalogue.QUEUE:  # a box with a queue's slots on its right
            text = "<BR/>".join(_h(line) for line in box.text.split("\n"))
            slots = '<TD WIDTH="8" BORDER="2" SIDES="L"> </TD>' * 3
            attrs = [
                'shape="plain"',
                f'label=<<TABLE BORDER="2" CELLBORDER="0" CELLSPACING="0" CELLPADDING="8" STYLE="ROUNDED">'
                f"<TR><TD>{text}</TD>{slots}</TR></TABLE>>",
            ]
        if box.copies > 1 and box.shape != catalogue.QUEUE:
            attrs.append('peripheries="2"')  # a stack
        if box.id not in shown:
            attrs.append('style="invis"')
        lines.append(f"  {quote(box.id)} [{' '.join(attrs)}]")
    for arrow in board.arrows:
        visible = arrow.source in shown and arrow.target in shown
        attrs = [f"label={quote(arrow.label)}"] if arrow.label else []
        if arrow.mode == "async":
            attrs.append('style="dashed"')
        if arrow.mode == "replication":  # a double line
            attrs.append(f'color="{ink}:invis:{ink}"')
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
    sharded = next((c for c in system.components if c.shards and not c.is_replica), None)
    if sharded is not None:
        questions.append(
            f"How is {sharded.title} split into {sharded.shards} shards, and what happens when one gets hot?"
        )
    replica = next((c for c in system.components if c.replica_of), None)
    if replica is not None:
        questions.append(f"Reads from {replica.title} lag the primary: where would a user notice?")
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


WHITEBOARD_FORMATS = ("html", "excalidraw")


def whiteboard(
    root: Path | str,
    system: str,
    out_dir: Path | str = "build/whiteboard",
    max_boxes: int | None = None,
    peak_factor: float = 3.0,
    formats: Iterable[str] | str = ("html",),
) -> Prepared:
    """``archkit whiteboard``: the workspace ``root``'s system (a name or a file) as a board of at
    most ``max_boxes`` boxes (None: the system's setting, else 12), written to ``out_dir``
    (relative to ``root``) in each of ``formats`` (a list, or comma-separated): html, its draw
    order one SVG per step, a page that steps through them and a cheat sheet; excalidraw, the
    board as an Excalidraw scene. ArchkitError when the system does not load or an option is
    out of range."""
    from archkit.decisions.store import workspace_records
    from archkit.files import in_workspace
    from archkit.prep.estimates import estimate
    from archkit.render.excalidraw import write_whiteboard_scene
    from archkit.workspace import load_checked

    chosen = _check_options(max_boxes, peak_factor, formats)
    root = Path(root)
    checked = load_checked(root, [system])
    target = checked.systems[0]
    board = [Problem(w, target.locate(), severity="warning") for w in simplify(target, max_boxes).warnings]
    out = in_workspace(root, Path(out_dir))
    files = [write_whiteboard_scene(target, out, max_boxes)] if "excalidraw" in chosen else []
    if "html" in chosen:
        files += render_whiteboard(target, out, max_boxes, workspace_records(root), peak_factor, root)
    return Prepared(files, [*checked.problems, *estimate(target, peak_factor).problems, *board])


def _check_options(
    max_boxes: int | None, peak_factor: float, formats: Iterable[str] | str
) -> tuple[str, ...]:
    """The formats asked for; ArchkitError for an option out of range or an unknown format."""
    from archkit.names import check_formats, split_formats

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
    given = split_formats(formats) or [formats if isinstance(formats, str) else ",".join(formats)]
    return check_formats(given, WHITEBOARD_FORMATS, ", ".join(WHITEBOARD_FORMATS))


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
