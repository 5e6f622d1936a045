"""The technology catalogue: what users write in ``tech:`` -> a ``diagrams`` node and its icon,
its category, its tags and the shape it is drawn as.

The mapping itself is data (``technologies.txt`` beside this file, one technology a line, so that
reading it costs well under a millisecond); this module reads it once, answers look-ups by id or
alias (:func:`lookup`), ranks searches (:func:`search`), suggests close matches for typos, and
finds icon files. Exporters read ``lookup(tech).category`` and ``.shape`` (or :func:`shape_of`).
"""

from __future__ import annotations

import functools
import importlib
import re
from pathlib import Path
from typing import NamedTuple

DATA = Path(__file__).with_name("technologies.txt")
COLUMNS = ("id", "name", "category", "provider", "node", "icon", "aliases", "tags")

# The shape a component is drawn as follows its technology's category: stores are cylinders,
# queues and event streams are queues, everything else (services, jobs, clients...) is a box.
BOX, CYLINDER, QUEUE = "box", "cylinder", "queue"
SHAPES = (BOX, CYLINDER, QUEUE)
CATEGORY_SHAPES = {
    "database": CYLINDER,
    "cache": CYLINDER,
    "search": CYLINDER,
    "storage": CYLINDER,
    "warehouse": CYLINDER,
    "queue": QUEUE,
    "streaming": QUEUE,
}

# A name this close to a known one (difflib ratio) is a typo, not a technology of the user's own.
TYPO_RATIO = 0.8


class Technology(NamedTuple):
    id: str
    name: str
    category: str
    provider: str
    node: str  # dotted path of the diagrams node class
    icon: str  # that class's icon file, below the diagrams package's resources/ folder
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()  # words a search finds it by: sql, nosql, key-value, mapreduce...

    @property
    def names(self) -> tuple[str, ...]:
        return (self.id, *self.aliases)

    @property
    def shape(self) -> str:
        """How it is drawn: 'cylinder' (stores), 'queue' (queues, event streams) or 'box'."""
        return CATEGORY_SHAPES.get(self.category, BOX)

    def as_json(self) -> dict[str, object]:
        """``archkit techs --json``: what a script needs to know of it (not the icon's file)."""
        return {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "shape": self.shape,
            "provider": self.provider,
            "aliases": list(self.aliases),
            "tags": list(self.tags),
        }


# What a component's tech may say when it names no product: drawn without icon or tech line.
NO_TECHNOLOGY = ("", "none", "other", "custom")


def display_name(tech: str) -> str:
    """What a diagram prints under a component for its ``tech``: the product's name, the
    user's own word when it is not in the catalogue, nothing for 'other'."""
    if tech.strip().lower() in NO_TECHNOLOGY:
        return ""
    found = find(tech)
    return found.name if found else tech


def normalize(name: str) -> str:
    """How a user's spelling is compared: 'Amazon S3' -> 'amazon-s3', 'pub_sub' -> 'pub-sub'."""
    return re.sub(r"[\s_./]+", "-", name.strip().lower()).strip("-")


@functools.cache
def technologies() -> tuple[Technology, ...]:
    """Every technology in the catalogue, in the order of the data file."""
    found = []
    for number, line in enumerate(DATA.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) != len(COLUMNS):
            raise ValueError(f"{DATA}:{number}: expected {len(COLUMNS)} columns, found {len(cells)}")
        fields = dict(zip(COLUMNS, cells, strict=True))
        aliases, tags = (
            tuple(word.strip() for word in fields.pop(column).split(",") if word.strip())
            for column in ("aliases", "tags")
        )
        found.append(Technology(**fields, aliases=aliases, tags=tags))
    return tuple(found)


@functools.cache
def _index() -> dict[str, Technology]:
    index: dict[str, Technology] = {}
    for tech in technologies():
        for name in tech.names:
            index[name] = tech
    return index


def find(name: str) -> Technology | None:
    """The technology a user means by ``name`` (id or alias, any case), or None."""
    return _index().get(normalize(name))


def lookup(name: str) -> Technology | None:
    """The catalogue entry for a component's ``tech`` (id or alias, any case), or None: the
    entry's ``category``, ``tags`` and ``shape`` are what exporters draw by."""
    return find(name)


def shape_of(tech: str) -> str:
    """The shape a component with this ``tech`` is drawn as; 'box' when the catalogue does not
    know it."""
    found = find(tech) if tech else None
    return found.shape if found else BOX


def suggest(name: str) -> tuple[str, float]:
    """The id of the technology an unknown name most likely means (the first of :func:`search`'s
    ranking), and how close the name is to that technology's closest id or alias (0..1); ('', 0)
    if nothing is close."""
    import difflib

    wanted = normalize(name)
    ranked = search(wanted)
    if not wanted or not ranked:
        return "", 0.0
    best = ranked[0]
    ratio = max(difflib.SequenceMatcher(None, wanted, n).ratio() for n in best.names)
    return best.id, ratio


# How a search matches, best first: an id or alias; a category, tag or provider; a whole word of
# an id, alias or name ('postgres' in 'azure-postgres'); the start of a word ('graph' in
# 'graphql'); anywhere. When the first three find something, the last two are left out (they
# would add unrelated products); when nothing matches at all, close spellings answer.
_EXACT, _CATEGORY, _WORD, _PREFIX, _ANYWHERE = range(5)


def _rank(tech: Technology, q: str) -> int | None:
    names = (*tech.names, normalize(tech.name))
    if q in tech.names:
        return _EXACT
    if q == tech.category or q in tech.tags or q == tech.provider:
        return _CATEGORY
    padded = f"-{q}-"
    if any(padded in f"-{n}-" for n in names):
        return _WORD
    if any(n.startswith(q) or f"-{q}" in n for n in names):
        return _PREFIX
    if any(q in n for n in names):
        return _ANYWHERE
    return None


def search(query: str = "") -> list[Technology]:
    """Technologies matching ``query``, best first: exact ids and aliases, then the query's
    category or tag (generic building blocks before products), then whole words of names; word
    starts and substrings only when none of those match; close spellings when nothing does."""
    q = normalize(query)
    if not q:
        return list(technologies())
    ranked = []
    for order, tech in enumerate(technologies()):
        rank = _rank(tech, q)
        if rank is not None:
            ranked.append((rank, tech.provider != "generic", order, tech))
    if any(rank <= _WORD for rank, *_ in ranked):
        ranked = [entry for entry in ranked if entry[0] <= _WORD]
    if ranked:
        return [tech for *_, tech in sorted(ranked, key=lambda entry: entry[:3])]
    import difflib

    near = difflib.get_close_matches(q, _index(), n=5, cutoff=0.75)
    seen: dict[str, Technology] = {}
    for name in near:
        seen.setdefault(_index()[name].id, _index()[name])
    return list(seen.values())


def not_found_note(query: str) -> str:
    """What to add when ``query`` finds no technology: for 'replica' or 'shards', that they are a
    component's keys, not technologies ('' otherwise)."""
    if normalize(query).rstrip("s") in ("replica", "shard", "read-replica", "primary"):
        return " (replicas and shards are a component's keys: replicas: 3, shards: 16, replica-of: ID)"
    return ""


def icon_path(tech: Technology) -> Path:
    """The PNG icon the ``diagrams`` package ships for this technology's node class."""
    return resources_root() / icon_file(tech)


@functools.cache
def resources_root() -> Path:
    """The folder icon paths are relative to (Graphviz's imagepath): ``diagrams`` installs its
    icons in ``site-packages/resources/``, beside the package itself."""
    import importlib.util

    spec = importlib.util.find_spec("diagrams")
    if spec is None or spec.origin is None:
        from archkit.errors import EnvironmentProblem

        raise EnvironmentProblem("the 'diagrams' package is not installed: pip install diagrams")
    return Path(spec.origin).parent.parent / "resources"


@functools.cache
def icon_file(tech: Technology) -> str:
    """The icon of a technology, as a '/'-separated path below :func:`resources_root`.

    The catalogue records it, so drawing needs no import of ``diagrams``; should another
    ``diagrams`` release move the file, the node class says where it went.
    """
    if (resources_root() / tech.icon).is_file():
        return tech.icon
    module_name, _, class_name = tech.node.rpartition(".")
    node_class = getattr(importlib.import_module(module_name), class_name)
    return f"{node_class._icon_dir}/{node_class._icon}".removeprefix("resources/")
