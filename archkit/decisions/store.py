"""The decisions directory: finding records, numbering, creating and rewriting them safely.

- The next number comes from file names alone: no record is parsed to create one.
- A new record is created exclusively; when another process took the same number at the same
  moment, the one that sees the other's file gives the number up and tries the next one.
- Every rewrite of an existing record changes only the lines it must, keeps the rest byte for
  byte, and lands atomically (temporary file, then rename).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from archkit.decisions.record import (
    FILE_NAME,
    STATUSES,
    SUPERSEDED_BY,
    SUPERSEDES,
    Record,
    parse_record,
)
from archkit.errors import ArchkitError, Position, Problem, closest, one_of
from archkit.files import write_atomic

RenderTemplate = Callable[..., str]  # the scaffold: template values -> Markdown
DEFAULT_DIR = "decisions"
ADR_DIR_FILE = ".adr-dir"  # adr-tools' pointer to the records' folder


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
        return cls(int(parts[0]), parts[1].strip(), parts[2].strip())


def slugify(title: str) -> str:
    """A file-name-safe slug: lowercase letters and digits joined by '-'; never empty, never a path."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].strip("-")
    return slug or "decision"


class DecisionStore:
    """The records of one workspace."""

    def __init__(self, workspace: Path | str = ".", directory: str | None = None) -> None:
        self.root = Path(workspace)
        self.dir = self.root / (directory or self._configured_dir())

    def _configured_dir(self) -> str:
        pointer = self.root / ADR_DIR_FILE
        if pointer.is_file():
            configured = pointer.read_text(encoding="utf-8").strip()
            if configured:
                return configured
        return DEFAULT_DIR

    # -- reading --------------------------------------------------------------------------

    def files(self) -> list[tuple[int, str]]:
        """(number, file name) of every record, by number then name; other files are ignored."""
        if not self.dir.is_dir():
            return []
        found = []
        for name in os.listdir(self.dir):  # names alone: no stat per file, no record opened
            match = FILE_NAME.match(name)
            if match:
                found.append((int(match["number"]), name))
        return sorted(found)

    def next_number(self) -> int:
        files = self.files()
        return files[-1][0] + 1 if files else 1

    def read(self, name: str, header_only: bool = False) -> Record:
        path = self.dir / name
        match = FILE_NAME.match(name)
        with open(path, encoding="utf-8", newline="") as handle:  # keep \r\n as written
            text = handle.read()
        return parse_record(text, name, int(match["number"]) if match else None, header_only)

    def records(self, header_only: bool = False, cache: Path | None = None) -> list[Record]:
        """Every record, parsed once (``header_only``: title, status, date and links only).

        With ``cache`` (a JSON file), a record whose file has the same size and modification time
        as last time is taken from it instead of parsed again: a rebuild reads only what changed.
        """
        if cache is None or header_only:
            return [self.read(name, header_only) for _, name in self.files()]
        from archkit.decisions.record_cache import RecordCache

        stored = RecordCache(cache)
        found = []
        for _, name in self.files():
            stat = os.stat(self.dir / name)
            record = stored.get(name, stat.st_size, stat.st_mtime_ns)
            if record is None:
                record = self.read(name)
                stored.put(name, stat.st_size, stat.st_mtime_ns, record)
            found.append(record)
        stored.save(keep={r.path for r in found})
        return found

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
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)

    def position(self, record: Record, line: int = 0) -> Position:
        return Position(f"{self._shown_dir}/{record.path}", line)

    @functools.cached_property
    def _shown_dir(self) -> str:
        """The records folder as messages show it (resolved once, not once per problem)."""
        return self.show(self.dir).replace(os.sep, "/")

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
        """Create the next record from the template; supersede and link as asked. Returns its path."""
        title = " ".join(title.split())
        if not title:
            raise ArchkitError(
                [Problem("the title is empty", expected="a title, e.g. 'Use Kafka for events'")]
            )
        status = check_status(status)
        targets = {n: self.find(n) for n in (*supersedes, *(link.target for link in links))}
        when = date or today()
        review = _add_months(when, 12)
        forward = [f"{SUPERSEDES} [{targets[n].label}]({targets[n].path})" for n in supersedes]
        forward += [
            f"{link.label} [{targets[link.target].label}]({targets[link.target].path})" for link in links
        ]
        render = render or default_template(self.root)
        self.dir.mkdir(parents=True, exist_ok=True)
        slug = slugify(title)

        def text_for(number: int) -> str:
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

        path = self._create_exclusively(slug, text_for)
        if not supersedes and not links:
            return path
        record = self.read(path.name)
        for number in supersedes:
            self.set_status(number, "superseded")
            self.add_link(number, SUPERSEDED_BY, record)
        for link in links:
            self.add_link(link.target, link.reverse, record)
        return path

    def _create_exclusively(self, slug: str, text_for: Callable[[int], str]) -> Path:
        with _folder_lock(self.dir):  # archkit processes take numbers one at a time: no gaps
            for attempt in range(200):
                number = self.next_number()
                path = self.dir / f"{number:04d}-{slug}.md"
                try:
                    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
                except FileExistsError:
                    continue
                try:
                    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                        handle.write(text_for(number))
                except BaseException:
                    path.unlink(missing_ok=True)
                    raise
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
        record = self.find(number)
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
            at = _status_body_start(lines)
            lines[at:at] = [word + _eol(lines), _eol(lines)]
        write_atomic(self.dir / record.path, "".join(lines))
        return self.read(record.path)

    def add_link(self, number: int, label: str, target: Record) -> Record:
        """Add ``label [N. Title](file)`` to a record's Status section (once)."""
        record = self.find(number)
        line_text = f"{label} [{target.label}]({target.path})"
        if any(link.label == label and link.target == target.path for link in record.links):
            return record
        lines = _lines(record.text)
        eol = _eol(lines)
        if record.links:
            at = max(link.line for link in record.links)
            lines.insert(at, line_text + eol)
        elif any(s.key == "status" for s in record.sections):
            at = _status_body_start(lines)
            # after the status word and its blank line
            while at < len(lines) and lines[at].strip():
                at += 1
            lines[at:at] = [eol, line_text + eol]
        else:  # MADR 3/4 keep status in front matter: links get a section of their own
            if lines and not lines[-1].endswith(("\n", "\r")):
                lines[-1] += eol
            lines += [eol, "## Links" + eol, eol, line_text + eol]
        write_atomic(self.dir / record.path, "".join(lines))
        return self.read(record.path)

    def link(self, source: int, target: int, label: str, reverse: str) -> tuple[Record, Record]:
        """Link two records both ways."""
        if source == target:
            raise ArchkitError([Problem(f"a record cannot link to itself ({source})")])
        first = self.find(source)
        second = self.find(target)
        first = self.add_link(source, label, second)
        second = self.add_link(target, reverse, first)
        return first, second

    # -- renumbering ------------------------------------------------------------------------

    def renumber(self) -> list[tuple[str, str]]:
        """Resolve duplicate numbers: the later record of each pair moves to the next free number;
        its file, heading and every link to it are rewritten. Returns (old, new) file names."""
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
        renamed: list[tuple[str, str]] = []
        for record, number in moves:
            new_name = f"{number:04d}-{FILE_NAME.match(record.path)['slug']}.md"  # type: ignore[index]
            lines = _lines(record.text)
            heading = _title_line(lines)
            if heading is not None:
                lines[heading] = re.sub(r"^#\s+\d+\.", f"# {number}.", lines[heading], count=1)
            write_atomic(self.dir / new_name, "".join(lines))
            (self.dir / record.path).unlink()
            renamed.append((record.path, new_name))
        if renamed:
            old_to_new = dict(renamed)
            numbers = {old: int(new[:4]) for old, new in renamed}
            for _, name in self.files():
                text = (self.dir / name).read_text(encoding="utf-8")
                rewritten = _rewrite_links(text, old_to_new, numbers)
                if rewritten != text:
                    write_atomic(self.dir / name, rewritten)
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


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(day.day, 28))


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :]


def _eol(lines: Iterable[str]) -> str:
    for line in lines:
        if line.endswith("\r\n"):
            return "\r\n"
        if line.endswith("\n"):
            return "\n"
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


def _status_body_start(lines: list[str]) -> int:
    """Index just after '## Status' and the blank line below it."""
    for index, line in enumerate(lines):
        if line.strip().lower() == "## status":
            at = index + 1
            while at < len(lines) and not lines[at].strip():
                at += 1
            return at
    lines.append("\n## Status\n\n")
    return len(lines)


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


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """An advisory lock on the folder itself (no lock file left behind); released when the
    process ends, however it ends. Where flock does not exist, creation stays safe without it."""
    try:
        import fcntl
    except ImportError:  # Windows: the exclusive create and the rival check still hold
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def today() -> dt.date:
    """Today, or ARCHKIT_TODAY (YYYY-MM-DD) for reproducible output and tests."""
    fixed = os.environ.get("ARCHKIT_TODAY")
    return dt.date.fromisoformat(fixed) if fixed else dt.date.today()
