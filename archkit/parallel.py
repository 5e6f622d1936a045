"""Work spread over forked worker processes: the pages of a site, the pages of a records folder.

Forked workers inherit everything the work needs (records, templates, the output folder), so
nothing is pickled on the way in: only the numbers of the items travel to them. Where the
platform cannot fork, where there is one core, or where there is little to do (starting workers
costs more than it saves), the work runs here, in order.
"""

from __future__ import annotations

import os
from collections.abc import Callable

PARALLEL_FROM = 64  # fewer items than this are done faster in one process

# In a forked worker only: the work it does, handed over by the pool's initializer.
_work: Callable[[int], None] | None = None


def for_each(
    count: int,
    work: Callable[[int], None],
    *,
    jobs: int | None = None,
    parallel_from: int | None = None,
    done: Callable[[int], None] | None = None,
) -> None:
    """Call ``work(i)`` for every ``i`` below ``count``: in ``jobs`` forked worker processes
    (None: one per core) when there are at least ``parallel_from`` items (None: PARALLEL_FROM),
    else here. ``done(n)`` is told how many are finished, in this process, as they finish. An
    exception in a worker is raised here."""
    import multiprocessing

    workers = min(jobs or os.cpu_count() or 1, count)
    least = PARALLEL_FROM if parallel_from is None else parallel_from
    if workers > 1 and count >= least and "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")
        with context.Pool(processes=workers, initializer=_adopt, initargs=(work,)) as pool:
            for finished, _ in enumerate(pool.imap_unordered(_run, range(count), chunksize=8), start=1):
                if done:
                    done(finished)
        return
    for index in range(count):
        work(index)
        if done:
            done(index + 1)


def _adopt(work: Callable[[int], None]) -> None:
    global _work
    _work = work


def _run(index: int) -> None:
    assert _work is not None, "called outside a worker"
    _work(index)
