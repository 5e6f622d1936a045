"""A JSON file of values derived from other files, each kept while its source file keeps the same
size and modification time. JSON, not pickle: these caches live in the workspace (``.archkit/``),
which may come from someone else's repository, so loading one must never run code. A cache or an
entry that cannot be read is ignored.

Two layouts: one JSON file for every entry (systems, content: read whole, written when anything
changed), or, with ``one_file_each``, a folder of one small JSON file per source (decision
records: a thousand of them, where a rebuild rewrites only the one that changed). The diagram
pipeline's cache is keyed by what a diagram is drawn from, not by a file's stamp
(render/pipeline.py)."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from archkit.errors import Position, Problem
from archkit.files import write_atomic


class StampCache:
    def __init__(self, path: Path | None, version: int, *, one_file_each: bool = False) -> None:
        self.path = path
        self.version = version
        self.one_file_each = one_file_each
        self.changed = False
        self.used: set[str] = set()
        self.entries: dict[str, Any] = {}
        self.written: set[str] = set()  # entries to write, with one_file_each
        self.seen: dict[str, tuple[int, int]] = {}  # the stamp of each source when it was asked for
        if path is None or one_file_each:
            return
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = data["entries"] if data.get("version") == _version(version) else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            entries = {}
        self.entries = entries if isinstance(entries, dict) else {}

    def get(self, source: Path) -> Any:
        """The value stored for ``source``, or None when it changed, is new or was unreadable."""
        if self.path is None:
            return None
        key = self._key(source)
        self.used.add(key)
        try:
            stat = os.stat(source)
        except OSError:
            return None
        entry: Any = self._read_entry(key) if self.one_file_each else self.entries.get(key)
        # taken before the caller reads the file: an edit made meanwhile shows as a change next time
        self.seen[key] = (stat.st_size, stat.st_mtime_ns)
        try:
            if entry["size"] != stat.st_size or entry["mtime_ns"] != stat.st_mtime_ns:
                return None
            return entry["value"]
        except (KeyError, TypeError):
            return None

    def put(self, source: Path, value: Any) -> None:
        if self.path is None:
            return
        key = self._key(source)
        if key not in self.seen:
            return  # never asked for: no stamp from before its reading
        size, mtime_ns = self.seen[key]
        self.entries[key] = {"size": size, "mtime_ns": mtime_ns, "value": value}
        self.used.add(key)
        self.written.add(key)
        self.changed = True

    def _key(self, source: Path) -> str:
        """A source's key: its path, or with one_file_each its name (the entry's file name)."""
        return source.name if self.one_file_each else str(source)

    def _read_entry(self, key: str) -> Any:
        assert self.path is not None
        try:
            entry = json.loads((self.path / f"{key}.json").read_text(encoding="utf-8"))
            return entry if entry["version"] == _version(self.version) else None
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self) -> None:
        """Write what changed, and forget the sources that were not asked for this time."""
        if self.path is None:
            return
        if self.one_file_each:
            self._save_each(self.path)
            return
        gone = [key for key in self.entries if key not in self.used]
        for key in gone:
            del self.entries[key]
        if self.changed or gone:
            data = {"version": _version(self.version), "entries": self.entries}
            with contextlib.suppress(OSError):  # a read-only workspace or a full disk: no cache
                write_atomic(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")))

    def _save_each(self, folder: Path) -> None:
        for key in sorted(self.written):
            entry = {"version": _version(self.version), **self.entries[key]}
            write_atomic(folder / f"{key}.json", json.dumps(entry, ensure_ascii=False, separators=(",", ":")))
        self.written.clear()
        try:
            names = os.listdir(folder)
        except OSError:
            return
        for name in names:
            if name.endswith(".json") and name[: -len(".json")] not in self.used:
                (folder / name).unlink(missing_ok=True)


def _version(version: int) -> str:
    """A cache written by another archkit release is not trusted: its shapes may differ."""
    from archkit import __version__

    return f"{version}:{__version__}"


def plain_problem(problem: Problem) -> list[Any]:
    where = list(problem.position) if problem.position else None
    return [problem.message, where, problem.expected, problem.suggestion, problem.severity]


def read_problem(data: list[Any]) -> Problem:
    message, where, expected, suggestion, severity = data
    return Problem(message, Position(*where) if where else None, expected, suggestion, severity)
