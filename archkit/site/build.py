"""``archkit build``: the whole portfolio as a static site, a printable single page and Markdown.

Data flows one way: the workspace is loaded and checked (every problem reported, nothing built
on errors) -> diagrams rendered through the diagram pipeline and its cache -> each page's context
assembled, hashed, and rendered only when its hash changed -> all written into a temporary folder
that replaces the output folder at the end, so a failed build never leaves a half-written site.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from archkit.decisions.store import DecisionStore
from archkit.errors import ArchkitError, Problem
from archkit.model.system import System
from archkit.site import pages

if TYPE_CHECKING:
    from archkit.render.pipeline import RenderOptions

MANIFEST = ".archkit-site.json"
# lunr.js 2.3.9 from npm (MIT, vendor/LICENSE-lunr.txt): the search in the browser
LUNR_JS = Path(__file__).resolve().parent / "vendor" / "lunr.min.js"
DIAGRAM_CACHE = Path(".archkit") / "diagrams"
# A system page's column (max-width 64rem less padding, in style.css.j2): diagrams are laid out
# for it, so that their labels read at least 11 px high without a click.
DIAGRAM_WIDTH = 900
CACHES = Path(".archkit") / "cache"  # parsed systems (systems.json), records (records/), content.json


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
    """``archkit build``: the site of the workspace at ``root`` into ``out`` (relative to
    ``root`` unless absolute), diagrams drawn by ``jobs`` threads (None: one per core);
    ArchkitError with every problem when the workspace has errors (nothing is written then)."""
    from archkit.files import in_workspace
    from archkit.render.pipeline import RenderOptions
    from archkit.workspace import load_workspace

    options = RenderOptions(formats=("svg",), jobs=jobs)  # checks jobs before any work
    out = _safe_output(root, in_workspace(root, out))
    pages.forget_templates()  # a long-running serve sees template edits
    loaded = load_workspace(root, caches=root / CACHES)
    problems = loaded.problems
    if loaded.errors:
        raise ArchkitError(problems)  # warnings too: build prints what check prints
    systems, records, content = loaded.systems, loaded.records, loaded.content
    store = DecisionStore(root)

    diagrams = _render_diagrams(root, systems, options, progress)
    changes = _render_changes(root, systems, diagrams, problems)
    site = pages.Site(systems, records, content, diagrams, store, changes)
    planned = site.plan()
    return _write(out, planned, diagrams, progress, [p for p in problems if not p.is_error], jobs)


def _render_changes(
    root: Path, systems: list[System], diagrams: dict[str, Path], problems: list[Any]
) -> dict[str, tuple[str, list[str]]]:
    """For each system with ``previous:``, the diagram of what changed (added to ``diagrams`` as
    '<slug>-diff') and the summary; a version that cannot be read is a warning."""
    from archkit.errors import ArchkitError, EnvironmentProblem

    wanted = [s for s in systems if s.previous]
    if not wanted:
        return {}
    from archkit.model.diff import diff_previous
    from archkit.render.diff import change_lines, render_diff
    from archkit.workspace import Workspace

    files = {p.stem: p for p in Workspace(root).system_files()}
    changes: dict[str, tuple[str, list[str]]] = {}
    for system in wanted:
        try:
            found = diff_previous(files[system.slug], system, Workspace(root).show(files[system.slug]))
            (svg,) = render_diff(found, root / DIAGRAM_CACHE, ["svg"])
        except (ArchkitError, EnvironmentProblem) as exc:
            problems.extend(_as_warnings(exc, system))
            continue
        diagrams[f"{system.slug}-diff"] = svg
        changes[system.slug] = (found.old_label, change_lines(found))
    return changes


def _as_warnings(exc: Exception, system: System) -> list[Any]:
    from archkit.errors import ArchkitError, Problem

    where = system.locate("previous")
    reasons = [p.message for p in exc.problems] if isinstance(exc, ArchkitError) else [str(exc)]
    return [
        Problem(f"'previous: {system.previous}' cannot be compared: {reason}", where, severity="warning")
        for reason in reasons
    ]


def _render_diagrams(
    root: Path, systems: list[System], options: RenderOptions, progress: Progress | None
) -> dict[str, Path]:
    """SVG of every system, through the diagram pipeline and its cache (kept in the workspace)."""
    if not systems:
        return {}
    from archkit.render.pipeline import render_diagrams

    if progress:
        progress("diagrams", 0, len(systems))
    results = render_diagrams(
        systems, root / DIAGRAM_CACHE, dataclasses.replace(options, width=DIAGRAM_WIDTH), root / ".archkit"
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
    previous = _read_manifest(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = _Staging(out.with_name(f".{out.name}.building-{os.getpid()}"))
    try:
        for slug, svg in diagrams.items():
            staging.place(svg, f"diagrams/{slug}.svg")
        manifest: dict[str, str] = {}
        # lunr.js, for search (a copy: a hard link would let an edit of the site change archkit)
        shutil.copyfile(LUNR_JS, staging.folder / "lunr.js")
        for page in planned:
            manifest[page.path] = page.digest()
            old = out / page.path
            # carried over only when it is a plain file archkit wrote: never a link planted there
            if previous.get(page.path) == manifest[page.path] and old.is_file() and not old.is_symlink():
                staging.place(old, page.path)  # unchanged inputs: carried over, not rendered
            else:
                staging.todo.append(page)
        _render_pages(staging, jobs, progress)
        (staging.folder / MANIFEST).write_text(
            json.dumps(manifest, indent=0, sort_keys=True) + "\n", encoding="utf-8"
        )
        _swap(staging.folder, out)
    except BaseException:
        shutil.rmtree(staging.folder, ignore_errors=True)
        raise
    return BuildReport(out, len(planned), len(staging.todo), len(diagrams), warnings)


PARALLEL_FROM = 64  # fewer pages than this render faster in one process


class _Staging:
    """The new site while it is made: its folder (emptied), the pages still to render, the
    folders made so far (each made once) and the template environment (made on first use)."""

    def __init__(self, folder: Path) -> None:
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir()
        self.folder = folder
        self.todo: list[pages.Page] = []
        self.made: set[str] = set()
        self.env: Any = None

    def make_folder_of(self, path: str) -> Path:
        target = self.folder / path
        parent = os.path.dirname(target)
        if parent not in self.made:
            os.makedirs(parent, exist_ok=True)
            self.made.add(parent)
        return target

    def place(self, source: Path, path: str) -> None:
        """Put a file in the new site: a hard link when the file system allows, else a copy."""
        target = self.make_folder_of(path)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)

    def render(self, index: int) -> None:
        """Render the page ``todo[index]`` into the new site."""
        page = self.todo[index]
        if self.env is None:
            from archkit.templating import environment

            self.env = environment(page.root)
        self.make_folder_of(page.path).write_text(page.render(self.env), encoding="utf-8")


# The staging forked workers inherit (fork copies it; it is never pickled). Set only while a
# pool of workers runs.
_FORKED: _Staging | None = None


def _render_forked(index: int) -> None:
    assert _FORKED is not None
    _FORKED.render(index)


def _render_pages(staging: _Staging, jobs: int | None, progress: Progress | None) -> None:
    """Render what changed: in forked worker processes (every core) when there is much to do
    and the platform forks; in this process otherwise."""
    import multiprocessing

    global _FORKED
    todo = staging.todo
    workers = jobs or os.cpu_count() or 1
    done = 0
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods() and len(todo) >= PARALLEL_FROM:
        for page in todo:  # folders first, so that workers never race to make them
            staging.make_folder_of(page.path)
        _FORKED = staging
        try:
            with multiprocessing.get_context("fork").Pool(processes=workers) as pool:
                for _ in pool.imap_unordered(_render_forked, range(len(todo)), chunksize=8):
                    done += 1
                    _report(progress, done, len(todo))
        finally:
            _FORKED = None
        return
    for index in range(len(todo)):
        staging.render(index)
        _report(progress, index + 1, len(todo))


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress and (done % 25 == 0 or done == total):
        progress("pages", done, total)


SOURCES = ("systems", "decisions", "case-studies", "leadership", "stories", "templates", ".archkit")


def _safe_output(root: Path, out: Path) -> Path:
    """The output folder, once it is sure that replacing it destroys nothing of the user's:
    not the workspace, not a folder holding it, not a source folder, and either new, empty or
    a site archkit built before."""
    target = out.resolve()
    workspace = root.resolve()
    sources = [workspace / name for name in SOURCES] + [DecisionStore(root).dir.resolve()]

    def refuse(why: str) -> ArchkitError:
        return ArchkitError(
            [Problem(f"will not build into {out}: {why}", expected="a folder such as build/site")]
        )

    if target == workspace or target in workspace.parents:
        raise refuse("it holds the workspace")
    if any(target == s or s in target.parents for s in sources):
        raise refuse("it is one of the workspace's sources")
    if target.exists() and not target.is_dir():
        raise refuse("it is a file")
    if target.is_dir() and any(target.iterdir()) and not (target / MANIFEST).is_file():
        raise refuse("it holds files archkit did not build (no .archkit-site.json)")
    return target


def _swap(staging: Path, out: Path) -> None:
    """Replace the output folder by the new one; the old one is removed only after the swap."""
    if out.exists() and not out.is_dir():
        raise ArchkitError([Problem(f"{out} is a file, where the site's folder should go")])
    retired = out.with_name(f".{out.name}.old-{os.getpid()}")
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
