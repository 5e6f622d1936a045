"""Checks that need the whole system: ids, references between parts, technologies.

The loader has already checked each value's shape; these checks work on the model, so they
apply the same way to systems written in Python.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from archkit import catalogue
from archkit.errors import Position, Problem, closest, one_of
from archkit.model.system import ROLES, Component, Connection, Group, System
from archkit.names import DIRECTIONS, is_id


def check_system(system: System) -> list[Problem]:
    """Every problem in ``system``: errors first where found, warnings alongside."""
    problems: list[Problem] = []
    if not _types_ok(system, problems, system.locate):
        return problems
    group_ids = _check_groups(system, problems)
    component_ids = _check_components(system, group_ids, problems)
    for i, component in enumerate(system.components):
        problems.extend(
            _check_scale_out(component, component_ids, lambda *k, i=i: system.locate("components", i, *k))
        )
    _check_connections(system, component_ids, problems)
    _check_whiteboard(system, group_ids, component_ids, problems)
    problems.extend(_check_estimates(system))
    written = system.source is not None and ("components",) in system.source.positions
    if not system.components and not written:
        problems.append(
            Problem(
                "the system has no components",
                system.locate(),
                severity="warning",
                expected="a 'components' list",
            )
        )
    return problems


def _check_groups(system: System, problems: list[Problem]) -> dict[str, None]:
    """The group ids, ordered as written (messages list them in that order)."""
    group_ids: dict[str, None] = {}
    for group_path, group in _groups_with_paths(system.groups, ("groups",)):
        if group.id in group_ids:
            problems.append(Problem(f"duplicate group id '{group.id}'", system.locate(*group_path, "id")))
        group_ids.setdefault(group.id)
    return group_ids


def _check_components(system: System, group_ids: dict[str, None], problems: list[Problem]) -> dict[str, int]:
    """The component ids, each with the index of its first component."""
    where = system.locate
    component_ids: dict[str, int] = {}
    for i, component in enumerate(system.components):
        if component.id in component_ids:
            first = where("components", component_ids[component.id], "id")
            line = f" (first on line {first.line})" if first and first.line else ""
            problems.append(
                Problem(f"duplicate component id '{component.id}'{line}", where("components", i, "id"))
            )
        else:
            component_ids[component.id] = i
        if component.group is not None and component.group not in group_ids:
            problems.append(
                Problem(
                    f"component '{component.id}' is in unknown group '{component.group}'",
                    where("components", i, "group"),
                    expected=_known("group", group_ids),
                    suggestion=closest(component.group, group_ids),
                )
            )
        problems.extend(_check_tech(component, where("components", i, "tech")))
    return component_ids


def _check_connections(system: System, component_ids: dict[str, int], problems: list[Problem]) -> None:
    # with no components at all (a misspelt 'components' key, reported as such), each connection's
    # ends are not reported too: one error, not a cascade
    for i, connection in enumerate(system.connections if component_ids else ()):
        for end, key in ((connection.source, "from"), (connection.target, "to")):
            if end not in component_ids:
                problems.append(
                    Problem(
                        f"connection {key} unknown component '{end}'",
                        system.locate("connections", i, key),
                        expected=_known("component", component_ids),
                        suggestion=closest(end, component_ids),
                    )
                )


def _check_whiteboard(
    system: System, group_ids: dict[str, None], component_ids: dict[str, int], problems: list[Problem]
) -> None:
    if system.whiteboard is None:
        return
    for key, ids, allowed in (
        ("collapse", system.whiteboard.collapse, list(group_ids)),
        ("order", system.whiteboard.order, [*group_ids, *component_ids]),
    ):
        for i, value in enumerate(ids):
            if value not in allowed:
                what = "group" if key == "collapse" else "component or group"
                problems.append(
                    Problem(
                        f"whiteboard {key} names unknown {what} '{value}'",
                        system.locate("whiteboard", key, i),
                        expected=_known(what, allowed),
                        suggestion=closest(value, allowed),
                    )
                )


def _check_estimates(system: System) -> list[Problem]:
    """Every estimate's expression computes, with units that fit; the diagram names estimates.
    (Scale figures archkit cannot read are shown as written: only an estimate using one fails.)"""
    if not system.estimates and not system.diagram_estimates:
        return []
    from archkit.prep.estimates import estimate

    problems = [p for p in estimate(system).problems if p.is_error]
    names = [m.name for m in system.estimates]
    for i, name in enumerate(system.diagram_estimates):
        if name not in names:
            problems.append(
                Problem(
                    f"diagram-estimates names unknown estimate '{name}'",
                    system.locate("diagram-estimates", i),
                    expected=(
                        "the name of an estimate: " + ", ".join(f"'{n}'" for n in names)
                        if names
                        else "the name of an estimate, but the system has none"
                    ),
                    suggestion=closest(name, names),
                )
            )
    return problems


def _check_scale_out(
    component: Component, component_ids: dict[str, int], where: Callable[..., Position | None]
) -> list[Problem]:
    """Replicas and shards are counts of at least one; a replica names an existing component
    other than itself, and is not also a primary."""
    problems = []
    for key, value in (("replicas", component.replicas), ("shards", component.shards)):
        if value is not None and value < 1:
            problems.append(
                Problem(
                    f"component '{component.id}' has {key}: {value}",
                    where(key),
                    expected="a count of 1 or more",
                )
            )
    source = component.replica_of
    if source is None:
        return problems
    if source == component.id:
        problems.append(
            Problem(
                f"component '{component.id}' is a replica of itself",
                where("replica-of"),
                expected="the id of the component it copies",
            )
        )
    elif source not in component_ids:
        problems.append(
            Problem(
                f"component '{component.id}' is a replica of unknown component '{source}'",
                where("replica-of"),
                expected=_known("component", component_ids),
                suggestion=closest(source, component_ids),
            )
        )
    if component.role == "primary":
        problems.append(
            Problem(
                f"component '{component.id}' has role primary and is a replica of '{source}'",
                where("role"),
                expected="role: replica (or no role) on a component with replica-of",
            )
        )
    return problems


def _check_tech(component: Component, position: Position | None) -> list[Problem]:
    if component.tech.strip().lower() in catalogue.NO_TECHNOLOGY or catalogue.find(component.tech):
        return []
    suggestion, ratio = catalogue.suggest(component.tech)
    if suggestion and ratio >= catalogue.TYPO_RATIO:
        return [
            Problem(
                f"unknown technology '{component.tech}' for component '{component.id}'",
                position,
                expected="a technology from 'archkit techs' (or 'other' for one of your own)",
                suggestion=suggestion,
            )
        ]
    return [
        Problem(
            f"technology '{component.tech}' of component '{component.id}' is not in the catalogue; "
            "it is drawn as a generic box",
            position,
            suggestion=suggestion,
            severity="warning",
        )
    ]


def _known(what: str, ids: Iterable[str]) -> str:
    names = list(ids)
    if not names:
        return f"a {what} id, but the system defines no {what}s"
    shown = ", ".join(f"'{n}'" for n in names[:12])
    more = f" (and {len(names) - 12} more)" if len(names) > 12 else ""
    return f"a {what} id: {shown}{more}"


def _groups_with_paths(
    groups: Iterable[Group], path: tuple[str | int, ...]
) -> Iterable[tuple[tuple[str | int, ...], Group]]:
    for i, group in enumerate(groups):
        here = (*path, i)
        yield here, group
        yield from _groups_with_paths(group.groups, (*here, "groups"))


def _types_ok(system: System, problems: list[Problem], where: Callable[..., Position | None]) -> bool:
    """Systems built in Python skip the loader: check each part's type and each id's form."""
    if system.source is not None and system.source.positions:
        return True  # the loader has checked all of it
    checks: list[tuple[str, object, str]] = [
        ("name", system.name, "text"),
        ("slug", system.slug, "id"),
        ("summary", system.summary, "text"),
        ("direction", system.direction, "direction"),
    ]
    for name, kind in (("components", Component), ("connections", Connection), ("groups", Group)):
        for i, item in enumerate(getattr(system, name)):
            if not isinstance(item, kind):
                problems.append(
                    Problem(
                        f"{name}[{i}] is a {type(item).__name__}",
                        where(name, i),
                        expected=f"archkit.model.{kind.__name__}",
                    )
                )
    if problems:
        return False
    for i, c in enumerate(system.components):
        checks += [(f"components[{i}].id", c.id, "id"), (f"components[{i}].label", c.label, "text")]
        checks += [(f"components[{i}].tech", c.tech, "text"), (f"components[{i}].notes", c.notes, "text")]
        checks += [(f"components[{i}].group", c.group, "id or None")]
        checks += [(f"components[{i}].replica_of", c.replica_of, "id or None")]
        checks += [(f"components[{i}].{f}", getattr(c, f), "count or None") for f in ("replicas", "shards")]
        checks += [(f"components[{i}].role", c.role, "role")]
        checks += [(f"components[{i}].metrics[{j}]", m, "text") for j, m in enumerate(c.metrics)]
    for i, n in enumerate(system.connections):
        checks += [(f"connections[{i}].source", n.source, "id"), (f"connections[{i}].target", n.target, "id")]
        checks += [
            (f"connections[{i}].{f}", getattr(n, f), "text") for f in ("label", "throughput", "latency")
        ]
        checks += [(f"connections[{i}].mode", n.mode, "mode")]
    for group in system.all_groups():
        checks += [
            (f"group {group.id!r} id", group.id, "id"),
            (f"group {group.id!r} label", group.label, "text"),
        ]
    checks += [(f"scale {m.name!r}", m.value, "text") for m in system.scale]
    checks += [(f"estimate {m.name!r}", m.value, "text") for m in system.estimates]
    checks += [(f"stack[{i}]", t, "text") for i, t in enumerate(system.stack)]
    for what, value, rule in checks:
        if not _fits(value, rule):
            problems.append(Problem(f"{what} is {value!r}", where(), expected=_ALLOWED[rule]))
    return not problems


_ALLOWED = {
    "text": "a string",
    "id": "an id: letters, digits, '_', '.' and '-', starting with a letter or digit",
    "id or None": "None or an id: letters, digits, '_', '.' and '-'",
    "direction": one_of(DIRECTIONS),
    "mode": "'sync' or 'async'",
    "count or None": "None or a whole number",
    "role": "'', 'primary' or 'replica'",
}


def _fits(value: object, kind: str) -> bool:
    if kind == "text":
        return isinstance(value, str)
    if kind == "id":
        return is_id(value)
    if kind == "id or None":
        return value is None or _fits(value, "id")
    if kind == "direction":
        return value in DIRECTIONS
    if kind == "count or None":
        return value is None or (isinstance(value, int) and not isinstance(value, bool))
    if kind == "role":
        return value in ("", *ROLES)
    return value in ("sync", "async")
