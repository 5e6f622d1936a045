"""``archkit init``: a workspace with a commented starter file of every kind.

Every starter is valid for archkit, points its editor at its JSON Schema, and points at the other
starters (the story at the system, the record, the case study and the initiative), so that a new
user sees the whole portfolio working before replacing the text with their own.

Nothing that exists is replaced: a file that is there is kept, and a folder that already holds
files of its kind gets no starter (its own files are what the other starters point at).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from archkit.decisions.record import FILE_NAME
from archkit.decisions.store import ADR_DIR_FILE, DEFAULT_DIR, DecisionStore, RenderTemplate, default_template
from archkit.files import write_atomic
from archkit.portfolio.content import CONTENT_SUFFIXES
from archkit.scaffold.starters import SCHEMAS, new_system, write_schema
from archkit.templating import render
from archkit.workspace import Workspace

WROTE = "wrote"
KEPT = "kept"
ADOPTED = "adopted"  # an existing records folder, which .adr-dir now names
Action = tuple[str, Path]

STARTER_SYSTEM = "my-system"
FIRST_RECORD = "Record architecture decisions"
FIRST_SLUG = "record-architecture-decisions"
# schema kind -> (folder, starter file name without extension, template)
STARTERS = {
    "case-study": ("case-studies", "my-case-study", "case-study.yaml.j2"),
    "leadership": ("leadership", "my-initiative", "leadership.yaml.j2"),
    "story": ("stories", "my-story", "story.yaml.j2"),
}


def init_workspace(root: Path) -> list[Action]:
    """``archkit init``: create what a workspace lacks at ``root`` (made when missing); returns
    what was written and what was kept, in the order a reader meets them. Never replaces a file."""
    root.mkdir(parents=True, exist_ok=True)
    workspace = Workspace(root)
    actions: list[Action] = []

    # Names the starters point at: the workspace's own, or the starters about to be written.
    own_systems = {path.stem: path for path in workspace.system_files()}
    own = {kind: _content_files(root / folder) for kind, (folder, _, _) in STARTERS.items()}
    systems = list(own_systems) or [STARTER_SYSTEM]
    names = {kind: list(own[kind]) or [stem] for kind, (_, stem, _) in STARTERS.items()}

    actions.append(_schema(root / SCHEMAS["portfolio"].file, "portfolio"))
    actions.append(
        _create(
            root / "portfolio.yaml",
            lambda: render(
                root, "portfolio.yaml.j2", schema_file=SCHEMAS["portfolio"].file, present=systems[:3]
            ),
        )
    )
    actions += _init_systems(workspace, own_systems)
    decisions = _init_decisions(root, actions)
    values = {
        "systems": systems[:1],
        "decisions": decisions,
        "case_studies": names["case-study"][:1],
        "leadership_items": names["leadership"][:1],
    }
    actions += _init_content(root, own, values)
    # what archkit writes (the site, its caches) is not the workspace's source
    actions.append(_create(root / ".gitignore", lambda: "build/\n.archkit/\n"))
    return actions


def _init_systems(workspace: Workspace, own_systems: dict[str, Path]) -> list[Action]:
    schema = workspace.systems_dir / SCHEMAS["system"].file
    actions = [_schema(schema, "system")]
    if STARTER_SYSTEM in own_systems:
        actions.append((KEPT, own_systems[STARTER_SYSTEM]))
    elif own_systems:
        actions.append((KEPT, workspace.systems_dir))  # the workspace's own systems
    else:
        actions += [(WROTE, path) for path in new_system(workspace, STARTER_SYSTEM) if path != schema]
    return actions


def _init_decisions(root: Path, actions: list[Action]) -> list[int]:
    """The records' pointer and first record, appended to ``actions``; the first record's number."""
    # The records folder .adr-dir names; else one adr-tools, log4brains or MADR made (doc/adr,
    # docs/adr, docs/decisions): adopted, never doubled by a second, empty decisions/.
    store = DecisionStore(root)
    folder = store.dir.relative_to(root).as_posix()
    pointed = (root / ADR_DIR_FILE).is_file()
    actions.append(_create(root / ADR_DIR_FILE, lambda: folder + "\n"))
    if not pointed and folder != DEFAULT_DIR and store.dir.is_dir():
        actions.append((ADOPTED, store.dir))
    records = store.files()
    first = [(n, name) for n, name in records if _record_slug(name) == FIRST_SLUG]
    if first:
        actions.append((KEPT, store.dir / first[0][1]))
    elif records:
        actions.append((KEPT, store.dir))  # the workspace's own records
    else:
        path = store.new(FIRST_RECORD, status="accepted", options=list(_OPTIONS), render=_first_record(root))
        actions.append((WROTE, path))
        first = [(n, name) for n, name in store.files() if name == path.name]
    return [n for n, _ in first[:1]]


def _init_content(root: Path, own: dict[str, dict[str, Path]], values: dict[str, object]) -> list[Action]:
    actions: list[Action] = []
    for kind, (folder, stem, template) in STARTERS.items():
        directory = root / folder
        actions.append(_schema(directory / SCHEMAS[kind].file, kind))
        if stem in own[kind]:
            actions.append((KEPT, own[kind][stem]))
        elif own[kind]:
            actions.append((KEPT, directory))  # the folder's own files
        else:
            starter_text = partial(render, root, template, schema_file=SCHEMAS[kind].file, **values)
            actions.append(_create(directory / f"{stem}.yaml", starter_text))
    return actions


def _schema(path: Path, kind: str) -> Action:
    """archkit's schema file; one of the user's own of the same name is kept (see write_schema)."""
    return (WROTE if write_schema(path, kind) else KEPT, path)


def _create(path: Path, text: Callable[[], str]) -> Action:
    """Write a new file; an existing one (even a dangling link) is kept as it is."""
    if path.exists() or path.is_symlink():
        return (KEPT, path)
    write_atomic(path, text())
    return (WROTE, path)


def _content_files(folder: Path) -> dict[str, Path]:
    """The content files of a folder, by the name references give them."""
    if not folder.is_dir():
        return {}
    files = sorted(
        p
        for p in folder.iterdir()
        if p.suffix in CONTENT_SUFFIXES and not p.name.startswith((".", "_")) and p.is_file()
    )
    return {p.stem: p for p in files}


def _record_slug(name: str) -> str:
    match = FILE_NAME.match(name)
    return match["slug"] if match else ""


# The first record, as adr-tools' `adr init` writes it: it records the decision to keep records.
_OPTIONS = {
    "Decision records in the repository": (
        "One Markdown file per decision in the repository, numbered, reviewed like code.",
        [
            "Pro: Versioned with the code it explains, and reviewed in the same pull requests",
            "Pro: Plain Markdown that adr-tools, MADR tools and archkit all read",
            "Con: Someone has to write a page for each significant decision",
        ],
    ),
    "Meeting notes and wiki pages": (
        "Decisions are taken in meetings and summarised on wiki pages.",
        [
            "Pro: No new habit to learn",
            "Con: Hard to find later, and not linked to the code",
            "Con: Rarely updated when a decision is reversed or superseded",
        ],
    ),
}

_OPTION_PLACEHOLDER = "What it is, in a sentence.\n\n- Pro: what it makes better\n- Con: what it costs\n"
_SECTIONS = {
    "What forces this decision: the problem, the scale, the constraints. Numbers help.": (
        "We need to record the architectural decisions made on this project: what was decided,\n"
        "which options were weighed, and why. Without a record, new team members cannot tell why\n"
        "the system is built the way it is, and settled decisions get reopened or quietly reversed."
    ),
    "What was decided.": (
        "We will use architecture decision records, as described by Michael Nygard in\n"
        '"Documenting Architecture Decisions": one file per decision in this folder, created with\n'
        "`archkit tdr new TITLE`. A record starts as proposed and is accepted when decided; when a\n"
        "decision changes, a new record supersedes it and the old one stays."
    ),
    "Why this option over the others; which trade-off was accepted.": (
        "Records next to the code are found where the code is read and change in the same review,\n"
        "and `archkit tdr check` keeps their numbers, links and statuses consistent. We accept the\n"
        "cost of writing a page for each significant decision."
    ),
    "- Phase 1:\n- Phase 2:": (
        "- Phase 1: record the decisions the current architecture rests on\n"
        "- Phase 2: make a record part of the definition of done for architectural changes"
    ),
}


def _first_record(root: Path) -> RenderTemplate:
    """The record template (the workspace's own when it has one), with archkit's placeholders
    for this record replaced by its real text; a template of the user's is used as it renders."""
    template = default_template(root)

    def render_first(**values: object) -> str:
        text = template(**values)
        for option, (what, points) in _OPTIONS.items():
            real = f"### {option}\n\n{what}\n\n" + "".join(f"- {point}\n" for point in points)
            text = text.replace(f"### {option}\n\n{_OPTION_PLACEHOLDER}", real)
        for placeholder, real in _SECTIONS.items():
            text = text.replace(placeholder, real)
        return text

    return render_first
