"""``archkit build``: the whole portfolio as a static site, a printable single page and Markdown.

Data flows one way: the workspace is loaded and checked (every problem reported, nothing built
on errors) -> diagrams rendered through the diagram pipeline and its cache -> each page's context
assembled, hashed, and rendered only when its hash changed -> all written into a temporary folder
that replaces the output folder at the end, so a failed build never leaves a half-written site.
"""

from __future__ import annotations

import contextlib
import hashlib
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
from archkit.files import folder_lock, unsafe_output
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
    """Build the site of the workspace at ``root`` into ``out``; ArchkitError with every problem
    when the workspace has errors (nothing is written then)."""
    from archkit.workspace import load_workspace

    out = _safe_output(root, out)
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
        changes = _render_changes(root, systems, diagrams, problems)
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
        staging = out.with_name(f".{out.name}.building-{os.getpid()}")
        staging.mkdir()
        _made.clear()
        manifest: dict[str, str] = {}
        todo: list[pages.Page] = []
        try:
            for slug, svg in diagrams.items():
                _place(svg, staging / "diagrams" / f"{slug}.svg")
            # lunr.js, for search (a copy: a hard link would let an edit of the site change archkit)
            shutil.copyfile(LUNR_JS, staging / "lunr.js")
            for page in planned:
                digest = page.digest()
                manifest[page.path] = digest
                old = out / page.path
                # carried over only when it is a plain file archkit wrote: never a link planted there
                if previous.get(page.path) == digest and old.is_file() and not old.is_symlink():
                    _place(old, staging / page.path)  # unchanged inputs: carried over, not rendered
                else:
                    todo.append(page)
            _render_pages(staging, todo, jobs, progress)
            (staging / MANIFEST).write_text(
                json.dumps(manifest, indent=0, sort_keys=True) + "\n", encoding="utf-8"
            )
            _swap(staging, out)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
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


# Pages rendered by forked workers: they inherit the plan instead of receiving it pickled.
_FORKED: tuple[Path, list[pages.Page]] | None = None
_ENV: Any = None
PARALLEL_FROM = 64  # fewer pages than this render faster in one process


def _render_one(staging: Path, page: pages.Page) -> None:
    global _ENV
    if _ENV is None:
        from archkit.templating import environment

        _ENV = environment(page.root)
    target = staging / page.path
    folder = os.path.dirname(target)
    if folder not in _made:
        os.makedirs(folder, exist_ok=True)
        _made.add(folder)
    target.write_text(page.render(_ENV), encoding="utf-8")


def _render_forked(index: int) -> None:
    assert _FORKED is not None
    staging, todo = _FORKED
    _render_one(staging, todo[index])


def _render_pages(staging: Path, todo: list[pages.Page], jobs: int | None, progress: Progress | None) -> None:
    """Render what changed: in forked worker processes (every core) when there is much to do
    and the platform forks; in this process otherwise."""
    import multiprocessing

    global _ENV, _FORKED
    _ENV = None
    workers = jobs or os.cpu_count() or 1
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if workers > 1 and can_fork and len(todo) >= PARALLEL_FROM:
        for page in todo:  # folders first, so that workers never race to make them
            folder = os.path.dirname(staging / page.path)
            if folder not in _made:
                os.makedirs(folder, exist_ok=True)
                _made.add(folder)
        _FORKED = (staging, todo)
        try:
            with multiprocessing.get_context("fork").Pool(processes=workers) as pool:
                for done, _ in enumerate(
                    pool.imap_unordered(_render_forked, range(len(todo)), chunksize=8), 1
                ):
                    if progress and (done % 25 == 0 or done == len(todo)):
                        progress("pages", done, len(todo))
        finally:
            _FORKED = None
        return
    for done, page in enumerate(todo, start=1):
        _render_one(staging, page)
        if progress and (done % 25 == 0 or done == len(todo)):
            progress("pages", done, len(todo))


_made: set[str] = set()


def _place(source: Path, target: Path) -> None:
    """Put a file in the new site: a hard link when the file system allows, else a copy."""
    folder = os.path.dirname(target)
    if folder not in _made:
        os.makedirs(folder, exist_ok=True)
        _made.add(folder)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


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


def digest_of(*parts: object) -> str:
    """A stable hash of page inputs. They are plain data built in a fixed order (strings,
    numbers, tuples, lists, dicts), so their repr is stable, and far cheaper than JSON."""
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()
