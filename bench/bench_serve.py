"""Benchmark of ``archkit serve``'s live preview: from saving a file to the page reloaded in Chromium.

Run it from the repository root with the Python of the environment archkit is installed in::

    .venv/bin/python bench/bench_serve.py            # prints the figures, always exits 0
    .venv/bin/python bench/bench_serve.py --strict   # exits 1 when the median is over 300 ms

What is measured, and how
-------------------------
``archkit serve --port 0`` runs on a copy of the example workspace (the repository's own). Headless
Chromium (Debian's /usr/bin/chromium, driven by Playwright) opens the story bank. Each round saves
one story the way editors do (a new file renamed over the old one) with a new title, and the
figure is the time from just before that rename to the end of the reloaded page's ``load`` event:
both read the same wall clock (``time.time()`` here, ``performance.timing.loadEventEnd`` in the
page), so the figure includes noticing the change, the rebuild, telling the page, and the page
loading again. The rounds run one after another, each after the previous reload; the median and
the worst round are printed, next to the rebuild times serve itself reports.

This is an absolute figure, not a ratio: the goal is what a user feels, 300 ms or less from save
to the reloaded page for a one-file change in the example workspace.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LIMIT_MS = 300.0
STORY = "stories/dive-deep-api-latency.yaml"


def workspace(folder: Path) -> Path:
    root = folder / "ws"
    for name in ("systems", "decisions", "case-studies", "leadership", "stories"):
        shutil.copytree(REPO / name, root / name)
    for name in ("portfolio.yaml", ".adr-dir"):
        shutil.copy(REPO / name, root / name)
    return root


def save(path: Path, text: str) -> float:
    """Write as editors do (temporary file, then rename); the wall clock at the rename, in ms."""
    temporary = path.with_name(f".{path.name}.saving")
    temporary.write_text(text, encoding="utf-8")
    now = time.time() * 1000
    os.replace(temporary, path)
    return now


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--strict", action="store_true", help="exit 1 when the median is over the limit")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        root = workspace(Path(folder))
        server = subprocess.Popen(
            [sys.executable, "-m", "archkit", "-C", str(root), "serve", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        said: list[str] = []
        try:
            assert server.stdout is not None
            url = ""
            while not url:
                line = server.stdout.readline()
                if not line:
                    raise SystemExit("archkit serve ended before serving")
                if line.startswith("serving http://"):
                    url = line.split()[1]
            with sync_playwright() as driver:
                browser = driver.chromium.launch(
                    executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox", "--disable-gpu"]
                )
                page = browser.new_page()
                page.goto(url + "stories.html")
                page.wait_for_function("() => window.__archkit_live === true")
                story = root / STORY
                original = story.read_text(encoding="utf-8")
                delays, starts = [], []
                for n in range(args.rounds + 1):  # the first round warms up
                    page.evaluate("window.__old = true")
                    with page.expect_event("load", timeout=30_000):
                        saved = save(story, original.replace("title: ", f"title: Round {n} - ", 1))
                    page.wait_for_function("() => window.__archkit_live === true")
                    loaded = page.evaluate("performance.timing.loadEventEnd")
                    started = page.evaluate("performance.timing.navigationStart")
                    assert page.evaluate("window.__old === undefined") and f"Round {n} - " in page.content()
                    if n:
                        delays.append(loaded - saved)
                        starts.append(started - saved)
                browser.close()
        finally:
            server.terminate()
            rest, _ = server.communicate(timeout=10)
            said = [line for line in rest.splitlines() if line.startswith("built ")]
    builds = [float(line.rsplit(" in ", 1)[1].split()[0]) * 1000 for line in said if " in " in line]
    median = statistics.median(delays)
    print(f"archkit serve: save -> page reloaded in Chromium, {len(delays)} rounds (example workspace)")
    spread = f"best {min(delays):.0f} ms, worst {max(delays):.0f} ms"
    print(f"  median {median:.0f} ms, {spread} (limit {LIMIT_MS:.0f} ms)")
    before = statistics.median(starts)
    print(f"  save -> reload begins (noticing, rebuilding, telling the page): median {before:.0f} ms")
    if builds:
        print(f"    of which the rebuild (serve's own figure): median {statistics.median(builds):.0f} ms")
    reloads = [done - began for done, began in zip(delays, starts, strict=True)]
    print(f"  reload begins -> load event: median {statistics.median(reloads):.0f} ms")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"  load average when done: {load:.1f} on {os.cpu_count()} cores")
    return 1 if args.strict and median > LIMIT_MS else 0


if __name__ == "__main__":
    sys.exit(main())
