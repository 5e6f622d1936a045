"""``archkit embed``: fill the marker blocks of Markdown and HTML documents, or check them.

A document whose own stamp (size, modification time) and whose inputs' stamps (the systems and
records its blocks name, the images they link to, archkit's version) are what they were when it
was last found up to date is not read again: checking a folder of fresh documents costs a stat
per file. Otherwise its blocks are made anew, images are drawn through the diagram pipeline
(which skips every image whose inputs have not changed), and only the text between markers is
rewritten - atomically, and only when it differs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from archkit.documents import blocks as made
from archkit.documents.markers import Block, current_body, find_blocks, format_body, replace_blocks
from archkit.errors import ArchkitError, Position, Problem, display_path
from archkit.files import CACHES, RECORDS_CACHE, SYSTEMS_CACHE, user_path, write_atomic
from archkit.stamp_cache import StampCache

if TYPE_CHECKING:
    from archkit.decisions.record import Record
    from archkit.model.system import System

SUFFIXES = (".md", ".markdown", ".html", ".htm")
SKIPPED_DIRS = {"build", "site", "node_modules", "venv", "__pycache__"}
CACHE = CACHES / "embed.json"
_CACHE_VERSION = 2  # per document: its number of blocks, and its inputs' stamps when it was up to date


class Stale(NamedTuple):
    document: str  # as shown to the user
    line: int
    kind: str
    name: str
    reason: str  # "text" (the block's text differs) or "image" (its image is out of date)


class EmbedReport(NamedTuple):
    documents: int  # documents with blocks
    blocks: int
    updated: list[str]  # documents rewritten (or, with check, that would be)
    stale: list[Stale]
    images: list[Path]  # images drawn


def embed_documents(root: Path, files: Sequence[Path] = (), check: bool = False) -> EmbedReport:
    """Fill (or with ``check``, only compare) the marker blocks of ``files``, or of every
    Markdown and HTML document in the workspace when none are given."""
    documents = [user_path(root, f) for f in files] or list(discover(root))
    cache = StampCache(root / CACHE, _CACHE_VERSION)
    state = Inputs(root, caches=not check)
    stale: list[Stale] = []
    updated: list[str] = []
    drawn: list[Path] = []
    pending, count, total = _read_all(root, documents, cache, state)
    images = _images(root, pending)
    fresh_images = _draw(root, state, images, check, drawn)
    for document, text, found, bodies in pending:
        shown = display_path(document, root)
        count += bool(found)
        total += len(found)
        new_text = replace_blocks(text, found, bodies)
        doc_stale = _stale(shown, document, text, found, bodies, fresh_images)
        stale += sorted(set(doc_stale), key=lambda s: (s.line, s.reason != "text"))
        if new_text != text:
            updated.append(shown)
            if not check:
                write_atomic(document, new_text.encode("utf-8"))
        if not check:
            cache.put_made_from(document, len(found), state.inputs(document, found))
    if not check:  # a check writes nothing, not even the cache
        cache.save(forget_unused=not files)  # given files: the others are still known
    return EmbedReport(count, total, updated, stale if check else [], drawn)


def _read_all(
    root: Path, documents: Sequence[Path], cache: StampCache, state: Inputs
) -> tuple[list[tuple[Path, str, list[Block], list[str]]], int, int]:
    """The documents to fill, each with its text, blocks and their new bodies; and how many
    documents and blocks the cache vouches for. ArchkitError with every problem found."""
    pending: list[tuple[Path, str, list[Block], list[str]]] = []
    problems: list[Problem] = []
    count = total = 0
    for document in documents:
        known = cache.get_made_from(document)  # its number of blocks
        if isinstance(known, int):
            count += known > 0
            total += known
            continue
        shown = display_path(document, root)
        try:
            text = _read(document)
            found = find_blocks(text, shown)
            bodies = [made.body(b, document, state.context, Position(shown, b.line, 1)) for b in found]
        except ArchkitError as exc:
            problems += exc.problems
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(f"cannot read {shown}: {_reason(exc)}"))
            continue
        pending.append((document, text, found, bodies))
    if problems:
        raise ArchkitError(problems)
    return pending, count, total


def _stale(
    shown: str,
    document: Path,
    text: str,
    found: list[Block],
    bodies: list[str],
    fresh: dict[Any, bool],
) -> list[Stale]:
    """The blocks of a document whose text, or whose image, is not what it would be made now."""
    stale = [
        Stale(shown, b.line, b.kind, " ".join(b.args), "text")
        for b, body in zip(found, bodies, strict=True)
        if current_body(text, b) != format_body(b, body)
    ]
    stale += [
        Stale(shown, b.line, b.kind, b.args[0], "image")
        for b in found
        if b.kind == "diagram" and not fresh.get(_image_key(document, b), True)
    ]
    return stale


def discover(root: Path) -> Iterator[Path]:
    """Markdown and HTML documents below ``root``, in a stable order; hidden folders, build
    output and dependencies are skipped."""
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        for name in sorted(names):
            if name.lower().endswith(SUFFIXES) and not name.startswith("."):
                yield Path(folder, name)


def _read(document: Path) -> str:
    with open(document, encoding="utf-8", newline="") as handle:  # keep \r\n as written
        return handle.read()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "it is not UTF-8 text"
    return getattr(exc, "strerror", None) or str(exc)


def _image_key(document: Path, block: Block) -> tuple[str, str]:
    return (str(document), str(block.start))


def _images(root: Path, pending: list[tuple[Path, str, list[Block], list[str]]]) -> dict[Path, Any]:
    """Every image the diagram blocks link to; two blocks asking for one file differently is an error."""
    images: dict[Path, tuple[made.Image, str, list[tuple[str, str]]]] = {}
    problems = []
    for document, _, found, _ in pending:
        shown = display_path(document, root)
        for block in found:
            if block.kind != "diagram":
                continue
            where = Position(shown, block.line, 1)
            image = made.image_for(block, document, where)
            path = image.path.resolve()
            if path in images and images[path][0].options != image.options:
                problems.append(
                    Problem(
                        f"{display_path(path, root)} is asked for with other options at {images[path][1]}",
                        where,
                        expected="the same options for one image, or another folder (out=...)",
                    )
                )
                continue
            images.setdefault(path, (image, str(where), []))[2].append(_image_key(document, block))
    if problems:
        raise ArchkitError(problems)
    return images


def _draw(
    root: Path, state: Inputs, images: dict[Path, Any], check: bool, drawn: list[Path]
) -> dict[tuple[str, str], bool]:
    """Draw (or with ``check``, only look at) the images; which blocks' images were fresh."""
    from archkit.render.pipeline import fresh_diagrams, render_diagrams

    groups: dict[tuple[Path, Any], list[tuple[made.Image, list[tuple[str, str]]]]] = {}
    for image, _, keys in images.values():
        groups.setdefault((image.out_dir.resolve(), image.options), []).append((image, keys))
    fresh: dict[tuple[str, str], bool] = {}
    cache_dir = root / ".archkit"
    for (out_dir, options), members in groups.items():
        systems = [state.systems()[image.system] for image, _ in members]
        if check:
            flags = fresh_diagrams(systems, out_dir, options, cache_dir)
        else:
            results = render_diagrams(systems, out_dir, options, cache_dir)
            drawn += [path for r in results if not r.cached for path in r.files]
            flags = [True] * len(results)
        for (_, keys), flag in zip(members, flags, strict=True):
            for key in keys:
                fresh[key] = flag
    return fresh


class Inputs:
    """The workspace's systems and records, loaded once and only when a stale block needs them;
    through the caches in ``.archkit/cache/`` unless ``caches`` is false (then nothing is written)."""

    def __init__(self, root: Path, link_root: Path | None = None, *, caches: bool = True) -> None:
        self.root = root
        self.caches = root / CACHES if caches else None
        self._systems: dict[str, System] | None = None
        self._files: dict[str, Path] = {}
        self._records: list[Record] | None = None
        self._store: Any = None
        self.context = made.Context(root, self.systems, self.records, self.records_dir, link_root)

    def systems(self) -> dict[str, System]:
        if self._systems is None:
            from archkit.workspace import Workspace

            workspace = Workspace(self.root)
            self._files = {p.stem: p for p in workspace.system_files()}
            if not self._files:
                self._systems = {}
                return self._systems
            checked = workspace.load(cache=self.caches / SYSTEMS_CACHE if self.caches else None)
            if checked.errors:
                raise ArchkitError(checked.errors)
            self._systems = {s.slug: s for s in checked.systems}
        return self._systems

    def store(self) -> Any:
        if self._store is None:
            from archkit.decisions.store import DecisionStore

            self._store = DecisionStore(self.root)
        return self._store

    def records(self) -> list[Record]:
        if self._records is None:
            self._records = self.store().records(cache=self.caches / RECORDS_CACHE if self.caches else None)
        return self._records

    def records_dir(self) -> Path:
        return Path(self.store().dir)

    def inputs(self, document: Path, found: list[Block]) -> Iterator[Path]:
        """The files a document's blocks are made from: their stamps decide when it is read again."""
        yield document
        for block in found:
            if block.kind in ("diagram", "mermaid", "scale"):
                self.systems()
                path = self._files.get(block.args[0])
                if path is not None:
                    yield path
            if block.kind == "diagram":
                yield made.image_for(block, document, Position("")).path
            if block.kind in ("decision", "decisions"):
                folder = self.records_dir()
                yield folder
                yield self.root / ".adr-dir"
                yield from (folder / r.path for r in self.records())
