"""The diagram, summary and JSON of what changed between two versions of a system.

One diagram shows both versions together: added components, groups and connections in green,
removed ones in red and struck through, changed ones in amber with the old value beside the new;
the title block marks changed scale figures the same way. It is the regular diagram (cards,
clusters, title block, legend) drawn with those colours.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from archkit.model.diff import ADDED, CHANGED, REMOVED, SystemDiff, _match_connections, union
from archkit.model.system import Component, Connection, Group, Metric, System
from archkit.render.dot import DotOptions, _font, _h, _left_row, _Writer, quote
from archkit.render.themes import LIGHT, Theme

COLOURS = {ADDED: "#16a34a", REMOVED: "#dc2626", CHANGED: "#d97706"}
FILLS = {ADDED: "#dcfce7", REMOVED: "#fee2e2", CHANGED: "#fef3c7"}
MARKS = {ADDED: "+", REMOVED: "−", CHANGED: "~"}


def _shown(field: str, value: str) -> str:
    return value if value else "(none)"


class _DiffWriter(_Writer):
    def __init__(self, diff: SystemDiff, options: DotOptions) -> None:
        self.diff = diff
        merged = union(diff)
        removed_scale = tuple(
            Metric(c.key, c.fields[0][1]) for c in diff.changes if c.kind == "scale" and c.status == REMOVED
        )
        merged = _with_scale(merged, merged.scale + removed_scale)
        super().__init__(merged, options)
        pairs, removed, added = _match_connections(diff.before.connections, diff.after.connections)
        self.edge_status: dict[int, tuple[str, Connection | None]] = {}
        after = list(diff.after.connections)
        for old, new in pairs:
            if old != new:
                self.edge_status[after.index(new)] = (CHANGED, old)
        for new in added:
            self.edge_status[after.index(new)] = (ADDED, None)
        for number in range(len(removed)):
            self.edge_status[len(after) + number] = (REMOVED, None)
        self.edge_number = 0

    # -- title block ----------------------------------------------------------------------

    def title_block(self) -> str:
        block = super().title_block()
        counts = {s: sum(1 for c in self.diff.changes if c.status == s) for s in (ADDED, REMOVED, CHANGED)}
        line = f"Changes from {self.diff.old_label} to {self.diff.new_label}: " + ", ".join(
            f"{n} {status}" for status, n in counts.items()
        )
        heading = _left_row(_font(line, 12, COLOURS[CHANGED]))
        renamed = self.diff.of("system", "name")
        if renamed is not None:
            heading += _left_row(f"<S>{_font('was: ' + renamed.fields[0][1], 11, COLOURS[REMOVED])}</S>")
        name_row_end = block.index("</TR>") + len("</TR>")  # under the system's name
        return block[:name_row_end] + heading + block[name_row_end:]

    def kpis(self) -> str:
        t = self.theme
        cells = []
        for metric in self.system.scale:
            change = self.diff.of("scale", metric.name)
            status = change.status if change else ""
            colour = COLOURS.get(status, t.text)
            value = f"<B>{_h(metric.value)}</B>"
            if status == REMOVED:
                value = f"<S>{value}</S>"
            extra = ""
            if status == CHANGED and change is not None:
                old_value = _h(change.fields[0][1])
                extra = f'<BR/><FONT POINT-SIZE="9" COLOR="{COLOURS[REMOVED]}"><S>{old_value}</S></FONT>'
            mark = f"{MARKS[status]} " if status else ""
            fill, border = FILLS.get(status, t.legend_fill), COLOURS.get(status, t.legend_border)
            cells.append(
                f'<TD BGCOLOR="{fill}" COLOR="{border}" '
                f'BORDER="{2 if status else 1}" STYLE="ROUNDED" CELLPADDING="6" ALIGN="LEFT" BALIGN="LEFT">'
                f'<FONT POINT-SIZE="16" COLOR="{colour}">{value}</FONT>{extra}<BR/>'
                f'<FONT POINT-SIZE="9" COLOR="{t.muted}">{mark}{_h(metric.name)}</FONT></TD>'
            )
        rows = "".join(f"<TR>{''.join(cells[i : i + 5])}</TR>" for i in range(0, len(cells), 5))
        return f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="6" CELLPADDING="0">{rows}</TABLE>'

    def legend(self) -> str:
        base = super().legend()
        rows = "".join(
            f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="{COLOURS[s]}"><B>{MARKS[s]} ■</B></FONT></TD>'
            f'<TD ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="{COLOURS[s]}">{text}</FONT></TD></TR>'
            for s, text in (
                (ADDED, "added"),
                (REMOVED, "removed (struck through)"),
                (CHANGED, "changed (old value under it)"),
            )
        )
        head, _, _ = base.rpartition("</TABLE>")  # the legend's own table closes last
        return head + rows + "</TABLE>"

    # -- components, groups, connections --------------------------------------------------

    def node(self, component: Component) -> str:
        change = self.diff.of("component", component.id)
        drawn = super().node(component)
        if change is None:
            return drawn
        t = self.theme
        colour, fill = COLOURS[change.status], FILLS[change.status]
        drawn = drawn.replace(
            f'COLOR="{t.node_border}" BGCOLOR="{t.node_fill}"', f'COLOR="{colour}" BGCOLOR="{fill}"'
        )
        drawn = drawn.replace(f'fillcolor="{t.node_fill}"', f'fillcolor="{fill}"')
        return drawn.replace(f'color="{t.node_border}"', f'color="{colour}" penwidth="2.5"')

    def card(self, component: Component, framed: bool = True, queue: bool = False) -> str:
        change = self.diff.of("component", component.id)
        html = super().card(component, framed, queue)
        if change is None:
            return html
        colour = COLOURS[change.status]
        title = f"<TR><TD><B>{_h(component.title)}</B></TD></TR>"
        rows = [_small_row(f"{MARKS[change.status]} {_h(change.status)}", colour)]
        for field, old, _new in change.fields:
            old_text = _h(_shown(field, self._group_title(old) if field == "group" else old))
            what = "moved from" if field == "group" else f"{field} was"
            rows.append(_small_row(f"{_h(what)} <S>{old_text}</S>", COLOURS[REMOVED]))
        shown_title = (
            f"<TR><TD><S><B>{_h(component.title)}</B></S></TD></TR>" if change.status == REMOVED else title
        )
        return html.replace(title, shown_title + "".join(rows), 1)

    def _group_title(self, group_id: str) -> str:
        for system in (self.diff.after, self.diff.before):
            for group in system.all_groups():
                if group.id == group_id:
                    return group.title
        return group_id or "(no group)"

    def cluster(self, group: Group, indent: str) -> Any:
        change = self.diff.of("group", group.id)
        for line in super().cluster(group, indent):
            if change is not None and line.strip().startswith("graph ["):
                colour = COLOURS[change.status]
                style = "rounded,filled,dashed" if change.status == REMOVED else "rounded,filled"
                line = (
                    f'{indent}  graph [style="{style}" color="{colour}" fillcolor="{FILLS[change.status]}" '
                    f'penwidth="2.5" margin="14" fontsize="11" fontcolor="{colour}"]'
                )
            elif change is not None and line.strip().startswith("label=<"):
                title = f"<B>{_h(group.title)}</B>"
                if change.status == REMOVED:
                    title = f"<S>{title}</S>"
                extra = "".join(f" ({_h(f)} was <S>{_h(_shown(f, old))}</S>)" for f, old, _ in change.fields)
                line = f"{indent}  label=<{MARKS[change.status]} {title}{extra}>"
            yield line

    def edge(self, connection: Connection) -> str:
        number = self.edge_number
        self.edge_number += 1
        status, old = self.edge_status.get(number, ("", None))
        if not status:
            return super().edge(connection)
        colour = COLOURS[status]
        text = _h(connection.annotation)
        if status == REMOVED and text:
            text = f"<S>{text}</S>"
        if status == CHANGED and old is not None and old.annotation != connection.annotation:
            text += (
                f'<BR/><FONT COLOR="{COLOURS[REMOVED]}"><S>{_h(old.annotation or "(no label)")}</S></FONT>'
            )
        if status == CHANGED and old is not None and old.mode != connection.mode:
            text += f'<BR/><FONT COLOR="{COLOURS[REMOVED]}">was {_h(old.mode)}</FONT>'
        attrs = [f'color="{colour}"', f'fontcolor="{colour}"', 'penwidth="2.4"']
        if connection.mode == "async" or status == REMOVED:
            attrs.append('style="dashed"')
        label = f" label=< {MARKS[status]} {text} >" if text or status else ""
        source, target = quote("c_" + connection.source), quote("c_" + connection.target)
        return f"{source} -> {target} [{' '.join(attrs)}{label}]"


def _small_row(content: str, colour: str) -> str:
    return f'<TR><TD><FONT POINT-SIZE="9" COLOR="{colour}">{content}</FONT></TD></TR>'


def _with_scale(system: System, scale: tuple[Metric, ...]) -> System:
    import dataclasses

    return dataclasses.replace(system, scale=scale)


def diff_dot(diff: SystemDiff, direction: str | None = None, theme: Theme = LIGHT) -> str:
    """DOT of one diagram showing both versions of the system."""
    return "\n".join(_DiffWriter(diff, DotOptions(direction=direction, theme=theme)).lines()) + "\n"


def summary(diff: SystemDiff) -> list[str]:
    """The changes as lines for a terminal: ``+ component cache (Redis)``, ``~ scale users: 20M -> 50M``."""
    if diff.empty:
        return [f"no changes from {diff.old_label} to {diff.new_label}"]
    lines = [f"changes from {diff.old_label} to {diff.new_label}:"]
    for change in diff.changes:
        lines.append(f"  {MARKS[change.status]} {change.kind} {change.key}: {change.status}")
        for field, old, new in change.fields:
            if change.status == CHANGED:
                lines.append(f"      {field}: {_shown(field, old)} -> {_shown(field, new)}")
    counts = {s: sum(1 for c in diff.changes if c.status == s) for s in (ADDED, REMOVED, CHANGED)}
    lines.append(", ".join(f"{n} {status}" for status, n in counts.items()))
    return lines


def change_lines(diff: SystemDiff) -> list[str]:
    """One line per change, for a page: ``~ component monolith: label Core monolith → Core (ro)``."""
    lines = []
    for change in diff.changes:
        text = f"{MARKS[change.status]} {change.kind} {change.key} {change.status}"
        if change.status == CHANGED:
            text += ": " + "; ".join(
                f"{field} {_shown(field, old)} → {_shown(field, new)}" for field, old, new in change.fields
            )
        lines.append(text)
    return lines


def render_diff(
    diff: SystemDiff, out_dir: Path, formats: Sequence[str], direction: str | None = None
) -> list[Path]:
    """Write the diff diagram as ``<slug>-diff.<ext>`` in each format (svg, png, dot) and
    ``<slug>-diff.json``; returns the files written."""
    import json

    from archkit.files import write_atomic
    from archkit.render.pipeline import RenderOptions, draw_dot

    slug = diff.after.slug or "system"
    dot_source = diff_dot(diff, direction)
    written: list[Path] = []
    drawn = [f for f in formats if f in ("svg", "png", "dot")]
    images: dict[str, bytes] = {}
    if drawn:  # --format none (or json alone) draws nothing
        options = RenderOptions(formats=tuple(drawn), direction=direction)  # the diff's own layout
        images = draw_dot(diff.after, options, dot_source, drawn)
    if drawn or "json" in formats:
        out_dir.mkdir(parents=True, exist_ok=True)
    contents = {out_dir / f"{slug}-diff.{fmt}": data for fmt, data in images.items()}
    if "json" in formats:
        contents[out_dir / f"{slug}-diff.json"] = (
            json.dumps(diff.as_dict(), indent=2, ensure_ascii=False) + "\n"
        ).encode("utf-8")
    for path, data in contents.items():
        write_atomic(path, data)
        written.append(path)
    return written
