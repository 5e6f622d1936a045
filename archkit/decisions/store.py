"""The decisions directory: finding records, numbering, creating and rewriting them safely.

- The next number comes from file names alone: no record is parsed to create one.
- A new record is created exclusively; when another process took the same number at the same
  moment, the one that sees the other's file gives the number up and tries the next one.
- Every rewrite of an existing record changes only the lines it must, keeps the rest byte for
  byte, and lands atomically (temporary file, then rename).
- Every change runs under the folder's lock, reading the records it changes inside the lock, so
  writers of the same record take turns and no update is lost.
- A change of several records (supersede, link, renumber) is all-or-nothing: every new text is
  first written to a temporary file beside its record, then a journal naming the renames is put
  in place, then the renames are done and the journal removed. Whatever the moment a process is
  killed (or the disk fills), the next command that opens the folder finds it as before (stray
  temporary files, no journal: removed) or completes it (a journal: its renames are done).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from archkit import names
from archkit.decisions.record import (
    FILE_NAME,
    STATUSES,
    SUPERSEDED_BY,
    SUPERSEDES,
    Link,
    Record,
    parse_record,
    split_front_matter,
)
from archkit.errors import ArchkitError, Position, Problem, closest, display_path, excerpt, one_of
from archkit.files import JOURNAL, inside, remove_stale_temporaries, reserve_temporary, write_file
from archkit.files import TEMPORARY as _TEMPORARY
from archkit.files import folder_lock as _folder_lock
from archkit.files import lock_held as _held
from archkit.files import stale_temporary as _stale_temporary
from archkit.memory import collector_paused

RenderTemplate = Callable[..., str]  # the scaffold: template values -> Markdown
DEFAULT_DIR = "decisions"
ADR_DIR_FILE = ".adr-dir"  # adr-tools' pointer to the records' folder
# what a link's label may be: what the parser reads back (record._LINK)
_LABEL = re.compile(r"^[A-Za-z][\w ,'-]*$")
MAX_LABEL = 60
# Where other tools keep records when no .adr-dir says: archkit's, adr-tools', log4brains', MADR's.
KNOWN_DIRS = (DEFAULT_DIR, "doc/adr", "docs/adr", "docs/decisions")


class LinkSpec(NamedTuple):
    """``--link "N:Amends:Amended by"``: the target and both directions' labels."""

    target: int
    label: str
    reverse: str

    @classmethod
    def parse(cls, text: str) -> LinkSpec:
        parts = text.split(":")
        if len(parts) != 3 or not parts[0].strip().isdigit() or not parts[1].strip() or not parts[2].strip():
            raise ArchkitError(
                [
                    Problem(
                        f"cannot read the link '{text}'",
                        expected="'N:Label:Reverse label', e.g. '3:Amends:Amended by'",
                    )
                ]
            )
        spec = cls(int(parts[0]), parts[1].strip(), parts[2].strip())
        check_link_labels(spec.label, spec.reverse)
        return spec


def check_link_labels(*labels: str) -> None:
    """A link's labels must read back: a letter first, then letters, digits, spaces, ',', "'"
    and '-', at most MAX_LABEL characters."""
    for label in labels:
        if not _LABEL.match(label) or len(label) > MAX_LABEL or label != label.strip():
            raise ArchkitError(
                [
                    Problem(
                        f"cannot use '{excerpt(label)}' as a link label",
                        expected=f"a letter, then letters, digits, spaces, ',', \"'\" or '-' "
                        f"(at most {MAX_LABEL} characters), e.g. 'Amends'",
                    )
                ]
            )


def slugify(title: str) -> str:
    """A record's file-name slug: lowercase letters and digits joined by '-'; never empty, never a path."""
    return names.slugify(title, fallback="decision")


def workspace_records(root: Path | str) -> list[Record]:
    """The decision records of the workspace at ``root``, parsed; none when it has no records folder."""
    store = DecisionStore(root)
    return store.records() if store.dir.is_dir() else []


def list_records(store: DecisionStore, status: str | None = None) -> list[Record]:
    """``archkit tdr list``: the records (headers only, fast), or those with ``status`` (checked:
    an unknown status is an ArchkitError with the close match)."""
    wanted = check_status(status) if status else None
    return [r for r in store.cached_records(header_only=True) if wanted is None or r.status == wanted]


def listing_json(store: DecisionStore, records: Sequence[Record]) -> list[dict[str, object]]:
    """``archkit tdr list --json``: one object per record (number, title, status, date, path as
    the user would type it, links), for scripts."""
    return [
        {
            "number": r.number,
            "title": r.title,
            "status": r.status,
            "date": r.date,
            "path": store.show(store.dir / r.path),
            "links": [{"label": link.name, "number": link.number, "path": link.target} for link in r.links],
        }
        for r in records
    ]


class DecisionStore:
    """The records of one workspace."""

    def __init__(self, workspace: Path | str = ".", directory: str | None = None) -> None:
        self.root = Path(workspace)
        self.dir = self.root / (directory or self._configured_dir())
        self._links: set[str] = set()  # record names that are symbolic links

    def _configured_dir(self) -> str:
        """The folder .adr-dir names; else the first of the usual folders that exists; else
        decisions/ (created by the first record)."""
        pointer = self.root / ADR_DIR_FILE
        if not pointer.is_file():
            found = next((name for name in KNOWN_DIRS if (self.root / name).is_dir()), DEFAULT_DIR)
            if (self.root / found).exists() and not inside(self.root / found, self.root):
                why = f"the records folder {found}/ is a symbolic link to a folder outside the workspace"
                inner = "a records folder inside the workspace (or --dir naming the one you mean)"
                raise ArchkitError([Problem(why, Position(found), expected=inner)])
            return found
        configured = _read_text(pointer, ADR_DIR_FILE).strip()
        if not configured:
            return DEFAULT_DIR
        if Path(configured).is_absolute() or not inside(self.root / configured, self.root):
            raise ArchkitError(
                [
                    Problem(
                        f"{ADR_DIR_FILE} names a folder outside the workspace: '{excerpt(configured)}'",
                        Position(ADR_DIR_FILE, 1),
                        expected="a folder inside the workspace, e.g. 'doc/adr'",
                    )
                ]
            )
        return configured

    def require(self) -> None:
        """ArchkitError unless the records folder exists: 'no records' must not read as 'all fine'."""
        if self.dir.is_dir():
            return
        pointer = self.root / ADR_DIR_FILE
        why = f" (named by {self.show(pointer)})" if pointer.is_file() else ""
        raise ArchkitError(
            [
                Problem(
                    f"no decision records folder: {self.show(self.dir)}/ does not exist{why}",
                    expected="a records folder ('archkit tdr new TITLE' or 'archkit init' creates one; "
                    "--dir, .adr-dir, -C DIR or ARCHKIT_DIR points at one)",
                )
            ]
        )

    # -- reading --------------------------------------------------------------------------

    def files(self) -> list[tuple[int, str]]:
        """(number, file name) of every record, by number then name; other files are ignored.

        A journal or temporary files left by an interrupted change are dealt with first (see
        :meth:`recover`), so what is listed is the folder as before or as after that change.
        """
        if not self.dir.is_dir():
            return []
        found, leftovers = self._scan()
        if leftovers:
            if _held(self.dir):
                self._recover_locked()
            else:
                self.recover()
            found, _ = self._scan()
        return sorted(found)

    def _scan(self) -> tuple[list[tuple[int, str]], bool]:
        """The records' numbers and names, and whether a change left a journal or temporary files."""
        found = []
        leftovers = False
        links = set()
        with os.scandir(self.dir) as entries:  # names alone: no stat per file, no record opened
            for entry in entries:
                name = entry.name
                match = FILE_NAME.match(name)
                if match:
                    found.append((int(match["number"]), name))
                    if entry.is_symlink():
                        links.add(name)
                elif name == JOURNAL or _stale_temporary(name):
                    leftovers = True
        self._links = links
        return found, leftovers

    def next_number(self) -> int:
        files = self.files()
        return files[-1][0] + 1 if files else 1

    def read(self, name: str, header_only: bool = False) -> Record:
        path = self.dir / name
        if name in self._links and not inside(path, self.root):
            raise ArchkitError(
                [
                    Problem(
                        "the record is a symbolic link to a file outside the workspace",
                        Position(f"{self._shown_dir}/{name}"),
                        expected="a record file inside the workspace",
                    )
                ]
            )
        match = FILE_NAME.match(name)
        text = _read_text(path, f"{self._shown_dir}/{name}")
        return parse_record(text, name, int(match["number"]) if match else None, header_only)

    def records(self, header_only: bool = False, cache: Path | None = None) -> list[Record]:
        """Every record, parsed once (``header_only``: title, status, date and links only).

        With ``cache`` (a folder, see record_cache.py), a record whose file has the same size and
        modification time as last time is taken from it instead of parsed again: a rebuild reads
        only what changed. Headers alone are kept apart, in its ``heads/``: a listing then reads
        one small file instead of every record.
        """
        with collector_paused():  # see memory.py
            return self._records(header_only, cache)

    def _records(self, header_only: bool, cache: Path | None) -> list[Record]:
        if cache is None:
            return [self.read(name, header_only) for _, name in self.files()]
        from archkit.decisions.record_cache import RecordCache

        stored = RecordCache(cache / "heads" if header_only else cache)
        found = []
        for _, name in self.files():
            # a linked record is read, never taken from the cache: reading checks where it leads
            record = stored.get(self.dir / name) if name not in self._links else None
            if record is None:
                record = self.read(name, header_only)
                stored.put(self.dir / name, record)
            found.append(record)
        with contextlib.suppress(OSError):  # a read-only workspace or a full disk: no cache
            stored.save()
        return found

    def cached_records(self, header_only: bool = False) -> list[Record]:
        """Every record, through the workspace's cache of parsed records (the one ``build``
        keeps, in ``.archkit/cache/records/``): a record parsed once is not parsed again until
        its file changes."""
        from archkit.files import CACHES, RECORDS_CACHE

        return self.records(header_only, cache=self.root / CACHES / RECORDS_CACHE)

    def find(self, number: int, records: Sequence[Record] | None = None) -> Record:
        """The record numbered ``number``; ArchkitError when there is none (or two)."""
        candidates = [r for r in records if r.number == number] if records is not None else None
        if candidates is None:
            candidates = [self.read(name) for n, name in self.files() if n == number]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            numbers = [n for n, _ in self.files()]
            near = min(numbers, key=lambda n: abs(n - number)) if numbers else None
            expected = (
                f"a record number from 1 to {max(numbers)}" if numbers else "a record, but there is none yet"
            )
            raise ArchkitError(
                [
                    Problem(
                        f"no decision record numbered {number} in {self.show(self.dir)}/",
                        expected=expected,
                        suggestion=str(near) if near is not None else "",
                    )
                ]
            )
        names = ", ".join(r.path for r in candidates)
        raise ArchkitError(
            [
                Problem(
                    f"two records are numbered {number} ({names})",
                    expected="'archkit tdr renumber' to resolve",
                )
            ]
        )

    def show(self, path: Path) -> str:
        return display_path(path, self.root)

    def position(self, record: Record, line: int = 0) -> Position:
        return Position(f"{self._shown_dir}/{record.path}", line)

    @functools.cached_property
    def _shown_dir(self) -> str:
        """The records folder as messages show it (resolved once, not once per problem)."""
        return self.show(self.dir).replace(os.sep, "/")

    # -- changes of several records: all or nothing ------------------------------------------

    def recover(self) -> bool:
        """Finish or undo what an interrupted change left (under the folder's lock): a journal's
        renames are done, then archkit's temporary files are removed. True when something was
        found. A folder archkit may not write to is left as it is."""
        try:
            with _folder_lock(self.dir):
                return self._recover_locked()
        except PermissionError:
            return False

    def _recover_locked(self) -> bool:
        found = False
        journal = self.dir / JOURNAL
        try:
            raw = journal.read_bytes()
        except FileNotFoundError:
            raw = None
        if raw is not None:
            found = True
            renames, removals = _read_journal(raw, f"{self._shown_dir}/{JOURNAL}")
            _apply(self.dir, renames, removals)
            journal.unlink(missing_ok=True)
        return remove_stale_temporaries(self.dir) or found

    def _commit(self, texts: dict[str, str], removals: Sequence[str] = ()) -> None:
        """Replace (or create) every file of ``texts`` and remove ``removals``, all or nothing.
        The caller holds the folder's lock and read the records inside it."""
        staged: list[tuple[str, str]] = []
        journal = self.dir / JOURNAL
        journaled = len(texts) > 1 or bool(removals)
        leftover: list[Path] = []  # removed if anything fails before the journal is in place
        try:
            for name, text in texts.items():
                temporary = reserve_temporary(self.dir / name)
                leftover.append(temporary)
                staged.append((temporary.name, name))
                write_file(temporary, text.encode("utf-8"), shown=self.dir / name)
            if journaled:
                plan = {"renames": staged, "remove": list(removals)}
                temporary = reserve_temporary(journal)
                leftover.append(temporary)
                write_file(temporary, json.dumps(plan).encode("utf-8"), shown=journal, sync=True)
                os.replace(temporary, journal)
        except BaseException:
            for path in leftover:
                path.unlink(missing_ok=True)
            raise
        _apply(self.dir, staged, removals)
        if journaled:
            journal.unlink()

    # -- creating ---------------------------------------------------------------------------

    def new(
        self,
        title: str,
        *,
        status: str = "proposed",
        supersedes: Sequence[int] = (),
        links: Sequence[LinkSpec] = (),
        options: Sequence[str] = (),
        systems: Sequence[str] = (),
        date: dt.date | None = None,
        render: RenderTemplate | None = None,
    ) -> Path:
        """Create the next record from the template; supersede and link as asked. Returns its path.

        With supersedes or links, the new record and every change to the records it names land
        together (see :meth:`_commit`), under the folder's lock."""
        title = " ".join(title.split())
        if not title:
            raise ArchkitError(
                [Problem("the title is empty", expected="a title, e.g. 'Use Kafka for events'")]
            )
        status = check_status(status)
        for link in links:
            check_link_labels(link.label, link.reverse)
        when = date or today()
        review = add_months(when, 12)
        render = render or default_template(self.root)
        self.dir.mkdir(parents=True, exist_ok=True)
        slug = slugify(title)

        def text_for(number: int, targets: dict[int, Record]) -> str:
            forward = [f"{SUPERSEDES} [{link_text(targets[n].label)}]({targets[n].path})" for n in supersedes]
            forward += [
                f"{link.label} [{link_text(targets[link.target].label)}]({targets[link.target].path})"
                for link in links
            ]
            return render(
                number=number,
                title=title,
                date=when.isoformat(),
                review=review.isoformat(),
                status=status,
                links=forward,
                options=list(options) or ["Option one", "Option two"],
                systems=list(systems),
            )

        if not supersedes and not links:
            return self._create_exclusively(slug, lambda number: text_for(number, {}))
        return self._create_linked(slug, text_for, supersedes, links)

    def _create_linked(
        self,
        slug: str,
        text_for: Callable[[int, dict[int, Record]], str],
        supersedes: Sequence[int],
        links: Sequence[LinkSpec],
    ) -> Path:
        """A new record and the changes to the records it supersedes or links to, landing together."""
        with _folder_lock(self.dir):
            targets = {n: self.find(n) for n in (*supersedes, *(link.target for link in links))}
            number = self.next_number()
            name = f"{number:04d}-{slug}.md"
            text = text_for(number, targets)
            created = parse_record(text, name, number)
            texts: dict[str, str] = {}

            def current(target: int) -> Record:
                path = targets[target].path
                return parse_record(texts[path], path, target) if path in texts else targets[target]

            for target in supersedes:
                texts[targets[target].path] = _with_status(current(target), "superseded")
                texts[targets[target].path] = _with_link(current(target), SUPERSEDED_BY, created)
            for link in links:
                texts[targets[link.target].path] = _with_link(current(link.target), link.reverse, created)
            self._commit({name: text, **texts})
            return self.dir / name

    def _create_exclusively(self, slug: str, text_for: Callable[[int], str]) -> Path:
        with _folder_lock(self.dir):  # archkit processes take numbers one at a time: no gaps
            for attempt in range(200):
                number = self.next_number()
                path = self.dir / f"{number:04d}-{slug}.md"
                text = text_for(number)
                # written whole beside it, then linked into place: never an empty record, and
                # never over a file another tool made at the same moment
                temporary = reserve_temporary(path)
                try:
                    write_file(temporary, text.encode("utf-8"), shown=path)
                    os.link(temporary, path)
                except FileExistsError:
                    continue
                finally:
                    temporary.unlink(missing_ok=True)
                # Another tool (adr-tools) may have taken the number at the same moment: the
                # one that sees the other's file gives the number up and tries the next one.
                rivals = [name for n, name in self.files() if n == number and name != path.name]
                if not rivals:
                    return path
                path.unlink(missing_ok=True)
                time.sleep(0.001 * (attempt + 1) * (os.getpid() % 7 + 1) / 7)  # spread the retries
        raise ArchkitError([Problem("could not take a free record number (too many at once); try again")])

    # -- rewriting --------------------------------------------------------------------------

    def set_status(self, number: int, status: str) -> Record:
        """Change a record's status in place; every other byte stays."""
        status = check_status(status)
        with _folder_lock(self.dir):
            record = self.find(number)
            self._commit({record.path: _with_status(record, status)})
            return self.read(record.path)

    def link(self, source: int, target: int, label: str, reverse: str) -> tuple[Record, Record]:
        """Link two records both ways (both change, or neither)."""
        if source == target:
            raise ArchkitError([Problem(f"a record cannot link to itself ({source})")])
        check_link_labels(label, reverse)
        with _folder_lock(self.dir):
            first = self.find(source)
            second = self.find(target)
            first_text = _with_link(first, label, second)
            second_text = _with_link(second, reverse, first)
            self._commit({first.path: first_text, second.path: second_text})
            return self.read(first.path), self.read(second.path)

    # -- renumbering ------------------------------------------------------------------------

    def renumber(self) -> list[tuple[str, str]]:
        """Resolve duplicate numbers: the later record of each pair moves to the next free number;
        its file, heading and every link to it are rewritten, all in one change (see
        :meth:`_commit`). Returns (old, new) file names."""
        with _folder_lock(self.dir):
            records = self.records()
            by_number: dict[int, list[Record]] = {}
            for record in records:
                by_number.setdefault(record.number, []).append(record)
            moves: list[tuple[Record, int]] = []
            next_free = max((r.number for r in records), default=0) + 1
            for number in sorted(by_number):
                group = sorted(by_number[number], key=lambda r: (r.date, r.path))
                for later in group[1:]:
                    moves.append((later, next_free))
                    next_free += 1
            if not moves:
                return []
            renamed = [
                (record.path, f"{number:04d}-{FILE_NAME.match(record.path)['slug']}.md")  # type: ignore[index]
                for record, number in moves
            ]
            old_to_new = dict(renamed)
            numbers = {old: int(new[:4]) for old, new in renamed}
            texts: dict[str, str] = {}
            for record in records:
                text = _rewrite_links(record.text, old_to_new, numbers)
                if record.path in old_to_new:
                    lines = _lines(text)
                    heading = _title_line(lines)
                    if heading is not None:
                        lines[heading] = re.sub(
                            r"^#\s+\d+\.", f"# {numbers[record.path]}.", lines[heading], count=1
                        )
                    texts[old_to_new[record.path]] = "".join(lines)
                elif text != record.text:
                    texts[record.path] = text
            self._commit(texts, removals=[old for old, _ in renamed])
            return renamed


def default_template(workspace: Path) -> RenderTemplate:
    """The record template: the workspace's templates/tdr.md.j2 if it has one, else archkit's."""
    from archkit import templating

    def render(**values: object) -> str:
        values = {"decision_makers": "", "consulted": "", "informed": "", **values}
        return templating.render(workspace, "tdr.md.j2", **values)

    return render


def check_status(status: str) -> str:
    value = status.strip().lower()
    if value not in STATUSES:
        raise ArchkitError(
            [
                Problem(
                    f"unknown status '{status}'",
                    expected=one_of(STATUSES),
                    suggestion=closest(value, STATUSES),
                )
            ]
        )
    return value


def _changeable(record: Record) -> None:
    """A record whose front matter does not close cannot be changed: the change would land in it."""
    _, _, error = split_front_matter(record.text)
    if error:
        raise ArchkitError(
            [
                Problem(
                    f"cannot change {record.path}: its front matter is malformed ({error})",
                    Position(record.path, 1),
                    expected="front matter closed by a line '---'",
                )
            ]
        )


def _with_status(record: Record, status: str) -> str:
    """The record's text with its status changed; every other byte stays."""
    _changeable(record)
    lines = _lines(record.text)
    word = status.capitalize()
    if record.style == "madr3":
        index = _front_matter_line(lines, "status")
        if index is None:
            lines.insert(1, f"status: {status}{_eol(lines)}")
        else:
            lines[index] = f"status: {status}{_ending(lines[index])}"
    elif record.status_line:
        line = lines[record.status_line - 1]
        if record.style == "madr2":
            lines[record.status_line - 1] = re.sub(
                r"(?i)(status:\**\s*).*?(\s*)$", rf"\g<1>{status}\g<2>", line
            )
        else:
            lines[record.status_line - 1] = word + _ending(line)
    else:
        at = _status_body_start(lines, record)
        lines[at:at] = [word + _eol(lines), _eol(lines)]
    return "".join(lines)


def _with_link(record: Record, label: str, target: Record) -> str:
    """The record's text with ``label [N. Title](file)`` in its Status section (once)."""
    wanted = Link(label, 0, "", "", 0).kind  # either spelling of a supersede link is the same link
    if any(link.kind == wanted and link.target == target.path for link in record.links):
        return record.text
    _changeable(record)
    line_text = f"{label} [{link_text(target.label)}]({target.path})"
    lines = _lines(record.text)
    eol = _eol(lines)
    if record.links:
        at = max(link.line for link in record.links)
        lines.insert(at, line_text + eol)
    elif any(s.key == "status" for s in record.sections):
        at = _status_body_start(lines, record)
        # after the status word (and whatever follows it up to a blank line or the next section)
        ends = [s.line - 1 for s in record.sections if s.line - 1 >= at]
        end = min(ends, default=len(lines))
        while at < end and lines[at].strip():
            at += 1
        lines[at:at] = [eol, line_text + eol]
    else:  # MADR 3/4 keep status in front matter: links get a section of their own
        if lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += eol
        lines += [eol, "## Links" + eol, eol, line_text + eol]
    return "".join(lines)


def link_text(label: str) -> str:
    """A record's label as the text of a Markdown link: brackets and backslashes escaped."""
    return re.sub(r"([\\\[\]])", r"\\\1", label)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; the month's last day when it is shorter (31 March plus
    one month is 30 April; 29 February plus a year is 28 February)."""
    import calendar

    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _lines(text: str) -> list[str]:
    """Lines with their endings, split where the parser splits them (\\r\\n, \\r or \\n)."""
    return _LINE.findall(text)


def _ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :]


def _eol(lines: Iterable[str]) -> str:
    for line in lines:
        if line.endswith(("\r\n", "\n", "\r")):
            return _ending(line)
    return "\n"


def _front_matter_line(lines: list[str], key: str) -> int | None:
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return None
        if lines[index].split(":", 1)[0].strip().lower() == key:
            return index
    return None


def _title_line(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        if line.startswith("# "):
            return index
    return None


def _status_body_start(lines: list[str], record: Record) -> int:
    """Index just after the record's '## Status' heading (as the parser found it: never one in a
    code block) and the blank lines below it; a Status section is added at the end when none."""
    section = next((s for s in record.sections if s.key == "status"), None)
    if section is None:
        if lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += _eol(lines)
        lines.append(f"{_eol(lines)}## Status{_eol(lines)}{_eol(lines)}")
        return len(lines)
    at = section.line
    while at < len(lines) and not lines[at].strip():
        at += 1
    return at


_LINK_IN_TEXT = re.compile(r"\[(?P<number>\d+)\.(?P<title>[^\]]*)\]\((?P<target>[^)\s]+)\)")


def _rewrite_links(text: str, old_to_new: dict[str, str], numbers: dict[str, int]) -> str:
    def fix(match: re.Match[str]) -> str:
        target = match["target"]
        name = target.rsplit("/", 1)[-1]
        if name not in old_to_new:
            return match.group(0)
        prefix = target[: len(target) - len(name)]
        return f"[{numbers[name]}.{match['title']}]({prefix}{old_to_new[name]})"

    return _LINK_IN_TEXT.sub(fix, text)


def _apply(folder: Path, renames: Sequence[tuple[str, str]], removals: Sequence[str]) -> None:
    """Do a journal's renames (those not done yet), then its removals: done twice, the same."""
    for temporary, name in renames:
        with contextlib.suppress(FileNotFoundError):  # renamed before the interruption
            os.replace(folder / temporary, folder / name)
    for name in removals:
        (folder / name).unlink(missing_ok=True)


def _read_journal(raw: bytes, shown: str) -> tuple[list[tuple[str, str]], list[str]]:
    """A journal's renames and removals, each a plain name in the folder (anything else: refused)."""
    try:
        plan = json.loads(raw)
        renames = [(str(a), str(b)) for a, b in plan["renames"]]
        removals = [str(name) for name in plan["remove"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise _damaged_journal(shown, excerpt(str(exc))) from None
    for temporary, name in renames:
        if not _TEMPORARY.match(temporary) or not _plain_record_name(name):
            raise _damaged_journal(shown, f"it renames '{excerpt(temporary)}' to '{excerpt(name)}'")
    for name in removals:
        if not _plain_record_name(name):
            raise _damaged_journal(shown, f"it removes '{excerpt(name)}'")
    return renames, removals


def _plain_record_name(name: str) -> bool:
    return bool(FILE_NAME.match(name)) and "/" not in name and "\\" not in name and "\0" not in name


def _damaged_journal(shown: str, why: str) -> ArchkitError:
    return ArchkitError(
        [
            Problem(
                f"the journal of an interrupted change of several records cannot be read: {why}",
                Position(shown),
                expected="a journal archkit wrote; remove it to keep the records as they are",
            )
        ]
    )


def _read_text(path: Path, shown: str) -> str:
    """A text file as written (\\r\\n kept); not UTF-8 is an error naming the file and line."""
    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ArchkitError(
            [
                Problem(
                    f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x})",
                    Position(shown, line, column),
                    expected="UTF-8 text: re-save the file as UTF-8",
                )
            ]
        ) from None


def today() -> dt.date:
    """Today, or ARCHKIT_TODAY (YYYY-MM-DD) for reproducible output and tests."""
    fixed = os.environ.get("ARCHKIT_TODAY")
    return dt.date.fromisoformat(fixed) if fixed else dt.date.today()
