"""Marker blocks in Markdown and HTML documents, found and rewritten byte for byte.

A block is an opening comment that names what goes in it, the text archkit writes, and a
closing comment::

    <!-- archkit:diagram recommendation-platform format=svg -->
    ![User Recommendation Platform](recommendation-platform.svg)
    <!-- archkit:end -->

Only the text between the two marker lines is ever replaced; every other byte of the document,
line endings included, stays as it was. Markers inside fenced code blocks (```` ``` ```` or
``~~~``) outside any block are examples, not blocks, so a document can show the syntax.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from archkit.errors import ArchkitError, Position, Problem, closest

KINDS = ("diagram", "mermaid", "scale", "decision", "decisions")
END = "end"
# What each kind takes: how many positional arguments, and which key=value options.
ARGUMENTS = {"diagram": 1, "mermaid": 1, "scale": 1, "decision": 1, "decisions": 0}
OPTIONS = {
    "diagram": ("format", "out", "theme", "direction", "legend", "width"),
    "mermaid": ("direction",),
    "scale": (),
    "decision": (),
    "decisions": ("status",),
}
_MARKER = re.compile(
    r"^(?P<indent>[ \t]*)<!--\s*archkit:(?P<kind>[A-Za-z_-]*)(?P<args>[^\r\n]*?)\s*-->[ \t]*$"
)
_FENCE = re.compile(r"^[ \t]{0,3}(?P<fence>`{3,}|~{3,})")


class Block(NamedTuple):
    kind: str
    args: tuple[str, ...]
    options: dict[str, str]
    line: int  # 1-based line of the opening marker
    start: int  # offset of the first character after the opening marker's line
    end: int  # offset of the closing marker line's first character
    newline: str  # the line ending the document uses at this block
    indent: str


def _in_fence(body: str, fence: str) -> tuple[bool, str]:
    """Whether the line is a code fence or inside one (markers there are text), and the fence
    open after it."""
    fenced = _FENCE.match(body)
    if not fenced:
        return bool(fence), fence
    mark = fenced["fence"]
    if not fence:
        return True, mark
    if mark[0] == fence[0] and len(mark) >= len(fence) and not body.strip()[len(mark) :]:
        return True, ""
    return True, fence


def _block(opened: tuple[int, re.Match[str], int, str], file: str, end: int) -> Block:
    """The block an opening marker starts, closed at offset ``end``."""
    open_line, open_match, start, open_newline = opened
    args, options = _arguments(open_match, file, open_line)
    kind = open_match["kind"]
    return Block(kind, args, options, open_line, start, end, open_newline, open_match["indent"])


def find_blocks(text: str, file: str) -> list[Block]:
    """Every block of ``text``; ArchkitError listing each unclosed, stray or unknown marker."""
    blocks: list[Block] = []
    problems: list[Problem] = []
    opened: tuple[int, re.Match[str], int, str] | None = None  # line, match, start offset, newline
    fence = ""
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        body = line.rstrip("\r\n")
        newline = line[len(body) :] or "\n"
        line_start, offset = offset, offset + len(line)
        if opened is None:
            skip, fence = _in_fence(body, fence)
            if skip:
                continue
        match = _MARKER.match(body)
        if match is None:
            continue
        kind = match["kind"]
        where = Position(file, number, len(match["indent"]) + 1)
        if kind == END:
            if opened is None:
                problems.append(Problem("'archkit:end' closes no block", where, expected="an opening marker"))
                continue
            if opened[1]["kind"] in KINDS:  # else reported when it opened
                try:
                    blocks.append(_block(opened, file, line_start))
                except ArchkitError as exc:
                    problems += exc.problems
            opened = None
            continue
        if opened is not None and opened[1]["kind"] in KINDS:
            problems.append(_unclosed(file, opened[0], opened[1]))
        if kind not in KINDS:
            problems.append(
                Problem(
                    f"unknown marker 'archkit:{kind}'",
                    where,
                    expected=f"one of {', '.join(KINDS)} (and 'end' to close a block)",
                    suggestion=closest(kind, KINDS),
                )
            )
        opened = (number, match, offset, newline)
    if opened is not None and opened[1]["kind"] in KINDS:
        problems.append(_unclosed(file, opened[0], opened[1]))
    if problems:
        raise ArchkitError(sorted(problems, key=lambda p: p.position.line if p.position else 0))
    return blocks


def _unclosed(file: str, line: int, match: re.Match[str]) -> Problem:
    return Problem(
        f"the block 'archkit:{match['kind']}' is not closed",
        Position(file, line, len(match["indent"]) + 1),
        expected="<!-- archkit:end --> on a line of its own after it",
    )


def _arguments(match: re.Match[str], file: str, line: int) -> tuple[tuple[str, ...], dict[str, str]]:
    kind = match["kind"]
    args: list[str] = []
    options: dict[str, str] = {}
    problems = []
    column = match.start("args") + 1
    for word in re.finditer(r"\S+", match["args"]):
        where = Position(file, line, column + word.start())
        key, equals, value = word[0].partition("=")
        if not equals:
            args.append(word[0])
        elif key not in OPTIONS[kind]:
            allowed = ", ".join(OPTIONS[kind]) or "none"
            problems.append(
                Problem(
                    f"'archkit:{kind}' has no option '{key}'",
                    where,
                    expected=f"options: {allowed}",
                    suggestion=closest(key, OPTIONS[kind]),
                )
            )
        else:
            options[key] = value
    wanted = ARGUMENTS[kind]
    if len(args) != wanted and not problems:
        what = {0: "no name", 1: "one name"}[wanted]
        example = {
            "diagram": "a system's name",
            "mermaid": "a system's name",
            "scale": "a system's name",
            "decision": "a decision record's number",
        }.get(kind, "nothing")
        problems.append(
            Problem(
                f"'archkit:{kind}' takes {what}, got {len(args)}" + (f": {' '.join(args)}" if args else ""),
                Position(file, line, column),
                expected=example,
            )
        )
    if problems:
        raise ArchkitError(problems)
    return tuple(args), options


def replace_blocks(text: str, blocks: Sequence[Block], bodies: Sequence[str]) -> str:
    """``text`` with each block's inside replaced by its body (lines without their ending)."""
    parts = []
    last = 0
    for block, body in zip(blocks, bodies, strict=True):
        parts.append(text[last : block.start])
        parts.append(format_body(block, body))
        last = block.end
    parts.append(text[last:])
    return "".join(parts)


def format_body(block: Block, body: str) -> str:
    """A block's new inside: its lines, indented as its marker is, in the document's line ending."""
    if not body:
        return ""
    return "".join((block.indent + line if line else line) + block.newline for line in body.split("\n"))


def current_body(text: str, block: Block) -> str:
    return text[block.start : block.end]
