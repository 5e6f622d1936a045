"""``archkit build``: the whole portfolio as a static site, a printable single page and Markdown.

Data flows one way: the workspace is loaded and checked (every problem reported, nothing built
on errors) -> diagrams rendered through the diagram pipeline and its cache -> each page's context
assembled, hashed, and rendered only when its hash changed -> all written into a temporary folder
that replaces the output folder at the end, so a failed build never leaves a half-written site.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from archkit.decisions.store import DecisionStore
from archkit.errors import ArchkitError, Problem
from archkit.files import CACHES, folder_lock, unsafe_output
from archkit.model.system import System
from archkit.site import pages
from archkit.workspace import SOURCES

MANIFEST = ".archkit-site.json"
# lunr.js 2.3.9 from npm (MIT, vendor/LICENSE-lunr.txt): the search in the browser
LUNR_JS = Path(__file__).resolve().parent / "vendor" / "lunr.min.js"
DIAGRAM_CACHE = Path(".archkit") / "diagrams"
# A system page's column (max-width 64rem less padding, in style.css.j2): diagrams are laid out
# for it, so that their labels read at least 11 px high without a click.
DIAGRAM_WIDTH = 900


class BuildReport(NamedTuple):
    out: Path
    pages: int
    rendered: int  # pages whose inputs changed (the others were carried over)
    diagrams: int
    problems: list[Any]


Progress = Callable[[str, int, int], None]  # (what, done, total)


def build_site(
    root: Path, out: Path, *, jobs: int | None = None, progress: Progress | None = None
) -> BuildReport:
    """Build the site of the workspace at ``root`` into ``out`` (a relative ``out`` is taken
    from ``root``); ArchkitError with every problem when the workspace has errors (nothing is
    written then). ``jobs``: processes and threads to use, None for one per core."""
    from archkit.files import in_workspace
    from archkit.workspace import load_workspace

    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ArchkitError(
            [Problem(f"jobs is {jobs!r}", expected="a whole number from 1, or None for one per core")]
        )
    out = _safe_output(root, in_workspace(root, out))
    pages.forget_templates()  # a long-running serve sees template edits
    loaded = load_workspace(root, caches=root / CACHES)
    problems = loaded.problems
    if loaded.errors:
        raise ArchkitError(problems)  # warnings too: build prints what check prints
    systems, records, content = loaded.systems, loaded.records, loaded.content
    store = DecisionStore(root)

    with contextlib.ExitStack() as stack:
        cache = root / DIAGRAM_CACHE
        memo: Path | None = root / ".archkit"
        if not _writable(cache):  # a read-only workspace still builds elsewhere: a cache for now
            cache = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="archkit-diagrams-")))
            memo = None
        diagrams = _render_diagrams(cache, memo, systems, jobs, progress)
        changes = _render_changes(root, cache, systems, diagrams, problems)
        site = pages.Site(systems, records, content, diagrams, store, changes)
        planned = site.plan()
        return _write(out, planned, diagrams, progress, [p for p in problems if not p.is_error], jobs)


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def _render_changes(
    root: Path, cache: Path, systems: list[System], diagrams: dict[str, Path], problems: list[Any]
) -> dict[str, tuple[str, list[str]]]:
    """For each system with ``previous:``, the diagram of what changed (drawn into ``cache`` and
    added to ``diagrams`` as '<slug>-diff') and the summary; a version that cannot be read is a
    warning."""
    from archkit.errors import ArchkitError, EnvironmentProblem

    wanted = [s for s in systems if s.previous]
    if not wanted:
        return {}
    from archkit.model.diff import diff_previous
    from archkit.render.diff import change_lines
    from archkit.stamp_cache import JsonCache
    from archkit.workspace import Workspace

    workspace = Workspace(root)
    files = {p.stem: p for p in workspace.system_files()}
    changes: dict[str, tuple[str, list[str]]] = {}
    drawn_from = JsonCache(cache / "diffs.json", 1)
    for system in wanted:
        try:
            found = diff_previous(files[system.slug], system, workspace.show(files[system.slug]))
            svg = _diff_svg(found, cache, drawn_from)
        except (ArchkitError, EnvironmentProblem) as exc:
            problems.extend(_as_warnings(exc, system))
            continue
        diagrams[f"{system.slug}-diff"] = svg
        changes[system.slug] = (found.old_label, change_lines(found))
    drawn_from.save()
    return changes


def _diff_svg(found: Any, cache: Path, drawn_from: Any) -> Path:
    """The diff's SVG in ``cache``, drawn again only when its DOT changed (``drawn_from``, the
    JsonCache of what each diff was drawn from): a rebuild under serve skips Graphviz."""
    from archkit.render.diff import diff_dot, render_diff

    svg = cache / f"{found.after.slug or 'system'}-diff.svg"
    key = pages.digest_of(diff_dot(found))
    if svg.is_file() and drawn_from.entry(svg.name) == key:
        return svg
    (drawn,) = render_diff(found, cache, ["svg"])
    drawn_from.store(svg.name, key)
    return drawn


def _as_warnings(exc: Exception, system: System) -> list[Any]:
    from archkit.errors import ArchkitError, Problem

    where = system.locate("previous")
    reasons = [p.message for p in exc.problems] if isinstance(exc, ArchkitError) else [str(exc)]
    return [
        Problem(f"'previous: {system.previous}' cannot be compared: {reason}", where, severity="warning")
        for reason in reasons
    ]


def _render_diagrams(
    cache: Path, memo: Path | None, systems: list[System], jobs: int | None, progress: Progress | None
) -> dict[str, Path]:
    """SVG of every system, through the diagram pipeline and its cache (kept in the workspace)."""
    if not systems:
        return {}
    from archkit.render.pipeline import RenderOptions, render_diagrams

    if progress:
        progress("diagrams", 0, len(systems))
    results = render_diagrams(
        systems, cache, RenderOptions(formats=("svg",), jobs=jobs, width=DIAGRAM_WIDTH), memo
    )
    if progress:
        progress("diagrams", len(systems), len(systems))
    return {r.system: r.files[0] for r in results}


def _write(
    out: Path,
    planned: list[pages.Page],
    diagrams: dict[str, Path],
    progress: Progress | None,
    warnings: list[Any],
    jobs: int | None = None,
) -> BuildReport:
    out.parent.mkdir(parents=True, exist_ok=True)
    with folder_lock(out.parent):  # builds into one folder take turns
        _remove_leftovers(out)
        previous = _read_manifest(out)
        staging = _Staging(out.with_name(f".{out.name}.building-{os.getpid()}"))
        manifest: dict[str, str] = {}
        todo: list[pages.Page] = []
        try:
            for slug, svg in diagrams.items():
                staging.place(svg, f"diagrams/{slug}.svg")
            # lunr.js, for search (a copy: a hard link would let an edit of the site change archkit)
            shutil.copyfile(LUNR_JS, staging.folder / "lunr.js")
            for page in planned:
                digest = page.digest()
                manifest[page.path] = digest
                old = out / page.path
                # carried over only when it is a plain file archkit wrote: never a link planted there
                if previous.get(page.path) == digest and old.is_file() and not old.is_symlink():
                    staging.place(old, page.path)  # unchanged inputs: carried over, not rendered
                else:
                    todo.append(page)
            _render_pages(staging, todo, jobs, progress)
            (staging.folder / MANIFEST).write_text(
                json.dumps(manifest, indent=0, sort_keys=True) + "\n", encoding="utf-8"
            )
            _swap(staging.folder, out)
        except BaseException:
            shutil.rmtree(staging.folder, ignore_errors=True)
            raise
        return BuildReport(out, len(planned), len(todo), len(diagrams), warnings)


def _remove_leftovers(out: Path) -> None:
    """What builds killed before they finished left beside the output folder: their staging
    folders (none is in use: builds into this folder take turns) and retired sites."""
    prefix = f".{out.name}."
    for name in os.listdir(out.parent):
        if name.startswith(prefix) and re.fullmatch(r"(building-\d+|old-\d+-\d+)", name[len(prefix) :]):
            if name[len(prefix) :].startswith("old"):
                _remove_later(out.parent / name)
            else:
                shutil.rmtree(out.parent / name, ignore_errors=True)


class _Staging:
    """The new site's folder while it is built: the folders made in it (made once each), and
    the template environment its pages render with (made on first use)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir()
        self.folder = folder
        self.made: set[str] = {str(folder)}
        self.env: Any = None

    def target(self, path: str) -> Path:
        """Where ``path`` goes in the new site, its folder made."""
        target = self.folder / path
        parent = os.path.dirname(target)
        if parent not in self.made:
            os.makedirs(parent, exist_ok=True)
            self.made.add(parent)
        return target

    def place(self, source: Path, path: str) -> None:
        """Put a file in the new site: a hard link when the file system allows, else a copy."""
        target = self.target(path)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)

    def render(self, page: pages.Page) -> None:
        if self.env is None:
            from archkit.templating import environment

            self.env = environment(page.root)
        self.target(page.path).write_text(page.render(self.env), encoding="utf-8")


PARALLEL_FROM = 64  # fewer pages than this render faster in one process


def _render_pages(
    staging: _Staging, todo: list[pages.Page], jobs: int | None, progress: Progress | None
) -> None:
    """Render what changed: in forked worker processes (every core) when there is much to do
    and the platform forks; in this process otherwise."""
    import multiprocessing

    workers = jobs or os.cpu_count() or 1
    if workers > 1 and len(todo) >= PARALLEL_FROM and "fork" in multiprocessing.get_all_start_methods():
        for page in todo:  # folders first, so that workers never race to make them
            staging.target(page.path)
        # forked workers inherit the staging folder and the pages (nothing pickled): only the
        # pages' numbers travel to them
        context = multiprocessing.get_context("fork")
        with context.Pool(processes=workers, initializer=_adopt, initargs=(staging, todo)) as pool:
            done = pool.imap_unordered(_render_adopted, range(len(todo)), chunksize=8)
            for count, _ in enumerate(done, start=1):
                _tell(progress, count, len(todo))
        return
    for count, page in enumerate(todo, start=1):
        staging.render(page)
        _tell(progress, count, len(todo))


def _tell(progress: Progress | None, done: int, total: int) -> None:
    if progress and (done % 25 == 0 or done == total):
        progress("pages", done, total)


# In a forked page worker only: what it renders, handed over by the pool's initializer.
_adopted: tuple[_Staging, list[pages.Page]] | None = None


def _adopt(staging: _Staging, todo: list[pages.Page]) -> None:
    global _adopted
    _adopted = (staging, todo)


def _render_adopted(index: int) -> None:
    assert _adopted is not None, "called outside a page worker"
    staging, todo = _adopted
    staging.render(todo[index])


def _safe_output(root: Path, out: Path) -> Path:
    """The output folder, once it is sure that replacing it destroys nothing of the user's:
    not the workspace, not a folder holding it, not a source folder, and either new, empty or
    a site archkit built before."""
    target = out.resolve()
    sources = [root / name for name in SOURCES] + [DecisionStore(root).dir]

    def refuse(why: str) -> ArchkitError:
        return ArchkitError(
            [Problem(f"will not build into {out}: {why}", expected="a folder such as build/site")]
        )

    why = unsafe_output(root, out, sources)
    if why:
        raise refuse(why)
    if target.is_dir() and any(target.iterdir()) and not (target / MANIFEST).is_file():
        raise refuse("it holds files archkit did not build (no .archkit-site.json)")
    return target


def _swap(staging: Path, out: Path) -> None:
    """Replace the output folder by the new one; the old one is removed only after the swap."""
    if out.exists() and not out.is_dir():
        raise ArchkitError([Problem(f"{out} is a file, where the site's folder should go")])
    # unique: the site retired by the previous build of this process may still be being removed
    retired = out.with_name(f".{out.name}.old-{os.getpid()}-{time.monotonic_ns()}")
    if out.exists():
        os.replace(out, retired)
    os.replace(staging, out)
    if retired.exists():
        _remove_later(retired)


def _remove_later(folder: Path) -> None:
    """Delete the retired site without making the user wait: where ``rm`` exists it runs
    detached (the new site is already in place); elsewhere, here and now."""
    rm = shutil.which("rm")
    if rm and os.name == "posix":
        import subprocess

        subprocess.Popen(
            [rm, "-rf", "--", str(folder)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        return
    shutil.rmtree(folder, ignore_errors=True)


def _read_manifest(out: Path) -> dict[str, str]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
