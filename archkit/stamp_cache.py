"""archkit's one cache mechanism: JSON files in the workspace's ``.archkit/cache/`` of values
derived from other files. JSON, not pickle: ``.archkit/`` may come from someone else's
repository, so loading a cache must never run code. A cache written by another archkit release
or another version of its entries, or one that cannot be read, is ignored (an empty cache); one
is written whole, atomically, and only when something changed, without the entries nobody asked
for this time; one that cannot be written (a read-only workspace, a full disk) is no cache.

``JsonCache`` is that file. Its users:

* ``StampCache`` keeps a value while its source file keeps the same size and modification time
  (systems, content), or while every file it was made from does (``archkit embed``'s documents);
  ``PackedStampCache`` does the same for a thousand sources where a run changes one (decision
  records): one pack read whole, and a small file for each entry changed since;
* the diagram pipeline keeps what each system's images were drawn from, keyed by a hash of
  their content (render/pipeline.py), and forgets an entry once its images are gone.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from archkit.errors import Position, Problem
from archkit.files import write_atomic


class JsonCache:
    """Entries (key -> JSON value) read from ``path`` once and written back by ``save``;
    ``path`` None keeps nothing between calls. Safe to use from several threads."""

    def __init__(self, path: Path | None, version: int) -> None:
        self.path = path
        self.version = version
        self.changed = False
        self.used: set[str] = set()  # the keys asked for or stored this time
        self.entries: dict[str, Any] = {}
        self.lock = threading.Lock()
        self.loaded = False  # whether a file of this version was read
        if path is not None:
            self.entries = self._load(path)

    def _load(self, path: Path) -> dict[str, Any]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = data["entries"] if data.get("version") == _version(self.version) else None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}
        self.loaded = isinstance(entries, dict)
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
                write_atomic(self.path, _json(data))
            self.changed = False


class StampCache(JsonCache):
    """Values kept while their source files keep their size and modification time."""

    def __init__(self, path: Path | None, version: int) -> None:
        self.seen: dict[str, tuple[int, int]] = {}  # the stamp of each source when it was asked for
        super().__init__(path, version)

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
        entry = self._entry(key)
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
        """The source's absolute path: ``build`` in the workspace and ``-C ws build`` beside it
        share their entries."""
        return os.path.abspath(source)

    def _entry(self, key: str) -> Any:
        return self.entries.get(key)


class PackedStampCache(StampCache):
    """A StampCache of many sources in one folder, where a run changes few of them (decision
    records: a thousand, where a rebuild changes one). Entries are keyed by the source's file
    name. The folder holds one pack of every entry (``pack.json``, read whole: one file, not a
    thousand) and one small file per entry stored since the pack was written (``changed/``),
    so that a run writes only what changed. Once more than ``CHANGED_MAX`` entries wait there,
    or the pack holds sources nobody asked for, the pack is written again and they go."""

    CHANGED_MAX = 32
    PACK = "pack.json"

    def __init__(self, folder: Path | None, version: int) -> None:
        self.folder = folder
        self.written: set[str] = set()  # entries stored this time, to write
        super().__init__(folder / self.PACK if folder is not None else None, version)
        self.changed_names = self._changed_names()

    @property
    def packed(self) -> bool:
        """Whether there is a pack of this version: read, or written since."""
        return self.loaded

    def _changed_names(self) -> set[str]:
        """The keys of the entries waiting in ``changed/``."""
        if self.folder is None:
            return set()
        try:
            names = os.listdir(self.folder / "changed")
        except OSError:
            return set()
        return {name[: -len(".json")] for name in names if name.endswith(".json")}

    def _key(self, source: Path) -> str:
        return source.name

    def _entry(self, key: str) -> Any:
        if key in self.changed_names:  # newer than the pack's
            assert self.folder is not None
            try:
                entry = json.loads((self.folder / "changed" / f"{key}.json").read_text(encoding="utf-8"))
                entry = entry if entry.pop("version") == _version(self.version) else None
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                entry = None
            if entry is None:
                self.entries.pop(key, None)  # the pack's entry is older than what was stored since
            else:
                self.entries[key] = entry  # kept for the next pack
            return entry
        return self.entries.get(key)

    def store(self, key: str, value: Any) -> None:
        super().store(key, value)
        self.written.add(key)

    def save(self, forget_unused: bool = True) -> None:
        """Write what changed: into ``changed/``, or a new pack when that is due (no pack was
        read, too many entries wait, or the pack holds sources nobody asked for). With
        ``forget_unused`` off, the entries of sources not asked for this time are kept."""
        if self.folder is None:
            return
        unused = self.unused() if forget_unused else []
        gone = self.changed_names - self.used if forget_unused else set()  # waiting, not asked for
        if not self.packed or len(self.changed_names | self.written) > self.CHANGED_MAX or unused:
            if self.packed or self.written or self.entries or self.changed_names:
                self._repack(forget_unused)
            return
        changed = self.folder / "changed"
        with contextlib.suppress(OSError):  # a read-only workspace or a full disk: no cache
            for key in sorted(self.written):
                entry = {"version": _version(self.version), **self.entries[key]}
                write_atomic(changed / f"{key}.json", _json(entry))
            for key in gone:
                (changed / f"{key}.json").unlink(missing_ok=True)
        self.written.clear()

    def _repack(self, forget_unused: bool) -> None:
        """One pack of the entries asked for this time (all, without ``forget_unused``);
        ``changed/`` emptied, and any other file a release before this one left removed."""
        assert self.folder is not None
        if not forget_unused:
            for key in self.changed_names - self.used:
                self._entry(key)  # read before changed/ goes
        self.changed = True
        JsonCache.save(self, forget_unused)
        with contextlib.suppress(OSError):
            shutil.rmtree(self.folder / "changed", ignore_errors=True)
            for name in os.listdir(self.folder):
                if name.endswith(".json") and name != self.PACK:
                    (self.folder / name).unlink(missing_ok=True)
        self.changed_names = set()
        self.loaded = True
        self.written.clear()


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


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
