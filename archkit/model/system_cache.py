"""Loaded systems kept between runs, keyed by file name, size and modification time.

JSON, not pickle: the cache lives in the workspace (``.archkit/``), which may come from someone
else's repository, so loading it must never run code. A cache that cannot be read is ignored.
Python systems are never cached: running them is what defines them.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from archkit.errors import Position, Problem
from archkit.model import system as model
from archkit.model.system import System
from archkit.stamp_cache import StampCache, plain_problem, read_problem

VERSION = 5  # bump when the model changes shape


class SystemCache:
    def __init__(self, path: Path) -> None:
        self.store = StampCache(path, VERSION)

    def get(self, source: Path) -> tuple[System, list[Problem]] | None:
        entry = self.store.get(source)
        if entry is None:
            return None
        try:
            return _system(entry["system"]), [read_problem(p) for p in entry["problems"]]
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    def put(self, source: Path, system: System, problems: list[Problem]) -> None:
        self.store.put(source, {"system": _plain(system), "problems": [plain_problem(p) for p in problems]})

    def save(self, forget_unused: bool = True) -> None:
        """Write what changed; forget the systems not read this time unless ``forget_unused`` is
        off (a run that read only some systems knows nothing of the others)."""
        self.store.save(forget_unused)


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


def _group(data: dict[str, Any]) -> model.Group:
    return model.Group(data["id"], data["label"], data["kind"], tuple(_group(g) for g in data["groups"]))


def _system(data: dict[str, Any]) -> System:
    source = None
    if data.get("_source"):
        file, positions = data["_source"]
        source = model.SourceMap(file, {tuple(k): Position(*v) for k, v in positions})
    fields = {k: v for k, v in data.items() if k != "_source"}
    return System(
        **{
            **fields,
            "impact": tuple(fields["impact"]),
            "stack": tuple(fields["stack"]),
            "leadership": tuple(fields["leadership"]),
            "decisions": tuple(fields["decisions"]),
            "scale": tuple(model.Metric(**m) for m in fields["scale"]),
            "estimates": tuple(model.Metric(**m) for m in fields["estimates"]),
            "diagram_estimates": tuple(fields["diagram_estimates"]),
            "groups": tuple(_group(g) for g in fields["groups"]),
            "components": tuple(
                model.Component(**{**c, "metrics": tuple(c["metrics"])}) for c in fields["components"]
            ),
            "connections": tuple(model.Connection(**c) for c in fields["connections"]),
            "tradeoffs": tuple(model.TradeOff(**t) for t in fields["tradeoffs"]),
            "whiteboard": model.Whiteboard(**fields["whiteboard"]) if fields.get("whiteboard") else None,
        },
        source=source,
    )
