"""The technology catalogue: what users write in ``tech:`` -> a ``diagrams`` node and its icon.

The mapping itself is data (``technologies.txt`` beside this file, one technology a line, so that
reading it costs well under a millisecond); this module reads it once, answers look-ups by id or
alias, suggests close matches for typos, and finds icon files.
"""

from __future__ import annotations

import functools
import importlib
import re
from pathlib import Path
from typing import NamedTuple

DATA = Path(__file__).with_name("technologies.txt")
COLUMNS = ("id", "name", "category", "provider", "node", "icon", "aliases")

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

    @property
    def names(self) -> tuple[str, ...]:
        return (self.id, *self.aliases)


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
        aliases = tuple(a.strip() for a in fields.pop("aliases").split(",") if a.strip())
        found.append(Technology(**fields, aliases=aliases))
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


def suggest(name: str) -> tuple[str, float]:
    """The id of the technology whose id or alias is closest to an unknown name, and how close
    that name is (0..1); ('', 0) if none is close."""
    import difflib

    wanted = normalize(name)
    matches = difflib.get_close_matches(wanted, _index(), n=1, cutoff=0.6)
    if not matches:
        return "", 0.0
    best = matches[0]
    return _index()[best].id, difflib.SequenceMatcher(None, wanted, best).ratio()


def search(query: str = "") -> list[Technology]:
    """Technologies whose id, alias, name, category or provider contains ``query``; close
    matches follow when nothing contains it."""
    q = normalize(query)
    if not q:
        return list(technologies())
    hits = [
        t
        for t in technologies()
        if any(q in n for n in t.names) or q in normalize(t.name) or q == t.category or q == t.provider
    ]
    if hits:
        return hits
    import difflib

    near = difflib.get_close_matches(q, _index(), n=5, cutoff=0.6)
    seen: dict[str, Technology] = {}
    for name in near:
        seen.setdefault(_index()[name].id, _index()[name])
    return list(seen.values())


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
