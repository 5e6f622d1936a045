"""Content files as read (fields, problems, positions), kept between runs (see stamp_cache)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from archkit.errors import Position, Problem
from archkit.stamp_cache import StampCache, plain_problem, read_problem

VERSION = 1

Read = tuple[dict[str, Any] | None, list[Problem], dict[tuple[str | int, ...], Position]]


class ContentCache:
    def __init__(self, path: Path | None) -> None:
        self.store = StampCache(path, VERSION)

    def get(self, source: Path) -> Read | None:
        entry = self.store.get(source)
        if entry is None:
            return None
        try:
            fields = _tuples(entry["fields"]) if entry["fields"] is not None else None
            problems = [read_problem(p) for p in entry["problems"]]
            positions = {tuple(k): Position(*v) for k, v in entry["positions"]}
        except (KeyError, TypeError, ValueError):
            return None
        return fields, problems, positions

    def put(self, source: Path, read: Read) -> None:
        fields, problems, positions = read
        value = {
            "fields": copy.deepcopy(fields),  # the caller goes on to take the fields apart
            "problems": [plain_problem(p) for p in problems],
            "positions": [[list(k), list(v)] for k, v in positions.items()],
        }
        self.store.put(source, value)

    def save(self) -> None:
        self.store.save()


def _tuples(value: Any) -> Any:
    """JSON gives lists: lists of texts and numbers go back to tuples, as the reader makes them."""
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_tuples(v) for v in value]
        return items if any(isinstance(v, dict) for v in items) else tuple(items)
    return value
