"""Load a system from ``systems/<name>.yaml`` (or ``.py``) into the typed model.

YAML is composed safely into nodes (no Python tags are ever constructed), so every value keeps
its line and column. The nodes are checked against :mod:`archkit.model.spec`; every problem in
the file is collected, then :class:`~archkit.errors.ArchkitError` is raised once with all of them.
"""

from __future__ import annotations

import runpy
import traceback
from pathlib import Path
from typing import Any

import yaml

from archkit.errors import ArchkitError, Position, Problem, closest, one_of
from archkit.model import spec as S
from archkit.model.system import (
    Component,
    Connection,
    Group,
    Metric,
    SourceMap,
    System,
    TradeOff,
)

SYSTEM_SUFFIXES = (".yaml", ".yml", ".py")

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TAG = "tag:yaml.org,2002:"
_STANDARD_TAGS = {
    _TAG + t for t in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp", "merge")
}
_PATH = "_path"  # where a mapping was in the file; kept on connections to place their arrows
_KIND_WORDS = {
    S.TEXT: "text",
    S.INT: "a whole number",
    S.SCALAR: "text or a number",
    S.TEXTS: "text or a list of texts",
    S.INTS: "a list of whole numbers",
    S.METRICS: "a mapping of names to figures",
    S.OBJECT: "a mapping",
    S.OBJECTS: "a list",
}


def load_system(path: Path, display: str | None = None) -> System:
    """Read one system file; raise ArchkitError with every problem found in it."""
    system, problems = read_system(path, display)
    if system is None or any(p.is_error for p in problems):
        raise ArchkitError(problems)
    return system


def load_system_text(text: str, file: str = "<string>", slug: str = "") -> System:
    """Parse a system from YAML text; ``file`` is only used in messages."""
    system, problems = parse_system(text, file, slug)
    if system is None or problems:
        raise ArchkitError(problems)
    return system


def read_system(path: Path, display: str | None = None) -> tuple[System | None, list[Problem]]:
    """Read one system file: the system built from every part that is well-formed (None when
    nothing is), and the problems found on the way."""
    shown = display or str(path)
    if path.suffix == ".py":
        try:
            return _load_python(path, shown), []
        except ArchkitError as exc:
            return None, exc.problems
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(f"not UTF-8 text ({exc.reason})", Position(shown))]
    except OSError as exc:
        return None, [Problem(f"cannot read the file: {exc.strerror}", Position(shown))]
    return parse_system(text, shown, slug=path.stem)


def parse_system(text: str, file: str, slug: str = "") -> tuple[System | None, list[Problem]]:
    """Parse YAML text into a system, as far as it is well-formed, and the problems found."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        return None, [_yaml_problem(exc, file)]
    except yaml.YAMLError as exc:
        return None, [Problem(f"invalid YAML: {exc}", Position(file))]
    if node is None:
        return None, [Problem("the file is empty", Position(file, 1, 1), expected="a mapping with 'name'")]
    builder = _Builder(file)
    fields = builder.mapping(node, S.SYSTEM, ())
    problems = sorted(builder.problems, key=_order)
    if not isinstance(node, yaml.MappingNode):
        return None, problems
    return _make_system(fields, slug, builder), problems


def _order(problem: Problem) -> tuple[int, int]:
    where = problem.position
    return (where.line, where.column) if where else (0, 0)


def _yaml_problem(exc: yaml.MarkedYAMLError, file: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    where = Position(file, mark.line + 1, mark.column + 1) if mark else Position(file)
    message = f"invalid YAML: {exc.problem or exc.context}"
    if exc.context and exc.problem and exc.context_mark is not None:
        start = exc.context_mark
        message += f" ({exc.context} that starts at line {start.line + 1}, column {start.column + 1})"
    return Problem(message, where)


def _complete(items: Any, *required: str) -> list[dict[str, Any]]:
    """The items that have every required key (those that lack one were reported already)."""
    return [item for item in items or () if all(key in item for key in required)]


def _fields(item: dict[str, Any]) -> dict[str, Any]:
    """A mapping's model fields, without the path the builder noted."""
    return {key: value for key, value in item.items() if key != _PATH}


def _make_system(fields: dict[str, Any], slug: str, builder: _Builder) -> System:
    positions = {k: v for k, v in builder.positions.items() if k[:1] != ("connections",)}
    groups = tuple(_make_group(g) for g in _complete(fields.pop("groups", ()), "id"))
    components = tuple(Component(**_fields(c)) for c in _complete(fields.pop("components", ()), "id"))
    connections: list[Connection] = []
    for c in _complete(fields.pop("connections", ()), "source", "target"):
        # Positions follow the model's list, where a 'to' list made one arrow per target.
        item = c.pop(_PATH)
        targets = c.pop("target")
        target_paths = builder.kept.get((*item, "to"), [(*item, "to")] * len(targets))
        for target, target_path in zip(targets, target_paths, strict=True):
            here = ("connections", len(connections))
            for key, position in builder.positions.items():
                if key[: len(item)] == item and key[len(item) : len(item) + 1] != ("to",):
                    positions[here + key[len(item) :]] = position
            positions[here + ("to",)] = builder.positions[target_path]
            connections.append(Connection(target=target, **c))
    tradeoffs = tuple(TradeOff(**_fields(t)) for t in _complete(fields.pop("tradeoffs", ()), "decision"))
    fields.setdefault("name", "")
    scale = tuple(Metric(name, value) for name, value in fields.pop("scale", {}).items())
    return System(
        **fields,
        groups=groups,
        components=components,
        connections=tuple(connections),
        tradeoffs=tradeoffs,
        scale=scale,
        slug=slug,
        source=SourceMap(builder.file, positions),
    )


def _make_group(fields: dict[str, Any]) -> Group:
    children = tuple(_make_group(g) for g in _complete(fields.pop("groups", ()), "id"))
    return Group(**_fields(fields), groups=children)


class _Builder:
    """Walks YAML nodes against a spec, collecting problems and positions as it goes."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.positions: dict[tuple[str | int, ...], Position] = {}
        # For lists of texts: the paths of the items that were kept, in order.
        self.kept: dict[tuple[str | int, ...], list[tuple[str | int, ...]]] = {}
        self.constructor = yaml.constructor.SafeConstructor()

    def where(self, node: yaml.Node) -> Position:
        return Position(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def problem(self, node: yaml.Node, message: str, expected: str = "", suggestion: str = "") -> None:
        self.problems.append(Problem(message, self.where(node), expected, suggestion))

    def plain(self, node: yaml.Node) -> bool:
        """Only plain YAML is read: a Python tag (or any other) is refused, never constructed."""
        if node.tag in _STANDARD_TAGS:
            return True
        tag = node.tag.replace(_TAG, "!!")
        self.problem(
            node,
            f"unsupported YAML tag {tag}",
            expected="plain YAML values (archkit reads YAML safely)",
        )
        return False

    def mapping(self, node: yaml.Node, spec: S.ObjectSpec, path: tuple[str | int, ...]) -> dict[str, Any]:
        self.positions[path] = self.where(node)
        if not self.plain(node):
            return {}
        if not isinstance(node, yaml.MappingNode):
            self.problem(
                node,
                f"{spec.title} is {_describe(node)}",
                expected=f"a mapping of {spec.title} keys",
            )
            return {}
        self._check_duplicate_keys(node)
        try:
            self.constructor.flatten_mapping(node)  # YAML merge keys: '<<: *defaults'
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or node.start_mark
            self.problems.append(
                Problem(
                    f"invalid YAML merge: {exc.problem}",
                    Position(self.file, mark.line + 1, mark.column + 1),
                    expected="'<<: *anchor' naming a mapping",
                )
            )
            return {}
        fields: dict[str, Any] = {}
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = self.scalar(key_node)
            if not isinstance(key, str):
                self.problem(key_node, f"{spec.title} key {key!r} is not text", expected=one_of(spec.names))
                continue
            if key.startswith(S.EXTENSION_PREFIX):
                continue  # free for the user: anchors to merge from, notes for other tools
            key_spec = spec.key(key)
            if key_spec is None:
                self.problem(
                    key_node,
                    f"unknown key '{key}' in {spec.title}",
                    expected=one_of(spec.names),
                    suggestion=closest(key, spec.names),
                )
                continue
            seen.add(key)
            value = self.value(value_node, key_spec, (*path, key))
            if value is not None:
                fields[key_spec.attribute] = value
        for key_spec in spec.keys:
            if key_spec.required and key_spec.name not in seen:
                help_text = key_spec.help[0].lower() + key_spec.help[1:].rstrip(".")
                self.problem(
                    node, f"{spec.title} has no '{key_spec.name}'", expected=f"'{key_spec.name}': {help_text}"
                )
        return fields

    def _check_duplicate_keys(self, node: yaml.MappingNode) -> None:
        first: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = key_node.value
            if key in first:
                line = first[key].start_mark.line + 1
                self.problem(
                    key_node,
                    f"duplicate key '{key}' (first written on line {line}); YAML would keep only the last",
                )
            else:
                first[key] = key_node

    def scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            return node
        if not self.plain(node):
            return None
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as exc:
            self.problem(node, f"cannot read the value {node.value!r}: {exc}")
            return None

    def value(self, node: yaml.Node, key: S.Key, path: tuple[str | int, ...]) -> Any:
        self.positions[path] = self.where(node)
        if key.kind in (S.OBJECT, S.OBJECTS):
            assert key.item is not None
            if key.kind == S.OBJECT:
                return self.mapping(node, key.item, path)
            items = self.sequence(node, key, path)
            mappings = []
            for i, item in enumerate(items):
                fields = self.mapping(item, key.item, (*path, i))
                fields[_PATH] = (*path, i)
                mappings.append(fields)
            return mappings
        if key.kind == S.METRICS:
            return self.metrics(node, key, path)
        if key.kind in (S.TEXTS, S.INTS):
            item_kind = S.TEXT if key.kind == S.TEXTS else S.INT
            if key.kind == S.TEXTS and isinstance(node, yaml.ScalarNode):
                one = self.typed(node, item_kind, key)
                return None if one is None else (one,)
            items = self.sequence(node, key, path)
            values = []
            kept = self.kept.setdefault(path, [])
            for i, item in enumerate(items):
                self.positions[path + (i,)] = self.where(item)
                one = self.typed(item, item_kind, key)
                if one is not None:
                    values.append(one)
                    kept.append((*path, i))
            if key.required and not items:
                self.problem(node, f"'{key.name}' is empty", expected=_KIND_WORDS[key.kind])
            return tuple(values)
        return self.typed(node, key.kind, key)

    def sequence(self, node: yaml.Node, key: S.Key, path: tuple[str | int, ...]) -> list[yaml.Node]:
        if not self.plain(node):
            return []
        if isinstance(node, yaml.ScalarNode) and node.tag == _TAG + "null":
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"'{key.name}' is {_describe(node)}", expected=_KIND_WORDS[key.kind])
            return []
        return list(node.value)

    def metrics(self, node: yaml.Node, key: S.Key, path: tuple[str | int, ...]) -> dict[str, str]:
        if isinstance(node, yaml.ScalarNode) and node.tag == _TAG + "null":
            return {}
        if not isinstance(node, yaml.MappingNode):
            self.problem(
                node,
                f"'{key.name}' is {_describe(node)}",
                expected="a mapping such as 'users: 50M'",
            )
            return {}
        self._check_duplicate_keys(node)
        result: dict[str, str] = {}
        for key_node, value_node in node.value:
            name = self.scalar(key_node)
            if isinstance(name, (int, float)) and not isinstance(name, bool):
                name = str(name)
            if not isinstance(name, str):
                self.problem(key_node, "a scale metric's name is not text", expected="'users: 50M'")
                continue
            self.positions[path + (name,)] = self.where(value_node)
            value = self.typed(value_node, S.SCALAR, key, what=f"scale metric '{name}'")
            if value is not None:
                result[name] = value
        return result

    def typed(self, node: yaml.Node, kind: str, key: S.Key, what: str = "") -> Any:
        label = what or f"'{key.name}'"
        if not self.plain(node):
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, f"{label} is {_describe(node)}", expected=_KIND_WORDS[kind])
            return None
        value = self.scalar(node)
        if value is None and node.tag == _TAG + "null":
            return None
        if kind == S.TEXT and isinstance(value, str):
            if key.choices and value not in key.choices:
                self.problem(
                    node,
                    f"{label} is '{value}'",
                    expected=one_of(key.choices),
                    suggestion=closest(value, key.choices),
                )
                return None
            return value
        if kind == S.INT and isinstance(value, int) and not isinstance(value, bool):
            if value < 0:
                self.problem(node, f"{label} is negative", expected="a whole number, 0 or more")
                return None
            return value
        if kind == S.SCALAR and isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return node.value if not isinstance(value, str) else value
        expected = _KIND_WORDS[kind]
        if key.choices:
            expected = one_of(key.choices)
        hint = ""
        if isinstance(value, bool) and kind in (S.TEXT, S.SCALAR):
            hint = f' (YAML reads {node.value} as true/false; quote it: "{node.value}")'
        self.problem(node, f"{label} is {_describe(node, value)}{hint}", expected=expected)
        return None


def _describe(node: yaml.Node, value: Any = None) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == _TAG + "null":
        return "empty"
    if isinstance(value, bool):
        return f"the boolean {node.value}"
    if isinstance(value, (int, float)):
        return f"the number {node.value}"
    return f"'{node.value}'"


def _load_python(path: Path, shown: str) -> System:
    """Run ``systems/<name>.py``, which defines ``system``; report failures without a traceback."""
    try:
        namespace = runpy.run_path(str(path), run_name=f"archkit_system_{path.stem}")
    except SyntaxError as exc:
        where = Position(shown, exc.lineno or 0, exc.offset or 0)
        raise ArchkitError([Problem(f"Python syntax error: {exc.msg}", where)]) from None
    except Exception as exc:
        line = 0
        for frame in traceback.extract_tb(exc.__traceback__):
            if Path(frame.filename).resolve() == path.resolve():
                line = frame.lineno or 0
        message = f"running the file raised {type(exc).__name__}: {exc}"
        raise ArchkitError([Problem(message, Position(shown, line))]) from None
    system = namespace.get("system")
    if not isinstance(system, System):
        got = "nothing" if system is None else type(system).__name__
        raise ArchkitError(
            [
                Problem(
                    f"the file defines {got} named 'system'",
                    Position(shown),
                    expected="a module-level 'system = archkit.model.System(...)'",
                )
            ]
        )
    from dataclasses import replace

    return replace(system, slug=system.slug or path.stem, source=SourceMap(shown))
