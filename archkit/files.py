"""Writing files so that a crash or an error never leaves one half-written."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

_counter = itertools.count()


def reserve_temporary(path: Path) -> Path:
    """Create an empty, unique temporary file beside ``path`` (same folder, so a rename into
    place is atomic) and return its path. Its mode follows the umask, as a new file's should."""
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        candidate = path.parent / f".{path.name}.{os.getpid()}.{next(_counter)}.tmp"
        try:
            os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return candidate


def write_file(path: Path, raw: bytes, *, shown: Path | None = None, sync: bool = False) -> None:
    """Write ``raw`` to ``path`` (``sync``: to the disk, not only the cache). An error (disk full,
    no permission) names ``shown``, the file the user knows, rather than a temporary one."""
    try:
        with open(path, "wb") as handle:
            handle.write(raw)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(shown or path)) from None


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        tmp = reserve_temporary(path)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        write_file(tmp, raw, shown=path)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def user_cache_dir(*parts: str) -> Path:
    """A folder of the user's cache (``$XDG_CACHE_HOME/archkit/...``, else ``~/.cache/archkit/...``).

    It is not created here: callers that can work without it decide what a failure means."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base, "archkit", *parts)


def in_workspace(root: Path, path: Path) -> Path:
    """``path`` as given when absolute, else relative to the workspace ``root`` (``-C``)."""
    return path if path.is_absolute() else root / path


def write_new(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path``, which must not exist (FileExistsError otherwise, even when
    another process creates it meanwhile); whole or not at all."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = reserve_temporary(path)
    try:
        tmp.write_bytes(raw)
        os.link(tmp, path)  # fails, rather than replaces, when the file is there
    finally:
        tmp.unlink(missing_ok=True)
