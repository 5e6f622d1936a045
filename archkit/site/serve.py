"""``archkit serve``: preview the site on localhost, rebuilding it when a source file changes.

The server only ever listens on the loopback address. Changes are watched with watchfiles when
it is installed, else by polling modification times twice a second.
"""

from __future__ import annotations

import functools
import http.server
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

WATCHED = ("systems", "decisions", "case-studies", "leadership", "stories", "templates", "portfolio.yaml")


def serve(
    root: Path,
    out: Path,
    port: int,
    rebuild: Callable[[], str],
    say: Callable[[str], None],
    stop: threading.Event | None = None,
) -> None:
    """Build, serve ``out`` on http://127.0.0.1:port, rebuild on every change until ``stop``."""
    sources = _sources(root)
    before = _stamps(sources)
    say(rebuild())
    handler = functools.partial(_QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    say(f"serving http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C stops)")
    stop = stop or threading.Event()
    try:
        if _stamps(sources) != before:  # edited while the first build ran
            say(rebuild())
        for _ in changes(root, stop):
            try:
                say(rebuild())
            except Exception as exc:  # a broken file while editing: report, keep serving the last site
                say(f"not rebuilt: {exc}")
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()


def changes(root: Path, stop: threading.Event) -> Iterator[None]:
    """Yield once per batch of changes under the workspace's sources."""
    paths = _sources(root)
    try:
        from watchfiles import watch
    except ImportError:
        yield from _poll(paths, stop)
        return
    for _ in watch(*paths, stop_event=stop, debounce=300):
        yield None


def _sources(root: Path) -> list[Path]:
    """What a change to is worth a rebuild: the content folders, the records' folder wherever
    .adr-dir puts it, templates and the summary."""
    from archkit.decisions.store import DecisionStore

    paths = [root / name for name in WATCHED] + [DecisionStore(root).dir]
    return sorted({p for p in paths if p.exists()})


def _poll(paths: list[Path], stop: threading.Event) -> Iterator[None]:
    seen = _stamps(paths)
    while not stop.wait(0.5):
        now = _stamps(paths)
        if now != seen:
            seen = now
            yield None


def _stamps(paths: list[Path]) -> dict[str, float]:
    stamps: dict[str, float] = {}
    for path in paths:
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        for file in files:
            try:
                stamps[str(file)] = file.stat().st_mtime
            except OSError:
                continue
    return stamps


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def timed(action: Callable[[], str]) -> Callable[[], str]:
    """Wrap a rebuild so that it says how long it took."""

    def run() -> str:
        start = time.perf_counter()
        message = action()
        return f"{message} in {time.perf_counter() - start:.2f} s"

    return run
