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


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = reserve_temporary(path)
    try:
        tmp.write_bytes(raw)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
