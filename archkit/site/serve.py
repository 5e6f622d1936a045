"""``archkit serve``: preview the site, rebuild it when a source changes, reload the open pages.

- Watching: the workspace's folder itself (not recursively), so that a file an editor replaces on
  save (``portfolio.yaml`` written to a temporary file, then renamed) is seen every time, and each
  source folder recursively; only the files a build reads count (see :func:`matters`). Without
  watchfiles, modification times are polled.
- Reloading: every HTML page the server sends carries a small script (never written into the built
  site) that listens on ``/__archkit__/events``. After a rebuild the page reloads itself; after a
  failed one it shows the errors, with their file:line, over the last good page.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

FOLDERS = ("systems", "case-studies", "leadership", "stories", "templates")
FILES = ("portfolio.yaml", "portfolio.yml", ".adr-dir")
SUFFIXES = (".yaml", ".yml", ".py", ".md", ".j2")
EVENTS = "/__archkit__/events"


class Outcome(NamedTuple):
    """What one build said: a headline and the problems as the user reads them."""

    ok: bool
    headline: str  # 'built 19 pages (1 rendered)' or 'not rebuilt'
    problems: tuple[str, ...] = ()

    def text(self, seconds: float | None = None) -> str:
        took = f" in {seconds:.2f} s" if seconds is not None else ""
        return "\n".join([f"{self.headline}{took}", *self.problems])


class _State:
    """The last build's outcome, shared by the rebuild loop and the page listeners."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.generation = 0  # successful builds so far: a page of an older one reloads
        self.outcome = Outcome(True, "")
        self.closed = False  # the server is stopping: listeners end their streams

    def publish(self, outcome: Outcome) -> None:
        with self.changed:
            if outcome.ok:
                self.generation += 1
            self.outcome = outcome
            self.changed.notify_all()

    def snapshot(self) -> dict[str, Any]:
        return {
            "generation": self.generation,
            "ok": self.outcome.ok,
            "headline": self.outcome.headline,
            "problems": list(self.outcome.problems),
        }


def site_rebuild(root: Path, out: Path, quiet: bool = False) -> Callable[[], Outcome]:
    """What serve runs on every change: ``build_site``, its outcome in the words ``check`` uses
    (with ``quiet``, errors only)."""

    def rebuild() -> Outcome:
        from archkit.errors import ArchkitError, format_problem
        from archkit.site.build import build_site

        def shown(problems: list[Any]) -> tuple[str, ...]:
            return tuple(format_problem(p) for p in problems if p.is_error or not quiet)

        try:
            # one process: the server's threads must not be forked into page workers
            built = build_site(root, out, jobs=1)
        except ArchkitError as exc:  # what check prints; the browser shows it too
            return Outcome(False, "not rebuilt", shown(exc.problems))
        return Outcome(True, f"built {built.pages} pages ({built.rendered} rendered)", shown(built.problems))

    return rebuild


def serve(
    root: Path,
    out: Path,
    port: int,
    rebuild: Callable[[], Outcome] | None = None,
    say: Callable[[str], None] = print,
    stop: threading.Event | None = None,
    host: str = "127.0.0.1",
    on_ready: Callable[[str], None] | None = None,
    quiet: bool = False,
) -> None:
    """Build, serve ``out`` on http://host:port, rebuild on every change until ``stop``. A
    relative ``out`` is taken from ``root``, as :func:`build_site` takes it.

    ``rebuild``: what to run on a change, by default the site's build (:func:`site_rebuild`);
    ``say``: where the outcome of each build goes; ``on_ready``: called with the URL once served."""
    from archkit.files import in_workspace

    out = in_workspace(root, out).resolve()
    rebuild = rebuild or site_rebuild(root, out, quiet)
    stop = stop or threading.Event()
    state = _State()
    server = _listen(host, port, functools.partial(_Handler, state, directory=str(out)))
    dirty = threading.Event()
    watcher = threading.Thread(target=_watch, args=(root, out, stop, dirty), daemon=True)
    watcher.start()  # before the first build: an edit made while it runs is not lost

    def build() -> None:
        start = time.perf_counter()
        try:
            outcome = rebuild()
        except Exception as exc:  # a file that vanished mid-build, a full disk: keep serving
            outcome = Outcome(False, "not rebuilt", (f"error: {exc}",))
        state.publish(outcome)
        say(outcome.text(time.perf_counter() - start))

    build()
    _start(server, host, say, on_ready)
    try:
        while not stop.is_set():
            if dirty.wait(0.2):
                dirty.clear()
                build()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        _close(state, server)


def _start(
    server: http.server.ThreadingHTTPServer,
    host: str,
    say: Callable[[str], None],
    on_ready: Callable[[str], None] | None,
) -> None:
    """Serve in a thread of its own; say where."""
    threading.Thread(target=server.serve_forever, daemon=True).start()
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{server.server_address[1]}/"
    say(f"serving {url} (Ctrl+C stops)")
    if on_ready:
        on_ready(url)


def _close(state: _State, server: http.server.ThreadingHTTPServer) -> None:
    """End the pages' event streams, then the server."""
    with state.changed:
        state.closed = True
        state.changed.notify_all()
    server.shutdown()
    server.server_close()


def _listen(host: str, port: int, handler: Any) -> http.server.ThreadingHTTPServer:
    """The server, bound before the first build: a busy port is named at once."""
    import errno
    import socket

    from archkit.errors import ArchkitError, Problem

    class Server(http.server.ThreadingHTTPServer):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        daemon_threads = True  # open event streams never hold up the end

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


# -- watching -------------------------------------------------------------------------------


def watched_folders(root: Path) -> list[Path]:
    """The source folders that exist: content, templates, and the records' folder wherever
    .adr-dir puts it."""
    from archkit.decisions.store import DecisionStore
    from archkit.errors import ArchkitError

    paths = [root / name for name in FOLDERS]
    with contextlib.suppress(ArchkitError):  # a broken .adr-dir: the build says so
        paths.append(DecisionStore(root).dir)
    return sorted({p for p in paths if p.is_dir()})


def matters(path: Path, root: Path, out: Path) -> bool:
    """Whether a change to ``path`` can change the site: a source file (not an editor's swap or
    backup file), or a source folder of the workspace coming or going; never the output or
    archkit's caches."""
    name = path.name
    if path.parent == root:
        return name in FILES or name in FOLDERS or name == _records_top(root)
    if name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp")):
        return False
    if path.suffix not in SUFFIXES:
        return False
    try:
        inside = path.resolve()
        parts = inside.relative_to(root.resolve()).parts
    except (OSError, ValueError):
        return False
    # never the site (nor its staging folders, nor .archkit/, .git/: hidden folders)
    return out.resolve() not in inside.parents and not any(part.startswith(".") for part in parts)


def _records_top(root: Path) -> str:
    """The first part of the records folder's path (``doc`` for doc/adr)."""
    from archkit.decisions.store import DecisionStore
    from archkit.errors import ArchkitError

    try:
        folder = DecisionStore(root).dir
    except ArchkitError:
        return ""
    try:
        return folder.resolve().relative_to(root.resolve()).parts[0]
    except (ValueError, IndexError):
        return ""


def _watch(root: Path, out: Path, stop: threading.Event, dirty: threading.Event) -> None:
    for _ in changes(root, out, stop):
        dirty.set()


def changes(root: Path, out: Path, stop: threading.Event) -> Iterator[None]:
    """Yield once per batch of changes that matter, until ``stop``."""
    try:
        import watchfiles  # noqa: F401
    except ImportError:
        yield from _poll(root, out, stop)
        return
    while not stop.is_set():
        yield from _Watchers(root, out, stop).batches()


class _Watchers:
    """The workspace's folder (not recursively: a file replaced on save is seen) and the source
    folders that exist now (recursively); done when a source folder appears or goes."""

    def __init__(self, root: Path, out: Path, stop: threading.Event) -> None:
        self.root, self.out, self.stop = root, out, stop
        self.folders = watched_folders(root)
        self.done = threading.Event()
        self.arrived = threading.Condition()
        self.pending: list[bool] = []  # per batch: whether a source folder came or went

    def _follow(self, paths: list[Path], recursive: bool) -> None:
        import watchfiles

        def wanted(_change: Any, name: str) -> bool:
            return matters(Path(name), self.root, self.out)

        for batch in watchfiles.watch(
            *paths,
            watch_filter=wanted,
            debounce=200,
            step=20,
            stop_event=_Either(self.stop, self.done),
            recursive=recursive,
            rust_timeout=200,
            raise_interrupt=False,
        ):
            moved = any(Path(p).parent == self.root and Path(p).name in FOLDERS for _, p in batch)
            with self.arrived:
                self.pending.append(moved)
                self.arrived.notify()

    def batches(self) -> Iterator[None]:
        threads = [threading.Thread(target=self._follow, args=([self.root], False), daemon=True)]
        if self.folders:
            threads.append(threading.Thread(target=self._follow, args=(self.folders, True), daemon=True))
        for thread in threads:
            thread.start()
        try:
            while not self.stop.is_set() and not self.done.is_set():
                with self.arrived:
                    self.arrived.wait(0.2)
                    pending, self.pending = self.pending, []
                if pending:
                    yield None
                if any(pending) or watched_folders(self.root) != self.folders:
                    self.done.set()
        finally:
            self.done.set()
            for thread in threads:
                thread.join(timeout=2)


class _Either:
    """Set when either event is: what watchfiles' stop_event needs (``is_set``)."""

    def __init__(self, *events: threading.Event) -> None:
        self.events = events

    def is_set(self) -> bool:
        return any(event.is_set() for event in self.events)


def _poll(root: Path, out: Path, stop: threading.Event) -> Iterator[None]:
    seen = _stamps(root, out)
    while not stop.wait(0.25):
        now = _stamps(root, out)
        if now != seen:
            seen = now
            yield None


def _stamps(root: Path, out: Path) -> dict[str, float]:
    stamps: dict[str, float] = {}
    files = [root / name for name in FILES]
    for folder in watched_folders(root):
        files += [p for p in folder.rglob("*") if p.is_file()]
    for file in files:
        if not matters(file, root, out):
            continue
        try:
            stamps[str(file)] = file.stat().st_mtime_ns
        except OSError:
            continue
    return stamps


# -- serving --------------------------------------------------------------------------------

LIVE_SCRIPT = """<script>
(function () {
  if (!window.EventSource) { return; }
  var seen = __ARCHKIT_GENERATION__, box = null;  // the build this page was served from
  function show(state) {
    if (state.ok) { if (box) { box.remove(); box = null; } return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "archkit-build-errors";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:60%;overflow:auto;" +
        "z-index:9999;margin:0;padding:1em 1.5em;background:#fff4f4;color:#7a0000;" +
        "border-top:3px solid #c00;font:13px/1.5 ui-monospace,Menlo,Consolas,monospace;" +
        "white-space:pre-wrap;box-shadow:0 -4px 16px #0003";
      document.body.appendChild(box);
    }
    box.textContent = "archkit: the site was not rebuilt; the page shows the last good build.\\n\\n" +
      state.problems.join("\\n");
  }
  var source = new EventSource("/__archkit__/events");
  source.onmessage = function (event) {
    var state = JSON.parse(event.data);
    if (state.ok && state.generation !== seen) { location.reload(); return; }
    show(state);
    window.__archkit_live = true;  // listening (benchmarks wait for it)
  };
})();
</script>
"""


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Files of the site; HTML with the live-reload script; the build's events."""

    def __init__(self, state: _State, *args: Any, **kwargs: Any) -> None:
        self.state = state
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        route = self.path.split("?", 1)[0].split("#", 1)[0]
        if route == EVENTS:
            self._events()
            return
        if route.endswith(("/", ".html")):
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                path = path / "index.html"
            if path.suffix == ".html" and path.is_file():
                self._html(path)
                return
        super().do_GET()

    def _html(self, path: Path) -> None:
        # the generation is taken before the file is read: a build swaps the site in before it
        # counts, so the page is at least that new, and a build that ends meanwhile reloads it
        with self.state.changed:
            generation = self.state.generation
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            self.send_error(404)
            return
        at = text.rfind("</body>")
        script = LIVE_SCRIPT.replace("__ARCHKIT_GENERATION__", str(generation))
        page = (text[:at] + script + text[at:]) if at >= 0 else text + script
        body = page.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        """Server-sent events: the build's state now, then after every build."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        state = self.state
        sent = ""
        try:
            while not state.closed:
                with state.changed:
                    now = json.dumps(state.snapshot())
                    if now == sent:
                        state.changed.wait(15)
                        now = json.dumps(state.snapshot())
                # written outside the lock: a slow reader never holds up a build
                message = f"data: {now}\n\n" if now != sent else ": still here\n\n"
                self.wfile.write(message.encode("utf-8"))
                self.wfile.flush()
                sent = now
        except (BrokenPipeError, ConnectionResetError):
            return
