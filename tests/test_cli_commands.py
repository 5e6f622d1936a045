"""build, serve, tdr render and tdr renumber driven through the real command line (CliRunner),
with what they print pinned."""

from __future__ import annotations

import re
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from inline_snapshot import snapshot
from typer.testing import CliRunner, Result

from archkit.cli import app

ENV = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb", "ARCHKIT_TODAY": "2025-01-15"}


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args), env=ENV)
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def workspace(example_copy: Path) -> Path:
    return example_copy


def test_build_prints_what_it_built_and_a_rebuild_renders_nothing(workspace: Path) -> None:
    first = invoke("-C", str(workspace), "build", "--out", "site", "--jobs", "1")
    assert (first.exit_code, first.stderr) == (0, "")
    systems = len(list((workspace / "systems").glob("*.yaml")))
    pages = int(first.stdout.split(": ")[1].split()[0])  # the count it says: checked against its parts
    assert first.stdout == f"built site/: {pages} pages ({pages} rendered, 0 unchanged), {systems} diagrams\n"
    again = invoke("-C", str(workspace), "build", "--out", "site", "--jobs", "1")
    assert (again.exit_code, again.stdout) == (
        0,
        f"built site/: {pages} pages (0 rendered, {pages} unchanged), {systems} diagrams\n",
    )


def test_build_refuses_a_broken_workspace_and_keeps_the_old_site(workspace: Path) -> None:
    assert invoke("-C", str(workspace), "build", "--out", "site").exit_code == 0
    before = (workspace / "site" / "index.html").read_bytes()
    (workspace / "systems" / "broken.yaml").write_text(
        "name: Broken\ncomponents: [{id: a, tech: postgress}]\n", encoding="utf-8"
    )
    result = invoke("-C", str(workspace), "build", "--out", "site")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == snapshot(
        "systems/broken.yaml:2:28: error: unknown technology 'postgress' for component 'a'; expected a technology from 'archkit techs' (or 'other' for one of your own); did you mean 'postgresql'?\n"
    )
    assert (workspace / "site" / "index.html").read_bytes() == before


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_starts_rebuilds_once_and_stops(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from archkit.site import serve as serving

    stop = threading.Event()
    real = serving.serve
    monkeypatch.setattr(serving, "serve", lambda *args, **kwargs: real(*args, stop=stop, **kwargs))
    port = free_port()
    results: list[Result] = []
    thread = threading.Thread(
        target=lambda: results.append(
            invoke("-C", str(workspace), "serve", "--port", str(port), "--out", "site")
        ),
        daemon=True,
    )
    thread.start()
    deadline = time.monotonic() + 180  # a loaded machine builds slowly
    try:
        while not (workspace / "site" / "stories.html").exists():  # the first build
            assert time.monotonic() < deadline and thread.is_alive()
            time.sleep(0.1)
        # the port was bound before the build: the request waits for the server, not refused
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/stories.html", timeout=120) as response:
            assert "<html" in response.read().decode("utf-8")
        story = next((workspace / "stories").glob("*.yaml"))
        story.write_text(
            story.read_text(encoding="utf-8").replace("title: ", "title: Changed - ", 1), encoding="utf-8"
        )
        while "Changed - " not in (workspace / "site" / "stories.html").read_text(encoding="utf-8"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    (result,) = results
    assert result.exit_code == 0
    timings = re.compile(r"in \d+\.\d\d s$")
    lines = [timings.sub("in T s", line) for line in result.stdout.splitlines()]
    pages = int(lines[0].split()[1])
    assert lines[:2] == [
        f"built {pages} pages ({pages} rendered) in T s",
        f"serving http://127.0.0.1:{port}/ (Ctrl+C stops)",
    ]
    # one rebuild at least (a save may arrive as two events)
    assert lines[2:] and all(
        re.fullmatch(rf"built {pages} pages \(\d+ rendered\) in T s", line) for line in lines[2:]
    )


def test_tdr_render_writes_the_pages_and_says_how_many(workspace: Path) -> None:
    result = invoke("-C", str(workspace), "tdr", "render", "--out", "out")
    records = len(list((workspace / "decisions").glob("[0-9]*.md")))
    assert (result.exit_code, result.stderr) == (0, "")
    assert (
        result.stdout == f"wrote {records + 3} files to out/\n"
    )  # a page per record, index.md, index.html, decisions.svg
    assert sorted(p.name for p in (workspace / "out").iterdir() if not p.name.startswith("0")) == snapshot(
        ["decisions.svg", "index.html", "index.md"]
    )


def test_tdr_renumber_moves_the_later_record(make_tree) -> None:
    root = make_tree(
        {
            "decisions/0001-a.md": "# 1. A\n\nDate: 2020-01-01\n\n## Status\n\nAccepted\n\nAmended by [2. C](0002-c.md)\n",
            "decisions/0002-b.md": "# 2. B\n\nDate: 2020-02-01\n\n## Status\n\nAccepted\n",
            "decisions/0002-c.md": "# 2. C\n\nDate: 2020-03-01\n\n## Status\n\nAccepted\n\nAmends [1. A](0001-a.md)\n",
        }
    )
    result = invoke("-C", str(root), "tdr", "renumber")
    assert (result.exit_code, result.stdout, result.stderr) == snapshot((0, "0002-c.md -> 0003-c.md\n", ""))
    assert "Amended by [3. C](0003-c.md)" in (root / "decisions" / "0001-a.md").read_text(encoding="utf-8")
    assert invoke("-C", str(root), "tdr", "renumber").stdout == "no duplicate numbers\n"
