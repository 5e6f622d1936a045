"""Render systems to files: DOT -> one Graphviz call for all formats -> self-contained SVG.

Systems render in parallel (Graphviz runs as a separate process, so threads use every core), and
a content-hash cache in the workspace's ``.archkit/`` skips Graphviz for a system whose diagram would come
out the same as the files already there.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from archkit import catalogue
from archkit.errors import ArchkitError, Problem, closest
from archkit.files import write_atomic
from archkit.model.system import System
from archkit.names import DIRECTIONS, check_formats, is_id, split_formats
from archkit.render import graphviz
from archkit.render.d2 import to_d2
from archkit.render.dot import DotOptions, icon_for, to_dot
from archkit.render.fit import MIN_LABEL_PX, Fitted, fit, set_width
from archkit.render.icons import scaled_reader
from archkit.render.mermaid import to_mermaid
from archkit.render.svg import finish_svg, read_icon_from
from archkit.render.themes import THEMES
from archkit.stamp_cache import JsonCache

FORMATS = ("svg", "png", "dot", "mermaid", "d2", "excalidraw", "drawio")
EXTENSIONS = {
    "svg": ".svg",
    "png": ".png",
    "dot": ".dot",
    "mermaid": ".mmd",
    "d2": ".d2",
    "excalidraw": ".excalidraw",
    "drawio": ".drawio",
}
# Editable exports placed by a Graphviz layout of their own shapes (archkit.render.scene).
LAYOUT_FORMATS = ("excalidraw", "drawio")
# Exports written as text from the system alone, with no layout: format -> (system, direction) -> text.
TEXT_EXPORTS = {"mermaid": to_mermaid, "d2": to_d2}
# Bump when the renderer changes what it writes for the same input.
RENDERER_VERSION = "3"
_CACHE_VERSION = 1  # bump when the cache's entries change shape


@dataclasses.dataclass(frozen=True)
class RenderOptions:
    """How diagrams are drawn; checked when made, so a typo is an ArchkitError naming the close
    match, never a KeyError or a wrong file.

    ``formats``: some of svg, png, dot, mermaid (any case; 'mmd' for mermaid; repeats dropped).
    ``direction``: LR, TB, RL or BT (any case), or None for each system's own.
    ``theme``: light or dark. ``jobs``: parallel renders, None for one per core.
    ``width``: lay the diagram out for a page this many pixels wide (300 to 4000), or None.
    """

    formats: tuple[str, ...] = ("svg",)
    direction: str | None = None
    theme: str = "light"
    legend: bool = True
    jobs: int | None = None
    width: int | None = None  # lay out for a page this many pixels wide (render/fit.py)

    def __post_init__(self) -> None:
        object.__setattr__(self, "formats", parse_formats(self.formats))
        if self.direction is not None:
            object.__setattr__(self, "direction", parse_direction(self.direction))
        if self.theme not in THEMES:
            raise ArchkitError(
                [
                    Problem(
                        f"'{self.theme}' is not a theme",
                        expected=" or ".join(THEMES),
                        suggestion=closest(self.theme, THEMES),
                    )
                ]
            )
        if self.jobs is not None and (not isinstance(self.jobs, int) or self.jobs < 1):
            raise ArchkitError([Problem(f"jobs is {self.jobs!r}", expected="a whole number from 1, or None")])
        if self.width is not None and (not isinstance(self.width, int) or not 300 <= self.width <= 4000):
            raise ArchkitError(
                [Problem(f"width is {self.width!r}", expected="pixels from 300 to 4000, or None")]
            )


def parse_formats(formats: Iterable[str] | str) -> tuple[str, ...]:
    """Formats as given on a command line ('svg,png') or in a list, checked, in order, once each."""
    given = ["mermaid" if fmt == "mmd" else fmt for fmt in split_formats(formats)]
    if not given:
        raise ArchkitError([Problem("no format given", expected="some of " + ", ".join(FORMATS))])
    return check_formats(given, FORMATS, "some of " + ", ".join(FORMATS))


def parse_direction(direction: str) -> str:
    """LR, TB, RL or BT, in any case; an ArchkitError otherwise."""
    upper = direction.upper()
    if upper not in DIRECTIONS:
        raise ArchkitError(
            [
                Problem(
                    f"'{direction}' is not a direction",
                    expected=", ".join(DIRECTIONS[:-1]) + " or " + DIRECTIONS[-1],
                    suggestion=closest(upper, DIRECTIONS),
                )
            ]
        )
    return upper


class Rendered(NamedTuple):
    system: str
    files: list[Path]
    cached: bool = False
    note: str = ""  # what the user should know: a --width the labels could not reach


def render_diagrams(
    systems: Sequence[System], out_dir: Path, options: RenderOptions, cache_dir: Path | None = None
) -> list[Rendered]:
    """Render every system into ``out_dir``; returns what was written, in the systems' order.

    ``cache_dir`` (the workspace's ``.archkit/``) keeps what each file was drawn from, so that a
    system whose files are still what a render would write skips Graphviz next time. It never
    goes into ``out_dir``, which users commit. Without it, nothing is remembered between calls.

    A system whose render fails leaves its previous files as they were; the others are still
    drawn and recorded in the cache, then the first failure is raised.
    """
    _check_slugs(systems)
    if any(fmt in graphviz.DOT_FORMATS or fmt in LAYOUT_FORMATS for fmt in options.formats):
        graphviz.find_dot()  # fail once, before any work, when Graphviz is missing
    out_dir.mkdir(parents=True, exist_ok=True)
    cache = _Cache(cache_file(cache_dir, out_dir) if cache_dir is not None else None, out_dir)
    jobs = options.jobs or os.cpu_count() or 1
    render = functools.partial(_render_safely, out_dir=out_dir, options=options, cache=cache)
    # Systems whose files are fresh cost a hash each: answer them here, and start threads only
    # for the ones Graphviz must draw.
    outcomes: list[Rendered | Exception | None] = [
        _fresh(system, out_dir, options, cache) for system in systems
    ]
    missing = [i for i, outcome in enumerate(outcomes) if outcome is None]
    try:
        if jobs == 1 or len(missing) <= 1:
            for i in missing:
                outcomes[i] = render(systems[i])
        else:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=jobs) as pool:
                for i, drawn in zip(missing, pool.map(render, [systems[i] for i in missing]), strict=True):
                    outcomes[i] = drawn
    finally:
        cache.save()
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return [o for o in outcomes if isinstance(o, Rendered)]


def cache_file(cache_dir: Path, out_dir: Path) -> Path:
    """Where the cache of the diagrams in ``out_dir`` is kept: one file per output folder."""
    folder = hashlib.sha256(str(out_dir.resolve()).encode("utf-8")).hexdigest()[:16]
    return cache_dir / "cache" / "diagrams" / f"{folder}.json"


def fresh_diagrams(
    systems: Sequence[System], out_dir: Path, options: RenderOptions, cache_dir: Path
) -> list[bool]:
    """For each system: are its files in ``out_dir`` what a render would write? Draws nothing."""
    cache = _Cache(cache_file(cache_dir, out_dir), out_dir)
    return [_fresh(system, out_dir, options, cache) is not None for system in systems]


def _check_slugs(systems: Sequence[System]) -> None:
    """Every system names its own files, inside the output folder."""
    seen: set[str] = set()
    for system in systems:
        slug = system.slug
        if not is_id(slug):
            raise ArchkitError(
                [Problem(f"'{slug}' cannot name output files", expected="an id such as 'payments'")]
            )
        if slug in seen:
            raise ArchkitError([Problem(f"two systems are named '{slug}'", expected="one system per name")])
        seen.add(slug)


def _fresh(system: System, out_dir: Path, options: RenderOptions, cache: _Cache) -> Rendered | None:
    """The system's files, when the cache says they are what a render would write: first by
    what they were made from (the system, the options, archkit's drawing code), which costs no
    DOT; else by the DOT itself (a system written differently that draws the same)."""
    targets = {fmt: out_dir / f"{system.slug}{EXTENSIONS[fmt]}" for fmt in options.formats}
    made_from = _made_from(system, options)
    fresh = cache.fresh(system.slug, options.formats, made_from, targets.values(), field="made_from")
    if not fresh:
        _, _, _, key = _plan(system, out_dir, options)
        fresh = cache.fresh(system.slug, options.formats, key, targets.values())
        if fresh:  # next time, known without the DOT
            cache.remember(system.slug, options.formats, made_from)
    if fresh:
        note = cache.note(system.slug, options.formats)
        return Rendered(system.slug, list(targets.values()), cached=True, note=note)
    return None


def _made_from(system: System, options: RenderOptions) -> str:
    """A hash of what a system's files are made from before any DOT is written: the system as
    loaded, the options, the icons and Graphviz, and archkit's own drawing code (each module's
    size and time, so an edited archkit never passes for the one that drew them)."""
    parts = [RENDERER_VERSION, repr(system), repr(options), _icons_identity(system), _code_identity()]
    if any(fmt in graphviz.DOT_FORMATS or fmt in LAYOUT_FORMATS for fmt in options.formats):
        parts.append(graphviz.dot_identity())
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


@functools.cache
def _code_identity() -> str:
    """archkit's version and the size and time of every file of the package that drawing reads."""
    from archkit import __version__

    package = Path(__file__).resolve().parent.parent
    stamps = [__version__]
    for path in sorted([*package.glob("render/*"), *package.glob("catalogue/*"), *package.glob("*.py")]):
        with contextlib.suppress(OSError):
            stat = path.stat()
            stamps.append(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return ",".join(stamps)


def _plan(
    system: System, out_dir: Path, options: RenderOptions
) -> tuple[str, dict[str, str], dict[str, Path], str]:
    theme = THEMES[options.theme]
    dot_source = to_dot(system, DotOptions(direction=options.direction, theme=theme, legend=options.legend))
    texts = {
        fmt: export(system, options.direction)
        for fmt, export in TEXT_EXPORTS.items()
        if fmt in options.formats
    }
    targets = {fmt: out_dir / f"{system.slug}{EXTENSIONS[fmt]}" for fmt in options.formats}
    return dot_source, texts, targets, _cache_key(dot_source, texts, system, options)


def _render_safely(
    system: System, out_dir: Path, options: RenderOptions, cache: _Cache
) -> Rendered | Exception:
    try:
        return _render_one(system, out_dir, options, cache)
    except Exception as exc:  # reported by render_diagrams once the others are done
        return exc


def _render_one(system: System, out_dir: Path, options: RenderOptions, cache: _Cache) -> Rendered:
    dot_source, texts, targets, key = _plan(system, out_dir, options)
    notes: list[str] = []
    # Everything is made first; files are replaced only once all of them exist.
    contents = draw_dot(system, options, dot_source, tuple(targets), texts=texts, notes=notes)
    for fmt, data in contents.items():
        write_atomic(targets[fmt], data)
    note = "; ".join(notes)
    hashes = {targets[fmt].name: _digest(data) for fmt, data in contents.items()}
    cache.record(system.slug, options.formats, key, hashes, note, _made_from(system, options))
    return Rendered(system.slug, list(targets.values()), note=note)


def render_bytes(system: System, fmt: str, options: RenderOptions) -> bytes:
    """One format of one system's diagram, as bytes (for standard output and pipes)."""
    _check_slugs([system])
    if fmt in graphviz.DOT_FORMATS:
        graphviz.find_dot()
    one = dataclasses.replace(options, formats=(fmt,))
    dot_source, texts, _, _ = _plan(system, Path("."), one)
    return draw_dot(system, one, dot_source, (fmt,), texts=texts)[fmt]


def draw_dot(
    system: System,
    options: RenderOptions,
    dot_source: str,
    formats: Sequence[str],
    *,
    texts: Mapping[str, str] | None = None,
    notes: list[str] | None = None,
) -> dict[str, bytes]:
    """Draw ``dot_source``, the DOT of ``system`` (its own diagram, or another view of it such as
    a diff), in each of ``formats``; returns each format's bytes, written nowhere.

    svg and png come from one Graphviz layout (the SVG self-contained, icons embedded); 'dot'
    is the DOT itself; excalidraw and drawio are laid out from ``system``; mermaid and d2 are
    taken from ``texts`` (format -> text). With ``options.width`` the layout is fitted to that
    width from ``system`` (not from ``dot_source``), and ``notes`` receives what the user should
    know when labels stay too small. Raises EnvironmentProblem when Graphviz is missing or fails.
    """
    contents: dict[str, bytes] = {fmt: text.encode("utf-8") for fmt, text in (texts or {}).items()}
    for fmt in LAYOUT_FORMATS:
        if fmt in formats:
            contents[fmt] = _layout_export(fmt, system, options.direction).encode("utf-8")
    root = catalogue.resources_root()
    dpi = None
    fitted: Fitted | None = None
    if options.width and any(fmt in graphviz.DOT_FORMATS or fmt == "dot" for fmt in formats):
        fitted = _fit(system, options, str(root))
        dot_source = fitted.dot
        if fitted.label_px < MIN_LABEL_PX and notes is not None:
            notes.append(
                f"at --width {options.width} its smallest labels are {fitted.label_px:.1f} px high, "
                f"under {MIN_LABEL_PX:.0f} px: the layout is too wide even top to bottom; "
                "try a larger --width or fewer components side by side"
            )
        # the PNG at twice the target width, for high-density screens
        dpi = f"{72 * 2 * options.width / (fitted.width_pt):.2f}" if fitted.width_pt else None
    if "dot" in formats:
        contents["dot"] = dot_source.encode("utf-8")
    laid_out = [fmt for fmt in formats if fmt in graphviz.DOT_FORMATS]
    if laid_out:
        if laid_out == ["svg"] and fitted is not None and fitted.svg is not None:
            drawn = {"svg": fitted.svg.encode("utf-8")}  # the layout fitting measured is the drawing
        else:
            drawn = graphviz.lay_out(dot_source, laid_out, imagepath=root, dpi=dpi)
        if "svg" in drawn:
            svg = finish_svg(drawn["svg"].decode("utf-8"), scaled_reader(read_icon_from(root)))
            contents["svg"] = (set_width(svg, options.width) if options.width else svg).encode("utf-8")
        if "png" in drawn:
            contents["png"] = drawn["png"]
    return {fmt: contents[fmt] for fmt in formats}


def _fit(system: System, options: RenderOptions, imagepath: str) -> Fitted:
    """The DOT laid out for ``options.width``: the system's direction first, then the other
    (unless a direction was asked for); top to bottom, as drawn, then with its boundaries
    stacked one below another (render/stacking.py)."""
    theme = THEMES[options.theme]
    first = options.direction or system.direction or "LR"
    directions = [first] if options.direction else [first, "TB" if first in ("LR", "RL") else "LR"]
    variants = [v for d in directions for v in ([d, f"{d} stacked"] if d in ("TB", "BT") else [d])]

    def make(variant: str) -> str:
        direction, _, stacked = variant.partition(" ")
        dot_options = DotOptions(
            direction=direction, theme=theme, legend=options.legend, compact=True, stack=bool(stacked)
        )
        return to_dot(system, dot_options)

    return fit(make, variants, options.width or 0, imagepath)


def _layout_export(fmt: str, system: System, direction: str | None) -> str:
    if fmt == "excalidraw":
        from archkit.render.excalidraw import to_excalidraw

        return to_excalidraw(system, direction)
    from archkit.render.drawio import to_drawio

    return to_drawio(system, direction)


def _cache_key(dot_source: str, texts: dict[str, str], system: System, options: RenderOptions) -> str:
    digest = hashlib.sha256()
    parts = [RENDERER_VERSION, ",".join(options.formats), dot_source, *texts.values()]
    parts.append(_icons_identity(system))
    if any(fmt in LAYOUT_FORMATS for fmt in options.formats):
        parts.append(repr(system))  # what those exports are drawn from
    parts.append(f"width={options.width}")
    if any(fmt in graphviz.DOT_FORMATS or fmt in LAYOUT_FORMATS for fmt in options.formats):
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


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Cache(JsonCache):
    """What each system's files in ``out_dir`` were drawn from (a hash of all of it: the key) and
    their contents' hashes, sizes and modification times: one entry per system and formats, so
    that its SVG and its PNG drawn by separate calls do not replace each other's entry."""

    def __init__(self, path: Path | None, out_dir: Path) -> None:
        super().__init__(path, _CACHE_VERSION)
        self.out_dir = out_dir

    def fresh(
        self, slug: str, formats: Sequence[str], key: str, files: Iterable[Path], field: str = "key"
    ) -> bool:
        """Whether the files are what the entry says was written from ``key`` (the DOT's hash,
        or with ``field="made_from"`` the hash of what the DOT is made from)."""
        entry = self.entry(_entry_name(slug, formats))
        if not isinstance(entry, dict) or entry.get(field) != key:
            return False
        recorded = entry.get("files")
        if not isinstance(recorded, dict):
            return False
        for path in files:
            try:
                stat = path.stat()
            except OSError:
                return False
            known = recorded.get(path.name)
            stamp = [stat.st_size, stat.st_mtime_ns]
            if isinstance(known, list) and len(known) == 3 and known[1:] == stamp:
                continue  # same size and time as written: no need to read it again
            digest = known[0] if isinstance(known, list) and known else known
            if digest != _digest(path.read_bytes()):
                return False
        return True

    def remember(self, slug: str, formats: Sequence[str], made_from: str) -> None:
        """Note what the entry's files are made from, found equal by their DOT."""
        entry = self.entries.get(_entry_name(slug, formats))
        if isinstance(entry, dict) and entry.get("made_from") != made_from:
            self.store(_entry_name(slug, formats), {**entry, "made_from": made_from})

    def note(self, slug: str, formats: Sequence[str]) -> str:
        entry = self.entries.get(_entry_name(slug, formats))
        note = entry.get("note", "") if isinstance(entry, dict) else ""
        return note if isinstance(note, str) else ""

    def record(
        self,
        slug: str,
        formats: Sequence[str],
        key: str,
        hashes: dict[str, str],
        note: str = "",
        made_from: str = "",
    ) -> None:
        """Note what was written: each file's hash, size and modification time."""
        files: dict[str, list[object]] = {}
        for name, digest in hashes.items():
            stat = (self.out_dir / name).stat()
            files[name] = [digest, stat.st_size, stat.st_mtime_ns]
        entry: dict[str, object] = {"key": key, "made_from": made_from, "files": files}
        self.store(_entry_name(slug, formats), {**entry, **({"note": note} if note else {})})

    def unused(self) -> list[str]:
        """Entries whose files are no longer all in the output folder: they can never be fresh
        again. The others are kept, asked for this time or not: drawing one system must not
        forget the rest."""
        return [
            name
            for name, entry in self.entries.items()
            if not isinstance(entry, dict)
            or not isinstance(entry.get("files"), dict)
            or not all((self.out_dir / str(file)).is_file() for file in entry["files"])
        ]


def _entry_name(slug: str, formats: Sequence[str]) -> str:
    return f"{slug}:{','.join(formats)}"
