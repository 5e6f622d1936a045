"""Back-of-the-envelope arithmetic: quantities with units, read as engineers write them, and the
expressions of estimates over them (``[paste writes] * [size per paste] in GB/month``).

A small tokenizer and a recursive-descent parser read the text; nothing is ever evaluated as
Python. A value carries its unit as exponents of three base units (bytes, seconds, dollars), so
that multiplying and dividing work out the unit, and adding or showing in a unit that does not
fit is an error that names both units.

Conventions of capacity estimates: SI prefixes are powers of 1000 (``KB``, ``MB``...), IEC ones
powers of 1024 (``KiB``...); a month is a twelfth of a year of 365.25 days; ``1B`` (no space) is a
billion and ``1 B`` a byte. Results are shown with 3 significant figures and the usual suffixes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import NamedTuple

from archkit.quantities import read_number

Dims = tuple[int, int, int]  # exponents of bytes, seconds and dollars
COUNT: Dims = (0, 0, 0)
SIZE: Dims = (1, 0, 0)
TIME: Dims = (0, 1, 0)
RATE: Dims = (0, -1, 0)
DATA_RATE: Dims = (1, -1, 0)
MONEY: Dims = (0, 0, 1)

MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0
WEEK = 7 * DAY
YEAR = 365.25 * DAY
MONTH = YEAR / 12

_UNITS: dict[str, tuple[float, Dims]] = {}
PERIODS: dict[str, float] = {}  # time words a rate can be per: "s", "day", "month"...
_PERIOD_NAMES: dict[float, str] = {}  # seconds -> how a rate per it is shown


def _units(names: str, factor: float, dims: Dims) -> None:
    for name in names.split():
        _UNITS[name] = (factor, dims)
        if dims == TIME:
            PERIODS[name] = factor


_units("ns nanosecond nanoseconds", 1e-9, TIME)
_units("us µs μs microsecond microseconds", 1e-6, TIME)
_units("ms msec msecs millisecond milliseconds", 1e-3, TIME)
_units("s sec secs second seconds", 1.0, TIME)
_units("min mins minute minutes", MINUTE, TIME)
_units("h hr hrs hour hours", HOUR, TIME)
_units("d day days", DAY, TIME)
_units("wk week weeks", WEEK, TIME)
_units("mo month months", MONTH, TIME)
_units("y yr yrs year years", YEAR, TIME)
_PERIOD_NAMES.update(
    {1.0: "s", MINUTE: "min", HOUR: "h", DAY: "day", WEEK: "week", MONTH: "month", YEAR: "year"}
)
_units("b byte bytes", 1.0, SIZE)
for _power, _prefix in enumerate(("k", "m", "g", "t", "p", "e"), start=1):
    _word = {"k": "kilo", "m": "mega", "g": "giga", "t": "tera", "p": "peta", "e": "exa"}[_prefix]
    _units(f"{_prefix}b {_prefix}bs {_word}byte {_word}bytes", 1000.0**_power, SIZE)
    _units(f"{_prefix}ib {_prefix}ibs {_word[:2]}bibyte {_word[:2]}bibytes", 1024.0**_power, SIZE)
    _units(f"{_prefix}bit {_prefix}bits {_word}bit {_word}bits", 1000.0**_power / 8, SIZE)
    _units(f"{_prefix}bps", 1000.0**_power / 8, DATA_RATE)
_units("bit bits", 1 / 8, SIZE)
_units("bps", 1 / 8, DATA_RATE)
_units("rps qps tps ops iops", 1.0, RATE)
_units("% percent", 0.01, COUNT)
_ADVERBS = {"hourly": HOUR, "daily": DAY, "weekly": WEEK, "monthly": MONTH, "yearly": YEAR, "annually": YEAR}
_SCALE_WORDS = {
    "hundred": 1e2,
    "thousand": 1e3,
    "thousands": 1e3,
    "k": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "mn": 1e6,
    "mm": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "billions": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
    "trillions": 1e12,
    "t": 1e12,
}
_SUFFIXES = {**_SCALE_WORDS, "b": 1e9}  # written right after the number: "1B" is a billion, "1 B" a byte
_APPROXIMATE = {
    "~",
    "≈",
    "about",
    "around",
    "roughly",
    "approximately",
    "approx",
    "circa",
    "nearly",
    "almost",
}
_BOUNDS = {"<", ">", "<=", ">=", "≤", "≥", "under", "over", "below", "above"}
_BOUND_PAIRS = {("up", "to"), ("at", "least"), ("at", "most")}
_OPERATORS = {"+": "+", "-": "-", "−": "-", "*": "*", "x": "*", "×": "*", "/": "/", "÷": "/", ":": ":"}

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*(?:[eE][+-]?\d+)?|\.\d+")
_SUFFIX = re.compile(r"(thousand|million|billion|trillion|bn|mn|mm|[kmbt])(?![A-Za-z])", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-zµμ_][A-Za-z0-9µμ_]*")
_PERCENTILE = re.compile(r"p\d+(?:\.\d+)?", re.IGNORECASE)


class Value(NamedTuple):
    """A quantity: ``amount`` in base units (bytes, seconds, dollars, or a plain count) and the
    exponents of those units; ``percent`` when it was written as a percentage."""

    amount: float
    dims: Dims
    percent: bool = False


class CalcError(Exception):
    """Text that cannot be read or computed; ``column`` is 0-based in the text."""

    def __init__(self, message: str, column: int, expected: str = "", suggestion: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.column = column
        self.expected = expected
        self.suggestion = suggestion


class Token(NamedTuple):
    kind: str  # "num", "word", "name", "op", "end"
    text: str
    start: int
    end: int
    value: float = 0.0
    attached: bool = False  # written right after the previous token, with no space
    plus: bool = False  # a number followed by '+': "1B+" (at least a billion)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        attached = bool(tokens) and tokens[-1].end == i
        if char.isspace():
            i += 1
            continue
        if char == "[":
            tokens.append(_name_token(text, i))
            i = tokens[-1].end
            continue
        number = _NUMBER.match(text, i)
        if number:
            tokens.append(_number_token(text, number, attached))
            i = tokens[-1].end + (1 if tokens[-1].plus else 0)  # "1B+": at least; read as the number
            continue
        word = _WORD.match(text, i)
        if word:
            tokens.append(Token("word", word.group(), i, word.end(), attached=attached))
            i = word.end()
            continue
        two = text[i : i + 2]
        if two in ("<=", ">="):
            tokens.append(Token("op", two, i, i + 2, attached=attached))
            i += 2
            continue
        if char in _OPERATORS or char in "()%$~≈<>≤≥":
            tokens.append(Token("op", char, i, i + 1, attached=attached))
            i += 1
            continue
        raise CalcError(f"unexpected '{char}'", i, expected="numbers, units, [names] and + - * / ( )")
    tokens.append(Token("end", "", n, n))
    return tokens


def _name_token(text: str, i: int) -> Token:
    """``[a name]`` at ``i``."""
    close = text.find("]", i + 1)
    if close < 0:
        raise CalcError("'[' is never closed", i, expected="a name in square brackets: [paste writes]")
    name = " ".join(text[i + 1 : close].split())
    if not name:
        raise CalcError("empty name '[]'", i, expected="a name in square brackets: [paste writes]")
    return Token("name", name, i, close + 1)


def _number_token(text: str, number: re.Match[str], attached: bool) -> Token:
    """A number with its suffix ('10M', '1.5k'); ``plus`` when a '+' follows it ('1B+')."""
    i = number.start()
    value = read_number(number.group())
    if value is None:
        raise CalcError(f"'{number.group()}' is not a number", i, expected="a number such as 1,200 or 1.5")
    end = number.end()
    suffix = _SUFFIX.match(text, end)
    if suffix:
        value *= _SUFFIXES[suffix.group(1).lower()]
        end = suffix.end()
    plus = text.startswith("+", end) and not re.match(r"\s*[\d.\[(]", text[end + 1 :])
    return Token("num", text[i:end], i, end, value, attached, plus)


# --- The expression tree -------------------------------------------------------------------------


class Literal(NamedTuple):
    text: str  # as written
    value: Value
    period: float | None  # the period it was written per ("per month": MONTH), for showing it
    start: int


class Ref(NamedTuple):
    name: str
    start: int


class Binary(NamedTuple):
    op: str  # + - * /
    left: Node
    right: Node
    start: int  # of the operator


class Negative(NamedTuple):
    operand: Node
    start: int


class Group(NamedTuple):
    inner: Node
    start: int


Node = Literal | Ref | Binary | Negative | Group


class Target(NamedTuple):
    """The unit a result is shown in: 'GB/month' (factor 1e9 / MONTH, dims of a data rate)."""

    text: str
    factor: float
    dims: Dims
    start: int


class Expression(NamedTuple):
    tree: Node
    target: Target | None
    text: str


class _Parser:
    def __init__(self, text: str, nouns: bool) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.nouns = nouns  # a scale figure: words that are not units name what is counted
        self.qualifier: list[str] = []  # what was read past: "~", "p95 <", "up to"; "≥" for "1B+"

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def take(self) -> Token:
        token = self.peek()
        self.i += 1
        return token

    def word(self, ahead: int = 0) -> str:
        token = self.peek(ahead)
        return token.text.lower() if token.kind == "word" else ""

    def expression(self) -> Expression:
        tree = self.additive()
        target = None
        if self.word() == "in" and not self.nouns:
            start = self.take().start
            target = self.target(start)
        token = self.peek()
        if token.kind != "end":
            raise self.unexpected(token)
        return Expression(tree, target, self.text)

    def unexpected(self, token: Token) -> CalcError:
        if self.nouns and token.kind != "end":
            return CalcError(f"unexpected '{token.text}'", token.start, expected="one figure")
        if token.kind == "word":
            return CalcError(
                f"unknown unit '{token.text}'",
                token.start,
                expected="a unit (B, KB, GB, KiB, Mbps, s, ms, day, month, %), an operator or 'in UNIT'",
                suggestion=_closest_unit(token.text),
            )
        if token.kind == "end":
            return CalcError(
                "the expression ends too early", token.start, expected="a number, a [name] or '('"
            )
        return CalcError(
            f"unexpected '{token.text}'",
            token.start,
            expected="an operator (+ - * /) between numbers, units and [names]",
        )

    def additive(self) -> Node:
        node = self.multiplicative()
        while self.peek().kind == "op" and self.peek().text in "+-−":
            op = self.take()
            node = Binary(_OPERATORS[op.text], node, self.multiplicative(), op.start)
        return node

    def multiplicative(self) -> Node:
        node = self.unary()
        while True:
            token = self.peek()
            op = _OPERATORS.get(token.text.lower()) if token.kind in ("op", "word") else None
            if op not in ("*", "/", ":"):
                return node
            self.take()
            node = Binary("/" if op == ":" else op, node, self.unary(), token.start)

    def unary(self) -> Node:
        token = self.peek()
        if token.kind == "op" and token.text in "-−":
            self.take()
            return Negative(self.unary(), token.start)
        if token.kind == "op" and token.text == "+":
            self.take()
            return self.unary()
        self.qualifiers()
        return self.primary()

    def qualifiers(self) -> None:
        """'~', 'about', and in a scale figure '< 100 ms', 'p95', 'up to': read past them."""
        while True:
            token = self.peek()
            low = token.text.lower()
            if low in _APPROXIMATE or (
                self.nouns and (low in _BOUNDS or (token.kind == "word" and _PERCENTILE.fullmatch(low)))
            ):
                self.qualifier.append(self.take().text)
            elif self.nouns and (low, self.word(1)) in _BOUND_PAIRS:
                self.qualifier += [self.take().text, self.take().text]
            else:
                return

    def primary(self) -> Node:
        token = self.peek()
        if token.kind == "name":
            self.take()
            return Ref(token.text, token.start)
        if token.kind == "op" and token.text == "(":
            self.take()
            inner = self.additive()
            if not (self.peek().kind == "op" and self.peek().text == ")"):
                raise CalcError("'(' is never closed", token.start, expected="')'")
            self.take()
            return Group(inner, token.start)
        if token.kind == "op" and token.text == "$":
            self.take()
            literal = self.primary()
            if not isinstance(literal, Literal):
                raise CalcError("'$' must come before a number", token.start, expected="'$40K/month'")
            amount, dims, _ = literal.value
            value = Value(amount, (dims[0], dims[1], dims[2] + 1))
            return Literal(self.text[token.start : self._end()].strip(), value, literal.period, token.start)
        if token.kind == "num" or (token.kind == "word" and token.text.lower() in _UNITS):
            return self.literal()
        raise self.unexpected(token)

    def _end(self) -> int:
        return self.tokens[self.i - 1].end if self.i else 0

    def amount(self) -> float:
        """A number, its scale words ('10 million') and a ratio ('10:1')."""
        number = self.take()
        amount = number.value
        if number.plus:
            self.qualifier.append("≥")
        while self.word() in _SCALE_WORDS:
            amount *= _SCALE_WORDS[self.word()]
            self.take()
        if self.nouns and self.peek().kind == "op" and self.peek().text == ":" and self.peek(1).kind == "num":
            self.take()
            divisor = self.take()
            if divisor.value == 0:
                raise CalcError("a ratio of something to 0", divisor.start)
            amount /= divisor.value
        return amount

    def literal(self) -> Literal:
        start = self.peek().start
        amount = self.amount() if self.peek().kind == "num" else 1.0
        dims, percent = COUNT, False
        period: float | None = None
        counted = False  # a noun was read: a unit after it is not this figure's ("5 users a day" is)
        while True:
            token, low = self.peek(), self.word()
            following = self.word(1)
            if counted and (low in _UNITS or (token.kind == "op" and token.text == "%")):
                break
            if token.kind == "op" and token.text == "%":
                self.take()
                amount, percent = amount * 0.01, True
            elif low in _UNITS:
                factor, unit = _UNITS[low]
                self.take()
                amount *= factor
                dims = _add(dims, unit)
                percent = percent or low in ("%", "percent")
            elif low in _ADVERBS:
                self.take()
                period = _ADVERBS[low]
                amount, dims = amount / period, _add(dims, RATE)
            elif _is_per(token, low) and following in PERIODS:
                self.take()
                period = PERIODS[self.take().text.lower()]
                amount, dims = amount / period, _add(dims, RATE)
            elif _is_per(token, low) and low in ("per", "") and following in _UNITS:
                self.take()
                factor, unit = _UNITS[self.take().text.lower()]
                amount, dims = amount / factor, _sub(dims, unit)
            elif self.nouns and _is_per(token, low) and following:
                self.take()  # "friends per user": a count per count, a plain number
                self.take()
            elif self.nouns and token.kind == "word" and low not in ("in", "x"):
                if not counted and dims == COUNT and not percent:
                    _check_noun(token)  # "10 gazillion" is no count of gazillions
                self.take()  # what is counted: "paste writes", "events"
                counted = True
            else:
                break
        return Literal(self.text[start : self._end()].strip(), Value(amount, dims, percent), period, start)

    def target(self, start: int) -> Target:
        begin = self.peek().start
        factor, dims = 1.0, COUNT
        if not _is_per(self.peek(), self.word()) or self.word() in ("a", "an"):
            token = self.peek()
            low = self.word()
            if low in _UNITS:
                factor, dims = _UNITS[low]
                self.take()
            elif low in _SCALE_WORDS:
                factor = _SCALE_WORDS[low]
                self.take()
            elif token.kind == "op" and token.text == "%":
                factor = 0.01
                self.take()
            else:
                raise CalcError(
                    "'in' needs a unit",
                    token.start,
                    expected="a unit such as GB, TB, KB/s, GB/month, /s or /day",
                    suggestion=_closest_unit(token.text) if token.kind == "word" else "",
                )
        while True:
            token = self.peek()
            if token.kind == "end" or not (
                (token.kind == "op" and token.text in ("/", "*", "×")) or self.word() in ("per", "x")
            ):
                break
            op = "*" if token.text in ("*", "×", "x") else "/"
            self.take()
            unit_token = self.peek()
            low = self.word()
            if low not in _UNITS:
                raise CalcError(
                    f"unknown unit '{unit_token.text}'" if unit_token.kind == "word" else "a unit is missing",
                    unit_token.start,
                    expected="a unit such as s, day, month, KB, GB",
                    suggestion=_closest_unit(unit_token.text) if unit_token.kind == "word" else "",
                )
            self.take()
            unit_factor, unit_dims = _UNITS[low]
            if op == "*":
                factor, dims = factor * unit_factor, _add(dims, unit_dims)
            else:
                factor, dims = factor / unit_factor, _sub(dims, unit_dims)
        return Target(" ".join(self.text[begin : self._end()].split()), factor, dims, start)


_SLANG = {
    "gig",
    "gigs",
    "meg",
    "megs",
    "tera",
    "teras",
    "kilo",
    "kilos",
    "mil",
    "mill",
    "bil",
    "bill",
    "tril",
}


def _check_noun(token: Token) -> None:
    """The first word after a number, read as what is counted, unless it looks like a number word
    or a unit archkit does not know: then the figure is refused rather than read as a count."""
    import difflib

    low = token.text.lower()
    magnitude = difflib.get_close_matches(low, [w for w in _SCALE_WORDS if len(w) > 2], n=1, cutoff=0.7)
    unit = difflib.get_close_matches(low, [w for w in _UNITS if len(w) > 2], n=1, cutoff=0.8)
    if low.endswith(("illion", "illions")) or low in _SLANG or magnitude or unit:
        raise CalcError(
            f"'{token.text}' is not a number word or unit archkit knows",
            token.start,
            expected="thousand, million, billion, trillion (k, M, B, T), or a unit such as KB, GB, s, day",
            suggestion=(magnitude or unit or [""])[0],
        )


def _is_per(token: Token, low: str) -> bool:
    return low in ("per", "a", "an", "each", "every") or (token.kind == "op" and token.text == "/")


_SPELLINGS = [
    "B",
    "KB",
    "MB",
    "GB",
    "TB",
    "PB",
    "EB",
    "KiB",
    "MiB",
    "GiB",
    "TiB",
    "PiB",
    "bit",
    "Kbps",
    "Mbps",
    "Gbps",
    "bytes",
    "ms",
    "s",
    "sec",
    "min",
    "h",
    "hour",
    "day",
    "days",
    "week",
    "month",
    "months",
    "year",
    "years",
    "%",
    "rps",
    "qps",
]


def _closest_unit(word: str) -> str:
    from archkit.errors import closest

    return closest(word, _SPELLINGS)


def _add(a: Dims, b: Dims) -> Dims:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def _sub(a: Dims, b: Dims) -> Dims:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def parse(text: str) -> Expression:
    """An estimate's expression; CalcError (with its column) when it cannot be read."""
    return _Parser(text, nouns=False).expression()


class Reading(NamedTuple):
    """A scale figure as read: its value and the period it was written per (for showing it)."""

    value: Value
    period: float | None
    qualifier: str = ""  # "<", "~", "p95 <", "≥" (for "1B+"): shown before the value

    def shown(self) -> str:
        """The figure as displayed: '10M/month', '< 100 ms', '≥ 1B/day'."""
        text = show(self.value, self.period)
        if not self.qualifier:
            return text
        return f"{self.qualifier}{'' if self.qualifier in ('~', '≈') else ' '}{text}"


def read_quantity(text: str) -> Reading:
    """One figure as engineers write it, with the words for what is counted: '10 million paste
    writes per month', '1.27 KB', '99.9%', 'p95 < 50 ms', '10:1', '1B+'. CalcError when it is not
    one figure archkit can compute with (the caller shows it as written)."""
    parser = _Parser(text, nouns=True)
    if not _has_number(parser.tokens):
        raise CalcError("no number", 0, expected="a number with its unit, such as 10M/month or 1.27 KB")
    tree = parser.expression().tree
    if isinstance(tree, Negative) and isinstance(tree.operand, Literal):
        literal = tree.operand
        return Reading(
            Value(-literal.value.amount, literal.value.dims, literal.value.percent),
            literal.period,
            " ".join(parser.qualifier),
        )
    if not isinstance(tree, Literal):
        raise CalcError("not one figure", 0, expected="a number with its unit, such as 10M/month or 1.27 KB")
    return Reading(tree.value, tree.period, " ".join(parser.qualifier))


def _has_number(tokens: list[Token]) -> bool:
    return any(t.kind == "num" for t in tokens)


def name_period(name: str) -> float | None:
    """The period a figure's NAME gives it: 'storage/month' and 'tweets per day' are rates."""
    found = re.search(r"(?:/|\bper\s+)\s*([A-Za-z]+)\s*\)?\s*$", name) or re.search(
        r"(?:/|\bper\s+)\s*([A-Za-z]+)\b", name
    )
    if found and found.group(1).lower() in PERIODS:
        return PERIODS[found.group(1).lower()]
    return None


# --- Evaluation ----------------------------------------------------------------------------------

Lookup = Callable[[Ref], Value]


def evaluate(node: Node, lookup: Lookup) -> Value:
    """The value of a tree; names are looked up with ``lookup`` (which raises CalcError for a
    name it does not know). Units are checked as it goes."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Ref):
        return lookup(node)
    if isinstance(node, Group):
        return evaluate(node.inner, lookup)
    if isinstance(node, Negative):
        inner = evaluate(node.operand, lookup)
        return Value(-inner.amount, inner.dims, inner.percent)
    left, right = evaluate(node.left, lookup), evaluate(node.right, lookup)
    if node.op in "+-":
        if left.dims != right.dims:
            verb = "add" if node.op == "+" else "subtract"
            joiner = "to" if node.op == "+" else "from"
            first, second = right, left  # "cannot add B to 1/s", "cannot subtract B from 1/s"
            raise CalcError(
                f"cannot {verb} {describe(first.dims)} {joiner} {describe(second.dims)}",
                node.start,
                expected="quantities of the same unit on both sides of + and -",
            )
        amount = left.amount + right.amount if node.op == "+" else left.amount - right.amount
        return Value(amount, left.dims, left.percent and right.percent)
    if node.op == "*":
        return _finite(Value(left.amount * right.amount, _add(left.dims, right.dims)), node.start)
    if right.amount == 0:
        raise CalcError("division by zero", node.start, expected="a divisor that is not 0")
    return _finite(Value(left.amount / right.amount, _sub(left.dims, right.dims)), node.start)


def _finite(value: Value, column: int) -> Value:
    if not math.isfinite(value.amount):
        raise CalcError("the result is too large to compute", column)
    return value


def convert(value: Value, target: Target | None) -> Value:
    """Check that ``value`` can be shown in ``target``; CalcError naming both units if not."""
    if target is not None and target.dims != value.dims:
        raise CalcError(
            f"cannot show {describe(value.dims)} in {target.text}, which is {describe(target.dims)}",
            target.start,
            expected=f"a unit of {describe(value.dims)}, or another expression",
        )
    return value


def render(node: Node, shown: Callable[[Node], str] | None = None) -> str:
    """The expression as it reads: names in brackets, or (with ``shown``) each name and literal
    replaced by its value as shown."""
    if isinstance(node, Literal):
        return shown(node) if shown else node.text
    if isinstance(node, Ref):
        return shown(node) if shown else f"[{node.name}]"
    if isinstance(node, Group):
        return f"({render(node.inner, shown)})"
    if isinstance(node, Negative):
        return f"-{render(node.operand, shown)}"
    symbol = {"*": "x", "/": "/", "+": "+", "-": "-"}[node.op]
    return f"{render(node.left, shown)} {symbol} {render(node.right, shown)}"


def refs(node: Node) -> list[Ref]:
    if isinstance(node, Ref):
        return [node]
    if isinstance(node, Binary):
        return refs(node.left) + refs(node.right)
    if isinstance(node, (Group, Negative)):
        return refs(node.inner if isinstance(node, Group) else node.operand)
    return []


# --- Showing values -------------------------------------------------------------------------------


def describe(dims: Dims) -> str:
    """What a unit is, in words, with its base unit: 'a data rate (B/s)'."""
    words = {
        COUNT: "a count",
        SIZE: "a size",
        TIME: "a duration",
        RATE: "a rate",
        DATA_RATE: "a data rate",
        MONEY: "money",
        (0, -1, 1): "money per time",
    }
    return f"{words.get(dims, 'a quantity')} ({base_unit(dims)})"


def base_unit(dims: Dims) -> str:
    """'1', 'B', 's', '1/s', 'B/s', '$', 'B*s', '1/s^2'."""
    top, bottom = [], []
    for symbol, power in zip(("B", "s", "$"), dims, strict=True):
        part = symbol if abs(power) == 1 else f"{symbol}^{abs(power)}"
        if power > 0:
            top.append(part)
        elif power < 0:
            bottom.append(part)
    text = "*".join(top) or "1"
    return f"{text}/{'/'.join(bottom)}" if bottom else text


def sig(value: float, figures: int = 3) -> str:
    """A number rounded to ``figures`` significant figures, without trailing zeros:
    12.6999 -> '12.7', 457.2 -> '457', 3.8026 -> '3.8', 1234567 -> '1,230,000'."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    exponent = math.floor(math.log10(abs(value)))
    if exponent >= 18:  # past what a float holds digit for digit: '1.23e21', never made-up digits
        mantissa = sig(value / 10.0**exponent, figures)
        if mantissa == "10":  # 9.996e20 rounds up to 1e21
            mantissa, exponent = "1", exponent + 1
        return f"{mantissa}e{exponent}"
    digits = figures - 1 - exponent
    rounded = round(value, digits)
    if digits <= 0:
        return f"{int(rounded):,}"
    text = f"{rounded:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _scaled(value: float, steps: tuple[tuple[float, str], ...], unit: str = "") -> str:
    """The value with the largest suffix it reaches once rounded: 999,960 -> '1M' not '1000k'."""
    if abs(value) >= steps[0][0] * 1e6:  # a million of the largest suffix: '1e21', not '1e9T'
        return f"{sig(value)}{unit}"
    for limit, suffix in steps:
        if abs(float(sig(value).replace(",", ""))) >= limit:
            return f"{sig(value / limit)}{suffix}{unit}"
    return f"{sig(value)}{unit}"


_COUNT_STEPS = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))
_SIZE_STEPS = ((1e18, " EB"), (1e15, " PB"), (1e12, " TB"), (1e9, " GB"), (1e6, " MB"), (1e3, " KB"))


def count(value: float) -> str:
    """3.8 -> '3.8', 11574 -> '11.6k', 360e6 -> '360M', 2.5e9 -> '2.5B'."""
    return _scaled(value, _COUNT_STEPS)


def size(value: float) -> str:
    """12.7e9 -> '12.7 GB', 457.2e9 -> '457 GB', 500 -> '500 B'."""
    text = _scaled(value, _SIZE_STEPS)
    return text if text.endswith("B") else f"{text} B"


def duration(seconds: float) -> str:
    """2629.8 -> '43.8 min', 31557.6 -> '8.77 h', 94672800 -> '3 years', 15778800 -> '6 months',
    7776000 -> '90 days', 0.05 -> '50 ms': the largest unit it is a whole number of, else the
    largest it reaches."""
    units = (
        (YEAR, "year", "years"),
        (MONTH, "month", "months"),
        (DAY, "day", "days"),
        (HOUR, "h", "h"),
        (MINUTE, "min", "min"),
        (1.0, "s", "s"),
        (1e-3, "ms", "ms"),
    )
    reached = [u for u in units if abs(seconds) >= u[0] * 0.9995]
    whole = [
        u
        for u in reached[:3]
        if u[0] >= DAY and abs(seconds / u[0] - round(seconds / u[0])) < 1e-9 * abs(seconds)
    ]
    for limit, one, many in whole[:1] or reached[:1]:
        number = sig(seconds / limit)
        return f"{number} {one if number == '1' else many}"
    return f"{sig(seconds * 1e6)} µs"


def show(value: Value, period: float | None = None, target: Target | None = None) -> str:
    """A value as it is said: in ``target`` when given ('12.7 GB/month'), else per ``period``
    for a rate ('10M/month'), else in the usual unit ('3.8/s', '457 GB', '48.3 KB/s', '3 years')."""
    amount, dims, percent = value
    if target is not None:
        text = target.text
        number = (
            count(amount / target.factor) if text.startswith(("/", "per ")) else sig(amount / target.factor)
        )
        return f"{number}{text}" if text.startswith("/") or text == "%" else f"{number} {text}"
    if dims == COUNT:
        return f"{sig(amount * 100, 4)}%" if percent else count(amount)
    if dims[1] == -1 and (dims[0], dims[2]) in ((0, 0), (1, 0), (0, 1)):
        every = period or (MONTH if dims[2] else 1.0)
        per = _PERIOD_NAMES.get(every) or duration(every)
        whole = Value(amount * every, (dims[0], 0, dims[2]))
        return f"{show(whole)}/{per}"
    if dims == SIZE:
        return size(amount)
    if dims == TIME:
        return duration(amount)
    if dims == MONEY:
        return "$" + count(amount)
    return _other(amount, dims)


def _other(amount: float, dims: Dims) -> str:
    """A value of a less usual unit, in a form that reads back: '12.5 B s', '3/s/s', '$2 s'."""
    top = [symbol for symbol, power in zip(("B", "s"), dims[:2], strict=True) for _ in range(max(power, 0))]
    bottom = [
        symbol for symbol, power in zip(("B", "s"), dims[:2], strict=True) for _ in range(max(-power, 0))
    ]
    money = "$" * max(dims[2], 0)
    if dims[2] < 0 or dims[2] > 1:
        return f"{sig(amount)} {base_unit(dims)}"  # money per money: never from figures people write
    text = money + sig(amount) + "".join(f" {u}" for u in top) + "".join(f"/{u}" for u in bottom)
    return text
