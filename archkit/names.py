"""The names archkit checks or makes: ids, file-name slugs, the diagram directions and the
output formats a command names.

Kept in one place so that what a check accepts, what a schema documents and what a renderer
writes can never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from archkit.errors import ArchkitError, Problem, closest

# An id in a system file, and a name that is safe as a file name and in every URL.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
ID = re.compile(ID_PATTERN)
# Graphviz's rankdir values: left to right, top to bottom, right to left, bottom to top.
DIRECTIONS = ("LR", "TB", "RL", "BT")
_SLUG_LIMIT = 60


def is_id(text: object) -> bool:
    """An id that also names files safely: the pattern, and never a way up ('..')."""
    return isinstance(text, str) and bool(ID.match(text)) and ".." not in text


def slugify(text: str, fallback: str = "") -> str:
    """A file-name-safe slug: lowercase letters and digits joined by '-', at most 60 characters,
    never a path; ``fallback`` when nothing is left."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:_SLUG_LIMIT].strip("-")
    return slug or fallback


def split_formats(formats: Iterable[str] | str) -> list[str]:
    """Formats as a command line writes them ('svg,png', any case) or a list of such: the names
    in order, lower case, blanks dropped."""
    items = [formats] if isinstance(formats, str) else list(formats)
    return [part.strip().lower() for item in items for part in str(item).split(",") if part.strip()]


def check_formats(given: Sequence[str], known: Sequence[str], expected: str) -> tuple[str, ...]:
    """``given`` once each, in order; ArchkitError for the first that is not ``known``, saying
    what is ``expected`` and naming the close match."""
    for fmt in given:
        if fmt not in known:
            raise ArchkitError(
                [Problem(f"unknown format '{fmt}'", expected=expected, suggestion=closest(fmt, known))]
            )
    return tuple(dict.fromkeys(given))
