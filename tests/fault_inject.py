"""Run the archkit CLI with a fault at the Nth file-system step: ``kill`` (SIGKILL to itself, as
``kill -9`` would) or ``enospc`` (the write fails as on a full disk).

    python tests/fault_inject.py kill 7 -- -C WORKSPACE tdr renumber
    python tests/fault_inject.py count 0 -- -C WORKSPACE tdr renumber   # prints the steps, to stderr
    python tests/fault_inject.py count-enospc 0 -- ...                   # the writes only

The steps counted are those the decision store takes to change files: every write (the fault
strikes half-way through it), rename, hard link and removal. Tests and bench/campaign.py use it
to strike at chosen points of ``tdr renumber`` and ``tdr new --supersedes``.
"""

from __future__ import annotations

import builtins
import errno
import os
import pathlib
import signal
import sys
from typing import Any

STEPS = 0


def _strike(mode: str, at: int, write: bool = False) -> bool:
    """Count a step; True when the fault is to strike now. A full disk fails writes only."""
    global STEPS
    if "enospc" in mode and not write:
        return False
    STEPS += 1
    return not mode.startswith("count") and at == STEPS


def _fault(mode: str) -> None:
    if mode == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class _FaultyFile:
    """A file opened for writing whose write is cut half-way at the chosen step."""

    def __init__(self, handle: Any, mode: str, at: int) -> None:
        self._handle = handle
        self._mode = mode
        self._at = at

    def write(self, data: bytes) -> int:
        if _strike(self._mode, self._at, write=True):
            self._handle.write(data[: len(data) // 2])
            self._handle.flush()
            _fault(self._mode)
        return int(self._handle.write(data))

    def __enter__(self) -> _FaultyFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


def install(mode: str, at: int) -> None:
    from archkit import files
    from archkit.decisions import store

    def faulty_open(path: Any, how: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = builtins.open(path, how, *args, **kwargs)  # noqa: SIM115 - closed by its wrapper
        return _FaultyFile(handle, mode, at) if "w" in how else handle

    files.open = faulty_open  # type: ignore[attr-defined]

    class FaultyOs:
        def __getattr__(self, name: str) -> Any:
            return getattr(os, name)

        def _step(self, name: str, *args: Any) -> Any:
            if _strike(mode, at):
                _fault(mode)
            return getattr(os, name)(*args)

        def replace(self, *args: Any) -> Any:
            return self._step("replace", *args)

        def link(self, *args: Any) -> Any:
            return self._step("link", *args)

    store.os = FaultyOs()  # type: ignore[assignment]
    original_unlink = pathlib.Path.unlink

    def unlink(self: pathlib.Path, missing_ok: bool = False) -> None:
        if _strike(mode, at):
            _fault(mode)
        original_unlink(self, missing_ok=missing_ok)

    pathlib.Path.unlink = unlink  # type: ignore[method-assign]


def main() -> None:
    mode, at, separator, *args = sys.argv[1:]
    assert separator == "--" and mode in ("kill", "enospc", "count", "count-enospc")
    install(mode, int(at))
    from archkit.cli import app

    try:
        app(args, prog_name="archkit")
    finally:
        if mode.startswith("count"):
            print(f"steps: {STEPS}", file=sys.stderr)


if __name__ == "__main__":
    main()
