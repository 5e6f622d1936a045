"""Checks that need the whole system: ids, references between parts, technologies.

The loader has already checked each value's shape; these checks work on the model, so they
apply the same way to systems written in Python.
"""

from __future__ import annotations

from collections.abc import Iterable

from archkit import catalogue
from archkit.errors import Position, Problem, closest
from archkit.model.system import Component, Connection, Group, System

_SPECIAL_TECH = ("", "none", "other", "custom")


def check_system(system: System) -> list[Problem]:
    """Every problem in ``system``: errors first where found, warnings alongside."""
    problems: list[Problem] = []
    where = _Locator(system)
    if not _types_ok(system, problems, where):
        return problems

    group_ids: dict[str, int] = {}
    for group_path, group in _groups_with_paths(system.groups, ("groups",)):
        if group.id in group_ids:
            problems.append(Problem(f"duplicate group id '{group.id}'", where(*group_path, "id")))
        group_ids.setdefault(group.id, 0)

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

    for i, connection in enumerate(system.connections):
        for end, key in ((connection.source, "from"), (connection.target, "to")):
            if end not in component_ids:
                problems.append(
                    Problem(
                        f"connection {key} unknown component '{end}'",
                        where("connections", i, key),
                        expected=_known("component", component_ids),
                        suggestion=closest(end, component_ids),
                    )
                )

    written = system.source is not None and ("components",) in system.source.positions
    if not system.components and not written:
        problems.append(
            Problem(
                "the system has no components",
                where(),
                severity="warning",
                expected="a 'components' list",
            )
        )
    return problems


def _check_tech(component: Component, position: Position | None) -> list[Problem]:
    if component.tech.strip().lower() in _SPECIAL_TECH or catalogue.find(component.tech):
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


class _Locator:
    def __init__(self, system: System) -> None:
        self.system = system

    def __call__(self, *path: str | int) -> Position | None:
        return self.system.locate(*path)


def _types_ok(system: System, problems: list[Problem], where: _Locator) -> bool:
    """Systems built in Python skip the loader: make sure their parts are the model's types."""
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
    return not problems
