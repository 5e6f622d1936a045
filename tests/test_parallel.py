"""Work spread over forked workers (parallel.py): every item done once, errors raised here, and
tdr render's pages the same whichever way they were made."""

from __future__ import annotations

import multiprocessing
import os
import shutil
from pathlib import Path

import pytest

from archkit import parallel
from archkit.decisions.render import render_decisions
from archkit.decisions.store import DecisionStore

forks = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="the platform cannot fork"
)


@forks
def test_every_item_is_done_once_in_worker_processes(tmp_path: Path) -> None:
    finished: list[int] = []

    def work(index: int) -> None:
        (tmp_path / f"{index}.txt").write_text(str(os.getpid()), encoding="utf-8")

    parallel.for_each(40, work, jobs=2, parallel_from=1, done=finished.append)
    assert sorted(int(p.stem) for p in tmp_path.iterdir()) == list(range(40))
    assert str(os.getpid()) not in {p.read_text(encoding="utf-8") for p in tmp_path.iterdir()}
    assert finished == list(range(1, 41))


@forks
def test_an_error_in_a_worker_is_raised_here() -> None:
    def work(index: int) -> None:
        if index == 7:
            raise ValueError(f"item {index} failed")

    with pytest.raises(ValueError, match="item 7 failed"):
        parallel.for_each(20, work, jobs=2, parallel_from=1)


def test_little_work_is_done_here_in_order() -> None:
    seen: list[tuple[int, int]] = []
    parallel.for_each(5, lambda index: seen.append((index, os.getpid())), jobs=4, parallel_from=10)
    assert seen == [(index, os.getpid()) for index in range(5)]


@forks
def test_tdr_render_writes_the_same_pages_in_workers_and_here(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(repo / "decisions", tmp_path / "ws" / "decisions")
    store = DecisionStore(tmp_path / "ws")
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 10_000)
    here = render_decisions(store, tmp_path / "here")
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)  # workers even on one core
    pools: list[int] = []
    real_pool = multiprocessing.get_context("fork").Pool
    monkeypatch.setattr(
        multiprocessing.context.ForkContext,
        "Pool",
        lambda self, processes=None, **kw: pools.append(processes) or real_pool(processes, **kw),
    )
    workers = render_decisions(store, tmp_path / "workers")
    assert pools == [2]
    assert [p.name for p in here] == [p.name for p in workers]
    assert [p.name for p in here][:3] == ["index.md", "decisions.svg", "index.html"]
    assert {p.name: p.read_bytes() for p in here} == {p.name: p.read_bytes() for p in workers}
