"""Writing files so that a crash or an error never leaves one half-written."""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

_counter = itertools.count()
# reserve_temporary's names: '.<name>.<pid>.<n>.tmp'
TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.\d+\.tmp$")
JOURNAL = ".archkit-journal.json"  # a change of several records, being applied (decisions/store.py)
_CLEANED: set[str] = set()  # folders whose stale temporary files this process removed already


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


def stale_temporary(name: str) -> bool:
    """Whether ``name`` is an archkit temporary file whose process has ended (a live one is
    being written; a user's file never has this name)."""
    match = TEMPORARY.match(name)
    if not match:
        return False
    pid = int(match["pid"])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, someone else's
        return False
    return False


def remove_stale_temporaries(folder: Path) -> bool:
    """Remove from ``folder`` the temporary files of archkit runs killed before they renamed
    them into place; whether there were any."""
    found = False
    for name in os.listdir(folder):
        if stale_temporary(name):
            found = True
            (folder / name).unlink(missing_ok=True)
    return found


def _clean_once(folder: Path) -> None:
    """The first write of this process into ``folder`` removes what killed runs left there
    (diagrams, whiteboards, images beside documents: every folder archkit writes into)."""
    key = os.path.realpath(folder)
    if key in _CLEANED:
        return
    _CLEANED.add(key)
    if os.path.lexists(folder / JOURNAL):
        return  # an interrupted change of several records: its files are the store's to finish
    with contextlib.suppress(OSError):  # not there yet, or not readable: nothing of ours to remove
        remove_stale_temporaries(folder)


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place. The first
    write into a folder removes the temporary files killed runs left there."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    _clean_once(path.parent)
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


def inside(path: Path, root: Path) -> bool:
    """Whether ``path``, symbolic links followed (its own and its folders'), is inside ``root``."""
    try:
        Path(os.path.realpath(path)).relative_to(os.path.realpath(root))
    except ValueError:
        return False
    return True


def user_path(root: Path, path: Path) -> Path:
    """A path typed on the command line: a relative one is the workspace's (as with ``git -C``)
    unless only the current folder has it."""
    if path.is_absolute() or (not path.exists()) or (root / path).exists():
        return in_workspace(root, path)
    return path


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


def unsafe_output(root: Path, out: Path, sources: list[Path]) -> str:
    """Why writing into the folder ``out`` would destroy something of the workspace at ``root``
    ('' when it would not): it holds the workspace, is (or is inside) a source, or is a file."""
    target = out.resolve()
    workspace = root.resolve()
    if target == workspace or target in workspace.parents:
        return "it holds the workspace"
    for source in sources:
        resolved = source.resolve()
        if target == resolved or resolved in target.parents or target in resolved.parents:
            return "it is one of the workspace's sources"
    if target.exists() and not target.is_dir():
        return "it is a file"
    return ""


_HELD = threading.local()  # folders whose lock this thread holds, with a depth each


def lock_held(folder: Path) -> bool:
    return bool(getattr(_HELD, "folders", {}).get(os.path.realpath(folder)))


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """An advisory lock on the folder itself (no lock file left behind); released when the
    process ends, however it ends; taken again by the thread that holds it, it is the same lock.
    Where flock does not exist, creation stays safe without it."""
    held: dict[str, int] = _HELD.__dict__.setdefault("folders", {})
    key = os.path.realpath(folder)
    if held.get(key):
        held[key] += 1
        try:
            yield
        finally:
            held[key] -= 1
        return
    try:
        import fcntl
    except ImportError:  # Windows: the exclusive create and the rival check still hold
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        held[key] = 1
        yield
    finally:
        held.pop(key, None)
        os.close(fd)


# archkit's own caches in a workspace: parsed systems (systems.json), records (records/), portfolio
# content (content.json), diagrams (diagrams/), embedded blocks (embed.json)
CACHES = Path(".archkit") / "cache"
SYSTEMS_CACHE = "systems.json"  # in CACHES: parsed systems
RECORDS_CACHE = "records"  # in CACHES: parsed decision records, a pack and the changes since
# archkit's own templates and starters (a workspace's templates/ overrides them by name)
PACKAGE_TEMPLATES = Path(__file__).with_name("templates")
