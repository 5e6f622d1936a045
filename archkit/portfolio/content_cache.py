"""Read content files kept between runs, keyed by file, size and modification time (JSON, so
a cache from someone else's repository can never run code; what cannot be read is ignored)."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

from archkit.errors import Position, Problem
from archkit.files import write_atomic

VERSION = 1

Read = tuple[dict[str, Any] | None, list[Problem], dict[tuple[str | int, ...], Position]]


class ContentCache:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.changed = False
        self.used: set[str] = set()
        self.entries: dict[str, Any] = {}
        if path is None:
            return
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = data["files"] if data.get("version") == VERSION else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            entries = {}
        self.entries = entries if isinstance(entries, dict) else {}

    def get(self, path: Path) -> Read | None:
        if self.path is None:
            return None
        key = str(path)
        self.used.add(key)
        entry: Any = self.entries.get(key)
        try:
            stat = os.stat(path)
            if entry["size"] != stat.st_size or entry["mtime_ns"] != stat.st_mtime_ns:
                return None
            fields = _tuples(entry["fields"]) if entry["fields"] is not None else None
            problems = [
                Problem(m, Position(*w) if w else None, e, s, v) for m, w, e, s, v in entry["problems"]
            ]
            positions = {tuple(k): Position(*v) for k, v in entry["positions"]}
            return fields, problems, positions
        except (KeyError, TypeError, ValueError, OSError):
            return None

    def put(self, path: Path, read: Read) -> None:
        if self.path is None:
            return
        fields, problems, positions = read
        stat = os.stat(path)
        self.entries[str(path)] = {
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "fields": copy.deepcopy(fields),  # the caller goes on to take the fields apart
            "problems": [_plain(p) for p in problems],
            "positions": [[list(k), list(v)] for k, v in positions.items()],
        }
        self.changed = True

    def save(self) -> None:
        if self.path is None:
            return
        gone = [key for key in self.entries if key not in self.used]
        for key in gone:
            del self.entries[key]
        if self.changed or gone:
            data = {"version": VERSION, "files": self.entries}
            write_atomic(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def _plain(p: Problem) -> list[Any]:
    return [p.message, list(p.position) if p.position else None, p.expected, p.suggestion, p.severity]


def _tuples(value: Any) -> Any:
    """JSON gives lists: lists of texts and numbers go back to tuples, as the reader makes them."""
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_tuples(v) for v in value]
        return items if any(isinstance(v, dict) for v in items) else tuple(items)
    return value
