"""What changed between two versions of a system: components, groups, connections and scale
figures added, removed or changed (with the old value), components moved to another group.

Versions come from files or from git revisions of a system's file (``git show REV:path``); the
working tree is the default "after". Connections are matched by their ends (and their label,
where two connect the same pair), so a relabelled arrow is a change, not a removal and an addition.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archkit.errors import ArchkitError, EnvironmentProblem, Position, Problem
from archkit.model.system import Component, Connection, Group, System

ADDED, REMOVED, CHANGED, SAME = "added", "removed", "changed", "same"


@dataclass(frozen=True)
class Change:
    """One part's fate: its status and, when changed, each field as (name, old, new)."""

    kind: str  # component, group, connection, scale
    key: str  # a component's or group's id, "source -> target" for a connection, a figure's name
    status: str  # added, removed, changed
    fields: tuple[tuple[str, str, str], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"kind": self.kind, "id": self.key, "status": self.status}
        if self.fields:
            found["changes"] = [{"field": f, "old": old, "new": new} for f, old, new in self.fields]
        return found


@dataclass(frozen=True)
class SystemDiff:
    before: System
    after: System
    changes: tuple[Change, ...]
    old_label: str = "before"
    new_label: str = "after"
    # what the union diagram draws: removed parts of ``before`` put back among ``after``'s
    status: dict[tuple[str, str], Change] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.changes

    def of(self, kind: str, key: str) -> Change | None:
        return self.status.get((kind, key))

    def as_dict(self) -> dict[str, Any]:
        return {
            "system": self.after.slug or self.after.name,
            "from": self.old_label,
            "to": self.new_label,
            "changes": [c.as_dict() for c in self.changes],
            "counts": {s: sum(1 for c in self.changes if c.status == s) for s in (ADDED, REMOVED, CHANGED)},
        }


def connection_key(connection: Connection) -> str:
    return f"{connection.source} -> {connection.target}"


def _group_parents(system: System) -> dict[str, str]:
    parents: dict[str, str] = {}
    for group in system.all_groups():
        for child in group.groups:
            parents[child.id] = group.id
    return parents


def _fields(pairs: list[tuple[str, str, str]]) -> tuple[tuple[str, str, str], ...]:
    return tuple((name, old, new) for name, old, new in pairs if old != new)


def _component_fields(old: Component, new: Component) -> tuple[tuple[str, str, str], ...]:
    return _fields(
        [
            ("label", old.title, new.title),
            ("tech", old.tech, new.tech),
            ("metrics", ", ".join(old.metrics), ", ".join(new.metrics)),
            ("group", old.group or "", new.group or ""),
            ("notes", old.notes, new.notes),
        ]
    )


def _connection_fields(old: Connection, new: Connection) -> tuple[tuple[str, str, str], ...]:
    return _fields(
        [
            ("label", old.label, new.label),
            ("mode", old.mode, new.mode),
            ("throughput", old.throughput, new.throughput),
            ("latency", old.latency, new.latency),
        ]
    )


def _match_connections(
    before: tuple[Connection, ...], after: tuple[Connection, ...]
) -> tuple[list[tuple[Connection, Connection]], list[Connection], list[Connection]]:
    """Pairs of the same connection (same ends and label first, then same ends in order), and
    the ones only in before, only in after."""
    left = list(before)
    pairs: list[tuple[Connection, Connection]] = []
    unmatched: list[Connection] = []
    for new in after:
        exact = next(
            (c for c in left if (c.source, c.target, c.label) == (new.source, new.target, new.label)), None
        )
        if exact is not None:
            left.remove(exact)
            pairs.append((exact, new))
        else:
            unmatched.append(new)
    added: list[Connection] = []
    for new in unmatched:
        same_ends = next((c for c in left if (c.source, c.target) == (new.source, new.target)), None)
        if same_ends is not None:
            left.remove(same_ends)
            pairs.append((same_ends, new))
        else:
            added.append(new)
    return pairs, left, added


def diff_systems(
    before: System, after: System, old_label: str = "before", new_label: str = "after"
) -> SystemDiff:
    """Every difference that a diagram or a reader would notice, in the order of the parts."""
    changes = [
        *_scale_changes(before, after),
        *_group_changes(before, after),
        *_component_changes(before, after),
        *_connection_changes(before, after),
        *_system_changes(before, after),
    ]
    status = {(change.kind, change.key): change for change in changes}
    return SystemDiff(before, after, tuple(changes), old_label, new_label, status)


def _scale_changes(before: System, after: System) -> list[Change]:
    old_scale = {m.name: m.value for m in before.scale}
    new_scale = {m.name: m.value for m in after.scale}
    changes = []
    for name, value in new_scale.items():
        if name not in old_scale:
            changes.append(Change("scale", name, ADDED, (("value", "", value),)))
        elif old_scale[name] != value:
            changes.append(Change("scale", name, CHANGED, (("value", old_scale[name], value),)))
    removed = [(name, value) for name, value in old_scale.items() if name not in new_scale]
    return changes + [Change("scale", name, REMOVED, (("value", value, ""),)) for name, value in removed]


def _group_changes(before: System, after: System) -> list[Change]:
    old_groups = {g.id: g for g in before.all_groups()}
    new_groups = {g.id: g for g in after.all_groups()}
    old_parents, new_parents = _group_parents(before), _group_parents(after)
    changes = []
    for gid, group in new_groups.items():
        if gid not in old_groups:
            changes.append(Change("group", gid, ADDED))
            continue
        old = old_groups[gid]
        fields = _fields(
            [
                ("label", old.title, group.title),
                ("kind", old.kind, group.kind),
                ("parent", old_parents.get(gid, ""), new_parents.get(gid, "")),
            ]
        )
        if fields:
            changes.append(Change("group", gid, CHANGED, fields))
    return changes + [Change("group", gid, REMOVED) for gid in old_groups if gid not in new_groups]


def _component_changes(before: System, after: System) -> list[Change]:
    old_components = {c.id: c for c in before.components}
    new_components = {c.id: c for c in after.components}
    changes = []
    for cid, component in new_components.items():
        if cid not in old_components:
            changes.append(Change("component", cid, ADDED))
        elif fields := _component_fields(old_components[cid], component):
            changes.append(Change("component", cid, CHANGED, fields))
    return changes + [
        Change("component", cid, REMOVED) for cid in old_components if cid not in new_components
    ]


def _connection_changes(before: System, after: System) -> list[Change]:
    pairs, removed, added = _match_connections(before.connections, after.connections)
    changes = [
        Change("connection", connection_key(now) + _suffix(now), CHANGED, fields)
        for was, now in pairs
        if (fields := _connection_fields(was, now))
    ]
    changes += [Change("connection", connection_key(now) + _suffix(now), ADDED) for now in added]
    return changes + [Change("connection", connection_key(lost) + _suffix(lost), REMOVED) for lost in removed]


def _system_changes(before: System, after: System) -> list[Change]:
    """The system's own name and summary."""
    return [
        Change("system", name, CHANGED, ((name, old_text, new_text),))
        for name, old_text, new_text in (
            ("name", before.name, after.name),
            ("summary", before.summary, after.summary),
        )
        if old_text != new_text
    ]


def _suffix(connection: Connection) -> str:
    return f" ({connection.label})" if connection.label else ""


def union(diff: SystemDiff) -> System:
    """``after`` with what ``before`` had and ``after`` lost put back: removed components (in
    their old group where it still exists), removed groups and removed connections."""
    import dataclasses

    before, after = diff.before, diff.after
    new_groups = {g.id for g in after.all_groups()}

    def keep_removed(groups: tuple[Group, ...]) -> tuple[Group, ...]:
        """``after``'s groups, each with the removed groups that were inside it put back."""
        result = []
        for group in groups:
            lost = tuple(
                _only_removed(g, new_groups) for g in _children_in(before, group.id) if g.id not in new_groups
            )
            result.append(dataclasses.replace(group, groups=keep_removed(group.groups) + lost))
        return tuple(result)

    top_lost = tuple(_only_removed(g, new_groups) for g in before.groups if g.id not in new_groups)
    # a removed group whose parent also went is carried inside it by _only_removed
    groups = keep_removed(after.groups) + top_lost
    drawn_groups = {g.id for top in groups for g in top.walk()}
    components = list(after.components)
    kept = {c.id for c in after.components}
    for component in before.components:
        if component.id not in kept:  # removed: drawn in its old group where that is drawn
            group = component.group if component.group in drawn_groups else None
            components.append(dataclasses.replace(component, group=group))
    _, removed, _ = _match_connections(before.connections, after.connections)
    return dataclasses.replace(
        after, groups=groups, components=tuple(components), connections=after.connections + tuple(removed)
    )


def _children_in(system: System, group_id: str) -> tuple[Group, ...]:
    for group in system.all_groups():
        if group.id == group_id:
            return group.groups
    return ()


def _only_removed(group: Group, new_groups: set[str]) -> Group:
    """A removed group with only its removed subgroups (kept ones are drawn where they are now)."""
    import dataclasses

    return dataclasses.replace(
        group, groups=tuple(_only_removed(g, new_groups) for g in group.groups if g.id not in new_groups)
    )


# -- reading versions -------------------------------------------------------------------------


def read_version(path: Path, revision: str | None, slug: str, display: str | None = None) -> System:
    """The system in ``path`` (the working tree) or as committed at git ``revision``; messages
    name the file as ``display``."""
    from archkit.model.load import parse_system, read_system

    name = display or str(path)
    if revision is None:
        system, problems = read_system(path, name)
        shown = name
    else:
        text = git_show(path, revision, name)
        shown = f"{revision}:{name}"
        if path.suffix == ".py":
            raise ArchkitError(
                [Problem("a Python system cannot be read from a git revision", Position(shown),
                         expected="a YAML system, or two files")]
            )  # fmt: skip
        system, problems = parse_system(text, shown, slug)
    errors = [p for p in problems if p.is_error]
    if system is None or errors:
        raise ArchkitError(errors or problems)
    return system


def git_show(path: Path, revision: str, display: str) -> str:
    """The text of ``path`` at git ``revision`` (``git show REV:./name`` in the file's folder)."""
    try:
        done = subprocess.run(
            ["git", "show", f"{revision}:./{path.name}"],
            cwd=path.parent.resolve(),
            capture_output=True,
            check=False,
        )
    except OSError as exc:
        raise EnvironmentProblem(f"could not run git: {exc.strerror}") from None
    if done.returncode != 0:
        message = " ".join(done.stderr.decode("utf-8", "replace").split()) or f"exit code {done.returncode}"
        raise ArchkitError(
            [Problem(f"cannot read revision '{revision}' of this file: {message}", Position(display),
                     expected="a git revision (a commit, branch or tag) in which the file exists")]
        )  # fmt: skip
    try:
        return done.stdout.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArchkitError(
            [
                Problem(
                    f"revision '{revision}' of this file is not UTF-8 text ({exc.reason})", Position(display)
                )
            ]
        ) from None


def diff_versions(
    root: Path, systems: list[str], revision_from: str | None = None, revision_to: str | None = None
) -> SystemDiff:
    """The diff a command line asks for: one system between two git revisions of its file
    (from HEAD to the working tree by default), or two system files."""
    from archkit.workspace import Workspace

    workspace = Workspace(root)
    if len(systems) == 2:
        if revision_from or revision_to:
            raise ArchkitError(
                [Problem("--from and --to compare revisions of one system; two files were given",
                         expected="either SYSTEM [--from REV] [--to REV], or OLD NEW")]
            )  # fmt: skip
        old_path, new_path = (_one_file(workspace, name) for name in systems)
        before = read_version(old_path, None, old_path.stem, workspace.show(old_path))
        after = read_version(new_path, None, new_path.stem, workspace.show(new_path))
        return diff_systems(before, after, workspace.show(old_path), workspace.show(new_path))
    if len(systems) != 1:
        raise ArchkitError(
            [
                Problem(
                    f"{len(systems)} systems given",
                    expected="one system (SYSTEM [--from REV] [--to REV]) or two files",
                )
            ]
        )
    path = _one_file(workspace, systems[0])
    start = revision_from or "HEAD"
    shown = workspace.show(path)
    before = read_version(path, start, path.stem, shown)
    after = read_version(path, revision_to, path.stem, shown)
    return diff_systems(before, after, f"{start}:{shown}", f"{revision_to}:{shown}" if revision_to else shown)


def _one_file(workspace: Any, name: str) -> Path:
    found: list[Path] = workspace.resolve([name])
    return found[0]


def diff_previous(path: Path, system: System, display: str) -> SystemDiff:
    """What changed in ``system`` (loaded from ``path``) since its ``previous:`` version: a file
    beside it when one has that name, else a git revision of its file."""
    beside = path.parent / system.previous
    if system.previous and beside.is_file():
        before = read_version(beside, None, beside.stem, system.previous)
    else:
        before = read_version(path, system.previous, path.stem, display)
    return diff_systems(before, system, system.previous, "now")
