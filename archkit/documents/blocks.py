"""What goes inside each kind of marker block: text made from the workspace, nothing drawn here.

Diagram blocks only link to an image; which images to draw (and where) is planned here and drawn
by the diagram pipeline, whose cache skips every image whose inputs have not changed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

from archkit.documents.markers import Block
from archkit.errors import ArchkitError, Position, Problem, closest
from archkit.names import DIRECTIONS

if TYPE_CHECKING:
    from archkit.decisions.record import Record
    from archkit.model.system import System
    from archkit.render.pipeline import RenderOptions

IMAGE_FORMATS = ("svg", "png")
HTML_SUFFIXES = (".html", ".htm")


class Image(NamedTuple):
    """One image a diagram block links to: what to draw and where."""

    system: str
    out_dir: Path
    options: RenderOptions

    @property
    def path(self) -> Path:
        from archkit.render.pipeline import EXTENSIONS

        return self.out_dir / f"{self.system}{EXTENSIONS[self.options.formats[0]]}"


class Context:
    """What blocks are made from: the workspace's systems and records, loaded on first use."""

    def __init__(
        self,
        root: Path,
        systems: Callable[[], dict[str, System]],
        records: Callable[[], list[Record]],
        records_dir: Callable[[], Path],
        link_root: Path | None = None,
    ) -> None:
        self.root = root
        # Links to records outside this folder are left out (a site cannot reach them).
        self.link_root = link_root
        self._systems = systems
        self._records = records
        self._records_dir = records_dir

    def system(self, name: str, where: Position) -> System:
        systems = self._systems()
        if name not in systems:
            raise ArchkitError(
                [
                    Problem(
                        f"no system named '{name}'",
                        where,
                        expected="a system name: " + ", ".join(f"'{k}'" for k in systems)
                        if systems
                        else "a system in systems/",
                        suggestion=closest(name, systems),
                    )
                ]
            )
        return systems[name]

    def records(self) -> list[Record]:
        return self._records()

    def records_dir(self) -> Path:
        return self._records_dir()

    def record_link(self, record: Record, document: Path) -> str | None:
        """The link from ``document`` to ``record``; None when it could not be followed."""
        path = self.records_dir() / record.path
        if self.link_root is not None and not path.resolve().is_relative_to(self.link_root.resolve()):
            return None
        return _relative(path, document.parent)


def image_for(block: Block, document: Path, where: Position) -> Image:
    """The image a diagram block stands for (validated options)."""
    from archkit.render.pipeline import RenderOptions
    from archkit.render.themes import THEMES

    options = block.options
    fmt = options.get("format", "svg")
    problems = []
    if fmt not in IMAGE_FORMATS:
        problems.append(_bad("format", fmt, IMAGE_FORMATS, where))
    theme = options.get("theme", "light")
    if theme not in THEMES:
        problems.append(_bad("theme", theme, tuple(THEMES), where))
    direction = options.get("direction", "").upper() or None
    if direction is not None and direction not in DIRECTIONS:
        problems.append(_bad("direction", options["direction"], DIRECTIONS, where))
    legend = options.get("legend", "yes")
    if legend not in ("yes", "no"):
        problems.append(_bad("legend", legend, ("yes", "no"), where))
    width = options.get("width")
    if width is not None and not (width.isdigit() and 300 <= int(width) <= 4000):
        problems.append(
            Problem(f"width={width} is not a width in pixels", where, expected="a number from 300 to 4000")
        )
    if problems:
        raise ArchkitError(problems)
    out_dir = document.parent / options.get("out", ".")
    render = RenderOptions(
        formats=(fmt,),
        direction=direction,
        theme=theme,
        legend=legend == "yes",
        width=int(width) if width is not None else None,
    )
    return Image(block.args[0], out_dir, render)


def _bad(key: str, value: str, allowed: Sequence[str], where: Position) -> Problem:
    return Problem(
        f"{key}={value} is not allowed",
        where,
        expected=f"{key}=" + " or ".join(allowed),
        suggestion=closest(value, allowed),
    )


def body(block: Block, document: Path, context: Context, where: Position) -> str:
    """The text that belongs inside ``block`` of ``document`` (lines joined by \\n)."""
    html = document.suffix.lower() in HTML_SUFFIXES
    if block.kind == "diagram":
        image = image_for(block, document, where)
        system = context.system(image.system, where)
        link = _relative(image.path, document.parent)
        if html:
            return f'<img src="{_attr(link)}" alt="{_html(system.name)}">'
        return f"![{_md(system.name)}]({_url(link)})"
    if block.kind == "mermaid":
        from archkit.render.mermaid import to_mermaid

        system = context.system(block.args[0], where)
        direction = block.options.get("direction", "").upper() or None
        source = to_mermaid(system, direction).rstrip("\n")
        if html:
            return f'<pre class="mermaid">\n{_html(source)}\n</pre>'
        fence = "```"
        while fence in source:
            fence += "`"
        return f"{fence}mermaid\n{source}\n{fence}"
    if block.kind == "scale":
        return _scale(context.system(block.args[0], where), html)
    if block.kind == "decision":
        return _decision(block.args[0], document, context, where, html)
    return _decisions_index(document, context, block.options.get("status"), html)


def _scale(system: System, html: bool) -> str:
    """The scale figures and the estimates (with their working) of archkit.prep.estimates; a
    figure archkit cannot read is shown as written."""
    from archkit.prep.estimates import estimate

    rows = [
        (
            f.name,
            f.shown if f.readable else f.text,
            f.working if f.kind == "estimate" else "",
            "; ".join(f.implies),
        )
        for f in estimate(system).figures
    ]
    if not any(row[2] for row in rows):
        return _table(
            ("Figure", "Value", "What it implies"),
            [(r[0], r[1], r[3]) for r in rows],
            html,
            "No scale figures.",
        )
    return _table(("Figure", "Value", "Working", "What it implies"), rows, html, empty="No scale figures.")


def _decision(number: str, document: Path, context: Context, where: Position, html: bool) -> str:
    records = context.records()
    if not number.isdigit():
        raise ArchkitError(
            [Problem(f"'{number}' is not a decision record's number", where, expected="a number such as 2")]
        )
    found = [r for r in records if r.number == int(number)]
    if not found:
        known = [str(r.number) for r in records]
        raise ArchkitError(
            [
                Problem(
                    f"no decision record numbered {number}",
                    where,
                    expected=f"one of {', '.join(known)}" if known else "a record in the decisions folder",
                    suggestion=closest(number, known),
                )
            ]
        )
    record = found[0]
    link = context.record_link(record, document)
    decided = next((s.text for s in record.sections if s.key == "decision"), "")
    summary = _first_paragraph(decided)
    status = record.status.capitalize()
    title = f"{record.number}. {record.title}"
    if html:
        strong = f"<strong>{_html(title)}</strong>"
        head = f'<p><a href="{_attr(link)}">{strong}</a>' if link else f"<p>{strong}"
        head += f" — {_html(status)}, {_html(record.date)}</p>" if record.date else f" — {_html(status)}</p>"
        return head + (f"\n<p>{_html(summary)}</p>" if summary else "")
    head = f"**[{_md(title)}]({_url(link)})**" if link else f"**{_md(title)}**"
    head += f" — {_md(status)}"
    head += f", {_md(record.date)}" if record.date else ""
    return head + (f"\n\n{_md(summary)}" if summary else "")


def _decisions_index(document: Path, context: Context, status: str | None, html: bool) -> str:
    rows = []
    for record in context.records():
        if status and record.status.lower() != status.lower():
            continue
        link = _relative(context.records_dir() / record.path, document.parent)
        rows.append(
            (str(record.number), (f"{record.number}. {record.title}", link), record.status, record.date)
        )
    return _table(("#", "Decision", "Status", "Date"), rows, html, empty="No decision records.")


Cell = str | tuple[str, str]  # text, or (text, link)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Cell]], html: bool, empty: str) -> str:
    if not rows:
        return f"<p>{_html(empty)}</p>" if html else _md(empty)
    if html:
        head = "".join(f"<th>{_html(h)}</th>" for h in headers)
        lines = ["<table>", f"<thead><tr>{head}</tr></thead>", "<tbody>"]
        for row in rows:
            cells = "".join(
                f'<td><a href="{_attr(c[1])}">{_html(c[0])}</a></td>'
                if isinstance(c, tuple)
                else f"<td>{_html(c)}</td>"
                for c in row
            )
            lines.append(f"<tr>{cells}</tr>")
        return "\n".join([*lines, "</tbody>", "</table>"])

    def cell(c: Cell) -> str:
        return f"[{_md(c[0], True)}]({_url(c[1])})" if isinstance(c, tuple) else _md(c, True)

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _first_paragraph(text: str) -> str:
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        if paragraph.strip():
            return " ".join(paragraph.split())
    return ""


def _relative(path: Path, base: Path) -> str:
    return PurePosixPath(Path(os.path.relpath(path, base))).as_posix()


# Escapes that read back as the text on GitHub (CommonMark) and in MkDocs (Python-Markdown) alike:
# Python-Markdown does not take '\\<' or '\\&' as escapes, so those are entities.
_MD_ESCAPES = str.maketrans(
    {"\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]",
     "<": "&lt;", ">": "&gt;", "&": "&amp;", "~": "&#126;"}
)  # fmt: skip
_MD_LINE_START = re.compile(r"^(?:([#+-])|(\d+)([.)]))")


def _md(text: str, cell: bool = False) -> str:
    """User text as literal Markdown on one line; in a table ``cell``, '|' is escaped too."""
    escaped = " ".join(text.split()).translate(_MD_ESCAPES)
    if cell:  # a cell starts no list nor heading
        return escaped.replace("|", "\\|")
    return _MD_LINE_START.sub(lambda m: "\\" + m[1] if m[1] else m[2] + "\\" + m[3], escaped)


def _url(link: str) -> str:
    """A link target for Markdown: spaces and parentheses would end it."""
    return link.replace("%", "%25").replace(" ", "%20").replace("(", "%28").replace(")", "%29")


_HTML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})


def _html(text: str) -> str:
    return text.translate(_HTML_ESCAPES)


def _attr(text: str) -> str:
    return _html(_url(text))
