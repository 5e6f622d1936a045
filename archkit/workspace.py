"""A workspace: the folder that holds ``systems/`` (and later ``decisions/`` and the rest).

Finds system files, resolves what a user names on the command line, and loads and checks
systems, collecting every problem of every file before anyone aborts.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from archkit.errors import (
    ArchkitError,
    Position,
    Problem,
    by_position,
    closest,
    display_link,
    display_path,
    excerpt,
    printable,
)
from archkit.files import RECORDS_CACHE, SYSTEMS_CACHE, inside
from archkit.memory import collector_paused
from archkit.model.check import check_system
from archkit.model.load import SYSTEM_SUFFIXES, read_system
from archkit.model.system import System

# What a workspace's sources are: an output folder must never be (or hold) one of them.
SOURCES = ("systems", "decisions", "case-studies", "leadership", "stories", "templates", ".archkit")


class Checked:
    """Systems that loaded, and every problem found (warnings included)."""

    def __init__(self) -> None:
        self.systems: list[System] = []
        self.problems: list[Problem] = []

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


# What makes a folder a workspace: any one of these (records folders as DecisionStore finds them).
MARKERS = ("portfolio.yaml", "systems", "case-studies", "leadership", "stories")


class Workspace:
    """A workspace folder: its system files, what a command-line name means, loading them."""

    def __init__(self, root: Path | str = ".") -> None:
        self.root = Path(root)
        self._decision_numbers: set[int] | None = None

    def exists(self) -> bool:
        """Whether the folder holds a workspace: portfolio.yaml, a content folder or records."""
        from archkit.decisions.store import DecisionStore

        return any((self.root / name).exists() for name in MARKERS) or DecisionStore(self.root).dir.is_dir()

    def require(self) -> None:
        """ArchkitError unless the folder holds a workspace: a command run in the wrong place
        says so, instead of building or checking nothing and calling it a success."""
        if self.exists():
            return
        where = display_path(self.root.resolve())
        raise ArchkitError(
            [
                Problem(
                    f"no archkit workspace in {where}",
                    expected="a folder with portfolio.yaml, systems/ or decision records "
                    "('archkit init' creates one; -C DIR or ARCHKIT_DIR points at one)",
                )
            ]
        )

    @property
    def systems_dir(self) -> Path:
        return self.root / "systems"

    def show(self, path: Path) -> str:
        return display_path(path, self.root)

    def system_files(self) -> list[Path]:
        """Every system file, sorted by name. Two files of one name (a.yaml and a.py) are an
        error: which one is meant would be a guess."""
        if not self.systems_dir.is_dir():
            return []
        by_name: dict[str, list[Path]] = {}
        for path in sorted(self.systems_dir.iterdir()):
            if path.suffix in SYSTEM_SUFFIXES and path.is_file() and not path.name.startswith((".", "_")):
                by_name.setdefault(path.stem, []).append(path)
        clashes = [paths for paths in by_name.values() if len(paths) > 1]
        if clashes:
            raise ArchkitError(
                [
                    Problem(
                        "two files define the system '"
                        + paths[0].stem
                        + "': "
                        + " and ".join(self.show(p) for p in paths),
                        expected="one file per system name",
                    )
                    for paths in clashes
                ]
            )
        return [by_name[name][0] for name in sorted(by_name)]

    def resolve(self, names: Sequence[str]) -> list[Path]:
        """The files meant by command-line arguments: a system's name, or a path to its file."""
        if not names:
            files = self.system_files()
            if not files:
                where = self.show(self.systems_dir)
                raise ArchkitError(
                    [
                        Problem(
                            f"no systems found in {where}/",
                            expected="systems/<name>.yaml files (start one with 'archkit new system NAME')",
                        )
                    ]
                )
            return files
        known = {p.stem: p for p in self.system_files()}
        found: list[Path] = []
        problems = []
        for name in names:
            as_path = Path(name)
            # a path is the workspace's first (as with git -C), then the current directory's
            for candidate in (self.root / as_path, as_path):
                if candidate.suffix in SYSTEM_SUFFIXES and candidate.is_file():
                    if candidate.resolve() not in {f.resolve() for f in found}:
                        found.append(candidate)
                    break
            else:
                if name in known:
                    if known[name] not in found:
                        found.append(known[name])
                else:
                    problems.append(
                        Problem(
                            f"no system named '{name}'",
                            expected=(
                                "a system name: " + ", ".join(f"'{k}'" for k in known)
                                if known
                                else "a system file, but systems/ has none"
                            ),
                            suggestion=closest(name, known),
                        )
                    )
        if problems:
            raise ArchkitError(problems)
        return found

    def decision_numbers(self) -> set[int]:
        """Numbers of the workspace's decision records, from their file names alone."""
        if self._decision_numbers is None:
            from archkit.decisions.store import DecisionStore

            self._decision_numbers = {number for number, _ in DecisionStore(self.root).files()}
        return self._decision_numbers

    def _check_decision_numbers(self, system: System) -> list[Problem]:
        """A system's 'decisions' and its trade-offs' 'record' name records that exist."""
        wanted: list[tuple[tuple[str | int, ...], int]] = [
            (("decisions", i), n) for i, n in enumerate(system.decisions)
        ]
        wanted += [(("tradeoffs", i, "record"), t.record) for i, t in enumerate(system.tradeoffs) if t.record]
        if not wanted:
            return []
        known = self.decision_numbers()
        problems = []
        for path, number in wanted:
            if number not in known:
                near = min(known, key=lambda k: abs(k - number)) if known else None
                problems.append(
                    Problem(
                        f"no decision record numbered {number}",
                        system.locate(*path),
                        expected=f"one of {sorted(known)}"
                        if known
                        else "a record in decisions/ ('archkit tdr new')",
                        suggestion=str(near) if near is not None else "",
                    )
                )
        return problems

    def _refused_file(self, path: Path, named: bool) -> Problem | None:
        """A system file archkit will not read or cannot build from: a symbolic link out of the
        workspace (unless named on the command line), or a name that cannot name output files."""
        from archkit.model.system import SAFE_NAME

        shown = printable(display_link(path, self.root))  # the link, not what it points to
        if not named and not inside(path, self.root):  # the file, or systems/ itself, links out
            return Problem(
                "the system file is a symbolic link to a file outside the workspace",
                Position(shown),
                expected="a system file inside the workspace",
            )
        if not SAFE_NAME.match(path.stem) or ".." in path.stem:
            import re

            better = re.sub(r"[^A-Za-z0-9_.-]+", "-", path.stem).strip("-.") or "system"
            return Problem(
                f"the file name '{excerpt(path.stem)}' cannot name output files (diagrams, pages)",
                Position(shown),
                expected="letters, digits, '_', '.' and '-', starting with a letter or digit",
                suggestion=better + path.suffix,
            )
        return None

    def load(self, names: Sequence[str] = (), cache: Path | None = None) -> Checked:
        """Load and check the named systems (all when none are named). With ``cache`` (a JSON
        file), a YAML file unchanged since the last run is not parsed again."""
        result = Checked()
        stored = None
        if cache is not None:
            from archkit.model.system_cache import SystemCache

            stored = SystemCache(cache)
        for path in self.resolve(names):
            refused = self._refused_file(path, named=bool(names))
            if refused:
                result.problems.append(refused)
                continue
            hit = stored.get(path) if stored is not None and path.suffix != ".py" else None
            system: System | None
            if hit is not None:
                system, problems = hit[0], list(hit[1])
            else:
                system, problems = read_system(path, self.show(path))
                if stored is not None and system is not None and path.suffix != ".py":
                    stored.put(path, system, problems)
            if system is not None:
                problems += check_system(system)
                problems += self._check_decision_numbers(system)
                result.systems.append(system)
            result.problems.extend(sorted(problems, key=by_position))
        if stored is not None:
            stored.save(forget_unused=not names)
        slugs: dict[str, str] = {}
        for system in result.systems:
            file = system.source.file if system.source else system.slug
            if system.slug in slugs:
                result.problems.append(
                    Problem(
                        f"two systems are named '{system.slug}' ({slugs[system.slug]} and {file})",
                        Position(file),
                        expected="one file per system name",
                    )
                )
            slugs[system.slug] = file
        return result


def load_checked(root: Path | str, names: Sequence[str] = (), cache: Path | None = None) -> Checked:
    """Load and check the named systems of the workspace at ``root`` (all when none are named);
    ArchkitError when there is no workspace there. Every problem of every file is collected first;
    when any is an error, ArchkitError carries them all (warnings too, in file order), else the
    warnings come back on the result for the caller to show."""
    workspace = Workspace(root)
    workspace.require()
    checked = workspace.load(names, cache)
    if checked.errors:
        raise ArchkitError(checked.problems)
    return checked


class Loaded(NamedTuple):
    """Everything a workspace holds, loaded and cross-checked, with every problem found."""

    systems: list[System]
    records: list[Any]  # decision records (archkit.decisions.record.Record)
    content: Any  # archkit.portfolio.content.Content
    problems: list[Problem]  # sorted by file, warnings included

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def load_workspace(root: Path, caches: Path | None = None) -> Loaded:
    """Systems, decision records and portfolio content, each file's problems reported once: a
    file that fails to load is not reported again as missing wherever it is named (the names and
    numbers references may use are those of the files, loaded or not). ``check`` and ``build``
    print the same problems. With ``caches`` (a folder), unchanged files are not parsed again."""
    with collector_paused():  # see memory.py
        return _load_workspace(root, caches)


def _load_workspace(root: Path, caches: Path | None) -> Loaded:
    from archkit.decisions.checks import check_records
    from archkit.decisions.store import DecisionStore
    from archkit.portfolio.content import load_content

    workspace = Workspace(root)
    files = workspace.system_files()
    checked = workspace.load(cache=caches / SYSTEMS_CACHE if caches else None) if files else Checked()
    store = DecisionStore(root)
    records = store.records(cache=caches / RECORDS_CACHE if caches else None) if store.dir.is_dir() else []
    numbers = sorted({r.number for r in records} | {n for n, _ in store.files()})
    content = load_content(
        root, [p.stem for p in files], numbers, cache=caches / "content.json" if caches else None
    )
    problems = [*checked.problems, *content.problems, *check_records(store, records, errors_only=True)]
    return Loaded(checked.systems, records, content, problems)
