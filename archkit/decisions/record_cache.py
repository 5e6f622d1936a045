"""Parsed decision records kept between runs, keyed by file name, size and modification time.

JSON, not pickle: the cache lives in the workspace (``.archkit/``), which may come from someone
else's repository, so loading it must never run code. A cache that cannot be read is ignored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from archkit.decisions.record import Link, Option, Record, Section
from archkit.files import write_atomic

VERSION = 1  # bump when Record changes shape


class RecordCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.changed = False
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = data["records"] if data.get("version") == VERSION else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            entries = {}
        self.entries: dict[str, Any] = entries if isinstance(entries, dict) else {}

    def get(self, name: str, size: int, mtime_ns: int) -> Record | None:
        entry = self.entries.get(name)
        if not isinstance(entry, dict) or entry.get("size") != size or entry.get("mtime_ns") != mtime_ns:
            return None
        try:
            return _record(entry["record"])
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, name: str, size: int, mtime_ns: int, record: Record) -> None:
        self.entries[name] = {"size": size, "mtime_ns": mtime_ns, "record": _plain(record)}
        self.changed = True

    def save(self, keep: set[str]) -> None:
        gone = [name for name in self.entries if name not in keep]
        for name in gone:
            del self.entries[name]
        if self.changed or gone:
            write_atomic(
                self.path, json.dumps({"version": VERSION, "records": self.entries}, ensure_ascii=False)
            )


def _plain(record: Record) -> dict[str, Any]:
    data = record._asdict()
    data["links"] = [list(link) for link in record.links]
    data["sections"] = [list(section) for section in record.sections]
    data["options"] = [[o.name, o.description, list(o.pros), list(o.cons), o.line] for o in record.options]
    return data


def _record(data: dict[str, Any]) -> Record:
    return Record(
        **{
            **data,
            "metadata": dict(data["metadata"]),
            "links": tuple(Link(*link) for link in data["links"]),
            "sections": tuple(Section(*section) for section in data["sections"]),
            "options": tuple(Option(o[0], o[1], tuple(o[2]), tuple(o[3]), o[4]) for o in data["options"]),
        }
    )
