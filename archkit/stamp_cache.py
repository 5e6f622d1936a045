"""archkit's one cache mechanism: JSON files in the workspace's ``.archkit/cache/`` of values
derived from other files. JSON, not pickle: ``.archkit/`` may come from someone else's
repository, so loading a cache must never run code. A cache written by another archkit release
or another version of its entries, or one that cannot be read, is ignored (an empty cache); one
is written whole, atomically, and only when something changed, without the entries nobody asked
for this time; one that cannot be written (a read-only workspace, a full disk) is no cache.

``JsonCache`` is that file. Its users:

* ``StampCache`` keeps a value while its source file keeps the same size and modification time
  (systems, content; with ``one_file_each``, a folder of one small file per source: decision
  records, a thousand of them, where a rebuild rewrites only the one that changed), or while
  every file it was made from does (``archkit embed``'s documents);
* the diagram pipeline keeps what each system's images were drawn from, keyed by a hash of
  their content (render/pipeline.py), and forgets an entry once its images are gone.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from archkit.errors import Position, Problem
from archkit.files import write_atomic


class JsonCache:
    """Entries (key -> JSON value) read from ``path`` once and written back by ``save``;
    ``path`` None keeps nothing between calls. Safe to use from several threads."""

    def __init__(self, path: Path | None, version: int, *, load: bool = True) -> None:
        self.path = path
        self.version = version
        self.changed = False
        self.used: set[str] = set()  # the keys asked for or stored this time
        self.entries: dict[str, Any] = {}
        self.lock = threading.Lock()
        if path is not None and load:
            self.entries = self._load(path)

    def _load(self, path: Path) -> dict[str, Any]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = data["entries"] if data.get("version") == _version(self.version) else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}
        return entries if isinstance(entries, dict) else {}

    def entry(self, key: str) -> Any:
        """The entry stored under ``key`` (None when there is none), kept by the next ``save``."""
        with self.lock:
            self.used.add(key)
        return self.entries.get(key)

    def store(self, key: str, value: Any) -> None:
        with self.lock:
            self.entries[key] = value
            self.used.add(key)
            self.changed = True

    def unused(self) -> list[str]:
        """The entries ``save`` forgets: those not asked for this time."""
        return [key for key in self.entries if key not in self.used]

    def save(self, forget_unused: bool = True) -> None:
        """Write the entries when any changed, without the unused ones (unless told to keep them:
        a call that looked at only some sources knows nothing of the others)."""
        if self.path is None:
            return
        gone = self.unused() if forget_unused else []
        for key in gone:
            del self.entries[key]
        if self.changed or gone:
            data = {"version": _version(self.version), "entries": self.entries}
            with contextlib.suppress(OSError):  # a read-only workspace or a full disk: no cache
                write_atomic(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")))
            self.changed = False


class StampCache(JsonCache):
    """Values kept while their source files keep their size and modification time."""

    def __init__(self, path: Path | None, version: int, *, one_file_each: bool = False) -> None:
        self.one_file_each = one_file_each
        self.written: set[str] = set()  # entries to write, with one_file_each
        self.seen: dict[str, tuple[int, int]] = {}  # the stamp of each source when it was asked for
        super().__init__(path, version, load=not one_file_each)  # entries are read when asked for

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
        self.store(key, {"size": size, "mtime_ns": mtime_ns, "value": value})
        self.written.add(key)

    def get_made_from(self, key: Path) -> Any:
        """The value stored for ``key`` while every file it was made from has the stamp it had
        when the value was stored (a file that was missing must still be missing); else None."""
        entry = self.entry(str(key))
        if not isinstance(entry, dict) or not isinstance(entry.get("inputs"), dict):
            return None
        for path, stamp in entry["inputs"].items():
            if _stamp(Path(path)) != stamp:
                return None
        return entry.get("value")

    def put_made_from(self, key: Path, value: Any, inputs: Iterable[Path]) -> None:
        """Store ``value`` for ``key`` with the stamps ``inputs`` have now (after the caller wrote
        what it writes: its own writing is not a change)."""
        self.store(str(key), {"inputs": {str(p): _stamp(p) for p in inputs}, "value": value})

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

    def save(self, forget_unused: bool = True) -> None:
        """Write what changed, and forget the sources that were not asked for this time."""
        if self.path is not None and self.one_file_each:
            self._save_each(self.path)
            return
        super().save(forget_unused)

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


def _stamp(path: Path) -> list[int] | None:
    """A file's size and modification time; None when it is missing or cannot be read."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


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
