"""Parsed decision records kept between runs: one small JSON file per record, keyed by the
record file's size and modification time, so a rebuild rewrites only what changed.

JSON, not pickle: the cache lives in the workspace (``.archkit/``), which may come from someone
else's repository, so loading it must never run code. An entry that cannot be read is ignored.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from archkit.decisions.record import Link, Option, Record, Section
from archkit.files import write_atomic

VERSION = 1  # bump when Record changes shape


class RecordCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get(self, name: str, size: int, mtime_ns: int) -> Record | None:
        try:
            entry = json.loads((self.folder / f"{name}.json").read_text(encoding="utf-8"))
            if entry["version"] != VERSION or entry["size"] != size or entry["mtime_ns"] != mtime_ns:
                return None
            return _record(entry["record"])
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return None

    def put(self, name: str, size: int, mtime_ns: int, record: Record) -> None:
        entry = {"version": VERSION, "size": size, "mtime_ns": mtime_ns, "record": _plain(record)}
        with contextlib.suppress(OSError):  # a read-only workspace or a full disk: no cache
            write_atomic(
                self.folder / f"{name}.json", json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
            )

    def save(self, keep: set[str]) -> None:
        """Forget the records that are gone."""
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        for name in names:
            if name.endswith(".json") and name[: -len(".json")] not in keep:
                (self.folder / name).unlink(missing_ok=True)


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
