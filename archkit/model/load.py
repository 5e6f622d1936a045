"""Load a system from ``systems/<name>.yaml`` (or ``.py``) into the typed model.

YAML is composed safely into nodes (no Python tags are ever constructed), so every value keeps
its line and column. The nodes are checked against :mod:`archkit.model.spec`; every problem in
the file is collected, then :class:`~archkit.errors.ArchkitError` is raised once with all of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from archkit.errors import ArchkitError, Position, Problem, by_position

if TYPE_CHECKING:  # yaml is imported where a file is parsed: a cached run never pays for it
    import yaml

    from archkit.model.yaml_nodes import YamlBuilder
from archkit.model import spec as S
from archkit.model.spec import PATH_KEY
from archkit.model.system import (
    Component,
    Connection,
    Group,
    Metric,
    SourceMap,
    System,
    TradeOff,
    Whiteboard,
)

SYSTEM_SUFFIXES = (".yaml", ".yml", ".py")


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
            from archkit.model.python_system import load_python_system

            return load_python_system(path, shown), []
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
    fields, problems, builder = parse_document(text, file, S.SYSTEM)
    if fields is None or builder is None:
        return None, problems
    return _make_system(fields, slug, builder), problems


def parse_document(
    text: str, file: str, spec: S.ObjectSpec
) -> tuple[dict[str, Any] | None, list[Problem], YamlBuilder | None]:
    """Read YAML text against a spec: its fields (None when the file is not a mapping at all),
    every problem found, sorted by position, and the builder that knows where each value was."""
    import yaml

    from archkit.model.yaml_nodes import YamlBuilder

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        node = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        return None, [_yaml_problem(exc, file)], None
    except yaml.reader.ReaderError as exc:
        return None, [_reader_problem(exc, text, file)], None
    except yaml.YAMLError as exc:
        return None, [Problem(f"invalid YAML: {exc}", Position(file))], None
    if node is None:
        required = next((k.name for k in spec.keys if k.required), "")
        expected = f"a mapping with '{required}'" if required else "a mapping"
        return None, [Problem("the file is empty", Position(file, 1, 1), expected=expected)], None
    builder = YamlBuilder(file)
    fields = builder.mapping(node, spec, ())
    problems = sorted(builder.problems, key=by_position)
    if not isinstance(node, yaml.MappingNode):
        return None, problems, None
    return fields, problems, builder


def _reader_problem(exc: yaml.reader.ReaderError, text: str, file: str) -> Problem:
    """A character YAML refuses (a control character): where it is, as line and column."""
    before = text[: exc.position]
    where = Position(file, before.count("\n") + 1, exc.position - before.rfind("\n"))
    code = ord(exc.character) if isinstance(exc.character, str) else int(exc.character)
    return Problem(
        f"invalid YAML: control character U+{code:04X} is not allowed", where, expected="printable text"
    )


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
    return {key: value for key, value in item.items() if key != PATH_KEY}


def _make_system(fields: dict[str, Any], slug: str, builder: YamlBuilder) -> System:
    positions = {k: v for k, v in builder.positions.items() if k[:1] != ("connections",)}
    by_item: dict[tuple[str | int, ...], list[tuple[tuple[str | int, ...], Position]]] = {}
    for key, position in builder.positions.items():  # the positions of each connection item, once
        if key[:1] == ("connections",) and len(key) > 2 and key[2] != "to":
            by_item.setdefault(key[:2], []).append((key[2:], position))
    groups = tuple(_make_group(g) for g in _complete(fields.pop("groups", ()), "id"))
    components = tuple(Component(**_fields(c)) for c in _complete(fields.pop("components", ()), "id"))
    connections: list[Connection] = []
    for c in _complete(fields.pop("connections", ()), "source", "target"):
        # Positions follow the model's list, where a 'to' list made one arrow per target.
        item = c.pop(PATH_KEY)
        targets = c.pop("target")
        target_paths = builder.kept.get((*item, "to"), [(*item, "to")] * len(targets))
        for target, target_path in zip(targets, target_paths, strict=True):
            here = ("connections", len(connections))
            positions[here] = builder.positions[item]
            for rest, position in by_item.get(item, ()):
                positions[here + rest] = position
            positions[here + ("to",)] = builder.positions[target_path]
            connections.append(Connection(target=target, **c))
    tradeoffs = tuple(TradeOff(**_fields(t)) for t in _complete(fields.pop("tradeoffs", ()), "decision"))
    fields.setdefault("name", "")
    board = fields.pop("whiteboard", None)
    if board is not None:
        fields["whiteboard"] = Whiteboard(**board)
    scale = tuple(Metric(name, value) for name, value in fields.pop("scale", {}).items())
    estimates = tuple(Metric(name, value) for name, value in fields.pop("estimates", {}).items())
    return System(
        **fields,
        groups=groups,
        components=components,
        connections=tuple(connections),
        tradeoffs=tradeoffs,
        scale=scale,
        estimates=estimates,
        slug=slug,
        source=SourceMap(builder.file, positions),
    )


def _make_group(fields: dict[str, Any]) -> Group:
    children = tuple(_make_group(g) for g in _complete(fields.pop("groups", ()), "id"))
    return Group(**_fields(fields), groups=children)
