"""``archkit tdr render``: a Markdown index, an HTML page per record and an index page, and the
decision graph (supersedes and other links, coloured by status) as a self-contained SVG.

Records are parsed once; the Markdown of every section is rendered with markdown-it-py (raw
HTML in a record is escaped, not passed through) and the pages with autoescaped Jinja2.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

from archkit.decisions.record import Record
from archkit.decisions.store import DecisionStore
from archkit.errors import ArchkitError, Problem, excerpt
from archkit.files import unsafe_output, write_atomic
from archkit.render.svg import inline_svg

STATUS_COLOURS = {
    "accepted": ("#dcfce7", "#16a34a"),
    "proposed": ("#dbeafe", "#2563eb"),
    "superseded": ("#f1f5f9", "#94a3b8"),
    "deprecated": ("#fef3c7", "#d97706"),
    "rejected": ("#fee2e2", "#dc2626"),
}
_MD_LINK = re.compile(r'href="(?P<name>\d+-[^"/]+)\.md(?P<anchor>#[^"]*)?"')


def page_name(record_path: str) -> str:
    return record_path[: -len(".md")] + ".html"


def render_decisions(store: DecisionStore, out_dir: Path) -> list[Path]:
    """Write index.md, index.html, one page per record and decisions.svg; returns the files."""
    from archkit.templating import environment

    check_output(store, out_dir)
    records = store.cached_records()  # parsed again only where a record changed
    out_dir.mkdir(parents=True, exist_ok=True)
    env = environment(store.root)
    source_dir = os.path.relpath(store.dir.resolve(), out_dir.resolve()).replace(os.sep, "/")
    names = {record.path for record in records}
    rows = [_row(record, source_dir, names) for record in records]
    written = _render_indexes(store, env, out_dir, records, rows)
    pages = [out_dir / row["page"] for row in rows]
    _render_pages(store, env, records, rows, pages)
    return written + pages


def _render_indexes(
    store: DecisionStore, env: Any, out_dir: Path, records: list[Record], rows: list[dict[str, Any]]
) -> list[Path]:
    """index.md, the decision graph (when there are records) and index.html."""
    from archkit.templating import render_with

    written = [out_dir / "index.md"]
    write_atomic(written[0], render_with(env, store.root, "decisions/index.md.j2", records=rows))
    graph_svg = _svg(decision_graph(records), out_dir) if records else ""
    if graph_svg:
        written.append(out_dir / "decisions.svg")
        write_atomic(written[-1], graph_svg)
    counts = sorted(Counter(r.status or "none" for r in records).items())
    page = render_with(
        env, store.root, "decisions/index.html.j2", records=rows, counts=counts, graph=inline_svg(graph_svg)
    )
    written.append(out_dir / "index.html")
    write_atomic(written[-1], page)
    return written


def _render_pages(
    store: DecisionStore, env: Any, records: list[Record], rows: list[dict[str, Any]], pages: list[Path]
) -> None:
    """A page per record, in forked worker processes when there are many (parallel.py)."""
    from archkit import parallel
    from archkit.templating import render_with

    # compiled once, before the workers start (a broken one is reported by render_with, at its line)
    with contextlib.suppress(Exception):
        env.get_template("decisions/record.html.j2")
    _markdown()

    def page(index: int) -> None:
        record, row = records[index], rows[index]
        row["sections"] = [
            {
                "heading": section.heading,
                "options": [o._asdict() for o in record.options]
                if section.key == "options" and record.options
                else [],
                "html": section_html(section.text),
            }
            for section in record.sections
            if section.key != "status" and section.text.strip()
        ]
        write_atomic(pages[index], render_with(env, store.root, "decisions/record.html.j2", r=row))

    parallel.for_each(len(records), page)


def check_output(store: DecisionStore, out_dir: Path) -> None:
    """Refuse an output folder where writing would destroy something of the user's: the
    workspace, a folder holding it, a source folder, or a folder with files this command does
    not write."""
    from archkit.workspace import SOURCES

    sources = [store.root / name for name in SOURCES] + [store.dir]
    why = unsafe_output(store.root, out_dir, sources)
    if not why and out_dir.is_dir():
        foreign = sorted(p.name for p in out_dir.iterdir() if not _OUTPUT_NAME.match(p.name) or p.is_dir())
        if foreign:
            why = f"it holds files tdr render does not write ({excerpt(', '.join(foreign))})"
    if why:
        raise ArchkitError(
            [Problem(f"will not render into {out_dir}: {why}", expected="a folder such as build/decisions")]
        )


# what tdr render writes: index.md, index.html, decisions.svg and a page per record
_OUTPUT_NAME = re.compile(r"^(index\.md|index\.html|decisions\.svg|\d+-.+\.html)$")


def _row(record: Record, source_dir: str, names: set[str]) -> dict[str, Any]:
    labels = {
        "decision-makers": "Decision-makers",
        "consulted": "Consulted",
        "informed": "Informed",
        "review": "Review",
        "tags": "Tags",
        "systems": "Systems",
    }
    return {
        "number": record.number,
        "title": record.title,
        "status": record.status,
        "date": record.date,
        "page": page_name(record.path),
        "source": f"{source_dir}/{record.path}",
        "metadata": [(labels.get(key, key), value) for key, value in record.metadata.items()],
        "links": [
            {
                "label": link.name,
                "number": link.number,
                "title": link.title,
                # a page only for a record of the folder: never a link made of what was written
                "page": page_name(name) if (name := link.target.rsplit("/", 1)[-1]) in names else "",
            }
            for link in record.links
        ],
    }


@functools.cache
def _markdown() -> Any:
    """CommonMark with tables; raw HTML in a record is escaped, not passed through."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table")


def section_html(text: str) -> str:
    """A record section's Markdown as HTML; links between records point at their pages, not at
    the Markdown files."""
    html: str = _markdown().render(text)
    return _MD_LINK.sub(lambda m: f'href="{m["name"]}.html{m["anchor"] or ""}"', html)


def decision_graph(records: list[Record]) -> str:
    """DOT of the records and their links: one arrow per pair (the forward direction)."""
    from archkit.render.dot import quote

    lines = [
        "digraph decisions {",
        '  graph [rankdir="LR" fontname="DejaVu Sans" nodesep="0.35" ranksep="0.7" bgcolor="transparent"]',
        '  node [shape="box" style="rounded,filled" fontname="DejaVu Sans" fontsize="11" margin="0.15,0.08"]',
        '  edge [fontname="DejaVu Sans" fontsize="9" color="#64748b" fontcolor="#475569" arrowsize="0.7"]',
    ]
    by_file = {r.path: r for r in records}
    for record in records:
        fill, border = STATUS_COLOURS.get(record.status, ("#ffffff", "#94a3b8"))
        title = "\n".join(textwrap.wrap(record.title, 34)) or "(no title)"
        attrs = {
            "label": f"{record.number}. {title}\n{record.status or 'no status'}",
            "fillcolor": fill,
            "color": border,
            "URL": page_name(record.path),
            "tooltip": record.label,
        }
        if record.status in ("superseded", "deprecated", "rejected"):
            attrs["fontcolor"] = "#64748b"
        lines.append(f"  {quote(record.path)} [{_attrs(attrs)}]")
    for record in records:
        for link in record.links:
            target = link.target.rsplit("/", 1)[-1]
            if target not in by_file or link.kind.endswith(" by"):
                continue  # drawn from the other end, or broken ('tdr check' says so)
            attrs = {"label": link.name}
            if link.kind == "supersedes":
                attrs.update({"style": "bold", "color": "#334155"})
            else:
                attrs["style"] = "dashed"
            if link.kind == "relates to" and record.path > target:
                continue  # symmetric: once
            lines.append(f"  {quote(record.path)} -> {quote(target)} [{_attrs(attrs)}]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _attrs(attrs: dict[str, str]) -> str:
    from archkit.render.dot import quote

    return " ".join(f"{key}={quote(value)}" for key, value in attrs.items())


def _svg(source: str, out_dir: Path) -> str:
    """Graphviz's SVG of the graph (it holds no image, so it is self-contained as it is)."""
    from archkit.render import graphviz

    return graphviz.svg_of(source, imagepath=out_dir)
