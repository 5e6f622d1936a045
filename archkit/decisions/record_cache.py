"""Parsed decision records kept between runs, keyed by each record file's size and modification
time: one pack of them all, and a small file for each record changed since (stamp_cache.py's
PackedStampCache), so a rebuild reads one file and writes only what changed.

JSON, not pickle: the cache lives in the workspace (``.archkit/``), which may come from someone
else's repository, so loading it must never run code. An entry that cannot be read is ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archkit.decisions.record import Link, Option, Record, Section
from archkit.stamp_cache import PackedStampCache

VERSION = 2  # bump when Record changes shape


class RecordCache:
    """Parsed records kept in a folder (see stamp_cache.py)."""

    def __init__(self, folder: Path) -> None:
        self.store = PackedStampCache(folder, VERSION)

    def get(self, source: Path) -> Record | None:
        value = self.store.get(source)
        try:
            return _record(value) if value is not None else None
        except (KeyError, TypeError, ValueError, IndexError):
            return None

    def put(self, source: Path, record: Record) -> None:
        self.store.put(source, _plain(record))

    def save(self) -> None:
        """Write what changed; forget the records that are gone."""
        self.store.save()


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
