"""Turn a system into Graphviz DOT: cards with icons, boundaries, annotated arrows, a title
block with the system's scale, and a legend.

archkit owns this graph instead of driving ``diagrams``' global context: node ids come from the
user's ids (stable diffs, deterministic output), and icons are named relative to the folder the
``diagrams`` package keeps them in, so the DOT carries no local path. The renderer hands that
folder to Graphviz as ``imagepath``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from archkit import catalogue
from archkit.model.system import Component, Connection, Group, Metric, System
from archkit.render.shapes import tech_subtitle
from archkit.render.stacking import Stacking, plan_stacking
from archkit.render.themes import LIGHT, Theme

FONT = "DejaVu Sans"
ICON_SIZE = 44
KPI_PER_ROW = 5


class DotOptions(NamedTuple):
    direction: str | None = None  # overrides the system's own
    theme: Theme = LIGHT
    legend: bool = True
    compact: bool = False  # for a page width: scale figures 3 a row, so the title block is narrow
    stack: bool = False  # for a page width: sibling boundaries one below another (render/stacking.py)


def icon_for(component: Component) -> str | None:
    """The icon file of a component's technology, relative to the icon root; None if unknown."""
    tech = catalogue.find(component.tech) if component.tech else None
    if tech is None:
        return None
    return catalogue.icon_file(tech)


def to_dot(system: System, options: DotOptions | None = None) -> str:
    """The DOT source of a system's diagram; the same system always gives the same text."""
    opts = options or DotOptions()
    return "\n".join(_Writer(system, opts).lines()) + "\n"


def quote(text: str) -> str:
    """A DOT double-quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_HTML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})


def _h(text: str) -> str:
    """Text for an HTML-like label (what html.escape does, without importing html at start-up)."""
    return text.translate(_HTML_ESCAPES)


def node_id(component_id: str) -> str:
    return "c_" + component_id


def cluster_id(group_id: str) -> str:
    return "cluster_" + group_id


class _Writer:
    def __init__(self, system: System, options: DotOptions) -> None:
        self.system = system
        self.theme = options.theme
        self.options = options
        self.direction = options.direction or system.direction or "LR"
        self.by_group: dict[str | None, list[Component]] = {}
        known_groups = {g.id for g in system.all_groups()}
        for component in system.components:
            group = component.group if component.group in known_groups else None
            self.by_group.setdefault(group, []).append(component)
        self.stacking = plan_stacking(system) if options.stack else Stacking({})

    def lines(self) -> Iterator[str]:
        yield f"// {' '.join(self.system.name.split())}: drawn by archkit from the system's definition."
        yield "// Icons are paths below the 'diagrams' package's resources/ folder:"
        yield "//   icons=$(python -c 'import archkit.catalogue as c; print(c.resources_root())')"
        yield '//   dot -Gimagepath="$icons" -Tsvg -o diagram.svg this.dot'
        yield f"digraph {quote(self.system.slug or 'system')} {{"
        yield from self.defaults()
        yield from self.components(self.by_group.get(None, []), "  ")
        for group in self.system.groups:
            yield from self.cluster(group, "  ")
        yield from self.stack_steps(None, "  ")
        for connection in self.system.connections:
            yield "  " + self.edge(connection)
        for replica in self.system.components:
            if replica.replica_of is not None and self.system.component(replica.replica_of):
                yield "  " + self.replication_edge(replica.replica_of, replica.id)
        yield "}"

    def defaults(self) -> Iterator[str]:
        """The graph's, nodes' and edges' default attributes, and the title block."""
        t = self.theme
        graph_attrs = {
            "rankdir": self.direction,
            "newrank": "true",
            "compound": "true",
            "splines": "spline",  # ortho crashes Graphviz 2.43 on clustered graphs and loses labels
            "nodesep": "0.55",
            "ranksep": "0.9",
            "pad": "0.4",
            "outputorder": "edgesfirst",
            "bgcolor": t.background,
            "fontname": FONT,
            "fontcolor": t.text,
            "labelloc": "t",
            "labeljust": "l",
        }
        yield "  graph [" + _attrs(graph_attrs) + "]"
        yield f"  label=<{self.title_block()}>"
        yield (
            "  node ["
            + _attrs({"shape": "plain", "fontname": FONT, "fontsize": "11", "fontcolor": t.text})
            + "]"
        )
        yield (
            "  edge ["
            + _attrs(
                {
                    "fontname": FONT,
                    "fontsize": "9",
                    "fontcolor": t.edge_text,
                    "color": t.edge,
                    "penwidth": "1.3",
                    "arrowsize": "0.7",
                }
            )
            + "]"
        )

    # -- title block and legend ------------------------------------------------------------

    def title_block(self) -> str:
        t = self.theme
        s = self.system
        rows = [
            f'<TR><TD ALIGN="LEFT" BALIGN="LEFT"><FONT POINT-SIZE="22"><B>{_h(s.name)}</B></FONT></TD></TR>'
        ]
        if s.summary:
            rows.append(_left_row(_font(s.summary, 12, t.muted, wrap=60 if self.options.compact else 0)))
        if s.scale or s.diagram_estimates:
            rows.append(_left_row(self.kpis()))
        if s.stack:
            stack = "Stack: " + " · ".join(s.stack)
            rows.append(_left_row(_font(stack, 10, t.muted, wrap=60 if self.options.compact else 0)))
        left = (
            '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">' + "".join(rows) + "</TABLE>"
        )
        cells = f'<TD ALIGN="LEFT" VALIGN="TOP">{left}</TD>'
        if self.options.legend:
            # Graphviz stretches a table to its cell: beside a taller title block, the legend
            # would spread its entries over the whole height. Empty rows below it take nine
            # tenths of the spare height, so it stays as tall as its entries.
            spare = '<TR><TD HEIGHT="0"></TD></TR>' * 9
            legend = (
                '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'
                f"<TR><TD>{self.legend()}</TD></TR>{spare}</TABLE>"
            )
            cells += f'<TD WIDTH="24"></TD><TD ALIGN="RIGHT" VALIGN="TOP">{legend}</TD>'
        return f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>{cells}</TR></TABLE>'

    def kpis(self) -> str:
        t = self.theme
        metrics = [*self.system.scale, *_chosen_estimates(self.system)]
        per_row = KPI_PER_ROW
        if self.options.compact:  # for a page width: three a row, two when the figures are long
            per_row = 2 if max((len(m.value) for m in metrics), default=0) > 16 else 3
        rows = []
        for start in range(0, len(metrics), per_row):
            cells = "".join(
                f'<TD BGCOLOR="{t.legend_fill}" COLOR="{t.legend_border}" BORDER="1" STYLE="ROUNDED" '
                f'CELLPADDING="6" ALIGN="LEFT" BALIGN="LEFT">'
                f'<FONT POINT-SIZE="16" COLOR="{t.text}"><B>{_h(m.value)}</B></FONT><BR/>'
                f'<FONT POINT-SIZE="9" COLOR="{t.muted}">{_h(m.name)}</FONT></TD>'
                for m in metrics[start : start + per_row]
            )
            rows.append(f"<TR>{cells}</TR>")
        return (
            '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="6" CELLPADDING="0">' + "".join(rows) + "</TABLE>"
        )

    def legend(self) -> str:
        t = self.theme
        entries: list[tuple[str, str]] = []
        modes = {c.mode for c in self.system.connections}
        if "sync" in modes or not modes:
            entries.append((f'<FONT COLOR="{t.edge}">━━━▶</FONT>', "sync request / response"))
        if "async" in modes:
            entries.append((f'<FONT COLOR="{t.async_edge}">┅┅┅▶</FONT>', "async event / message"))
        if any(c.replica_of for c in self.system.components):
            entries.append(
                (f'<FONT COLOR="{t.replication}">═══▶</FONT>', "replication: primary to read replica")
            )
        if any(c.copies > 1 for c in self.system.components):
            entries.append(
                (_badge("×3", t.badge_fill, t.badge_text), "replicas: a stack of identical copies")
            )
        if any(c.shards for c in self.system.components):
            entries.append((_badge("16 shards", t.shard_fill, t.shard_text), "data split into shards"))
        if any(c.annotation for c in self.system.connections):
            entries.append((f'<FONT COLOR="{t.edge_text}">a · b</FONT>', "protocol · throughput · latency"))
        if any(c.metrics for c in self.system.components):
            entries.append((f'<FONT COLOR="{t.metric}">p95</FONT>', "component metrics"))
        kinds = []
        for group in self.system.all_groups():
            if group.kind not in kinds:
                kinds.append(group.kind)
        for kind in kinds:
            style = t.group(kind)
            entries.append(
                (_swatch(style.border, style.fill), kind if kind == "boundary" else f"{kind} boundary")
            )
        rows = "".join(
            f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="9">{mark}</FONT></TD>'
            f'<TD ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="{t.muted}">{_h(text)}</FONT></TD></TR>'
            for mark, text in entries
        )
        heading = (
            f'<TR><TD ALIGN="LEFT" COLSPAN="2">'
            f'<FONT POINT-SIZE="10" COLOR="{t.text}"><B>Legend</B></FONT></TD></TR>'
        )
        return (
            f'<TABLE BORDER="1" COLOR="{t.legend_border}" BGCOLOR="{t.legend_fill}" STYLE="ROUNDED" '
            f'CELLBORDER="0" CELLSPACING="0" CELLPADDING="3">{heading}{rows}</TABLE>'
        )

    # -- components, groups, connections ----------------------------------------------------

    def components(self, components: Iterable[Component], indent: str) -> Iterator[str]:
        for component in components:
            yield f"{indent}{quote(node_id(component.id))} [{self.node(component)}]"

    def node(self, component: Component) -> str:
        """A card shaped by its technology's category: a cylinder for stores, a queue for queues
        and streams, a box otherwise; replicas stack it, and badges say xN, shards and role."""
        t = self.theme
        shape = catalogue.shape_of(component.tech)
        stack = min(component.copies, 3)
        if shape == catalogue.CYLINDER:
            attrs = {
                "shape": "cylinder",
                "style": "filled",
                "fillcolor": t.node_fill,
                "color": t.node_border,
                "margin": "0.12,0.1",
            }
            if stack > 1:
                attrs["peripheries"] = str(stack)  # cylinders behind one another
            return f"label=<{self.card(component, framed=False)}> " + _attrs(attrs)
        card = self.card(component, queue=shape == catalogue.QUEUE)
        for _ in range(stack - 1):  # each copy behind shows as a sheet to the right and below
            card = (
                f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0" STYLE="ROUNDED" '
                f'COLOR="{t.node_border}" BGCOLOR="{t.sheet_fill}">'
                f'<TR><TD>{card}</TD><TD WIDTH="4"></TD></TR><TR><TD HEIGHT="4"></TD><TD></TD></TR></TABLE>'
            )
        return f"label=<{card}>"

    def card(self, component: Component, framed: bool = True, queue: bool = False) -> str:
        t = self.theme
        rows = []
        icon = icon_for(component)
        if icon is not None:
            rows.append(
                f'<TR><TD FIXEDSIZE="TRUE" WIDTH="{ICON_SIZE}" HEIGHT="{ICON_SIZE}" BGCOLOR="{t.icon_tile}" '
                f'STYLE="ROUNDED"><IMG SRC="{_h(icon)}" SCALE="TRUE"/></TD></TR>'
            )
        rows.append(f"<TR><TD><B>{_h(component.title)}</B></TD></TR>")
        tech_name = tech_subtitle(component)
        if tech_name:
            rows.append(f'<TR><TD><FONT POINT-SIZE="9" COLOR="{t.muted}">{_h(tech_name)}</FONT></TD></TR>')
        badges = self.badges(component)
        if badges:
            rows.append(
                '<TR><TD><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="0"><TR>'
                + "".join(f"<TD>{badge}</TD>" for badge in badges)
                + "</TR></TABLE></TD></TR>"
            )
        for metric in component.metrics:
            rows.append(f'<TR><TD><FONT POINT-SIZE="9" COLOR="{t.metric}">{_h(metric)}</FONT></TD></TR>')
        body = "".join(rows)
        if not framed:
            return f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1" CELLPADDING="3">{body}</TABLE>'
        if queue:  # the body, then the slots of a queue on its right
            inner = f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1" CELLPADDING="3">{body}</TABLE>'
            slot = f'<TD WIDTH="7" BORDER="1" SIDES="L" COLOR="{t.node_border}"> </TD>'
            return (
                f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" STYLE="ROUNDED" '
                f'COLOR="{t.node_border}" BGCOLOR="{t.node_fill}"><TR><TD>{inner}</TD>{slot * 3}</TR></TABLE>'
            )
        return (
            f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="1" CELLPADDING="3" STYLE="ROUNDED" '
            f'COLOR="{t.node_border}" BGCOLOR="{t.node_fill}">' + body + "</TABLE>"
        )

    def badges(self, component: Component) -> list[str]:
        t = self.theme
        found = []
        if component.copies > 1:
            found.append(_badge(f"×{component.copies}", t.badge_fill, t.badge_text))
        if component.shards:
            shards = "1 shard" if component.shards == 1 else f"{component.shards} shards"
            found.append(_badge(shards, t.shard_fill, t.shard_text))
        if component.is_replica:
            found.append(_badge("read replica", t.badge_fill, t.badge_text))
        elif component.role == "primary":
            found.append(_badge("primary", t.badge_fill, t.badge_text))
        return found

    def cluster(self, group: Group, indent: str) -> Iterator[str]:
        style = self.theme.group(group.kind)
        inner = indent + "  "
        yield f"{indent}subgraph {quote(cluster_id(group.id))} {{"
        attrs = {
            "style": "rounded,filled,dashed" if style.dashed else "rounded,filled",
            "color": style.border,
            "fillcolor": style.fill,
            "penwidth": "1.4",
            "margin": "14",
            "fontsize": "11",
            "fontcolor": style.border,
        }
        yield f"{inner}graph [{_attrs(attrs)}]"
        yield f"{inner}label=<<B>{_h(group.title)}</B>>"
        yield from self.components(self.by_group.get(group.id, []), inner)
        for child in group.groups:
            yield from self.cluster(child, inner)
        yield from self.stack_steps(group.id, inner)
        yield f"{indent}}}"

    def stack_steps(self, parent: str | None, indent: str) -> Iterator[str]:
        """Invisible points that keep each of ``parent``'s boundaries below the one before."""
        for i, (above, below) in enumerate(self.stacking.steps.get(parent, [])):
            point = quote(f"stack_{parent or ''}_{i}")
            yield f'{indent}{point} [shape="point" style="invis" width="0" height="0" label=""]'
            for cid in above:
                yield f'{indent}{quote(node_id(cid))} -> {point} [style="invis" weight="0"]'
            for cid in below:
                yield f'{indent}{point} -> {quote(node_id(cid))} [style="invis" weight="0" minlen="0"]'

    def edge(self, connection: Connection) -> str:
        attrs: dict[str, str] = {}
        if connection.annotation:
            attrs["label"] = " " + connection.annotation + " "
        if connection.mode == "async":
            attrs["style"] = "dashed"
            attrs["color"] = self.theme.async_edge
        text = f"{quote(node_id(connection.source))} -> {quote(node_id(connection.target))}"
        return text + (f" [{_attrs(attrs)}]" if attrs else "")

    def replication_edge(self, primary: str, replica: str) -> str:
        """Primary to replica, as a double line in its own colour (named in the legend)."""
        colour = self.theme.replication
        attrs = {"color": f"{colour}:invis:{colour}", "penwidth": "1.2", "arrowhead": "normal"}
        attrs |= {"label": " replication ", "fontcolor": colour}
        return f"{quote(node_id(primary))} -> {quote(node_id(replica))} [{_attrs(attrs)}]"


def _badge(text: str, fill: str, color: str) -> str:
    """A small rounded label: 'x3', '16 shards', 'primary'."""
    return (
        f'<TABLE BORDER="0" CELLPADDING="2" CELLSPACING="0" BGCOLOR="{fill}" STYLE="ROUNDED"><TR><TD>'
        f'<FONT POINT-SIZE="9" COLOR="{color}"><B>{_h(text)}</B></FONT></TD></TR></TABLE>'
    )


def _swatch(border: str, fill: str) -> str:
    """A small filled box in a legend row, standing for a boundary style."""
    return (
        f'<TABLE BORDER="1" CELLBORDER="0" CELLPADDING="0" CELLSPACING="0" STYLE="ROUNDED" '
        f'COLOR="{border}" BGCOLOR="{fill}"><TR><TD WIDTH="22" HEIGHT="8" FIXEDSIZE="TRUE"></TD></TR></TABLE>'
    )


def _font(text: str, size: int, color: str, wrap: int = 0) -> str:
    """``text`` in a size and colour; with ``wrap``, broken into left-aligned lines that long."""
    if wrap and len(text) > wrap:
        import math
        import textwrap

        lines = math.ceil(len(text) / wrap)  # that many lines of about the same length
        even = textwrap.wrap(text, math.ceil(len(text) / lines) + 6)
        shown = '<BR ALIGN="LEFT"/>'.join(_h(line) for line in even) + '<BR ALIGN="LEFT"/>'
    else:
        shown = _h(text)
    return f'<FONT POINT-SIZE="{size}" COLOR="{color}">{shown}</FONT>'


def _left_row(content: str) -> str:
    return f'<TR><TD ALIGN="LEFT">{content}</TD></TR>'


def _attrs(attrs: dict[str, str]) -> str:
    return " ".join(f"{key}={quote(value)}" for key, value in attrs.items())


def _chosen_estimates(system: System) -> list[Metric]:
    """The estimates the system draws in its title block, as computed ('content stored: 457 GB')."""
    if not system.diagram_estimates:
        return []
    from archkit.prep.estimates import estimate

    found = estimate(system)
    chosen = [found.figure(name) for name in system.diagram_estimates]
    return [Metric(f.name, f.shown) for f in chosen if f is not None and f.readable]
