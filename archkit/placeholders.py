"""The sentences archkit's own scaffolds write, recognised wherever they are left in place.

``tdr new``, ``new system`` and ``init`` write starter text ("What was decided.", "Why this option
over the others; which trade-off was accepted.", "What it does, for whom, in one line.") for the
user to replace. Text that still consists only of such sentences is no answer: checks warn about
it, the checklist counts it as missing and drill skips it. The sentences are read from the
scaffold templates themselves, so a new starter sentence is recognised without a list to update.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

# The scaffolds whose sentences are placeholders (below archkit's templates folder).
SCAFFOLDS = (
    "tdr.md.j2",
    "system.yaml.j2",
    "portfolio.yaml.j2",
    "case-study.yaml.j2",
    "leadership.yaml.j2",
    "story.yaml.j2",
)

# The files `archkit init` writes for the user to rename or replace (stems, below their folders).
STARTER_STEMS = ("my-system", "my-case-study", "my-initiative", "my-story")

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")
_YAML_KEY = re.compile(r"^\s*(?:-\s+)?(?:[\w/ -]+:\s+)?(?:>-|\|-|>|\|)?\s*")
_MARKDOWN_PREFIX = re.compile(r"^\s*(?:#+\s|-\s+(?:Pro:|Con:|Phase \d+:)?\s*)")
_WORDS = re.compile(r"[a-z0-9%$]+")
_MIN_WORDS = 3  # shorter fragments ("Web app", "p95 80 ms") are examples, not sentences


def _words(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower()))


@functools.cache
def fragments() -> tuple[str, ...]:
    """Every starter sentence (as lower-case words), longest first."""
    from archkit.files import PACKAGE_TEMPLATES  # not templating: no Jinja2 for a check

    found: set[str] = set()
    for name in SCAFFOLDS:
        path = Path(PACKAGE_TEMPLATES) / name
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            line = _JINJA.sub("", line)
            if name.endswith(".yaml.j2"):
                if line.lstrip().startswith("#"):
                    continue
                line = _YAML_KEY.sub("", line.split("  #")[0], count=1)
            else:
                line = _MARKDOWN_PREFIX.sub("", line)
            words = _words(line)
            if len(words.split()) >= _MIN_WORDS:
                found.add(words)
    found |= {"phase 1 phase 2", "phase 1", "phase 2"}  # the implementation plan's bare bullets
    return tuple(sorted(found, key=lambda f: (-len(f), f)))


@functools.cache
def _vocabulary() -> frozenset[str]:
    """Every word of every starter sentence."""
    return frozenset(word for fragment in fragments() for word in fragment.split())


def is_placeholder(text: str) -> bool:
    """True when ``text`` holds nothing but starter sentences (or nothing at all)."""
    words = _WORDS.findall(text.lower())
    if not words:
        return True
    vocabulary = _vocabulary()
    if any(word not in vocabulary for word in words):
        return False  # a word no starter sentence has: the user's own text (the usual case)
    left = f" {' '.join(words)} "
    for fragment in fragments():
        left = left.replace(f" {fragment} ", " ")
    return not left.strip()
