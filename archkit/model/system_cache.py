"""Loaded systems kept between runs, keyed by file name, size and modification time.

JSON, not pickle: the cache lives in the workspace (``.archkit/``), which may come from someone
else's repository, so loading it must never run code. A cache that cannot be read is ignored.
Python systems are never cached: running them is what defines them.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from archkit.errors import Position, Problem
from archkit.files import write_atomic
from archkit.model.system import Component, Connection, Group, Metric, SourceMap, System, TradeOff

VERSION = 1  # bump when the model changes shape


class SystemCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.changed = False
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = data["systems"] if data.get("version") == VERSION else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            entries = {}
        self.entries: dict[str, Any] = entries if isinstance(entries, dict) else {}
        self.used: set[str] = set()

    def get(self, path: Path) -> tuple[System, list[Problem]] | None:
        key = str(path)
        self.used.add(key)
        entry: Any = self.entries.get(key)
        try:
            stat = os.stat(path)
            if entry["size"] != stat.st_size or entry["mtime_ns"] != stat.st_mtime_ns:
                return None
            return _system(entry["system"]), [_problem(p) for p in entry["problems"]]
        except (KeyError, TypeError, ValueError, OSError):
            return None

    def put(self, path: Path, system: System, problems: list[Problem]) -> None:
        stat = os.stat(path)
        self.entries[str(path)] = {
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "system": _plain(system),
            "problems": [_plain_problem(p) for p in problems],
        }
        self.changed = True

    def save(self) -> None:
        gone = [key for key in self.entries if key not in self.used]
        for key in gone:
            del self.entries[key]
        if self.changed or gone:
            data = {"version": VERSION, "systems": self.entries}
            write_atomic(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def _plain(system: System) -> dict[str, Any]:
    data = asdict(system.__class__(**{**system.__dict__, "source": None}))
    data.pop("source")
    source = system.source
    data["_source"] = (
        [source.file, [[list(k), list(v)] for k, v in source.positions.items()]]
        if source is not None
        else None
    )
    return data


def _group(data: dict[str, Any]) -> Group:
    return Group(data["id"], data["label"], data["kind"], tuple(_group(g) for g in data["groups"]))


def _system(data: dict[str, Any]) -> System:
    source = None
    if data.get("_source"):
        file, positions = data["_source"]
        source = SourceMap(file, {tuple(k): Position(*v) for k, v in positions})
    fields = {k: v for k, v in data.items() if k != "_source"}
    return System(
        **{
            **fields,
            "impact": tuple(fields["impact"]),
            "stack": tuple(fields["stack"]),
            "leadership": tuple(fields["leadership"]),
            "decisions": tuple(fields["decisions"]),
            "scale": tuple(Metric(**m) for m in fields["scale"]),
            "groups": tuple(_group(g) for g in fields["groups"]),
            "components": tuple(
                Component(**{**c, "metrics": tuple(c["metrics"])}) for c in fields["components"]
            ),
            "connections": tuple(Connection(**c) for c in fields["connections"]),
            "tradeoffs": tuple(TradeOff(**t) for t in fields["tradeoffs"]),
        },
        source=source,
    )


def _plain_problem(p: Problem) -> list[Any]:
    return [p.message, list(p.position) if p.position else None, p.expected, p.suggestion, p.severity]


def _problem(data: list[Any]) -> Problem:
    message, position, expected, suggestion, severity = data
    return Problem(message, Position(*position) if position else None, expected, suggestion, severity)
