"""Make Graphviz's SVG self-contained and tidy.

Graphviz writes each icon as ``<image xlink:href="resources/...png">``: a path that breaks as soon
as the SVG leaves this machine. Here every distinct icon becomes one ``<symbol>`` holding the PNG
as a data: URI, and every node ``<use>``s it, so 20 nodes drawn from 5 technologies carry 5 icons.
Each icon is embedded at the resolution it is drawn at (render/icons.py), not at its source's.
"""

from __future__ import annotations

import base64
import re
import struct
from collections.abc import Callable
from pathlib import Path

from archkit.errors import EnvironmentProblem

_IMAGE = re.compile(
    r'<image xlink:href="(?P<href>[^"]+)" width="(?P<w>[\d.]+)px" height="(?P<h>[\d.]+)px" '
    r'preserveAspectRatio="[^"]*" x="(?P<x>-?[\d.]+)" y="(?P<y>-?[\d.]+)"/>'
)
_SVG_SIZE = re.compile(
    r'<svg width="(?P<w>[\d.]+)pt" height="(?P<h>[\d.]+)pt"\s+'
    r'viewBox="[-\d.]+ [-\d.]+ (?P<vw>[\d.]+) (?P<vh>[\d.]+)"'
)
_SCALE = re.compile(r'(<g id="graph0" class="graph" transform=")scale\((?P<s>[\d.]+) [\d.]+\)')
_FONT = 'font-family="DejaVu Sans,'
_FALLBACK = 'font-family="DejaVu Sans,Verdana,Arial,sans-serif,'


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise EnvironmentProblem("an icon of the 'diagrams' package is not a PNG file; reinstall 'diagrams'")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def symbol_id(href: str) -> str:
    """A stable id for an icon, from its path below the icon root.

    'onprem/database/postgresql.png' -> 'icon-onprem-database-postgresql'
    """
    stem = href.rsplit(".", 1)[0]
    return "icon-" + re.sub(r"[^A-Za-z0-9_-]+", "-", stem)


def finish_svg(svg: str, read_icon: Callable[[str, int, int], bytes]) -> str:
    """Inline every icon once, fix the size Graphviz writes at dpi != 72, widen font fallbacks.

    ``read_icon(href, width, height)`` gives an icon's PNG for the pixels it needs: twice its
    largest drawn size in CSS pixels (render/icons.py)."""
    from archkit.render.icons import pixels_for

    svg = _normalize_size(svg)
    drawn: dict[str, tuple[float, float]] = {}
    for match in _IMAGE.finditer(svg):
        width, height = drawn.get(match["href"], (0.0, 0.0))
        drawn[match["href"]] = (max(width, float(match["w"])), max(height, float(match["h"])))
    symbols: dict[str, str] = {}
    ids: dict[str, str] = {}  # href -> symbol id, distinct even when two paths read alike

    def use(match: re.Match[str]) -> str:
        href = match["href"]
        sid = ids.get(href)
        if sid is None:
            sid = symbol_id(href)
            while sid in symbols:
                sid += "-"
            ids[href] = sid
            units_w, units_h = drawn[href]
            data = read_icon(href, pixels_for(units_w), pixels_for(units_h))
            width, height = png_size(data)
            encoded = base64.b64encode(data).decode("ascii")
            symbols[sid] = (
                f'<symbol id="{sid}" viewBox="0 0 {width} {height}" preserveAspectRatio="xMidYMid meet">'
                f'<image width="{width}" height="{height}" xlink:href="data:image/png;base64,{encoded}"/>'
                "</symbol>"
            )
        return (
            f'<use xlink:href="#{sid}" x="{match["x"]}" y="{match["y"]}" '
            f'width="{match["w"]}" height="{match["h"]}"/>'
        )

    svg = _IMAGE.sub(use, svg)
    if "<image" in svg:
        raise EnvironmentProblem(
            "Graphviz wrote an <image> element in a form archkit does not know how to inline; "
            "the SVG was not written, so that it never carries a local path"
        )
    return _tidy(svg, symbols)


def _tidy(svg: str, symbols: dict[str, str]) -> str:
    """The icons' symbols in one <defs>, no internal names, fonts with fallbacks said once."""
    if symbols:
        defs = "<defs>\n" + "\n".join(symbols[k] for k in sorted(symbols)) + "\n</defs>\n"
        marker = '<g id="graph0"'
        svg = svg.replace(marker, defs + marker, 1)
    svg = _drop_internal_names(svg)
    svg = svg.replace(_FONT, _FALLBACK).replace('font-family="DejaVu Sans"', _FALLBACK[:-1] + '"')
    # Said once on the drawing, which every text inherits, rather than on each of hundreds.
    family = _FALLBACK[:-1] + '"'
    marker = '<g id="graph0"'
    if marker in svg:
        svg = svg.replace(" " + family, "").replace(marker, f"{marker} {family}", 1)
    return svg


_COMMENT_LINE = re.compile(r"^<!-- [^\n]*? -->\n", re.MULTILINE)
_TITLE = re.compile(r"<title>[^<]*</title>\n?")


def _drop_internal_names(svg: str) -> str:
    """Graphviz names every node, edge and cluster in a comment and a <title> (a tooltip reading
    'c_recs&#45;&gt;c_cache'): DOT ids, not words for a reader. The drawing's own title stays."""
    svg = _COMMENT_LINE.sub("", svg)
    first = _TITLE.search(svg)
    if first is None:
        return svg
    return svg[: first.end()] + _TITLE.sub("", svg[first.end() :])


def _normalize_size(svg: str) -> str:
    """Graphviz 2.4x scales the drawing for ``dpi`` but not the viewBox; write the size in
    points with scale 1 so the SVG shows whole, at its natural size, in every viewer."""
    scale_match = _SCALE.search(svg)
    size_match = _SVG_SIZE.search(svg)
    if not scale_match or not size_match:
        return svg
    scale = float(scale_match["s"])
    if scale == 1.0:
        return svg
    width, height = float(size_match["vw"]), float(size_match["vh"])
    if abs(width - float(size_match["w"])) < abs(width - float(size_match["w"]) / scale):
        # A newer Graphviz scales the viewBox with the drawing.
        width, height = width / scale, height / scale
    svg = _SVG_SIZE.sub(
        f'<svg width="{width:.0f}pt" height="{height:.0f}pt"\n viewBox="0.00 0.00 {width:.2f} {height:.2f}"',
        svg,
        count=1,
    )
    return _SCALE.sub(r"\g<1>scale(1 1)", svg, count=1)


def read_icon_from(root: Path) -> Callable[[str], bytes]:
    """An icon reader for hrefs relative to ``root``, that refuses to leave it."""
    base = root.resolve()

    def read(href: str) -> bytes:
        path = (base / href).resolve()
        if base not in path.parents:
            raise EnvironmentProblem(f"icon {href!r} is outside the icon folder")
        try:
            return path.read_bytes()
        except OSError:
            raise EnvironmentProblem(
                f"the icon {href} is missing from the 'diagrams' package; reinstall it"
            ) from None

    return read


def inline_svg(svg: str) -> str:
    """The SVG without its XML prolog and doctype, to sit inside an HTML page."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else ""
