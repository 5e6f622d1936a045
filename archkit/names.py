"""The names archkit checks or makes: ids, file-name slugs and the diagram directions.

Kept in one place so that what a check accepts, what a schema documents and what a renderer
writes can never disagree.
"""

from __future__ import annotations

import re

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
