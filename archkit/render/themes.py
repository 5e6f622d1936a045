"""Colour themes for diagrams: one light, one dark, same structure."""

from __future__ import annotations

from typing import NamedTuple

# NamedTuples rather than dataclasses: they cost a tenth as much to define, at every start-up.


class GroupStyle(NamedTuple):
    border: str
    fill: str
    dashed: bool = False


class Theme(NamedTuple):
    name: str
    background: str
    text: str
    muted: str
    node_fill: str
    node_border: str
    icon_tile: str  # behind icons: keeps dark icons visible on a dark card
    edge: str
    async_edge: str
    edge_text: str
    metric: str
    legend_fill: str
    legend_border: str
    groups: dict[str, GroupStyle]
    sheet_fill: str = "#f1f5f9"  # the cards behind a replicated one
    badge_fill: str = "#e0e7ff"  # 'x3', 'primary', 'read replica'
    badge_text: str = "#3730a3"
    shard_fill: str = "#fef3c7"  # '16 shards'
    shard_text: str = "#92400e"
    replication: str = "#0e7490"  # primary -> read replica arrows

    def group(self, kind: str) -> GroupStyle:
        return self.groups.get(kind, self.groups["boundary"])


LIGHT = Theme(
    name="light",
    background="#ffffff",
    text="#0f172a",
    muted="#64748b",
    node_fill="#ffffff",
    node_border="#cbd5e1",
    icon_tile="#ffffff",
    edge="#475569",
    async_edge="#7c3aed",
    edge_text="#334155",
    metric="#0f766e",
    legend_fill="#f8fafc",
    legend_border="#e2e8f0",
    groups={
        "boundary": GroupStyle("#94a3b8", "#f8fafc"),
        "region": GroupStyle("#d97706", "#fffbeb", dashed=True),
        "zone": GroupStyle("#ca8a04", "#fefce8", dashed=True),
        "account": GroupStyle("#ea580c", "#fff7ed", dashed=True),
        "vpc": GroupStyle("#16a34a", "#f0fdf4"),
        "network": GroupStyle("#16a34a", "#f0fdf4"),
        "cluster": GroupStyle("#2563eb", "#eff6ff"),
        "team": GroupStyle("#9333ea", "#faf5ff", dashed=True),
        "domain": GroupStyle("#0891b2", "#ecfeff"),
    },
)

DARK = Theme(
    name="dark",
    background="#0f172a",
    text="#e2e8f0",
    muted="#94a3b8",
    node_fill="#1e293b",
    node_border="#475569",
    icon_tile="#f1f5f9",
    edge="#94a3b8",
    async_edge="#c4b5fd",
    edge_text="#cbd5e1",
    metric="#5eead4",
    legend_fill="#1e293b",
    legend_border="#334155",
    groups={
        "boundary": GroupStyle("#64748b", "#162032"),
        "region": GroupStyle("#f59e0b", "#1c1a17", dashed=True),
        "zone": GroupStyle("#eab308", "#1c1b14", dashed=True),
        "account": GroupStyle("#fb923c", "#1e1914", dashed=True),
        "vpc": GroupStyle("#4ade80", "#132019"),
        "network": GroupStyle("#4ade80", "#132019"),
        "cluster": GroupStyle("#60a5fa", "#131d33"),
        "team": GroupStyle("#c084fc", "#1d1530", dashed=True),
        "domain": GroupStyle("#22d3ee", "#112328"),
    },
    sheet_fill="#162032",
    badge_fill="#312e81",
    badge_text="#e0e7ff",
    shard_fill="#451a03",
    shard_text="#fde68a",
    replication="#67e8f9",
)

THEMES = {theme.name: theme for theme in (LIGHT, DARK)}
