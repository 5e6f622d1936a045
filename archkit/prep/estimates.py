"""Back-of-the-envelope estimates: the numbers of a system-design answer, derived with their working.

A system's ``scale`` figures are read with their units ('10 million per month', '1.27 KB',
'3 years', '99.9%'); the name gives the period when the value has none ('storage/month: 12.7 GB').
Its ``estimates`` are expressions over them and over each other::

    estimates:
      new content: "[paste writes] * [size per paste] in GB/month"   # 12.7 GB/month
      content stored: "[new content] * [retention] in GB"             # 457 GB

:func:`estimate` gives every figure with its value, how it is shown, its working and what it
implies (rates per second at average and peak, data rates per day, month and year, the downtime an
SLA allows), and the problems found, each at file:line:column. A scale figure archkit cannot read is
kept as written, with a warning; it never becomes 0 or another number. :func:`calc` is the same
calculator for one expression.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from archkit.errors import ArchkitError, Position, Problem, closest
from archkit.prep import figures as F

if TYPE_CHECKING:  # 'archkit calc' starts without the model
    from archkit.model.system import Metric, System

DEFAULT_PEAK_FACTOR = 3.0
_AVAILABILITY_WORDS = ("sla", "availability", "uptime", "slo")


class Figure(NamedTuple):
    """One number of a system: a scale figure or an estimate."""

    name: str
    kind: str  # "scale" or "estimate"
    text: str  # as written
    value: F.Value | None  # None: archkit cannot read it (shown as written)
    shown: str  # as displayed: '12.7 GB/month'; the text as written when unreadable
    working: str  # an estimate's: '[a] x [b] = 10M/month x 1.27 KB = 12.7 GB/month'
    implies: tuple[str, ...]  # '3.8/s on average', '11.4/s at peak (x3)', ...
    peak: float | None  # a rate's peak, in base units per second
    position: Position | None

    @property
    def readable(self) -> bool:
        return self.value is not None

    def as_json(self) -> dict[str, Any]:
        """``name``, ``value`` in base units, ``unit`` (the base unit), ``shown``; ``working``
        for estimates and ``peak`` for rates."""
        data: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "text": self.text,
            "value": self.value.amount if self.value else None,
            "unit": F.base_unit(self.value.dims) if self.value else None,
            "shown": self.shown,
        }
        if self.kind == "estimate":
            data["working"] = self.working
        if self.peak is not None:
            data["peak"] = self.peak
        data["implies"] = list(self.implies)
        return data


class Estimates(NamedTuple):
    figures: tuple[Figure, ...]
    problems: tuple[Problem, ...]

    def figure(self, name: str) -> Figure | None:
        return next((f for f in self.figures if f.name == name), None)

    @property
    def estimates(self) -> tuple[Figure, ...]:
        return tuple(f for f in self.figures if f.kind == "estimate")


def _key(name: str) -> str:
    return " ".join(name.lower().split())


def _at(position: Position | None, column: int) -> Position | None:
    """The place of a column inside a value written at ``position``."""
    if position is None or not position.line:
        return position
    return Position(position.file, position.line, position.column + column)


def read_scale(metric: Metric) -> tuple[F.Reading | None, F.CalcError | None]:
    """A scale figure's value, the name giving its period when the value has none; or why not."""
    try:
        reading = F.read_quantity(metric.value)
    except F.CalcError as exc:
        return None, exc
    value = reading.value
    period = F.name_period(metric.name)
    per_period = value.dims in (F.COUNT, F.SIZE, F.MONEY) and not value.percent
    if reading.period is None and period is not None and per_period:
        dims = (value.dims[0], -1, value.dims[2])
        return F.Reading(F.Value(value.amount / period, dims), period, reading.qualifier), None
    return reading, None


def implies(
    name: str, value: F.Value, peak_factor: float, period: float | None = None
) -> tuple[tuple[str, ...], float | None]:
    """What a figure implies, and its peak when it is a rate (``period``: the one it was written
    per; a rate per day or longer is not restated per day)."""
    lowered = name.lower()
    if value.percent and any(word in lowered for word in _AVAILABILITY_WORDS):
        if 0 < value.amount < 1:
            down = 1 - value.amount
            return (
                f"allows {F.duration(down * F.MONTH)}/month of downtime",
                f"{F.duration(down * F.YEAR)}/year",
            ), None
        return (), None
    if value.dims == F.DATA_RATE:
        per = value.amount
        return (
            f"≈ {F.size(per * F.DAY)}/day",
            f"{F.size(per * F.MONTH)}/month",
            f"{F.size(per * F.YEAR)}/year",
        ), per * peak_factor
    if value.dims == F.RATE:
        per = value.amount
        peak = "peak" in lowered  # a peak already ('peak events per second'): no peak of the peak
        found = [f"≈ {F.count(per)}/s {'at peak' if peak else 'on average'}"]
        if not peak:
            found.append(f"{F.count(per * peak_factor)}/s at peak (×{F.sig(peak_factor)})")
        if period is None or period < F.DAY:
            found.append(f"{F.count(per * F.DAY)}/day")
        return tuple(found), per if peak else per * peak_factor
    if value.dims[1] == -1:
        return (), value.amount * peak_factor
    return (), None


def estimate(system: System, peak_factor: float = DEFAULT_PEAK_FACTOR) -> Estimates:
    """Every scale figure and estimate of ``system``, in the order written, with the problems
    found: errors for estimates that cannot be computed, warnings for scale figures that cannot
    be read (shown as written)."""
    # remembered while the system lives: a build asks for them from its check, its diagram's
    # title block and its pages (systems are frozen, so the answer cannot change)
    try:
        found = _remembered.setdefault(system, {})
    except TypeError:  # built through the API with a list where a tuple belongs: not hashable
        return _estimate(system, peak_factor)
    if peak_factor not in found:
        found[peak_factor] = _estimate(system, peak_factor)
    return found[peak_factor]


_remembered: weakref.WeakKeyDictionary[System, dict[float, Estimates]] = weakref.WeakKeyDictionary()


def _estimate(system: System, peak_factor: float) -> Estimates:
    problems: list[Problem] = []
    figures, known = _scale_figures(system, peak_factor, problems)
    parsed = _parsed_estimates(system, known, problems)
    resolver = _Resolver(system, figures, known, parsed, problems, peak_factor)
    for metric in system.estimates:
        if metric.name in parsed:
            resolver.resolve(metric.name, ())
    ordered = [figures[m.name] for m in system.scale if m.name in figures]
    ordered += [resolver.done[m.name] for m in system.estimates if m.name in resolver.done]
    return Estimates(tuple(ordered), tuple(problems))


def _scale_figures(
    system: System, peak_factor: float, problems: list[Problem]
) -> tuple[dict[str, Figure], dict[str, tuple[str, str]]]:
    """The scale figures, read (or kept as written, with a warning), and the names taken."""
    figures: dict[str, Figure] = {}
    known: dict[str, tuple[str, str]] = {}  # normalised name -> (kind, name)
    for metric in system.scale:
        position = system.locate("scale", metric.name)
        reading, error = read_scale(metric)
        if reading is None:
            assert error is not None
            problems.append(
                Problem(
                    f"scale '{metric.name}: {metric.value}' is not a figure archkit can compute with "
                    f"({error.message}); it is shown as written",
                    _at(position, error.column),
                    expected="a number with its unit, such as 10M/month, 1.27 KB, 3 years or 99.9%",
                    severity="warning",
                )
            )
            figures[metric.name] = Figure(
                metric.name, "scale", metric.value, None, metric.value, "", (), None, position
            )
        else:
            said, peak = implies(metric.name, reading.value, peak_factor, reading.period)
            shown = reading.shown()
            said = _news(said, shown)
            figures[metric.name] = Figure(
                metric.name, "scale", metric.value, reading.value, shown, "", said, peak, position
            )
        known.setdefault(_key(metric.name), ("scale", metric.name))
    return figures, known


def _parsed_estimates(
    system: System, known: dict[str, tuple[str, str]], problems: list[Problem]
) -> dict[str, F.Expression]:
    """Each estimate's expression, parsed; a name taken twice or a broken expression is a problem."""
    parsed: dict[str, F.Expression] = {}
    for metric in system.estimates:
        position = system.locate("estimates", metric.name)
        if _key(metric.name) in known:
            kind, first = known[_key(metric.name)]
            other = "a scale figure" if kind == "scale" else "another estimate"
            problems.append(
                Problem(
                    f"estimate '{metric.name}' has the name of {other} ('{first}')",
                    system.locate("estimates", metric.name),
                    expected="a name of its own",
                )
            )
            continue
        known[_key(metric.name)] = ("estimate", metric.name)
        try:
            parsed[metric.name] = F.parse(metric.value)
        except F.CalcError as exc:
            problems.append(_problem(metric, exc, position))
    return parsed


def _news(said: tuple[str, ...], shown: str) -> tuple[str, ...]:
    """What a figure implies, without what it already says ('12.7 GB/month' of 12.7 GB/month)."""
    return tuple(
        line
        for line in said
        if line.removeprefix("≈ ").removesuffix(" on average").removesuffix(" at peak") != shown
    )


def _problem(metric: Metric, error: F.CalcError, position: Position | None, prefix: str = "") -> Problem:
    return Problem(
        f"estimate '{metric.name}': {prefix}{error.message}",
        _at(position, error.column),
        expected=error.expected,
        suggestion=error.suggestion,
    )


class _Resolver:
    """Computes estimates in the order they depend on each other, each once."""

    def __init__(
        self,
        system: System,
        scale: dict[str, Figure],
        known: dict[str, tuple[str, str]],
        parsed: dict[str, F.Expression],
        problems: list[Problem],
        peak_factor: float,
    ) -> None:
        self.system = system
        self.scale = scale
        self.known = known
        self.parsed = parsed
        self.problems = problems
        self.peak_factor = peak_factor
        self.metrics = {m.name: m for m in system.estimates}
        self.done: dict[str, Figure] = {}
        self.failed: set[str] = set()

    def figure(self, name: str) -> Figure | None:
        kind, real = self.known[_key(name)]
        return self.scale.get(real) if kind == "scale" else self.done.get(real)

    def resolve(self, name: str, chain: tuple[str, ...]) -> Figure | None:
        if name in self.done or name in self.failed:
            return self.done.get(name)
        metric = self.metrics[name]
        position = self.system.locate("estimates", name)
        expression = self.parsed[name]
        chain = (*chain, name)

        try:
            value = F.evaluate(expression.tree, lambda ref: self.lookup(ref, name, chain))
            F.convert(value, expression.target)
        except _Skip:
            self.failed.add(name)
            return None
        except F.CalcError as exc:
            self.failed.add(name)
            self.problems.append(_problem(metric, exc, position))
            return None
        shown = F.show(value, target=expression.target)
        working = self.working(expression, shown)
        said, peak = implies(name, value, self.peak_factor)
        said = _news(said, shown)
        figure = Figure(name, "estimate", metric.value, value, shown, working, said, peak, position)
        self.done[name] = figure
        return figure

    def lookup(self, ref: F.Ref, name: str, chain: tuple[str, ...]) -> F.Value:
        """What a [name] in ``name``'s expression stands for (``chain``: the estimates under way)."""
        entry = self.known.get(_key(ref.name))
        if entry is None:
            names = [n for _, n in self.known.values() if n != name]
            raise F.CalcError(
                f"unknown figure [{ref.name}]",
                ref.start,
                expected="the name of a scale figure or another estimate"
                + (": " + ", ".join(f"[{n}]" for n in names[:12]) if names else ", but the system has none"),
                suggestion=closest(ref.name, names),
            )
        kind, real = entry
        if kind == "estimate":
            if real in chain:
                loop = " -> ".join([*chain[chain.index(real) :], real])
                raise F.CalcError(f"[{ref.name}] depends on itself: {loop}", ref.start)
            if real not in self.parsed:
                raise _Skip()
            found = self.resolve(real, chain)
            if found is None or found.value is None:
                raise _Skip()
            return found.value
        scale = self.scale[real]
        if scale.value is None:
            where = scale.position
            line = f" (line {where.line})" if where and where.line else ""
            raise F.CalcError(
                f"[{ref.name}] is the scale figure '{scale.text}'{line}, which archkit cannot read",
                ref.start,
                expected="a scale figure written as a number with its unit, such as 10M/month or 1.27 KB",
            )
        return scale.value

    def working(self, expression: F.Expression, shown: str) -> str:
        def substitute(node: F.Node) -> str:
            if isinstance(node, F.Ref):
                found = self.figure(node.name)
                return found.shown if found else f"[{node.name}]"
            assert isinstance(node, F.Literal)
            return node.text

        steps = [F.render(expression.tree), F.render(expression.tree, substitute), shown]
        unique = [s for i, s in enumerate(steps) if i == 0 or s != steps[i - 1]]
        return " = ".join(unique)


class _Skip(Exception):
    """An estimate that depends on one already reported as wrong: reported once, not again."""


EXPRESSION_FILE = "<expression>"


def calc(expression: str, peak_factor: float = DEFAULT_PEAK_FACTOR) -> Figure:
    """One expression of literals with units (no [names]): ``calc("10B/day in /s")``.
    ArchkitError, at its column in ``<expression>:1:N``, when it cannot be computed."""

    def lookup(ref: F.Ref) -> F.Value:
        raise F.CalcError(
            f"[{ref.name}] names a figure, but a lone expression has none",
            ref.start,
            expected="numbers with units: 10B/day in /s, 100M * 500 B in TB",
        )

    try:
        parsed = F.parse(expression)
        value = F.evaluate(parsed.tree, lookup)
        F.convert(value, parsed.target)
    except F.CalcError as exc:
        raise ArchkitError(
            [
                Problem(
                    exc.message,
                    Position(EXPRESSION_FILE, 1, exc.column + 1),
                    expected=exc.expected,
                    suggestion=exc.suggestion,
                )
            ]
        ) from None
    shown = F.show(value, target=parsed.target)
    said, peak = implies("", value, peak_factor)
    steps = [" ".join(expression.split()), shown]
    working = steps[1] if steps[0] == steps[1] else " = ".join(steps)
    return Figure(expression, "estimate", expression, value, shown, working, said, peak, None)


# --- Drill cards ---------------------------------------------------------------------------------


def number_cards(systems: Sequence[System], peak_factor: float = DEFAULT_PEAK_FACTOR) -> list[Any]:
    """Drill cards for the numbers: each rate and SLA of the scale ('10 million per month paste
    writes: how many per second?'), then each estimate from its inputs, answer with its working."""
    from archkit.prep import Card

    cards: list[Card] = []
    for system in systems:
        found = estimate(system, peak_factor)
        if not found.figures:
            continue
        where = system.source.file if system.source else system.slug
        by_key = {_key(f.name): f for f in found.figures}
        for figure in found.figures:
            if figure.value is None:
                continue
            if figure.kind == "scale" and figure.implies:
                question = _scale_question(system, figure)
                cards.append(Card(question, "; ".join(figure.implies), where))
            elif figure.kind == "estimate":
                parsed = F.parse(figure.text)
                inputs = []
                for ref in F.refs(parsed.tree):
                    used = by_key.get(_key(ref.name))
                    if used is not None and f"{used.name} = {used.shown}" not in inputs:
                        inputs.append(f"{used.name} = {used.shown}")
                given = f" from {', '.join(inputs)}" if inputs else ""
                cards.append(Card(f"{system.name}{given}: what is the {figure.name}?", figure.working, where))
    return cards


def _scale_question(system: System, figure: Figure) -> str:
    assert figure.value is not None
    head = f"{system.name}, {figure.name}: {figure.text}."
    if figure.value.percent:
        return f"{head} How much downtime does that allow per month and per year?"
    if figure.value.dims == F.DATA_RATE:
        return f"{head} How much is that per day, per month and per year?"
    return f"{head} How many per second, on average and at peak?"
