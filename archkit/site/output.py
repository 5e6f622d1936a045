"""The site's folder on disk: the last step of ``archkit build``, which writes the planned pages.

A build writes its output one of two ways:

* **a new site, swapped in whole** (a first build, a rebuild where many pages changed, or an
  output folder holding anything archkit would not leave there, such as a symbolic link): the
  new site is made in a staging folder beside the output (unchanged pages hard-linked from the
  old site, changed ones rendered, on every core when there are many), then replaces the output
  folder in one rename. A build that fails leaves the old site as it was;
* **a small change, written in place** (at most ``IN_PLACE_MAX`` pages to render): the pages are
  rendered in memory first, so a template error writes nothing; the manifest
  (``.archkit-site.json``, each page's input hash) first forgets the pages about to change,
  each file is then replaced whole (a temporary file renamed over it), files the new site does
  not have are removed, and the manifest is written last. A run killed (or a disk filled)
  half-way leaves a site of old and new files, each of them whole, and a manifest that does not
  vouch for what it did not finish, so the next build renders those pages again. A rebuild that
  changes nothing writes nothing.

Either way the folder ends byte for byte the same, and builds into one folder take turns.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from archkit import parallel
from archkit.errors import ArchkitError, Problem
from archkit.files import folder_lock, reserve_temporary, write_atomic
from archkit.site import pages

MANIFEST = ".archkit-site.json"
# lunr.js 2.3.9 from npm (MIT, vendor/LICENSE-lunr.txt): the search in the browser
LUNR_JS = Path(__file__).resolve().parent / "vendor" / "lunr.min.js"
PARALLEL_FROM = parallel.PARALLEL_FROM  # fewer pages than this render faster in one process
IN_PLACE_MAX = 64  # more changed pages than this: a new site, swapped in whole
COPIED = {"lunr.js"}  # copied, not hard-linked: an edit of the site must not change archkit

Progress = Callable[[str, int, int], None]  # (what, done, total)


class Written(NamedTuple):
    rendered: int  # pages whose inputs changed (the others were carried over)


def write_site(
    out: Path,
    planned: list[pages.Page],
    diagrams: dict[str, Path],
    progress: Progress | None = None,
    jobs: int | None = None,
) -> Written:
    """Make ``out`` hold the pages of ``planned``, the diagrams (site path 'diagrams/<slug>.svg'
    from their files in the diagram cache), lunr.js and the manifest, and nothing else."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with folder_lock(out.parent):  # builds into one folder take turns
        _remove_leftovers(out)
        previous = _read_manifest(out)
        digests = {page.path: page.digest() for page in planned}
        files = {f"diagrams/{slug}.svg": svg for slug, svg in diagrams.items()}
        files["lunr.js"] = LUNR_JS
        wanted = set(digests) | set(files) | {MANIFEST}
        # with no manifest nothing can be carried over: the folder need not be looked at
        found = _walk(out, wanted) if previous else _Found(set(), set(), False)
        plan = _Plan(out, planned, files, digests, previous)
        if found.clean:
            todo = [page for page in planned if _changed(page.path, previous, digests, found)]
            if len(todo) <= IN_PLACE_MAX:
                _update_in_place(plan, todo, found, progress)
                return Written(len(todo))
        return Written(_new_site(plan, found.files, progress, jobs))


# --- A small change, in place -----------------------------------------------------------------


class _Plan(NamedTuple):
    out: Path
    planned: list[pages.Page]
    files: dict[str, Path]  # site path -> the file to put there (diagrams, lunr.js)
    digests: dict[str, str]  # page path -> the hash of its inputs: the new manifest
    previous: dict[str, str]  # the old site's manifest


def _changed(path: str, previous: dict[str, str], digests: dict[str, str], found: _Found) -> bool:
    return previous.get(path) != digests[path] or path not in found.files


class _Found(NamedTuple):
    """What the output folder holds, seen without following any link."""

    files: set[str]  # its plain files ('/'-separated paths), none reached through a link
    folders: set[str]
    clean: bool  # nothing there rules out writing in place


def _walk(out: Path, expected: set[str]) -> _Found:
    """The output folder's plain files and folders. It is not ``clean`` when it holds a
    symbolic link (a path written through it could land outside the site: the link is neither
    followed nor carried over), anything but files and folders, a folder where the site has a
    file, or a folder that cannot be read."""
    files: set[str] = set()
    folders: set[str] = set()
    clean = True
    stack = [("", str(out))]
    while stack:
        prefix, folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return _Found(files, folders, False)
        for entry in entries:
            path = prefix + entry.name
            if entry.is_symlink():
                clean = False
            elif entry.is_dir(follow_symlinks=False):
                clean = clean and path not in expected
                folders.add(path)
                stack.append((path + "/", entry.path))
            elif entry.is_file(follow_symlinks=False):
                files.add(path)
            else:
                clean = False
    return _Found(files, folders, clean)


def _update_in_place(plan: _Plan, todo: list[pages.Page], found: _Found, progress: Progress | None) -> None:
    out, files, digests, previous = plan.out, plan.files, plan.digests, plan.previous
    rendered = _render_in_memory(todo, progress)  # a template error stops here: nothing written
    changed_files = {path: source for path, source in files.items() if not _same_file(source, out / path)}
    wanted = set(digests) | set(files) | {MANIFEST}
    stale = sorted(found.files - wanted)
    stale_folders = found.folders - {str(parent) for path in wanted for parent in PurePosixPath(path).parents}
    if not (rendered or changed_files or stale or stale_folders) and previous == digests:
        return  # nothing changed: nothing written
    vouched = {path: digest for path, digest in previous.items() if path in digests and path not in rendered}
    _write_manifest(out, vouched)
    for path in stale:
        (out / path).unlink(missing_ok=True)
    for folder in sorted(stale_folders, key=lambda name: name.count("/"), reverse=True):  # deepest first
        with contextlib.suppress(OSError):
            (out / folder).rmdir()
    for path, source in changed_files.items():
        _put_file(source, out / path, link=path not in COPIED)
    for path, text in rendered.items():
        write_atomic(out / path, text)
    _write_manifest(out, digests)


def _render_in_memory(todo: list[pages.Page], progress: Progress | None) -> dict[str, str]:
    rendered: dict[str, str] = {}
    env = None
    for count, page in enumerate(todo, start=1):
        if env is None:
            from archkit.templating import environment

            env = environment(page.root)
        rendered[page.path] = page.render(env)
        _tell(progress, count, len(todo))
    return rendered


def _same_file(source: Path, target: Path) -> bool:
    """Whether ``target`` already holds ``source``'s bytes (a hard link to it, or a copy)."""
    try:
        if os.path.samefile(source, target):
            return True
        if os.path.getsize(source) != os.path.getsize(target):
            return False
        return source.read_bytes() == target.read_bytes()
    except OSError:
        return False


def _put_file(source: Path, target: Path, link: bool) -> None:
    """Replace ``target`` by ``source``, whole: a hard link renamed over it where ``link`` and
    the file system allow, else a copy."""
    if link:
        temporary = reserve_temporary(target)
        temporary.unlink()
        try:
            os.link(source, temporary)
        except OSError:
            pass
        else:
            try:
                os.replace(temporary, target)
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise
            return
    write_atomic(target, source.read_bytes())


def _write_manifest(out: Path, digests: dict[str, str]) -> None:
    write_atomic(out / MANIFEST, _manifest_text(digests))


def _manifest_text(digests: dict[str, str]) -> str:
    return json.dumps(digests, indent=0, sort_keys=True) + "\n"


# --- A new site, swapped in whole -------------------------------------------------------------


def _new_site(plan: _Plan, present: set[str], progress: Progress | None, jobs: int | None) -> int:
    """Build the site in a staging folder and swap it in; the number of pages rendered. A page
    is carried over from the old site only when its inputs are unchanged and it is one of the
    plain files there (``present``), never one reached through a link planted in the site."""
    out, planned, digests, previous = plan.out, plan.planned, plan.digests, plan.previous
    staging = _Staging(out.with_name(f".{out.name}.building-{os.getpid()}"))
    todo: list[pages.Page] = []
    try:
        for path, source in plan.files.items():
            if path in COPIED:
                shutil.copyfile(source, staging.target(path))
            else:
                staging.place(source, path)
        for page in planned:
            if previous.get(page.path) == digests[page.path] and page.path in present:
                staging.place(out / page.path, page.path)  # unchanged inputs: carried over, not rendered
            else:
                todo.append(page)
        _render_pages(staging, todo, jobs, progress)
        (staging.folder / MANIFEST).write_bytes(_manifest_text(digests).encode("utf-8"))
        _swap(staging.folder, out)
    except BaseException:
        shutil.rmtree(staging.folder, ignore_errors=True)
        raise
    return len(todo)


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
        # bytes, as write_atomic writes them: the same '\n' line ends on every platform
        self.target(page.path).write_bytes(page.render(self.env).encode("utf-8"))


def _render_pages(
    staging: _Staging, todo: list[pages.Page], jobs: int | None, progress: Progress | None
) -> None:
    """Render what changed: in forked worker processes when there is much to do (parallel.py)."""
    for page in todo:  # folders first, so that workers never race to make them
        staging.target(page.path)
    parallel.for_each(
        len(todo),
        lambda index: staging.render(todo[index]),
        jobs=jobs,
        parallel_from=PARALLEL_FROM,
        done=lambda finished: _tell(progress, finished, len(todo)),
    )


def _tell(progress: Progress | None, done: int, total: int) -> None:
    if progress and (done % 25 == 0 or done == total):
        progress("pages", done, total)


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
