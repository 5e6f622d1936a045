"""The typed model of a system: plain, immutable objects the rest of archkit trusts.

These classes are the public Python API (``from archkit.model import System, Component, ...``).
Lists passed in are stored as tuples and a ``scale`` mapping as a tuple of :class:`Metric`, so a
system is hashable, comparable and safe to share between threads.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from archkit.errors import Position

# what may name a system's output files (its file name without the extension)
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

Mode = Literal["sync", "async"]
Direction = Literal["LR", "TB", "RL", "BT"]
GROUP_KINDS = (
    "boundary",
    "region",
    "zone",
    "vpc",
    "network",
    "cluster",
    "team",
    "domain",
    "account",
)
ROLES = ("primary", "replica")


def _tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _set(obj: object, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)


@dataclass(frozen=True)
class Metric:
    """A named scale figure with its unit in the value: ``Metric("users", "50M")``."""

    name: str
    value: str

    def __str__(self) -> str:
        return f"{self.value} {self.name}"


@dataclass(frozen=True)
class Group:
    """A boundary drawn around components: a region, VPC, cluster, team, ... Groups nest."""

    id: str
    label: str = ""
    kind: str = "boundary"
    groups: tuple[Group, ...] = ()

    def __post_init__(self) -> None:
        _set(self, "groups", _tuple(self.groups))

    @property
    def title(self) -> str:
        return self.label or self.id

    def walk(self) -> Iterator[Group]:
        """This group, then every group inside it, depth first."""
        yield self
        for child in self.groups:
            yield from child.walk()


@dataclass(frozen=True)
class Component:
    """A box on the diagram: a service, a database, a queue, a client..."""

    id: str
    label: str = ""
    tech: str = ""
    group: str | None = None
    metrics: tuple[str, ...] = ()
    notes: str = ""
    replicas: int | None = None  # identical copies running: a stack of cards, 'x3'
    shards: int | None = None  # partitions of its data
    role: str = ""  # 'primary' or 'replica' ('' when it is neither)
    replica_of: str | None = None  # id of the component it is a replica of

    def __post_init__(self) -> None:
        _set(self, "metrics", _tuple(self.metrics))

    @property
    def title(self) -> str:
        return self.label or self.id

    @property
    def copies(self) -> int:
        """How many of it run: its replicas, at least one."""
        return max(self.replicas or 1, 1)

    @property
    def is_replica(self) -> bool:
        return self.role == "replica" or self.replica_of is not None


@dataclass(frozen=True)
class Connection:
    """An arrow from one component to another; ``async`` ones (events, queues) are drawn dashed."""

    source: str
    target: str
    label: str = ""
    mode: Mode = "sync"
    throughput: str = ""
    latency: str = ""

    @property
    def annotation(self) -> str:
        """What the arrow says: label, throughput and latency, joined."""
        return " · ".join(part for part in (self.label, self.throughput, self.latency) if part)


@dataclass(frozen=True)
class TradeOff:
    """A key technical decision of the system, what it cost, and what it gave."""

    decision: str
    choice: str = ""
    tradeoff: str = ""
    result: str = ""
    record: int | None = None  # number of the decision record that tells the whole story


@dataclass(frozen=True)
class Whiteboard:
    """How ``archkit whiteboard`` simplifies the system: groups always drawn as one box, the
    order in which boxes are drawn, and the box budget."""

    collapse: tuple[str, ...] = ()
    order: tuple[str, ...] = ()
    max_boxes: int | None = None

    def __post_init__(self) -> None:
        _set(self, "collapse", _tuple(self.collapse))
        _set(self, "order", _tuple(self.order))


@dataclass(frozen=True)
class SourceMap:
    """Where each part of a system was written, for error messages; keys are paths such as
    ``("components", 3, "tech")``."""

    file: str
    positions: Mapping[tuple[str | int, ...], Position] = field(default_factory=dict)

    def locate(self, *path: str | int) -> Position:
        """The position of ``path``, or of its closest enclosing part that has one."""
        keys = tuple(path)
        while keys:
            found = self.positions.get(keys)
            if found is not None:
                return found
            keys = keys[:-1]
        return self.positions.get((), Position(self.file))


@dataclass(frozen=True)
class System:
    """A whole system: its story, its scale, and the parts drawn on its diagram."""

    name: str
    summary: str = ""
    role: str = ""
    team_size: int | None = None
    context: str = ""
    impact: tuple[str, ...] = ()
    scale: tuple[Metric, ...] = ()
    estimates: tuple[Metric, ...] = ()  # name -> expression (archkit.prep.estimates)
    diagram_estimates: tuple[str, ...] = ()  # estimates drawn in the title block
    stack: tuple[str, ...] = ()
    groups: tuple[Group, ...] = ()
    components: tuple[Component, ...] = ()
    connections: tuple[Connection, ...] = ()
    tradeoffs: tuple[TradeOff, ...] = ()
    leadership: tuple[str, ...] = ()
    decisions: tuple[int, ...] = ()
    direction: Direction = "LR"
    whiteboard: Whiteboard | None = None
    previous: str = ""  # the version it changed from: a file beside it, or a git revision of its file
    slug: str = ""  # the file name without extension; names the rendered files
    source: SourceMap | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("impact", "stack", "groups", "components", "connections", "tradeoffs"):
            _set(self, name, _tuple(getattr(self, name)))
        _set(self, "leadership", _tuple(self.leadership))
        _set(self, "decisions", _tuple(self.decisions))
        for name in ("scale", "estimates"):
            figures: Any = getattr(self, name)
            if isinstance(figures, Mapping):
                figures = tuple(Metric(str(k), str(v)) for k, v in figures.items())
            _set(self, name, _tuple(figures))
        _set(self, "diagram_estimates", _tuple(self.diagram_estimates))

    def all_groups(self) -> Iterator[Group]:
        """Every group, nested ones included, in the order they were written."""
        for group in self.groups:
            yield from group.walk()

    def component(self, component_id: str) -> Component | None:
        return next((c for c in self.components if c.id == component_id), None)

    def locate(self, *path: str | int) -> Position | None:
        """Where a part of this system was written, when it came from a file."""
        return self.source.locate(*path) if self.source else None
