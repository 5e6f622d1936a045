"""A portfolio's content beyond systems and decisions: the executive summary, case studies,
leadership evidence and STAR stories — loaded from YAML with positions, then cross-checked.

Every file is read against its spec (``portfolio/spec.py``); every problem of every file is
collected, as for systems.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from archkit.errors import Position, Problem, by_position, closest, display_link, display_path, printable
from archkit.files import inside
from archkit.model.load import parse_document
from archkit.model.spec import ObjectSpec
from archkit.model.system import SourceMap
from archkit.names import ID
from archkit.portfolio import spec as P
from archkit.quantities import change, parse_quantity

if TYPE_CHECKING:
    from archkit.portfolio.content_cache import ContentCache


class Result(NamedTuple):
    metric: str
    before: str = ""
    after: str = ""
    note: str = ""

    @property
    def change(self) -> str:
        """'93% faster', '10x', '35 points lower'; '' when the figures cannot be compared."""
        before, after = parse_quantity(self.before), parse_quantity(self.after)
        if before is None or after is None:
            return ""
        return change(before, after)


class Phase(NamedTuple):
    name: str
    when: str = ""
    actions: tuple[str, ...] = ()


class Scope(NamedTuple):
    team_size: str = ""
    budget: str = ""
    domains: tuple[str, ...] = ()


class Portfolio(NamedTuple):
    name: str
    summary: str
    headline: str = ""
    target: str = ""
    scope: Scope | None = None
    achievements: tuple[str, ...] = ()
    leadership: tuple[str, ...] = ()
    relevance: str = ""
    present: tuple[str, ...] = ()
    source: SourceMap | None = None


class CaseStudy(NamedTuple):
    slug: str
    title: str
    challenge: str
    kind: str = "performance"
    analysis: str = ""
    solution: tuple[str, ...] = ()
    leadership: tuple[str, ...] = ()
    results: tuple[Result, ...] = ()
    outcomes: tuple[str, ...] = ()
    systems: tuple[str, ...] = ()
    decisions: tuple[int, ...] = ()
    source: SourceMap | None = None


class LeadershipItem(NamedTuple):
    slug: str
    title: str
    context: tuple[str, ...]
    kind: str = "initiative"
    role: tuple[str, ...] = ()
    phases: tuple[Phase, ...] = ()
    results: tuple[Result, ...] = ()
    outcomes: tuple[str, ...] = ()
    long_term: tuple[str, ...] = ()
    lessons: tuple[str, ...] = ()
    systems: tuple[str, ...] = ()
    source: SourceMap | None = None


class Story(NamedTuple):
    slug: str
    title: str
    principles: tuple[str, ...]
    situation: str
    task: str
    action: str
    result: str
    systems: tuple[str, ...] = ()
    decisions: tuple[int, ...] = ()
    case_studies: tuple[str, ...] = ()
    leadership_items: tuple[str, ...] = ()
    short_title: str = ""
    source: SourceMap | None = None

    @property
    def column_title(self) -> str:
        """What heads the story's column in the story bank: its short title, else its title's
        first three words."""
        if self.short_title:
            return self.short_title
        words = self.title.split()
        return " ".join(words[:3]) + ("…" if len(words) > 3 else "")


class Content(NamedTuple):
    portfolio: Portfolio | None
    case_studies: tuple[CaseStudy, ...]
    leadership: tuple[LeadershipItem, ...]
    stories: tuple[Story, ...]
    problems: tuple[Problem, ...]


CONTENT_SUFFIXES = (".yaml", ".yml")
_SINGULAR = {
    "systems": "system",
    "present": "system",
    "decisions": "decision record",
    "case-studies": "case study",
    "leadership-items": "leadership item",
}


def load_content(
    root: Path,
    systems: Sequence[str] | None = None,
    decisions: Sequence[int] | None = None,
    cache: Path | None = None,
) -> Content:
    """Read every content file of the workspace at ``root``; ``systems`` and ``decisions`` are
    the names and numbers references may use (None: not known, those references are not checked;
    references between content files are always checked)."""
    from archkit.portfolio.content_cache import ContentCache

    stored = ContentCache(cache)
    problems: list[Problem] = []
    portfolio = None
    summary_file = root / "portfolio.yaml"
    if summary_file.is_file():
        fields, found, source = _read(summary_file, P.PORTFOLIO, root, stored)
        problems += found
        if fields is not None and "name" in fields and "summary" in fields:
            scope = fields.pop("scope", None)
            portfolio = Portfolio(**fields, scope=Scope(**scope) if scope else None, source=source)
    files: dict[str, set[str]] = {"case-studies": set(), "leadership": set(), "stories": set()}
    case_studies = []
    for slug, fields, source in _read_folder(root, "case-studies", P.CASE_STUDY, problems, stored, files):
        results = _results(fields)
        case_studies.append(CaseStudy(**fields, slug=slug, results=results, source=source))
    leadership = []
    for slug, fields, source in _read_folder(root, "leadership", P.LEADERSHIP, problems, stored, files):
        results = _results(fields)
        phases = tuple(Phase(**p) for p in fields.pop("phases", ()) if "name" in p)
        leadership.append(LeadershipItem(**fields, slug=slug, results=results, phases=phases, source=source))
    stories = [
        Story(**fields, slug=slug, source=source)
        for slug, fields, source in _read_folder(root, "stories", P.STORY, problems, stored, files)
    ]
    stored.save()
    content = Content(portfolio, tuple(case_studies), tuple(leadership), tuple(stories), ())
    problems += check_references(content, systems, decisions, files)
    problems += check_principles(content)
    problems += check_results(content)
    return content._replace(problems=tuple(sorted_problems(problems)))


def _read(
    path: Path, spec: ObjectSpec, root: Path, stored: ContentCache
) -> tuple[dict[str, Any] | None, list[Problem], SourceMap]:
    if not inside(path, root):  # the file, or its folder, is a symbolic link out of the workspace
        link = display_link(path, root)  # the link, not what it points to
        refused = Problem(
            "the file is a symbolic link to a file outside the workspace",
            Position(printable(link)),
            expected="a file inside the workspace (archkit reads nothing outside it)",
        )
        return None, [refused], SourceMap(link)
    shown = display_path(path, root)
    hit = stored.get(path)
    known = {k.attribute for k in spec.keys}
    if hit is not None and (hit[0] is None or (isinstance(hit[0], dict) and set(hit[0]) <= known)):
        fields, problems, positions = hit
        return (dict(fields) if fields is not None else None), problems, SourceMap(shown, positions)
    fields, problems, source = _parse(path, spec, shown)
    stored.put(path, (fields, problems, dict(source.positions)))
    return fields, problems, source


def _parse(
    path: Path, spec: ObjectSpec, shown: str
) -> tuple[dict[str, Any] | None, list[Problem], SourceMap]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        return None, [Problem(f"cannot read the file: {reason}", Position(shown))], SourceMap(shown)
    fields, problems, builder = parse_document(text, shown, spec)
    positions = builder.positions if builder else {}
    if fields is not None and any(k.attribute not in fields for k in spec.keys if k.required):
        fields = None  # what is missing was reported; nothing half-read is used
    return (_plain(fields) if fields is not None else None), problems, SourceMap(shown, positions)


def _read_folder(
    root: Path,
    folder: str,
    spec: ObjectSpec,
    problems: list[Problem],
    stored: ContentCache,
    files: dict[str, set[str]],
) -> list[tuple[str, dict[str, Any], SourceMap]]:
    """The files of a content folder that loaded; ``files[folder]`` gets every name, loaded or
    not, so that a file that failed is not also reported as missing where it is named."""
    directory = root / folder
    if not directory.is_dir():
        return []
    found = []
    seen: set[str] = set()
    for path in sorted(directory.iterdir()):
        if path.suffix not in CONTENT_SUFFIXES or path.name.startswith((".", "_")) or not path.is_file():
            continue
        if not ID.match(path.stem):  # a file name that is safe in every URL
            problems.append(
                Problem(
                    f"'{path.name}' cannot name a page",
                    Position(display_path(path, root)),
                    expected="a file name of letters, digits, '.', '_' and '-'",
                )
            )
            continue
        if path.stem in seen:
            problems.append(Problem(f"two files are named '{path.stem}'", Position(display_path(path, root))))
            continue
        seen.add(path.stem)
        files[folder].add(path.stem)
        fields, read_problems, source = _read(path, spec, root, stored)
        problems.extend(read_problems)
        if fields is not None:
            found.append((path.stem, fields, source))
    return found


def _plain(fields: dict[str, Any]) -> dict[str, Any]:
    """The builder's fields without its private notes (keys starting with '_'), at every depth."""
    result: dict[str, Any] = {}
    for key, value in fields.items():
        if key.startswith("_"):
            continue
        if isinstance(value, list):
            value = [_plain(v) if isinstance(v, dict) else v for v in value]
        elif isinstance(value, dict):
            value = _plain(value)
        result[key] = value
    return result


def _results(fields: dict[str, Any]) -> tuple[Result, ...]:
    return tuple(Result(**r) for r in fields.pop("results", ()) if "metric" in r)


def check_references(
    content: Content,
    systems: Sequence[str] | None,
    decisions: Sequence[int] | None,
    files: dict[str, set[str]] | None = None,
) -> list[Problem]:
    """Names and numbers a content file points at must exist (systems and decisions only when
    they are known; ``files``: the content files by folder, including those that failed to load)."""
    files = files or {}
    known: dict[str, set[Any] | None] = {
        "systems": set(systems) if systems is not None else None,
        "decisions": set(decisions) if decisions is not None else None,
        "case-studies": {c.slug for c in content.case_studies} | files.get("case-studies", set()),
        "leadership-items": {item.slug for item in content.leadership} | files.get("leadership", set()),
    }
    problems = []
    for owner, references in _references(content):
        for key, values in references.items():
            pool = known["systems" if key == "present" else key]
            if pool is None:
                continue
            for i, value in enumerate(values):
                if value in pool:
                    continue
                names = sorted(str(n) for n in pool)
                problems.append(
                    Problem(
                        f"'{key}' names {value!r}, which the workspace does not have",
                        owner.source.locate(key, i) if owner.source else None,
                        expected=f"one of {', '.join(names)}"
                        if names
                        else f"a {_SINGULAR[key]} in the workspace",
                        suggestion=closest(str(value), names),
                    )
                )
    return problems


def _references(content: Content) -> list[tuple[Any, dict[str, Sequence[Any]]]]:
    """Each content file (with its source), and what it names under each key."""
    items: list[tuple[Any, dict[str, Sequence[Any]]]] = []
    for case in content.case_studies:
        items.append((case, {"systems": case.systems, "decisions": case.decisions}))
    for item in content.leadership:
        items.append((item, {"systems": item.systems}))
    for story in content.stories:
        items.append(
            (
                story,
                {
                    "systems": story.systems,
                    "decisions": story.decisions,
                    "case-studies": story.case_studies,
                    "leadership-items": story.leadership_items,
                },
            )
        )
    if content.portfolio:
        items.append((content.portfolio, {"present": content.portfolio.present}))
    return items


def check_principles(content: Content) -> list[Problem]:
    problems = []
    for story in content.stories:
        for i, principle in enumerate(story.principles):
            if principle not in P.LEADERSHIP_PRINCIPLES:
                problems.append(
                    Problem(
                        f"'{principle}' is not a Leadership Principle",
                        story.source.locate("principles", i) if story.source else None,
                        expected="a principle as Amazon writes it, e.g. 'Deliver Results'",
                        suggestion=closest(principle, P.LEADERSHIP_PRINCIPLES),
                    )
                )
    return problems


def check_results(content: Content) -> list[Problem]:
    """A before/after pair archkit cannot compare is shown as written: say so, as a warning."""
    problems = []
    owners: list[CaseStudy | LeadershipItem] = [*content.case_studies, *content.leadership]
    for owner in owners:
        for i, result in enumerate(owner.results):
            if result.before and result.after and not result.change:
                problems.append(
                    Problem(
                        f"cannot compare '{result.before}' with '{result.after}' for {result.metric!r}; "
                        "they are shown as written",
                        owner.source.locate("results", i) if owner.source else None,
                        expected="two figures of the same kind with units, e.g. '2 s' and '150 ms'",
                        severity="warning",
                    )
                )
    return problems


def sorted_problems(problems: Sequence[Problem]) -> list[Problem]:
    """By file, then line and column."""
    return sorted(problems, key=lambda p: (p.position.file if p.position else "", *by_position(p)))
