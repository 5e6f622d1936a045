"""Python's cycle collector, paused while archkit makes many objects that live on.

A full collection walks every object already made. Loading a workspace (a thousand parsed
records, fifty systems) and planning its site make a few hundred thousand objects that live until
the command ends, so the collector walks them again and again while they are made, and finds
nothing to free: they hold no cycles, and reference counting frees what goes. Pausing it for
that work takes a fifth off a one-file site rebuild (bench/bench_site.py).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cycle collection inside the block; as it was before, after (nested blocks are fine)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
