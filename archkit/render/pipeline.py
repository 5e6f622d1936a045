"""Render systems to files: DOT -> one Graphviz call for all formats -> self-contained SVG.

Systems render in parallel (Graphviz runs as a separate process, so threads use every core), and
a content-hash cache in the output folder skips Graphviz for a system whose diagram would come
out the same as the files already there.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from archkit import catalogue
from archkit.files import reserve_temporary, write_atomic
from archkit.model.system import System
from archkit.render import graphviz
from archkit.render.dot import DotOptions, icon_for, to_dot
from archkit.render.mermaid import to_mermaid
from archkit.render.svg import finish_svg, read_icon_from
from archkit.render.themes import THEMES

FORMATS = ("svg", "png", "dot", "mermaid")
EXTENSIONS = {"svg": ".svg", "png": ".png", "dot": ".dot", "mermaid": ".mmd"}
CACHE_FILE = ".archkit-cache.json"
# Bump when the renderer changes what it writes for the same input.
RENDERER_VERSION = "1"


class RenderOptions(NamedTuple):
    formats: tuple[str, ...] = ("svg",)
    direction: str | None = None
    theme: str = "light"
    legend: bool = True
    jobs: int | None = None  # parallel renders; default: one per core


class Rendered(NamedTuple):
    system: str
    files: list[Path]
    cached: bool = False


def render_diagrams(systems: Sequence[System], out_dir: Path, options: RenderOptions) -> list[Rendered]:
    """Render every system into ``out_dir``; returns what was written, in the systems' order."""
    if any(fmt in graphviz.DOT_FORMATS for fmt in options.formats):
        graphviz.find_dot()  # fail once, before any work, when Graphviz is missing
    out_dir.mkdir(parents=True, exist_ok=True)
    cache = _Cache(out_dir / CACHE_FILE)
    jobs = options.jobs or os.cpu_count() or 1
    render = functools.partial(_render_one, out_dir=out_dir, options=options, cache=cache)
    if jobs == 1 or len(systems) == 1:
        results = [render(system) for system in systems]
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(render, systems))
    cache.save()
    return results


def _render_one(system: System, out_dir: Path, options: RenderOptions, cache: _Cache) -> Rendered:
    theme = THEMES[options.theme]
    dot_source = to_dot(system, DotOptions(direction=options.direction, theme=theme, legend=options.legend))
    targets = {fmt: out_dir / f"{system.slug}{EXTENSIONS[fmt]}" for fmt in options.formats}
    key = _cache_key(dot_source, system, options)
    result = Rendered(system.slug, list(targets.values()))
    if cache.fresh(system.slug, key, targets.values()):
        return result._replace(cached=True)

    if "dot" in targets:
        write_atomic(targets["dot"], dot_source)
    if "mermaid" in targets:
        write_atomic(targets["mermaid"], to_mermaid(system, options.direction))
    laid_out = {fmt: path for fmt, path in targets.items() if fmt in graphviz.DOT_FORMATS}
    if laid_out:
        root = catalogue.resources_root()
        raw = {fmt: reserve_temporary(path) for fmt, path in laid_out.items()}
        try:
            graphviz.run_dot(dot_source, raw, imagepath=root)
            if "svg" in raw:
                svg = finish_svg(raw["svg"].read_text(encoding="utf-8"), read_icon_from(root))
                write_atomic(laid_out["svg"], svg)
            if "png" in raw:
                os.replace(raw["png"], laid_out["png"])
        finally:
            for leftover in raw.values():
                leftover.unlink(missing_ok=True)
    cache.record(system.slug, key, targets.values())
    return result


def _cache_key(dot_source: str, system: System, options: RenderOptions) -> str:
    digest = hashlib.sha256()
    parts = [RENDERER_VERSION, ",".join(options.formats), dot_source, _icons_identity(system)]
    if "mermaid" in options.formats:
        parts.append(to_mermaid(system, options.direction))
    if any(fmt in graphviz.DOT_FORMATS for fmt in options.formats):
        parts.append(graphviz.dot_identity())
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def _icons_identity(system: System) -> str:
    """Size and time of each icon drawn: a new ``diagrams`` release that redraws one shows here."""
    root = catalogue.resources_root()
    stamps = []
    for icon in sorted({icon_for(c) or "" for c in system.components} - {""}):
        try:
            stat = (root / icon).stat()
        except OSError:
            continue
        stamps.append(f"{icon}:{stat.st_size}:{stat.st_mtime_ns}")
    return ";".join(stamps)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _Cache:
    """What each system's files were rendered from, and their contents' hashes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.changed = False
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
            self.entries: dict[str, dict[str, object]] = loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError):
            self.entries = {}

    def fresh(self, slug: str, key: str, files: Iterable[Path]) -> bool:
        entry = self.entries.get(slug)
        if not isinstance(entry, dict) or entry.get("key") != key:
            return False
        recorded = entry.get("files")
        if not isinstance(recorded, dict):
            return False
        for path in files:
            if not path.is_file() or recorded.get(path.name) != _digest(path):
                return False
        return True

    def record(self, slug: str, key: str, files: Iterable[Path]) -> None:
        hashes = {path.name: _digest(path) for path in files}
        with self.lock:
            self.entries[slug] = {"key": key, "files": hashes}
            self.changed = True

    def save(self) -> None:
        if self.changed:
            write_atomic(self.path, json.dumps(self.entries, indent=1, sort_keys=True) + "\n")
