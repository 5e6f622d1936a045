"""Reading YAML nodes against the format's spec, keeping every value's line and column.

Nodes come from ``yaml.compose`` (nothing is constructed from a tag); each value is checked
against :mod:`archkit.model.spec`, and every problem is collected rather than raised.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from archkit.errors import Position, Problem, closest, excerpt, one_of
from archkit.model import spec as S
from archkit.model.spec import PATH_KEY
from archkit.names import ID

_TAG = "tag:yaml.org,2002:"
_STANDARD_TAGS = {
    _TAG + t for t in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp", "merge")
}
MAX_VALUES = 100_000  # a system is far smaller; a file past this is an alias bomb
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ID = ID  # where a mapping was in the file; kept on connections to place their arrows
ID_KEYS = ("id", "from", "to", "group")  # values that name a part: ids, safe in every output
# Lengths: well below Graphviz's 16 KB for one token (a character may take 4 bytes, and escapes)
MAX_ID = 100
MAX_TEXT = 2000
_KIND_WORDS = {
    S.TEXT: "text",
    S.INT: "a whole number",
    S.SCALAR: "text or a number",
    S.TEXTS: "text or a list of texts",
    S.INTS: "a list of whole numbers",
    S.METRICS: "a mapping of names to figures",
    S.OBJECTS: "a list",
    S.OBJECT: "a mapping",
}


class YamlBuilder:
    """Walks YAML nodes against a spec, collecting problems and positions as it goes."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.positions: dict[tuple[str | int, ...], Position] = {}
        # For lists of texts: the paths of the items that were kept, in order.
        self.kept: dict[tuple[str | int, ...], list[tuple[str | int, ...]]] = {}
        self.constructor = yaml.constructor.SafeConstructor()
        self.active: set[int] = set()  # nodes being read: an alias back to one of them is a cycle
        self.visited = 0

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
        if not self.enter(node):
            return {}
        try:
            return self._mapping(node, spec, path)
        finally:
            self.active.discard(id(node))

    def enter(self, node: yaml.Node) -> bool:
        """Guard against aliases that loop back into themselves, or expand without end."""
        self.visited += 1
        if self.visited == MAX_VALUES:
            self.problem(
                node, f"the file expands to more than {MAX_VALUES} values", expected="fewer YAML aliases"
            )
        if self.visited >= MAX_VALUES:
            return False
        if id(node) in self.active:
            self.problem(
                node, "a YAML alias refers back to a value that contains it", expected="no recursive aliases"
            )
            return False
        self.active.add(id(node))
        return True

    def _mapping(self, node: yaml.Node, spec: S.ObjectSpec, path: tuple[str | int, ...]) -> dict[str, Any]:
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
        if not self._merged(node):
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
                    f"unknown key '{excerpt(key)}' in {spec.title}",
                    expected=one_of(spec.names),
                    suggestion=closest(key[:100], spec.names),
                )
                continue
            reported = len(self.problems)
            value = self.value(value_node, key_spec, (*path, key))
            if value is None and key_spec.required and len(self.problems) == reported:
                continue  # written, but empty: reported below
            seen.add(key)
            if value is not None:
                fields[key_spec.attribute] = value
        self._check_required(node, spec, seen)
        return fields

    def _merged(self, node: yaml.MappingNode) -> bool:
        """Apply YAML merge keys ('<<: *defaults'); False, with the problem noted, when one is broken."""
        try:
            self.constructor.flatten_mapping(node)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or node.start_mark
            self.problems.append(
                Problem(
                    f"invalid YAML merge: {exc.problem}",
                    Position(self.file, mark.line + 1, mark.column + 1),
                    expected="'<<: *anchor' naming a mapping",
                )
            )
            return False
        return True

    def _check_required(self, node: yaml.MappingNode, spec: S.ObjectSpec, seen: set[str]) -> None:
        for key_spec in spec.keys:
            if key_spec.required and key_spec.name not in seen:
                help_text = key_spec.help[0].lower() + key_spec.help[1:].rstrip(".")
                written = key_spec.name in {
                    self.scalar(k) for k, _ in node.value if isinstance(k, yaml.ScalarNode)
                }
                what = (
                    f"'{key_spec.name}' of {spec.title} is empty"
                    if written
                    else f"{spec.title} has no '{key_spec.name}'"
                )
                self.problem(node, what, expected=f"'{key_spec.name}': {help_text}")

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
            self.problem(node, f"cannot read the value '{excerpt(node.value)}': {excerpt(str(exc))}")
            return None

    def value(self, node: yaml.Node, key: S.Key, path: tuple[str | int, ...]) -> Any:
        self.positions[path] = self.where(node)
        if key.kind == S.OBJECT:
            assert key.item is not None
            fields = self.mapping(node, key.item, path)
            return fields or None
        if key.kind == S.OBJECTS:
            assert key.item is not None
            items = self.sequence(node, key, path)
            mappings = []
            for i, item in enumerate(items):
                fields = self.mapping(item, key.item, (*path, i))
                fields[PATH_KEY] = (*path, i)
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
            if len(name) > MAX_ID:
                self.problem(
                    key_node,
                    f"a scale metric's name is {len(name)} characters long ('{excerpt(name, 40)}')",
                    expected=f"at most {MAX_ID} characters",
                )
                continue
            where = self.where(value_node)
            if getattr(value_node, "style", None) in ('"', "'"):  # the text starts after the quote
                where = where._replace(column=where.column + 1)
            self.positions[path + (name,)] = where
            what = f"scale metric '{name}'" if key.name == "scale" else f"estimate '{name}'"
            value = self.typed(value_node, S.SCALAR, key, what=what)
            if value is not None:
                result[name] = value
        return result

    def typed(self, node: yaml.Node, kind: str, key: S.Key, what: str = "") -> Any:
        """The value of the scalar ``node`` as ``kind`` (text, a whole number, text or a number),
        checked; None, with the problem noted, when it is not one (or is empty)."""
        label = what or f"'{key.name}'"
        if not self.plain(node):
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, f"{label} is {_describe(node)}", expected=_KIND_WORDS[kind])
            return None
        value = self.scalar(node)
        if value is None and node.tag == _TAG + "null":
            return None
        if isinstance(value, str) and not self._text_fits(node, value, key, label):
            return None
        if kind == S.TEXT and isinstance(value, str):
            return value if self._text_allowed(node, value, key, label) else None
        if kind == S.INT and isinstance(value, int) and not isinstance(value, bool):
            if value < 0:
                self.problem(node, f"{label} is negative", expected="a whole number, 0 or more")
                return None
            return value
        if kind == S.SCALAR and isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return node.value if not isinstance(value, str) else value
        self._wrong_kind(node, value, kind, key, label)
        return None

    def _text_fits(self, node: yaml.Node, value: str, key: S.Key, label: str) -> bool:
        """Whether text is printable and not too long (an id's limit is shorter); notes why not."""
        if _CONTROL.search(value):
            self.problem(node, f"{label} holds a control character", expected="printable text")
            return False
        limit = MAX_ID if key.name in ID_KEYS else MAX_TEXT
        if len(value) > limit:
            self.problem(
                node,
                f"{label} is {len(value)} characters long ('{excerpt(value, 40)}')",
                expected=f"at most {limit} characters",
            )
            return False
        return True

    def _text_allowed(self, node: yaml.Node, value: str, key: S.Key, label: str) -> bool:
        """Whether text is what its key allows: an id where a part is named, one of its choices."""
        if key.name in ID_KEYS and not _ID.match(value):
            self.problem(
                node,
                f"{label} '{excerpt(value)}' is not an id",
                expected="letters, digits, '_', '.' and '-', starting with a letter or digit",
            )
            return False
        if key.choices and value not in key.choices:
            self.problem(
                node,
                f"{label} is '{excerpt(value)}'",
                expected=one_of(key.choices),
                suggestion=closest(value, key.choices),
            )
            return False
        return True

    def _wrong_kind(self, node: yaml.Node, value: Any, kind: str, key: S.Key, label: str) -> None:
        """A value of another kind than the key's (a YAML boolean where text was meant: how to quote it)."""
        expected = one_of(key.choices) if key.choices else _KIND_WORDS[kind]
        hint = ""
        if isinstance(value, bool) and kind in (S.TEXT, S.SCALAR):
            hint = f' (YAML reads {node.value} as true/false; quote it: "{node.value}")'
        self.problem(node, f"{label} is {_describe(node, value)}{hint}", expected=expected)


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
        return f"the number {excerpt(node.value)}"
    return f"'{excerpt(node.value)}'"
