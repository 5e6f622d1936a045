"""Fragments the site's pages embed: result bars, diagrams as data URIs, Markdown, and the
decision graphs (the full one through Graphviz, a record's neighbours drawn here)."""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from archkit.decisions.record import Record
from archkit.portfolio.content import Result
from archkit.quantities import parse_quantity


def result_row(result: Result) -> dict[str, Any]:
    """A result row, with a before/after bar chart when both figures can be compared."""
    before, after = parse_quantity(result.before), parse_quantity(result.after)
    chart = None
    if before is not None and after is not None and result.change:
        b = before.per_second if before.per else before.value
        a = after.per_second if after.per else after.value
        if b is not None and a is not None and max(b, a) > 0:
            top = max(b, a)
            chart = {"before": round(100 * b / top, 1), "after": round(100 * a / top, 1)}
    return {**result._asdict(), "change": result.change, "chart": chart}


def file_digest(path: Path | None) -> str:
    if path is None or not path.is_file():
        return ""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def data_uri(path: Path | None) -> str:
    if path is None or not path.is_file():
        return ""
    return "data:image/svg+xml;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


@functools.cache
def graph_svg(dot_source: str, prefix: str) -> str:
    """The decision graph as inline SVG; node links point at the record pages."""
    from archkit.render import graphviz
    from archkit.render.svg import inline_svg

    source = dot_source.replace('URL="', f'URL="{{base}}{prefix}')
    return inline_svg(graphviz.svg_of(source, imagepath=Path(".")))


def local_graph(record: Record, neighbours: Sequence[Record]) -> str:
    """A record and the records it links to, as a small inline SVG drawn here (one Graphviz run
    per page would cost seconds on a thousand records)."""
    if not neighbours:
        return ""
    from html import escape

    from archkit.decisions.render import STATUS_COLOURS, page_name

    labels = {link.target.rsplit("/", 1)[-1]: link.name for link in record.links}
    row = 46
    height = max(len(neighbours), 1) * row + 10
    centre_y = height / 2

    def box(x: float, y: float, r: Record, url: str) -> str:
        fill, stroke = STATUS_COLOURS.get(r.status, ("#ffffff", "#94a3b8"))
        title = r.title if len(r.title) <= 34 else r.title[:33] + "…"
        text = escape(f"{r.number}. {title}")
        body = (
            f'<rect x="{x}" y="{y - 15}" width="250" height="30" rx="8" fill="{fill}" stroke="{stroke}"/>'
            f'<text x="{x + 10}" y="{y + 4}" font-size="12">{text}</text>'
        )
        return f'<a href="{{base}}{escape(url)}">{body}</a>' if url else body

    parts = [box(10, centre_y, record, "")]
    for i, other in enumerate(neighbours):
        y = 5 + row / 2 + i * row
        label = escape(labels.get(other.path, ""))
        parts.append(
            f'<path d="M260 {centre_y} C330 {centre_y} 330 {y} 400 {y}" fill="none" stroke="#64748b" '
            f'marker-end="url(#arrow)"/><text x="300" y="{(centre_y + y) / 2 - 4}" font-size="10" '
            f'fill="#475569">{label}</text>'
        )
        parts.append(box(400, y, other, "decisions/" + page_name(other.path)))
    marker = (
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto"><path d="M0 0 L10 5 L0 10 z" fill="#64748b"/></marker></defs>'
    )
    size = f'width="660" height="{height:.0f}" viewBox="0 0 660 {height:.0f}"'
    label = f"Decisions linked to {escape(record.title)}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" {size} font-family="system-ui, sans-serif" '
        f'role="img" aria-label="{label}">' + marker + "".join(parts) + "</svg>"
    )
