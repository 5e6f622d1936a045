"""One technical decision record (TDR): its parts, parsed from Markdown.

archkit writes the adr-tools layout and reads it back, and also reads what people already have:
adr-tools / adr-tools-python records and MADR 2, 3 and 4 records. Parsing is line-based (no
Markdown library), so listing a thousand records stays fast.

The archkit layout::

    # 4. Migration from monolith to microservices      <- line 1, as adr-tools wants it

    Date: 2023-06-15

    - Decision-makers: Engineering leadership team      <- metadata: a list adr-tools ignores
    - Consulted: 3 product teams
    - Review: 2024-06-15

    ## Status

    Accepted

    Supercedes [1. Keep the monolith](0001-keep-the-monolith.md)

    ## Context / ## Options considered / ## Decision / ## Rationale /
    ## Implementation plan / ## Results
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

STATUSES = ("proposed", "accepted", "rejected", "deprecated", "superseded")
# The supersede link as adr-tools 3.x writes it; adr-tools-python's "Supercedes" / "Superceded by"
# are read as the same link (Link.kind) and shown in this spelling (Link.name).
SUPERSEDES = "Supersedes"
SUPERSEDED_BY = "Superseded by"
_SUPERSEDE_WORDS = {"supercedes", "supersedes", "superceded by", "superseded by"}

# Metadata keys, as written in the list under the date (MADR's names where MADR has one).
METADATA_KEYS = ("decision-makers", "consulted", "informed", "review", "tags", "systems")
_METADATA_ALIASES = {
    "deciders": "decision-makers",
    "decision makers": "decision-makers",
    "decision-makers": "decision-makers",
    "stakeholders": "consulted",
    "consulted": "consulted",
    "informed": "informed",
    "review": "review",
    "review date": "review",
    "review-date": "review",
    "tags": "tags",
    "systems": "systems",
    "related systems": "systems",
    "status": "status",
    "date": "date",
}

# Section headings -> what they hold (lower case, matched on the start of the heading).
SECTIONS = {
    "context": "context",
    "context and problem statement": "context",
    "decision drivers": "drivers",
    "options considered": "options",
    "considered options": "options",
    "pros and cons of the options": "options",
    "decision outcome": "decision",
    "decision": "decision",
    "rationale": "rationale",
    "implementation plan": "implementation",
    "implementation": "implementation",
    "results": "results",
    "consequences": "consequences",
    "status": "status",
    "links": "links",
}

FILE_NAME = re.compile(r"^(?P<number>\d+)-(?P<slug>.+)\.md$")
_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
_NUMBERED_TITLE = re.compile(r"^(?P<number>\d+)\.\s*(?P<title>.*)$")
_LINK = re.compile(
    r"^(?P<label>[A-Za-z][\w ,'-]*?)\s+\[(?P<text>(?:[^\]\\]|\\.)*)\]\((?P<target>[^)\s]+)\)\s*$"
)
# what looks like a link line, read or not: a label, then a Markdown link
LINK_LIKE = re.compile(r"^[^\[]{0,80}\[.*\)\s*$")
LINE_BREAK = re.compile(r"\r\n|\r|\n")
_DATE_LINE = re.compile(r"^Date:\s*(?P<date>.+?)\s*$")
_META_ITEM = re.compile(r"^[-*]\s+(?:\*\*)?(?P<key>[A-Za-z][A-Za-z -]*?)(?::\*\*|\*\*:|:)\s*(?P<value>.*)$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?P<text>.*)$")
_PRO = re.compile(
    r"^(?:\*\*)?(?:pros?|good|\+)(?:\*\*)?(?:,\s*because|:)?(?:\*\*)?\s*(?P<text>.*)$", re.IGNORECASE
)
_CON = re.compile(
    r"^(?:\*\*)?(?:cons?|bad|-)(?:\*\*)?(?:,\s*because|:)?(?:\*\*)?\s*(?P<text>.*)$", re.IGNORECASE
)


class Link(NamedTuple):
    """``Amends [3. Title](0003-title.md)`` in the Status section."""

    label: str  # as written: "Supersedes", "Superceded by", "Amended by"
    number: int
    title: str
    target: str  # the file name linked to
    line: int

    @property
    def kind(self) -> str:
        """'supersedes' and 'superseded by' whatever the spelling; otherwise the label, lower case."""
        label = self.label.lower()
        if label in ("supercedes", "supersedes"):
            return "supersedes"
        if label in ("superceded by", "superseded by"):
            return "superseded by"
        return label

    @property
    def name(self) -> str:
        """The label as archkit shows it: either spelling of a supersede link reads as adr-tools
        3.x writes it; any other label as written."""
        return {"supersedes": SUPERSEDES, "superseded by": SUPERSEDED_BY}.get(self.kind, self.label)


class Option(NamedTuple):
    name: str
    description: str
    pros: tuple[str, ...]
    cons: tuple[str, ...]
    line: int


class Section(NamedTuple):
    key: str  # what it holds: "context", "options", ... or "" for a heading archkit does not know
    heading: str
    text: str  # the body, without the heading line
    line: int


class Record(NamedTuple):
    """A decision record as read from disk; ``line`` numbers are 1-based."""

    path: str  # file name inside the decisions directory
    number: int
    title: str
    status: str  # one of STATUSES, or what was written when unknown
    status_line: int
    date: str
    metadata: dict[str, str]
    links: tuple[Link, ...]
    sections: tuple[Section, ...]
    options: tuple[Option, ...]
    style: str  # "adr-tools" (archkit's own too), "madr2", "madr3"
    text: str

    def section(self, key: str) -> str:
        """The text of every section holding ``key``, joined; '' when there is none."""
        return "\n\n".join(s.text for s in self.sections if s.key == key and s.text.strip()).strip()

    @property
    def label(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def review(self) -> str:
        return self.metadata.get("review", "")


def split_front_matter(text: str) -> tuple[dict[str, str], int, str]:
    """MADR 3/4 front matter: ``(fields, line where the body starts, error)``.

    Only flat ``key: value`` lines are read (no YAML library, so nothing is ever constructed);
    a block that does not close, or a line that is not ``key: value``, is an error.
    """
    first = LINE_BREAK.search(text)
    if (text[: first.start()] if first else text).strip() != "---":
        return {}, 0, ""  # no front matter (most records): the text is not split for nothing
    lines = LINE_BREAK.split(text)
    fields: dict[str, str] = {}
    for index in range(1, len(lines)):
        line = lines[index]
        if line.strip() == "---":
            return fields, index + 1, ""
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.strip() or key.startswith((" ", "\t", "-")):
            return fields, index + 1, f"line {index + 1}: expected 'key: value' in the front matter"
        name = key.strip().lower()
        if name in fields:  # which one counts would be a guess: the reader and a change must agree
            return fields, index + 1, f"line {index + 1}: '{name}' is given twice in the front matter"
        fields[name] = value.strip().strip("'\"")
    return fields, len(lines), "the front matter is not closed by a line '---'"


class _Head:
    """What a record says about itself, gathered while its lines are read."""

    __slots__ = ("date", "metadata", "number", "status", "status_line", "style", "title")

    def __init__(self, front: dict[str, str], number: int) -> None:
        self.number = number
        self.title = ""
        self.date = front.get("date", "")
        self.status = front.get("status", "").lower()
        self.status_line = 1 if self.status else 0
        self.style = "madr3" if front else "adr-tools"
        self.metadata: dict[str, str] = {}
        for key, value in front.items():
            name = _METADATA_ALIASES.get(key)
            if name and name not in ("status", "date"):
                self.metadata[name] = value

    def read_title(self, text: str) -> None:
        numbered = _NUMBERED_TITLE.match(text)
        if numbered:
            self.title = numbered["title"].strip()
            self.number = self.number or int(numbered["number"])
        else:
            self.title = text.strip()

    def read_preamble(self, stripped: str, line: int) -> None:
        """A line before the first section: the date, or the metadata list (adr-tools, MADR 2)."""
        date_match = _DATE_LINE.match(stripped)
        if date_match and not self.date:
            self.date = date_match["date"]
            return
        item = _META_ITEM.match(stripped)
        if not item:
            return
        name = _METADATA_ALIASES.get(item["key"].strip().lower())
        if name == "status":
            self.status, self.status_line, self.style = item["value"].strip().lower(), line, "madr2"
        elif name == "date":
            self.date = self.date or item["value"].strip()
        elif name:
            self.metadata[name] = item["value"].strip()


def parse_record(
    text: str, path: str, number_from_name: int | None = None, header_only: bool = False
) -> Record:
    """Parse a record; what cannot be read is left empty, for the checks to report.

    ``header_only`` stops after the Status section (what a listing needs: title, status, date,
    links), leaving the sections after it and the options unread, and the text out.
    """
    front, body_start, _ = split_front_matter(text)
    head = _Head(front, number_from_name or 0)
    # a listing stops after the Status section: it does not split the rest of the text
    lines = _lines(text) if header_only else LINE_BREAK.split(text)
    sections, links = _read_body(lines, body_start, head, header_only)
    if not head.status and any(link.kind == "superseded by" for link in links):
        head.status = "superseded"  # adr-tools drops the status line when it supersedes a record
    options = [] if header_only else _options(sections)
    return Record(
        path=path,
        number=head.number,
        title=head.title,
        status=head.status,
        status_line=head.status_line,
        date=head.date,
        metadata=head.metadata,
        links=tuple(links),
        sections=tuple(sections),
        options=tuple(options),
        style=head.style,
        text="" if header_only else text,
    )


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` one by one (what LINE_BREAK.split gives, as they are needed)."""
    at = 0
    for found in LINE_BREAK.finditer(text):
        yield text[at : found.start()]
        at = found.end()
    yield text[at:]


def _read_body(
    lines: Iterable[str], start: int, head: _Head, header_only: bool
) -> tuple[list[Section], list[Link]]:
    """The sections and links from line ``start`` on; the title, status and the rest into ``head``."""
    sections: list[Section] = []
    links: list[Link] = []
    current_heading = current_key = ""
    current_line = 0
    buffer: list[str] = []
    in_fence = False
    for index, line in enumerate(lines):
        if index < start:
            continue
        stripped = line.strip()
        if stripped[:3] in ("```", "~~~"):
            in_fence = not in_fence
        heading = _HEADING.match(line) if line[:1] == "#" and not in_fence else None
        if heading and len(heading["hashes"]) == 1 and not head.title:
            head.read_title(heading["text"])
        elif heading and len(heading["hashes"]) == 2:
            if header_only and current_key == "status":
                break  # the Status section is over: a listing has all it needs
            if current_line:
                sections.append(
                    Section(current_key, current_heading, "\n".join(buffer).rstrip(), current_line)
                )
            current_heading, current_line, buffer = heading["text"], index + 1, []
            current_key = _section_key(current_heading)
        elif current_line:
            buffer.append(line)
            if current_key in ("status", "links") and stripped:
                link = _LINK.match(stripped)
                if link:
                    links.append(_link(link, index + 1))
                elif not head.status and current_key == "status":
                    head.status, head.status_line = stripped.lower().rstrip("."), index + 1
        else:
            head.read_preamble(stripped, index + 1)
    if current_line:
        sections.append(Section(current_key, current_heading, "\n".join(buffer).rstrip(), current_line))
    return sections, links


def _section_key(heading: str) -> str:
    lowered = heading.lower().strip()
    for prefix, key in SECTIONS.items():
        if lowered == prefix or lowered.startswith(prefix + " ") or lowered.startswith(prefix + "("):
            return key
    return ""


def _link(match: re.Match[str], line: int) -> Link:
    text = re.sub(r"\\(.)", r"\1", match["text"])  # \] and \[ in a title
    numbered = _NUMBERED_TITLE.match(text)
    target = match["target"]
    name = FILE_NAME.match(target.rsplit("/", 1)[-1])
    number = int(numbered["number"]) if numbered else int(name["number"]) if name else 0
    title = numbered["title"] if numbered else text
    return Link(match["label"].strip(), number, title.strip(), target, line)


def _options(sections: list[Section]) -> list[Option]:
    """Options from every 'options' section: a ### heading each, with pros and cons below it.

    Reads archkit's ``- Pro: ...`` / ``- Con: ...``, MADR's ``* Good, because ...`` /
    ``* Bad, because ...``, and ``Pros:`` / ``Cons:`` lines followed by a list. A MADR
    'Considered Options' list of names alone gives options without pros and cons, completed by
    a 'Pros and Cons of the Options' section of the same names.
    """
    found: dict[str, Option] = {}
    for section in sections:
        if section.key != "options":
            continue
        lines = section.text.split("\n")
        if not any(line.startswith("### ") for line in lines):
            for offset, line in enumerate(lines):
                item = _LIST_ITEM.match(line)
                name = _clean(item["text"]) if item and not line.startswith((" ", "\t")) else ""
                if name:
                    _store(found, Option(name, "", (), (), section.line + 1 + offset))
            continue
        draft: _Draft | None = None
        for offset, line in enumerate(lines):
            if line.startswith("### "):
                if draft:
                    _store(found, draft.option())
                draft = _Draft(line[4:], section.line + 1 + offset)
            elif draft:
                draft.add(line)
        if draft:
            _store(found, draft.option())
    return list(found.values())


class _Draft:
    """An option being read: its heading, then description, pros and cons line by line."""

    def __init__(self, heading: str, line: int) -> None:
        name = _clean(heading.strip().rstrip("#").strip())
        self.name = re.sub(r"^(?:option\s+)?\d+[.:)]\s*", "", name, flags=re.IGNORECASE) or name
        self.line = line
        self.description: list[str] = []
        self.pros: list[str] = []
        self.cons: list[str] = []
        self.mode: list[str] | None = None  # after a 'Pros:' line, the list that follows

    def add(self, line: str) -> None:
        stripped = line.strip()
        bare = stripped.strip("*_ ").rstrip(":").strip("*_ ").lower()
        if bare in ("pros", "pro", "advantages"):
            self.mode = self.pros
            return
        if bare in ("cons", "con", "disadvantages"):
            self.mode = self.cons
            return
        item = _LIST_ITEM.match(line)
        if item:
            text = item["text"].strip()
            pro, con = _PRO.match(text), _CON.match(text)
            if pro and _is_marked(text, "pro"):
                _extend(self.pros, pro["text"])
            elif con and _is_marked(text, "con"):
                _extend(self.cons, con["text"])
            elif self.mode is not None:
                self.mode.append(text)
            else:
                self.description.append(stripped)
        elif stripped:
            self.description.append(stripped)
            self.mode = None

    def option(self) -> Option:
        return Option(self.name, " ".join(self.description), tuple(self.pros), tuple(self.cons), self.line)


def _is_marked(text: str, kind: str) -> bool:
    """Whether a list item says what it is: 'Pro: x', 'Good, because x'."""
    lowered = text.lower().lstrip("*_ ")
    words = (
        ("pro:", "pros:", "pro ", "good,", "good:")
        if kind == "pro"
        else ("con:", "cons:", "con ", "bad,", "bad:")
    )
    return lowered.startswith(words)


def _extend(target: list[str], text: str) -> None:
    cleaned = text.strip().strip("*_").strip()
    if cleaned:
        target.append(cleaned)


def _store(found: dict[str, Option], option: Option) -> None:
    """Keep an option; MADR names it first in a list, then gives its pros and cons further down."""
    key = option.name.lower()
    previous = found.get(key)
    if previous is None:
        found[key] = option
    else:
        found[key] = previous._replace(
            description=previous.description or option.description,
            pros=previous.pros + option.pros,
            cons=previous.cons + option.cons,
        )


def _clean(text: str) -> str:
    """An option's name without Markdown emphasis or a trailing description after ':' or ' - '."""
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text).strip()
    text = re.sub(r"\[(.+?)\]\([^)]*\)", r"\1", text)
    return text.strip().strip("*_").strip()
