"""Import a script written for the ``diagrams`` library as an archkit system.

The script runs in this process (it is Python: only import what you would run), with its
rendering switched off: ``Diagram.__exit__`` draws nothing and writes no file, and every node,
cluster and edge the script makes is recorded as it is made. Node classes map to the catalogue
through the class each catalogue entry names; a class the catalogue does not know is kept as a
component of technology ``other`` (its class in the notes) and reported as a warning.
Edges: ``a >> b`` is a connection from a to b, ``a << b`` from b to a, ``a - b`` (no direction)
from a to b, both directions two connections; ``Edge(label=...)`` is the label, a dashed or
dotted style makes it asynchronous.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archkit.errors import ArchkitError, Position, Problem, printable

_KINDS = (
    ("vpc", "vpc"), ("region", "region"), ("zone", "zone"), ("subnet", "network"), ("network", "network"),
    ("cluster", "cluster"), ("k8s", "cluster"), ("kubernetes", "cluster"), ("team", "team"),
    ("account", "account"), ("domain", "domain"),
)  # fmt: skip


@dataclass
class _Cluster:
    key: int
    label: str
    parent: int | None


@dataclass
class _Node:
    key: str  # the node's diagrams id
    label: str
    cls: type
    cluster: int | None


@dataclass
class Captured:
    """What a script drew: its diagram's name and direction, clusters, nodes and edges."""

    name: str = ""
    direction: str = "LR"
    clusters: list[_Cluster] = field(default_factory=list)
    nodes: list[_Node] = field(default_factory=list)
    edges: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    diagrams: int = 0


@dataclass
class Imported:
    text: str  # the system's YAML
    warnings: list[str]
    name: str


@contextmanager
def _recording(captured: Captured) -> Iterator[None]:
    """The ``diagrams`` API with rendering off, recording what is made."""
    import diagrams

    patched = {
        "exit": (diagrams.Diagram, "__exit__"),
        "connect": (diagrams.Diagram, "connect"),
        "node": (diagrams.Node, "__init__"),
        "cluster": (diagrams.Cluster, "__init__"),
    }
    originals = {name: getattr(owner, attribute) for name, (owner, attribute) in patched.items()}
    recorders = _recorders(captured, originals)
    for name, (owner, attribute) in patched.items():
        setattr(owner, attribute, recorders[name])
    try:
        yield
    finally:
        for name, (owner, attribute) in patched.items():
            setattr(owner, attribute, originals[name])
        diagrams.setdiagram(None)
        diagrams.setcluster(None)


def _recorders(captured: Captured, originals: dict[str, Any]) -> dict[str, Any]:
    """Stand-ins for Diagram.__exit__ and connect, Node and Cluster.__init__ (by the keys of
    ``originals``) that record into ``captured``; only the first diagram is recorded."""
    import diagrams

    clusters: dict[int, _Cluster] = {}

    def diagram_exit(self: Any, *exc: object) -> None:  # no render, no file
        captured.diagrams += 1
        if captured.diagrams == 1:
            captured.name = str(getattr(self, "name", "") or "")
            captured.direction = str(self.dot.graph_attr.get("rankdir", "LR"))
        diagrams.setdiagram(None)

    def cluster_init(self: Any, *args: Any, **kwargs: Any) -> None:
        originals["cluster"](self, *args, **kwargs)
        if captured.diagrams:
            return
        parent = clusters.get(id(self._parent)) if self._parent is not None else None
        record = _Cluster(id(self), str(self.label), parent.key if parent else None)
        clusters[id(self)] = record
        captured.clusters.append(record)

    def node_init(self: Any, *args: Any, **kwargs: Any) -> None:
        originals["node"](self, *args, **kwargs)
        if captured.diagrams:
            return
        cluster = clusters.get(id(self._cluster)) if self._cluster is not None else None
        captured.nodes.append(_Node(self._id, str(self.label), type(self), cluster.key if cluster else None))

    def connect(self: Any, node: Any, node2: Any, edge: Any) -> None:
        if not captured.diagrams:
            captured.edges.append((node.nodeid, node2.nodeid, {k: str(v) for k, v in edge.attrs.items()}))

    return {"exit": diagram_exit, "connect": connect, "node": node_init, "cluster": cluster_init}


def capture(script: Path) -> Captured:
    """Run ``script`` with rendering off and return what it drew."""
    import runpy

    captured = Captured()
    argv = sys.argv[:]
    try:
        source = script.read_text(encoding="utf-8")
    except OSError as exc:
        raise ArchkitError(
            [Problem(f"cannot read the script: {exc.strerror}", Position(str(script)))]
        ) from None
    try:
        compile(source, str(script), "exec")
    except SyntaxError as exc:
        raise ArchkitError(
            [Problem(f"not valid Python: {exc.msg}", Position(str(script), exc.lineno or 0, exc.offset or 0))]
        ) from None
    with _recording(captured):
        sys.argv = [str(script)]
        try:
            runpy.run_path(str(script), run_name="__main__")
        except SystemExit:
            pass
        except Exception as exc:
            line = _line_of(exc, script)
            raise ArchkitError(
                [Problem(f"the script failed: {type(exc).__name__}: {exc}", Position(str(script), line),
                         expected="a script that runs with the diagrams library installed")]
            ) from None  # fmt: skip
        finally:
            sys.argv = argv
    if not captured.diagrams:
        raise ArchkitError(
            [Problem("the script drew no diagram", Position(str(script)),
                     expected="a 'with Diagram(...):' block")]
        )  # fmt: skip
    return captured


def _line_of(exc: BaseException, script: Path) -> int:
    tb = exc.__traceback__
    line = 0
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).resolve() == script.resolve():
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _catalogue_by_class() -> dict[type | str, str]:
    """Node class, and icon file, -> catalogue id, for the classes of modules the script
    imported (diagrams has look-alike classes in several modules: their icon is the same)."""
    from archkit import catalogue

    found: dict[type | str, str] = {}
    for tech in catalogue.technologies():
        found.setdefault(tech.icon, tech.id)
        parts = tech.node.split(".")
        if len(parts) > 2:
            found.setdefault(f"{parts[1]}:{parts[-1]}", tech.id)  # provider and class name
        module_name, _, class_name = tech.node.rpartition(".")
        module = sys.modules.get(module_name)
        cls = getattr(module, class_name, None) if module is not None else None
        if isinstance(cls, type) and cls not in found:
            found[cls] = tech.id
    return found


def _tech_of(cls: type, known: dict[type | str, str]) -> str | None:
    if cls in known:
        return known[cls]
    icon_dir, icon = getattr(cls, "_icon_dir", None), getattr(cls, "_icon", None)
    if isinstance(icon_dir, str) and isinstance(icon, str):
        by_icon = known.get(f"{icon_dir}/{icon}".removeprefix("resources/"))
        if by_icon:
            return by_icon
    parts = cls.__module__.split(".")
    if parts[0] == "diagrams" and len(parts) > 1:
        return known.get(f"{parts[1]}:{cls.__name__}")
    return None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _unique(base: str, taken: set[str]) -> str:
    candidate = base or "node"
    number = 2
    while candidate in taken:
        candidate = f"{base}-{number}"
        number += 1
    taken.add(candidate)
    return candidate


def _kind(label: str) -> str:
    words = _slug(label).split("-")
    for word, kind in _KINDS:
        if word in words:
            return kind
    return "boundary"


def import_diagrams_script(script: Path) -> Imported:
    """The archkit system (as YAML text) that a ``diagrams`` script draws, and the warnings."""
    import yaml

    captured = capture(script)
    warnings: list[str] = []
    if captured.diagrams > 1:
        warnings.append(
            f"{script}: warning: the script draws {captured.diagrams} diagrams; "
            f"only the first ('{captured.name}') is imported"
        )
    taken: set[str] = set()
    group_ids = {
        cluster.key: _unique(_slug(cluster.label) or "group", taken) for cluster in captured.clusters
    }
    component_ids, components = _components(captured, group_ids, taken, script, warnings)
    connections = _connections(captured.edges, component_ids)
    document: dict[str, Any] = {"name": captured.name or script.stem}
    if captured.direction in ("LR", "TB"):
        document["direction"] = captured.direction
    groups = _group_tree(captured.clusters, group_ids, None)
    if groups:
        document["groups"] = groups
    document["components"] = components
    if connections:
        document["connections"] = connections
    header = (
        "# yaml-language-server: $schema=archkit-system.schema.json\n"
        f"# Imported by 'archkit import diagrams' from {printable(script.name)}: "
        "add scale, context and trade-offs.\n"
    )
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    return Imported(header + body, [printable(w) for w in warnings], document["name"])


def _group_tree(
    clusters: list[_Cluster], group_ids: dict[int, str], parent: int | None
) -> list[dict[str, Any]]:
    """The groups inside ``parent`` (None: the top level), each with its own inside it."""
    result = []
    for cluster in clusters:
        if cluster.parent != parent:
            continue
        entry: dict[str, Any] = {
            "id": group_ids[cluster.key],
            "label": cluster.label,
            "kind": _kind(cluster.label),
        }
        inner = _group_tree(clusters, group_ids, cluster.key)
        if inner:
            entry["groups"] = inner
        result.append(entry)
    return result


def _components(
    captured: Captured, group_ids: dict[int, str], taken: set[str], script: Path, warnings: list[str]
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Each node as a component, and the component id of each node's diagrams id. A class the
    catalogue does not know is tech 'other', its class in the notes, with a warning."""
    by_class = _catalogue_by_class()
    component_ids: dict[str, str] = {}
    components: list[dict[str, Any]] = []
    for node in captured.nodes:
        label = " ".join(node.label.split())
        cid = _unique(_slug(label) or _slug(node.cls.__name__), taken)
        component_ids[node.key] = cid
        entry: dict[str, Any] = {"id": cid, "label": label or node.cls.__name__}
        tech = _tech_of(node.cls, by_class)
        entry["tech"] = tech or "other"
        if tech is None:
            class_path = f"{node.cls.__module__}.{node.cls.__qualname__}"
            entry["notes"] = f"diagrams node {class_path}"
            warnings.append(
                f"{script}: warning: node '{entry['label']}' is a {class_path}, which the "
                "catalogue does not know; kept as a plain box (tech: other)"
            )
        if node.cluster is not None:
            entry["group"] = group_ids[node.cluster]
        components.append(entry)
    return component_ids, components


def _connections(
    edges: list[tuple[str, str, dict[str, str]]], component_ids: dict[str, str]
) -> list[dict[str, Any]]:
    """Each edge between two recorded nodes as one connection, or two when it points both ways."""
    connections: list[dict[str, Any]] = []
    for source, target, attrs in edges:
        if source not in component_ids or target not in component_ids:
            continue
        direction = attrs.get("dir", "forward")
        ends = {"back": [(target, source)], "both": [(source, target), (target, source)]}.get(
            direction, [(source, target)]
        )
        for a, b in ends:
            connection: dict[str, Any] = {"from": component_ids[a], "to": component_ids[b]}
            label = " ".join(attrs.get("label", "").split())
            if label:
                connection["label"] = label
            if any(style in attrs.get("style", "") for style in ("dashed", "dotted")):
                connection["mode"] = "async"
            connections.append(connection)
    return connections


def write_imported(
    script: Path, out: Path | None, systems_dir: Path, force: bool = False
) -> tuple[Path, Imported]:
    """Import ``script`` and write the system to ``out`` (default: ``systems_dir/<diagram
    name>.yaml``); never over a file unless ``force``. Returns the file and what was imported."""
    from archkit.files import write_atomic
    from archkit.model.load import parse_system

    if out is not None and out.exists() and not force:
        raise FileExistsError(0, "exists", str(out))  # said before the script runs
    imported = import_diagrams_script(script)
    target = out if out is not None else systems_dir / f"{_slug(imported.name) or _slug(script.stem)}.yaml"
    system, problems = parse_system(imported.text, str(target), target.stem)
    errors = [p for p in problems if p.is_error]
    if system is None or errors:  # archkit's own output must load: a bug, said plainly
        raise ArchkitError(errors or [Problem("the imported system does not load", Position(str(target)))])
    if target.exists() and not force:
        raise FileExistsError(0, "exists", str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, imported.text)
    return target, imported
