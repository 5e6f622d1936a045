"""Diagrams laid out for a page width: ``--width PX``.

Shown at page width (830-920 px in MkDocs or on archkit's site), a diagram laid out at its natural
size is scaled down until its labels are a few pixels high. Here the text is made larger and the
layout is tried in both directions (left-to-right and top-to-bottom) until the smallest label is at
least MIN_LABEL_PX high when the drawing is shown at the target width; the layout whose labels come
out largest wins when none reaches it. Spacing between ranks and nodes is tightened so the text,
not the gaps, takes the room. The SVG then says its size in pixels: the target width.

Fitting costs a few extra Graphviz layouts (``dot -Tsvg`` to memory), so the diagram pipeline only
fits when it draws, and keys its cache on the unfitted DOT and the width.
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
_SPACING = {"nodesep": "0.3", "ranksep": "0.45", "pad": "0.2"}
# Text this large (the title, the scale figures) grows half as much: it is read anyway.
_LARGE_PT = 16.0
_FACTORS = (1.25, 1.5, 1.75, 2.0, 2.5, 3.0)  # enlargements tried, smallest first
_TEXT_SHARE = 0.5  # how much of a layout's width grows with its text
# Text under this size (9 and 10 points) grows 15% more than the rest, still no larger than labels.
_SMALL_PT = 10.5
_SMALL_BOOST = 1.15


class Fitted(NamedTuple):
    dot: str
    direction: str
    font_scale: float
    width_pt: float  # the natural width of the layout
    label_px: float  # the smallest label's height when shown at the target width


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


def layout_width(dot_source: str, imagepath: str) -> float:
    """The width in points of ``dot_source`` laid out by Graphviz (nothing written to disk)."""
    match = _SVG_WIDTH.search(graphviz.svg_of(dot_source, Path(imagepath)))
    if match is None:
        raise EnvironmentProblem("Graphviz's dot failed: its SVG has no size")
    return float(match["w"])


def fit(make_dot: Callable[[str], str], directions: list[str], width_px: int, imagepath: str) -> Fitted:
    """The layout, of those tried, whose smallest label is at least MIN_LABEL_PX at ``width_px``
    with the least enlargement (the first direction preferred); else the one with the largest labels.

    ``make_dot(direction)`` gives the DOT source for a direction."""
    firsts = [_layout(make_dot(d), d, 1.0, width_px, imagepath) for d in directions]
    for first in firsts:
        if first.label_px >= _AIM_PX:
            return first
    best = max(firsts, key=lambda f: f.label_px)
    # The layout widens with its text, about half as fast as the text grows: from the first
    # layout, estimate the enlargement that reaches the aim, and skip the steps below it.
    for first in sorted(firsts, key=lambda f: -f.label_px):
        if first.label_px <= _AIM_PX * _TEXT_SHARE:
            continue  # never gets there, however large the text
        needed = _AIM_PX * (1 - _TEXT_SHARE) / (first.label_px - _AIM_PX * _TEXT_SHARE)
        previous = first
        base = make_dot(first.direction)
        for factor in [f for f in _FACTORS if f >= needed * 0.9] or [_FACTORS[-1]]:
            candidate = _layout(base, first.direction, factor, width_px, imagepath)
            if _better(candidate, best):
                best = candidate
            if candidate.label_px >= _AIM_PX:
                return candidate
            per_step = (candidate.label_px - previous.label_px) / (factor - previous.font_scale)
            if candidate.label_px + per_step * (_FACTORS[-1] - factor) < _AIM_PX:
                break  # even the largest text would not get there
            previous = candidate
    return best


def _layout(base: str, direction: str, factor: float, width_px: int, imagepath: str) -> Fitted:
    dot = scale_fonts(base, factor)
    width_pt = layout_width(dot, imagepath)
    shown = min(1.0, width_px / (width_pt * PX_PER_PT))
    return Fitted(dot, direction, factor, width_pt, smallest_font(dot) * PX_PER_PT * shown)


def _better(candidate: Fitted, best: Fitted) -> bool:
    if (candidate.label_px >= _AIM_PX) != (best.label_px >= _AIM_PX):
        return candidate.label_px >= _AIM_PX
    if candidate.label_px >= _AIM_PX:
        return candidate.font_scale < best.font_scale
    return candidate.label_px > best.label_px


def set_width(svg: str, width_px: int) -> str:
    """The SVG's size as ``width_px`` pixels wide (its viewBox, hence its drawing, unchanged)."""
    match = _SVG_WIDTH.search(svg)
    if match is None:
        return svg
    width_pt, height_pt = float(match["w"]), float(match["h"])
    shown = min(width_px, width_pt * PX_PER_PT)
    height = height_pt * shown / width_pt
    return _SVG_WIDTH.sub(f'<svg width="{shown:.0f}px" height="{height:.0f}px"', svg, count=1)
