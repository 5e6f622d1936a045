"""``archkit build``: the whole portfolio as a static site, a printable single page and Markdown.

Data flows one way: the workspace is loaded and checked (every problem reported, nothing built
on errors) -> diagrams rendered through the diagram pipeline and its cache -> each page's context
assembled, hashed, and rendered only when its hash changed -> written to the output folder
(site/output.py: a new site swapped in whole, or a small change written in place), so a failed
build never leaves a half-written file, and a workspace with errors writes nothing.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

from archkit.decisions.store import DecisionStore
from archkit.errors import ArchkitError, Problem
from archkit.files import CACHES, unsafe_output
from archkit.memory import collector_paused
from archkit.model.system import System
from archkit.site import pages
from archkit.site.output import MANIFEST, Progress, write_site
from archkit.workspace import SOURCES

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


def build_site(
    root: Path, out: Path, *, jobs: int | None = None, progress: Progress | None = None
) -> BuildReport:
    """Build the site of the workspace at ``root`` into ``out`` (a relative ``out`` is taken
    from ``root``); ArchkitError with every problem when the workspace has errors (nothing is
    written then). ``jobs``: processes and threads to use, None for one per core."""
    from archkit.files import in_workspace

    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ArchkitError(
            [Problem(f"jobs is {jobs!r}", expected="a whole number from 1, or None for one per core")]
        )
    out = _safe_output(root, in_workspace(root, out))
    pages.forget_templates()  # a long-running serve sees template edits
    with collector_paused():  # see memory.py
        return _build(root, out, jobs, progress)


def _build(root: Path, out: Path, jobs: int | None, progress: Progress | None) -> BuildReport:
    from archkit.workspace import load_workspace

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
        written = write_site(out, planned, diagrams, progress, jobs)
    warnings = [p for p in problems if not p.is_error]
    return BuildReport(out, len(planned), written.rendered, len(diagrams), warnings)


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
