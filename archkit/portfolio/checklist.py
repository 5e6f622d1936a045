"""The portfolio guide's checklist, run on a workspace: what is there, what is missing, and which
file to edit for each line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from archkit.decisions.checks import results_written
from archkit.decisions.record import Record
from archkit.errors import Problem
from archkit.model.system import System
from archkit.placeholders import STARTER_STEMS, is_placeholder
from archkit.portfolio.content import Content

ONE_PAGE_WORDS = 500  # an executive summary past this does not fit one printed page


class Line(NamedTuple):
    ok: bool
    what: str  # the guide's item: "3-5 systems"
    reason: str  # what was found
    fix: str  # the file to edit, and how ('' when ok)


def _written(text: str) -> bool:
    """The user's own words: there, and not only a scaffold's starter sentences."""
    return bool(text.strip()) and not is_placeholder(text)


def run_checklist(
    systems: Sequence[System], records: Sequence[Record], content: Content, today: dt.date
) -> list[Line]:
    starters = [s for s in systems if s.slug in STARTER_STEMS]
    systems = [s for s in systems if s.slug not in STARTER_STEMS]
    starter_files = [s.source.file if s.source else f"systems/{s.slug}" for s in starters] + [
        f"{folder}/{item.slug}.yaml"
        for folder, items in (
            ("case-studies", content.case_studies),
            ("leadership", content.leadership),
            ("stories", content.stories),
        )
        for item in items
        if item.slug in STARTER_STEMS
    ]
    content = content._replace(
        case_studies=tuple(c for c in content.case_studies if c.slug not in STARTER_STEMS),
        leadership=tuple(item for item in content.leadership if item.slug not in STARTER_STEMS),
        stories=tuple(story for story in content.stories if story.slug not in STARTER_STEMS),
    )
    lines = [_systems(systems, starters), *_each_system(systems), _present(content, systems)]
    lines.append(_artifacts(systems, records, content))
    lines.append(_leadership(content))
    lines.append(_summary(content))
    lines += _records(records, today)
    lines.append(_stories(content))
    if starter_files:
        lines.append(
            Line(
                False,
                "starter files renamed or replaced",
                "not counted until then: " + ", ".join(starter_files),
                "rename each to what it describes and write it, or delete it",
            )
        )
    return lines


def _systems(systems: Sequence[System], starters: Sequence[System]) -> Line:
    n = len(systems)
    names = ", ".join(s.slug for s in systems) or "none"
    ok = 3 <= n <= 5 and not starters
    fix = (
        ""
        if 3 <= n <= 5
        else ("add systems: 'archkit new system NAME'" if n < 3 else "keep your 3-5 strongest systems")
    )
    reason = f"{n} ({names})"
    if starters:
        where = ", ".join(s.source.file if s.source else s.slug for s in starters)
        reason += f"; not counted: the starter {where}"
        fix = "; ".join(part for part in (fix, f"rename or replace the starter {where}") if part)
    return Line(ok, "3-5 systems", reason, fix)


def _each_system(systems: Sequence[System]) -> list[Line]:
    lines = []
    for system in systems:
        missing = [
            what
            for what, present in (
                ("scale metrics", bool(system.scale)),
                ("your role", bool(system.role)),
                ("business context", _written(system.context)),
                ("a diagram (components)", bool(system.components)),
            )
            if not present
        ]
        where = system.source.file if system.source else system.slug
        lines.append(
            Line(
                not missing,
                f"system {system.slug}: scale, role, context, diagram",
                "all there" if not missing else "missing " + ", ".join(missing),
                "" if not missing else f"{where}: add {', '.join(missing)}",
            )
        )
    return lines


def _present(content: Content, systems: Sequence[System]) -> Line:
    present = content.portfolio.present if content.portfolio else ()
    ok = 2 <= len(present) <= 3
    found = ", ".join(present) or "none marked"
    fix = "" if ok else "portfolio.yaml: list 2-3 system names under 'present'"
    del systems
    return Line(ok, "2-3 systems to present at L6", found, fix)


def _artifacts(systems: Sequence[System], records: Sequence[Record], content: Content) -> Line:
    kinds = [
        ("architecture diagrams with scale", any(s.components and s.scale for s in systems)),
        ("case studies with quantified results", any(c.results for c in content.case_studies)),
        ("decision records with rationale", any(_written(r.section("rationale")) for r in records)),
    ]
    have = [name for name, present in kinds if present]
    ok = len(have) >= 3
    missing = [name for name, present in kinds if not present]
    fix = "" if ok else "add " + ", ".join(missing) + " (systems/, case-studies/, 'archkit tdr new')"
    return Line(ok, "3-5 technical artifacts", ", ".join(have) or "none", fix)


def _leadership(content: Content) -> Line:
    n = len(content.leadership)
    ok = n >= 3
    kinds = sorted({item.kind for item in content.leadership})
    reason = f"{n} ({', '.join(kinds)})" if n else "none"
    if n > 4:
        reason += "; the guide suggests choosing 3-4"
    return Line(ok, "3-4 pieces of leadership evidence", reason, "" if ok else "add files to leadership/")


def _summary(content: Content) -> Line:
    portfolio = content.portfolio
    if portfolio is None:
        return Line(
            False,
            "executive summary on one page",
            "no portfolio.yaml",
            "create portfolio.yaml ('archkit init')",
        )
    parts = [
        portfolio.summary,
        portfolio.headline,
        portfolio.relevance,
        *portfolio.achievements,
        *portfolio.leadership,
    ]
    words = sum(len(part.split()) for part in parts)
    if not _written(portfolio.summary):
        return Line(
            False,
            "executive summary on one page",
            "the summary is the starter's text",
            "portfolio.yaml: write your own summary",
        )
    ok = words <= ONE_PAGE_WORDS
    fix = "" if ok else f"portfolio.yaml: cut to {ONE_PAGE_WORDS} words or fewer"
    return Line(ok, "executive summary on one page", f"{words} words", fix)


def _records(records: Sequence[Record], today: dt.date) -> list[Line]:
    if not records:
        return [
            Line(
                False, "decision records with options, rationale, results", "none", "'archkit tdr new TITLE'"
            )
        ]
    lines = []
    for record in records:
        if record.status in ("rejected", "proposed"):
            continue
        missing = [
            what
            for what, present in (
                ("options", any(_written(" ".join((*o.pros, *o.cons))) for o in record.options)),
                ("rationale", _written(record.section("rationale"))),
                ("results", results_written(record) or not _review_passed(record, today)),
            )
            if not present
        ]
        lines.append(
            Line(
                not missing,
                f"decision {record.number}: options, rationale, results",
                "all there" if not missing else "missing " + ", ".join(missing),
                "" if not missing else f"{record.path}: add " + ", ".join(missing),
            )
        )
    return lines


def _review_passed(record: Record, today: dt.date) -> bool:
    try:
        return dt.date.fromisoformat(record.review[:10]) <= today
    except ValueError:
        return True  # no review date: results are expected


def _stories(content: Content) -> Line:
    stories = content.stories
    incomplete = [
        s.slug
        for s in stories
        if not all(_written(part) for part in (s.situation, s.task, s.action, s.result)) or not s.principles
    ]
    ok = bool(stories) and not incomplete
    if not stories:
        return Line(
            False, "story bank: STAR parts and a principle", "no stories", "add STAR stories to stories/"
        )
    return Line(
        ok,
        "story bank: STAR parts and a principle",
        f"{len(stories)} {'story' if len(stories) == 1 else 'stories'}"
        + (f"; incomplete: {', '.join(incomplete)}" if incomplete else ""),
        "" if ok else "stories/: complete " + ", ".join(incomplete),
    )


class WorkspaceCheck(NamedTuple):
    """What :func:`check_workspace` found: the systems checked, every problem (warnings too, in
    file order), and the checklist's lines (None when it did not run)."""

    systems: list[System]
    problems: list[Problem]
    lines: list[Line] | None

    @property
    def errors(self) -> bool:
        return any(p.is_error for p in self.problems)

    @property
    def failed(self) -> int:
        """How many checklist lines fail."""
        return sum(1 for line in self.lines or () if not line.ok)

    def ok(self, strict: bool = False) -> bool:
        """No error, and (``strict``) no failing checklist line."""
        return not self.errors and not (strict and self.failed)


def check_workspace(
    root: Path | str, names: Sequence[str] = (), checklist: bool | None = None
) -> WorkspaceCheck:
    """``archkit check``: the named systems of the workspace at ``root`` loaded and checked, or,
    when none are named, the whole workspace (systems, decision records and portfolio content,
    each problem once) and then the portfolio checklist (``checklist``: None runs it when the
    workspace has portfolio.yaml; never on a workspace with errors). ArchkitError when there is
    no workspace, no system at all, or no system of a name."""
    from archkit.decisions.store import today
    from archkit.files import CACHES, SYSTEMS_CACHE
    from archkit.workspace import Workspace, load_workspace

    root = Path(root)
    workspace = Workspace(root)
    workspace.require()
    if names:  # these systems alone
        checked = workspace.load(names, root / CACHES / SYSTEMS_CACHE)
        return WorkspaceCheck(checked.systems, list(checked.problems), None)
    workspace.resolve([])  # no systems at all is said, not passed
    # through the caches build keeps: a file parsed once is not parsed again until it changes
    loaded = load_workspace(root, caches=root / CACHES)
    wanted = checklist if checklist is not None else (root / "portfolio.yaml").is_file()
    lines = None
    if wanted and not loaded.errors:
        lines = run_checklist(loaded.systems, loaded.records, loaded.content, today())
    return WorkspaceCheck(loaded.systems, loaded.problems, lines)


def check_json(found: WorkspaceCheck, strict: bool = False) -> dict[str, object]:
    """``archkit check --json``: whether all is well, the systems checked, every problem, and the
    checklist's lines (None when it did not run)."""
    from archkit.errors import problem_json

    return {
        "ok": found.ok(strict),
        "systems": [s.slug for s in found.systems],
        "problems": [problem_json(p) for p in found.problems],
        "checklist": None
        if found.lines is None
        else [{"what": x.what, "ok": x.ok, "reason": x.reason, "fix": x.fix or None} for x in found.lines],
    }
