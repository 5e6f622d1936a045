"""``archkit tdr check`` and ``tdr review``: what is wrong or due in a set of records.

Errors break the set (duplicate numbers, broken or one-sided links, unknown statuses, unreadable
files); warnings are about content (an accepted record without rationale, an option without cons,
results overdue). Records are parsed once; links are resolved through an index, never by parsing
again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from archkit.decisions.record import (
    LINE_BREAK,
    LINK_LIKE,
    STATUSES,
    SUPERSEDED_BY,
    SUPERSEDES,
    Record,
    split_front_matter,
)
from archkit.decisions.store import DecisionStore, today
from archkit.errors import Problem, closest, excerpt, one_of

REQUIRED_WHEN_ACCEPTED = (
    ("context", "Context"),
    ("options", "Options considered"),
    ("decision", "Decision"),
    ("rationale", "Rationale"),
)

# The reverse a link must have in its target, for labels everyone agrees on.
_REVERSE = {
    "supersedes": "superseded by",
    "superseded by": "supersedes",
    "amends": "amended by",
    "amended by": "amends",
    "clarifies": "clarified by",
    "clarified by": "clarifies",
    "extends": "extended by",
    "extended by": "extends",
    "relates to": "relates to",
}


def check_records(
    store: DecisionStore, records: Sequence[Record], on: dt.date | None = None, errors_only: bool = False
) -> list[Problem]:
    """Every problem in the set, in file order (``errors_only``: skip the checks that only warn)."""
    day = on or today()
    systems = None if errors_only else _system_names(store)
    problems: list[Problem] = []
    by_file = {r.path: r for r in records}
    by_number: dict[int, list[Record]] = {}
    for record in records:
        by_number.setdefault(record.number, []).append(record)

    for record in records:
        where = store.position
        _, _, front_error = split_front_matter(record.text)
        if front_error:
            problems.append(Problem(f"malformed front matter: {front_error}", where(record, 1)))
        if not record.title:
            problems.append(
                Problem("the record has no title", where(record, 1), expected="a first line '# N. Title'")
            )
        twins = by_number[record.number]
        if len(twins) > 1:
            others = ", ".join(t.path for t in twins if t is not record)
            problems.append(
                Problem(
                    f"number {record.number} is used twice (also by {others})",
                    where(record, 1),
                    expected="one record per number: 'archkit tdr renumber' moves the later one",
                )
            )
        if record.status not in STATUSES:
            problems.append(
                Problem(
                    f"unknown status '{record.status}'" if record.status else "the record has no status",
                    where(record, record.status_line),
                    expected=one_of(STATUSES),
                    suggestion=closest(record.status, STATUSES) if record.status else "",
                )
            )
        problems.extend(_check_links(store, record, by_file))
        problems.extend(_unread_links(store, record))
        problems.extend(_check_systems(store, record, systems))
        if not errors_only:
            problems.extend(_check_content(store, record, day))
    problems.extend(_supersede_cycles(store, records, by_file))
    return problems


def _unread_links(store: DecisionStore, record: Record) -> list[Problem]:
    """Lines of the Status (or Links) section that look like a link but do not read as one."""
    read = {link.line for link in record.links}
    problems = []
    for section in record.sections:
        if section.key not in ("status", "links"):
            continue
        for offset, line in enumerate(LINE_BREAK.split(section.text), start=section.line + 1):
            if offset not in read and LINK_LIKE.match(line.strip()):
                problems.append(
                    Problem(
                        f"cannot read the link line '{excerpt(line.strip())}'",
                        store.position(record, offset),
                        expected="'Label [N. Title](NNNN-file.md)', the label a letter, then letters, "
                        "digits, spaces, ',', \"'\" or '-'",
                    )
                )
    return problems


def _supersede_cycles(
    store: DecisionStore, records: Sequence[Record], by_file: dict[str, Record]
) -> list[Problem]:
    """Records that supersede themselves through others (4 supersedes 5 supersedes 4): once per cycle."""
    edges = {
        r.path: sorted(
            {
                link.target.rsplit("/", 1)[-1]
                for link in r.links
                if link.kind == "supersedes" and link.target.rsplit("/", 1)[-1] in by_file
            }
        )
        for r in records
    }
    return [_cycle_problem(store, cycle, by_file) for cycle in _cycles(edges)]


def _cycles(edges: dict[str, list[str]]) -> list[list[str]]:
    """Each cycle of the graph ``edges`` once, as the nodes along it (a depth-first walk from
    each node in sorted order, without recursion: a chain of thousands of records is fine)."""
    cycles: list[list[str]] = []
    reported: set[frozenset[str]] = set()
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done
    for start in sorted(edges):
        if state.get(start):
            continue
        path = [start]
        stack = [(start, iter(edges[start]))]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                path.pop()
                stack.pop()
            elif state.get(child) == 1:
                cycle = path[path.index(child) :]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    cycles.append(cycle)
            elif not state.get(child):
                state[child] = 1
                path.append(child)
                stack.append((child, iter(edges[child])))
    return cycles


def _cycle_problem(store: DecisionStore, cycle: list[str], by_file: dict[str, Record]) -> Problem:
    """The error for one cycle, at the first record's first 'Supersedes' line."""
    first = by_file[cycle[0]]
    chain = " supersedes ".join(str(by_file[name].number) for name in [*cycle, cycle[0]])
    return Problem(
        f"records supersede each other in a cycle: {chain}",
        store.position(first, next((link.line for link in first.links if link.kind == "supersedes"), 1)),
        expected="each record superseded by a later one, never by one it supersedes",
    )


def _check_links(store: DecisionStore, record: Record, by_file: dict[str, Record]) -> list[Problem]:
    problems = []
    for link in record.links:
        name = link.target.rsplit("/", 1)[-1]
        target = by_file.get(name)
        where = store.position(record, link.line)
        if target is None:
            # the record the link means may have been renamed: the one with its number
            renamed = [r.path for r in by_file.values() if r.number == link.number and link.number]
            near = renamed[0] if len(renamed) == 1 else ""
            problems.append(
                Problem(
                    f"link '{link.label}' points to {link.target}, which does not exist",
                    where,
                    expected="a record file in this folder",
                    suggestion=near,
                )
            )
            continue
        reverse = _REVERSE.get(link.kind)
        back = [b for b in target.links if b.target.rsplit("/", 1)[-1] == record.path]
        if reverse is not None and not any(b.kind == reverse for b in back):
            spelled = {"superseded by": SUPERSEDED_BY, "supersedes": SUPERSEDES}.get(
                reverse, reverse.capitalize()
            )
            problems.append(
                Problem(
                    f"one-sided link: '{link.label}' {target.label}, but {target.path} has no "
                    f"'{spelled}' link back",
                    where,
                    expected=_link_command(record.number, target.number, link.label, spelled),
                )
            )
        elif reverse is None and not back:
            problems.append(
                Problem(
                    f"one-sided link: '{link.label}' {target.label}, but {target.path} does not link back",
                    where,
                )
            )
    if record.status == "superseded" and not any(link.kind == "superseded by" for link in record.links):
        problems.append(
            Problem(
                "the record is superseded, but does not say by which record",
                store.position(record, record.status_line),
                expected=f"a '{SUPERSEDED_BY} [N. Title](file)' line in its Status section",
            )
        )
    return problems


def _system_names(store: DecisionStore) -> set[str] | None:
    """Names of the workspace's systems, from file names; None when it has no systems/ folder."""
    folder = store.root / "systems"
    if not folder.is_dir():
        return None
    return {
        p.stem
        for p in folder.iterdir()
        if p.suffix in (".yaml", ".yml", ".py") and not p.name.startswith((".", "_"))
    }


def _check_systems(store: DecisionStore, record: Record, systems: set[str] | None) -> list[Problem]:
    named = [s.strip() for s in record.metadata.get("systems", "").split(",") if s.strip()]
    if systems is None or not named:
        return []
    line = next((i + 1 for i, text in enumerate(record.text.split("\n")) if "systems:" in text.lower()), 1)
    return [
        Problem(
            f"the record names an unknown system '{name}'",
            store.position(record, line),
            expected="a system of systems/: " + ", ".join(sorted(systems)),
            suggestion=closest(name, systems),
            severity="warning",
        )
        for name in named
        if name not in systems
    ]


def _check_content(store: DecisionStore, record: Record, day: dt.date) -> list[Problem]:
    problems = _scaffold_left(store, record)
    if record.status != "accepted":
        return problems
    problems += _accepted_gaps(store, record, day)
    return problems


def _scaffold_left(store: DecisionStore, record: Record) -> list[Problem]:
    """Sections and options that still hold the scaffold's sentences."""
    from archkit.placeholders import is_placeholder

    problems = []
    for section in record.sections:
        # Results hold the scaffold's sentence until the review date: review_due covers them.
        if (
            section.key not in ("", "options", "results")
            and section.text.strip()
            and is_placeholder(section.text)
        ):
            problems.append(
                Problem(
                    f"record {record.number}: {section.heading} still holds the scaffold's sentence "
                    f"'{_first_line(section.text)}'",
                    store.position(record, section.line),
                    expected=f"your own {section.heading.lower()} in place of the scaffold's",
                    severity="warning",
                )
            )
    for option in record.options:
        if option.pros + option.cons and all(is_placeholder(t) for t in (*option.pros, *option.cons)):
            problems.append(
                Problem(
                    f"record {record.number}: option '{option.name}' still holds the scaffold's pros "
                    "and cons",
                    store.position(record, option.line),
                    expected="the option's own '- Pro: ...' and '- Con: ...' lines",
                    severity="warning",
                )
            )
    return problems


def _accepted_gaps(store: DecisionStore, record: Record, day: dt.date) -> list[Problem]:
    """What an accepted record lacks: sections, pros and cons, results once the review is due."""
    problems = []
    for key, heading in REQUIRED_WHEN_ACCEPTED:
        text = record.section(key)
        if not text and not any(s.key == key and s.text.strip() for s in record.sections):
            problems.append(
                Problem(
                    f"accepted record {record.number} has no {heading} section (or it is empty)",
                    store.position(record, 1),
                    expected=f"a '## {heading}' section",
                    severity="warning",
                )
            )
    for option in record.options:
        missing = [kind for kind, items in (("pros", option.pros), ("cons", option.cons)) if not items]
        if missing:
            problems.append(
                Problem(
                    f"option '{option.name}' lists no {' and no '.join(missing)}",
                    store.position(record, option.line),
                    expected="'- Pro: ...' and '- Con: ...' lines under the option",
                    severity="warning",
                )
            )
    due = review_due(record, day)
    if due:
        problems.append(
            Problem(
                f"the results review was due on {record.review}, and Results is empty",
                store.position(record, 1),
                expected="a '## Results' section with what was measured",
                severity="warning",
            )
        )
    return problems


def reviews_due(records: Sequence[Record], day: dt.date | None = None) -> list[Record]:
    """``archkit tdr review``: the records whose results review is due on ``day`` (today by
    default): accepted, the review date passed, the Results still empty or a placeholder."""
    when = day or today()
    return [record for record in records if review_due(record, when)]


def check_records_json(
    records: Sequence[Record], problems: Sequence[Problem], strict: bool = False
) -> dict[str, object]:
    """``archkit tdr check --json``: whether all is well (with ``strict``, a warning counts as an
    error), how many records were checked, and every problem."""
    from archkit.errors import problem_json

    return {
        "ok": not any(p.is_error or strict for p in problems),
        "records": len(records),
        "problems": [problem_json(p) for p in problems],
    }


def reviews_json(store: DecisionStore, due: Sequence[Record]) -> list[dict[str, object]]:
    """``archkit tdr review --json``: number, title, review date and path of each record due."""
    return [
        {"number": r.number, "title": r.title, "review": r.review, "path": store.show(store.dir / r.path)}
        for r in due
    ]


def _first_line(text: str) -> str:
    line = next(line for line in text.strip().splitlines() if line.strip()).strip()
    return line if len(line) <= 60 else line[:57] + "..."


def review_due(record: Record, day: dt.date) -> bool:
    """An accepted record whose review date has passed and whose Results are still empty."""
    if record.status != "accepted" or not record.review:
        return False
    try:
        when = dt.date.fromisoformat(record.review[:10])
    except ValueError:
        return False
    return when <= day and not results_written(record)


def results_written(record: Record) -> bool:
    """The record's Results hold the user's own measurements: not empty, not the scaffold's
    sentence, not 'To be measured ...'."""
    from archkit.placeholders import is_placeholder

    results = record.section("results").strip()
    return bool(results) and not is_placeholder(results) and not results.lower().startswith("to be measured")


def _link_command(source: int, target: int, label: str, reverse: str) -> str:
    return f'\'archkit tdr link {source} {target} "{label}" "{reverse}"\''
