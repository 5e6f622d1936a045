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
from typing import Any

WATCHED = ("systems", "decisions", "case-studies", "leadership", "stories", "templates", "portfolio.yaml")


def serve(
    root: Path,
    out: Path,
    port: int,
    rebuild: Callable[[], str],
    say: Callable[[str], None],
    stop: threading.Event | None = None,
    host: str = "127.0.0.1",
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Build, serve ``out`` on http://host:port, rebuild on every change until ``stop``."""
    server = _listen(host, port, functools.partial(_QuietHandler, directory=str(out)))
    sources = _sources(root)
    before = _stamps(sources)
    say(rebuild())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{server.server_address[1]}/"
    say(f"serving {url} (Ctrl+C stops)")
    if on_ready:
        on_ready(url)
    stop = stop or threading.Event()
    try:
        for _ in changes(root, stop, since=before):
            try:
                say(rebuild())
            except Exception as exc:  # a broken file while editing: report, keep serving the last site
                say(f"not rebuilt: {exc}")
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()


def _listen(host: str, port: int, handler: Any) -> http.server.ThreadingHTTPServer:
    """The server, bound before the first build: a busy port is named at once."""
    import errno
    import socket

    from archkit.errors import ArchkitError, Problem

    class Server(http.server.ThreadingHTTPServer):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    try:
        return Server((host, port), handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            why = f"port {port} on {host} is in use by another program"
            expected = "a free port: --port N, or --port 0 for any free one"
        else:
            why = f"cannot listen on {host}:{port} ({exc.strerror or exc})"
            expected = "an address of this machine for --host, e.g. 127.0.0.1 or 0.0.0.0"
        raise ArchkitError([Problem(why, expected=expected)]) from None


def changes(root: Path, stop: threading.Event, since: dict[str, float] | None = None) -> Iterator[None]:
    """Yield once per batch of changes under the workspace's sources; with ``since`` (their
    stamps before the first build), once more when they changed before the watcher started."""
    paths = _sources(root)
    try:
        from watchfiles import watch
    except ImportError:
        yield from _poll(paths, stop, since)
        return
    unchecked = since is not None
    for found in watch(*paths, stop_event=stop, debounce=300, yield_on_timeout=True, rust_timeout=500):
        if found:
            yield None
        elif unchecked:  # the watcher runs: an edit made before it started shows in the stamps
            unchecked = False
            if _stamps(paths) != since:
                yield None


def _sources(root: Path) -> list[Path]:
    """What a change to is worth a rebuild: the content folders, the records' folder wherever
    .adr-dir puts it, templates and the summary."""
    from archkit.decisions.store import DecisionStore

    paths = [root / name for name in WATCHED] + [DecisionStore(root).dir]
    return sorted({p for p in paths if p.exists()})


def _poll(paths: list[Path], stop: threading.Event, since: dict[str, float] | None = None) -> Iterator[None]:
    seen = _stamps(paths) if since is None else since
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
