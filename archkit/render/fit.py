"""Diagrams laid out for a page width: ``--width PX``.

Shown at page width (830-920 px in MkDocs or on archkit's site), a diagram laid out at its natural
size is scaled down until its labels are a few pixels high. Here the text is made larger and the
layout is tried in both directions (left-to-right and top-to-bottom), then top to bottom with its
boundaries stacked (stacking.py), until the smallest label is at least MIN_LABEL_PX high when the
drawing is shown at the target width; the layout whose labels come out largest wins when none
reaches it. Spacing between ranks and nodes is tightened so the text,
not the gaps, takes the room. The SVG then says its size in pixels: the target width.

Fitting costs a few extra Graphviz layouts (``dot -Tsvg`` to memory), so the diagram pipeline only
fits when it draws, and keys its cache on the unfitted DOT and the width. The last layout fitting
measures is the drawing (the pipeline writes its SVG as it is), and the choice is remembered in the
user's cache folder by the exact input: the same system at the same width is never fitted twice.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from archkit.errors import EnvironmentProblem
from archkit.render import graphviz

MIN_LABEL_PX = 11.0
# Aimed at with a little room, so that a browser's rounding never shows 10.99 px.
_AIM_PX = MIN_LABEL_PX + 0.1
PX_PER_PT = 4 / 3
_SIZE = re.compile(r'(POINT-SIZE|fontsize)="(?P<size>\d+(?:\.\d+)?)"')
_SVG_WIDTH = re.compile(r'<svg width="(?P<w>[\d.]+)pt" height="(?P<h>[\d.]+)pt"')
_EDGE = re.compile(r'<g id="edge\d+" class="edge">\s*<title>(?P<title>[^<]*)</title>(?P<body>.*?)</g>', re.S)
_TEXT = re.compile(
    r'<text text-anchor="(?P<anchor>\w+)" x="(?P<x>[-\d.]+)" y="(?P<y>[-\d.]+)"[^>]*?'
    r'font-size="(?P<size>[\d.]+)"[^>]*>(?P<text>[^<]*)</text>'
)
_SPACING = {"nodesep": "0.3", "ranksep": "0.45", "pad": "0.2"}
# Text this large (the title, the scale figures) grows half as much: it is read anyway.
_LARGE_PT = 16.0
_FACTORS = (1.25, 1.5, 1.75, 2.0, 2.5, 3.0)  # enlargements tried, smallest first
_TEXT_SHARE = 0.5  # how much of a layout's width grows with its text
_SLOW_SHARE = 0.75  # the most it does, in the example systems, top to bottom and left to right
# Text under this size (9 and 10 points) grows 15% more than the rest, still no larger than labels.
_SMALL_PT = 10.5
_SMALL_BOOST = 1.15
# Bump when fitting chooses differently for the same DOT: remembered choices are then forgotten.
_FIT_VERSION = "1"


class Fitted(NamedTuple):
    dot: str
    variant: str  # which of the variants given to fit
    font_scale: float
    width_pt: float  # the natural width of the layout
    label_px: float  # the smallest label's height when shown at the target width
    svg: str | None  # Graphviz's SVG of ``dot``; None when the choice was remembered, not laid out


def smallest_font(dot_source: str) -> float:
    sizes = [float(m["size"]) for m in _SIZE.finditer(dot_source)]
    return min(sizes) if sizes else 14.0


def scale_fonts(dot_source: str, factor: float) -> str:
    """``dot_source`` with its font sizes multiplied by ``factor`` (the large ones, title and
    scale figures, by half as much), and tighter spacing."""

    def grow(match: re.Match[str]) -> str:
        size = float(match["size"])
        by = factor if size < _LARGE_PT else 1 + (factor - 1) / 2
        if size < _SMALL_PT and factor > 1:
            by *= _SMALL_BOOST  # the 9-point lines (technology, metrics, edges) catch up a little
        return f'{match[1]}="{math.ceil(size * by)}"'  # whole points: Graphviz drops fractions

    scaled = _SIZE.sub(grow, dot_source)
    for key, value in _SPACING.items():
        scaled = re.sub(rf'\b{key}="[\d.]+"', f'{key}="{value}"', scaled, count=1)
    return scaled


def svg_width(svg: str) -> float:
    """The width in points of Graphviz's SVG."""
    match = _SVG_WIDTH.search(svg)
    if match is None:
        raise EnvironmentProblem("Graphviz's dot failed: its SVG has no size")
    return float(match["w"])


def fit(make_dot: Callable[[str], str], variants: list[str], width_px: int, imagepath: str) -> Fitted:
    """The first of ``variants`` whose smallest label reaches MIN_LABEL_PX at ``width_px``, with
    the least enlargement found; else, of all, the layout with the largest labels. Arrows whose
    labels came out on top of each other are then drawn straighter (``_heavier``).

    ``make_dot(variant)`` gives the DOT source of a variant (a direction, a stacking). What was
    chosen for the same DOT, width and Graphviz is remembered in the user's cache folder, so
    fitting it again costs no layout at all (the returned ``svg`` is then None)."""
    bases = {variant: make_dot(variant) for variant in variants}
    key = _memory_key(bases, width_px)
    known = _recall(key, bases)
    if known is not None:
        return known
    chosen = _choose(bases, width_px, imagepath)
    assert chosen.svg is not None
    overlaps = label_overlaps(chosen.svg)
    heavy = sorted({arrow for pair in overlaps for arrow in pair})
    if heavy:
        again = _measure(_heavier(chosen.dot, heavy), chosen.variant, chosen.font_scale, width_px, imagepath)
        assert again.svg is not None
        fewer = len(label_overlaps(again.svg)) < len(overlaps)
        if fewer and again.label_px >= min(chosen.label_px, _AIM_PX):
            chosen = again
        else:
            heavy = []
    _remember(key, chosen, heavy)
    return chosen


def _choose(bases: dict[str, str], width_px: int, imagepath: str) -> Fitted:
    """Each variant costs one layout as drawn; only a variant that can get there (estimated from
    that layout, the layout widening three quarters as fast as its text) is enlarged at once.
    When none can, the variants whose first layouts came nearest are enlarged, in their order."""
    firsts: dict[str, Fitted] = {}
    tried: list[Fitted] = []
    seen: set[str] = set()
    for variant, base in bases.items():
        if base in seen:
            continue  # the same drawing as an earlier variant (nothing to stack)
        seen.add(base)
        first = firsts[variant] = _layout(base, variant, 1.0, width_px, imagepath)
        if first.label_px >= _AIM_PX:
            return first
        if _at_most(first, _FACTORS[-1], _SLOW_SHARE) >= _AIM_PX:
            tried.append(found := _enlarge(base, first, width_px, imagepath))
            if found.label_px >= _AIM_PX:
                return found
    nearest = max(f.label_px for f in firsts.values())
    for variant, first in firsts.items():
        if first.label_px >= nearest * 0.97 and all(t.variant != variant for t in tried):
            tried.append(found := _enlarge(bases[variant], first, width_px, imagepath))
            if found.label_px >= _AIM_PX:
                return found
    best = max(firsts.values(), key=lambda f: f.label_px)
    for found in tried:
        best = found if _better(found, best) else best
    return best


def _enlarge(base: str, first: Fitted, width_px: int, imagepath: str) -> Fitted:
    """``base`` (laid out as drawn: ``first``) with its text enlarged by the least of _FACTORS
    that reaches the aim, or as near as it gets. The layout widens with its text, about half as
    fast as the text grows: from the first layout, estimate the enlargement that reaches the aim,
    and skip the steps below it."""
    if first.label_px <= _AIM_PX * _TEXT_SHARE:
        return first  # never there, however large the text
    needed = _AIM_PX * (1 - _TEXT_SHARE) / (first.label_px - _AIM_PX * _TEXT_SHARE)
    best = previous = first
    for factor in [f for f in _FACTORS if f >= needed * 0.9] or [_FACTORS[-1]]:
        candidate = _layout(base, first.variant, factor, width_px, imagepath)
        if _better(candidate, best):
            best = candidate
        if candidate.label_px >= _AIM_PX:
            return candidate
        per_step = (candidate.label_px - previous.label_px) / (factor - previous.font_scale)
        if candidate.label_px + per_step * (_FACTORS[-1] - factor) < _AIM_PX:
            break  # even the largest text would not get there
        previous = candidate
    return best


def _layout(base: str, variant: str, factor: float, width_px: int, imagepath: str) -> Fitted:
    return _measure(scale_fonts(base, factor), variant, factor, width_px, imagepath)


def _measure(dot: str, variant: str, factor: float, width_px: int, imagepath: str) -> Fitted:
    svg = graphviz.svg_of(dot, Path(imagepath))
    width_pt = svg_width(svg)
    shown = min(1.0, width_px / (width_pt * PX_PER_PT))
    return Fitted(dot, variant, factor, width_pt, smallest_font(dot) * PX_PER_PT * shown, svg)


def _at_most(first: Fitted, factor: float, share: float) -> float:
    """The smallest label's height, estimated from the first layout, with text ``factor`` as large
    when the layout widens ``share`` as fast as its text."""
    smallest = smallest_font(first.dot)
    grown = math.ceil(smallest * factor * _SMALL_BOOST) / smallest
    return first.label_px * grown / (1 - share + share * factor)


def _better(candidate: Fitted, best: Fitted) -> bool:
    if (candidate.label_px >= _AIM_PX) != (best.label_px >= _AIM_PX):
        return candidate.label_px >= _AIM_PX
    if candidate.label_px >= _AIM_PX:
        return candidate.font_scale < best.font_scale
    return candidate.label_px > best.label_px


Arrow = tuple[str, str]  # the DOT names of its tail and head


def label_overlaps(svg: str) -> list[tuple[Arrow, Arrow]]:
    """The arrows (DOT node names, tail and head) of Graphviz's ``svg`` whose labels overlap,
    in pairs; each label's width is estimated from its length (DejaVu Sans: about 0.55 em a
    letter), and labels that touch by less than a tenth of their height do not count."""
    import html

    boxes = []
    for edge in _EDGE.finditer(svg):
        tail, _, head = html.unescape(edge["title"]).partition("->")
        for text in _TEXT.finditer(edge["body"]):
            size, x = float(text["size"]), float(text["x"])
            width = len(html.unescape(text["text"]).strip()) * size * 0.55
            left = {"start": x, "end": x - width}.get(text["anchor"], x - width / 2)
            boxes.append(((tail, head), left, left + width, float(text["y"]), size))
    found = []
    for i, (one, left, right, y, size) in enumerate(boxes):
        for other, left2, right2, y2, _ in boxes[i + 1 :]:
            margin = size / 10
            if one != other and abs(y - y2) < size and left + margin < right2 and left2 + margin < right:
                found.append((one, other))
    return found


def _heavier(dot: str, arrows: list[Arrow]) -> str:
    """``dot`` with ``arrows`` three times as heavy: Graphviz draws them shorter and straighter,
    and their labels move apart. Graphviz 2.43 can place the labels of two arrows at the same
    spot when one of them is long (a component pulled several ranks down, an arrow running
    along a boundary)."""
    for tail, head in arrows:
        start = f'"{tail}" -> "{head}" ['
        dot = dot.replace(start, start + 'weight="3" ')
    return dot


def _memory_key(bases: dict[str, str], width_px: int) -> str:
    import hashlib

    digest = hashlib.sha256(f"{_FIT_VERSION}\0{width_px}\0{graphviz.dot_identity()}".encode())
    for variant, base in bases.items():
        digest.update(f"\0{variant}\0{base}".encode())
    return digest.hexdigest()


def _memory_file(key: str) -> Path:
    from archkit.files import user_cache_dir

    return user_cache_dir("layouts") / f"{key[:40]}.json"


def _recall(key: str, bases: dict[str, str]) -> Fitted | None:
    """What ``fit`` chose for these DOT sources before, if it is remembered and reads back whole."""
    import json

    try:
        known = json.loads(_memory_file(key).read_text(encoding="utf-8"))
        variant, factor = known["variant"], float(known["factor"])
        heavy = [(str(tail), str(head)) for tail, head in known["heavy"]]
        dot = _heavier(scale_fonts(bases[variant], factor), heavy)
        return Fitted(dot, variant, factor, float(known["width"]), float(known["label"]), None)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _remember(key: str, chosen: Fitted, heavy: list[Arrow]) -> None:
    import json

    from archkit.files import write_atomic

    known = {
        "variant": chosen.variant,
        "factor": chosen.font_scale,
        "width": chosen.width_pt,
        "label": chosen.label_px,
        "heavy": heavy,
    }
    try:
        _memory_file(key).parent.mkdir(parents=True, exist_ok=True)
        write_atomic(_memory_file(key), json.dumps(known, sort_keys=True) + "\n")
    except OSError:
        pass  # a cache folder that cannot be written: fitting again next time is the cost


def set_width(svg: str, width_px: int) -> str:
    """The SVG's size as ``width_px`` pixels wide (its viewBox, hence its drawing, unchanged)."""
    match = _SVG_WIDTH.search(svg)
    if match is None:
        return svg
    width_pt, height_pt = float(match["w"]), float(match["h"])
    shown = min(width_px, width_pt * PX_PER_PT)
    height = height_pt * shown / width_pt
    return _SVG_WIDTH.sub(f'<svg width="{shown:.0f}px" height="{height:.0f}px"', svg, count=1)
