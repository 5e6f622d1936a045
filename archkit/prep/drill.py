"""Drills: questions drawn from the systems' trade-offs, the decision records and the numbers,
each with the answer the user recorded, for practice before an interview.

A system's trade-off and the record it names are one question. A session asks each question,
shows the answer, lets the user mark it known or not, asks the missed ones again before the end,
and ends with a score. Text is wrapped at word boundaries to the terminal's width, bullets kept.
"""

from __future__ import annotations

import random
import re
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple, TextIO

from archkit.decisions.record import Option, Record
from archkit.errors import Problem, printable
from archkit.model.system import System, TradeOff
from archkit.prep import Card


class Deck(NamedTuple):
    """What :func:`drill` found: the cards, and the warnings to show."""

    cards: list[Card]
    problems: list[Problem]


def drill(
    root: Path | str, system: str | None = None, shuffle: bool = False, seed: int | None = None
) -> Deck:
    """``archkit drill``: the cards of the workspace at ``root`` (of one system, a name or a
    file, when ``system`` is given), in file order or shuffled (the same ``seed`` gives the same
    order). ArchkitError when a system does not load: a broken system is reported, never
    drilled around."""
    from archkit.decisions.store import workspace_records
    from archkit.workspace import load_checked

    checked = load_checked(root, [system] if system else [])
    only = checked.systems[0].slug if system else None
    found = cards(checked.systems, workspace_records(root), only)
    return Deck(order(found, shuffle, seed), checked.problems)


def cards(systems: Sequence[System], records: Sequence[Record], only: str | None = None) -> list[Card]:
    """One card per trade-off of each system (or of the system ``only``), merged with the record
    it names; then one per other accepted record with options (all records when ``only`` is
    None, else the system's own); then the number questions of the systems' scale and estimates. Answers that
    are still a scaffold's starter sentences are left out."""
    from archkit.placeholders import is_placeholder

    found: list[Card] = []
    drilled = [s for s in systems if only is None or s.slug == only]
    by_number = {r.number: r for r in records}
    asked: set[int] = set()
    for system in drilled:
        where = system.source.file if system.source else system.slug
        for t in system.tradeoffs:
            record = by_number.get(t.record) if t.record is not None else None
            card = _tradeoff_card(system, t, record, where)
            if card is not None and not is_placeholder(card.answer):
                found.append(card)
                if record is not None:
                    asked.add(record.number)
    related = {n for s in drilled for n in s.decisions} | {
        t.record for s in drilled for t in s.tradeoffs if t.record
    }
    for record in records:
        if record.status != "accepted" or len(record.options) < 2 or record.number in asked:
            continue
        if only is not None and record.number not in related:
            continue
        card = _record_card(record)
        if card is not None:
            found.append(card)
    from archkit.prep.estimates import number_cards

    # the numbers: rates, SLAs, estimates with their working
    found.extend(card._replace(kind="number") for card in number_cards(drilled))
    return found


def _tradeoff_card(system: System, t: TradeOff, record: Record | None, where: str) -> Card | None:
    """The trade-off's question; with its record, the options come from the record and the
    answer adds the record's rationale."""
    from archkit.placeholders import is_placeholder

    parts = [
        f"Gave up: {t.tradeoff}" if t.tradeoff and not is_placeholder(t.tradeoff) else "",
        f"Result: {t.result}" if t.result and not is_placeholder(t.result) else "",
    ]
    if record is not None:
        rationale = _own(record.section("rationale")) or _own(record.section("decision"))
        if rationale:
            parts.append(f"Why (decision {record.number}):\n{rationale}")
        chosen = chosen_option(record)
        others = tuple(o.name for o in record.options if o is not chosen)
        source = f"{where}, decisions/{record.path}"
        if chosen is not None and others:
            question = f"{system.name}, {t.decision}: you chose {_quoted(chosen.name)} over these. Why?"
            return Card(question, "\n\n".join(p for p in parts if p), source, others)
        where = source
    choice = t.choice or t.decision
    question = f"{system.name}, {t.decision}. You chose: {choice}. What did you give up?"
    answer = "\n\n".join(p for p in parts if p)
    return Card(question, answer, where) if answer else None


def _record_card(record: Record) -> Card | None:
    """The record's question, when it has a rationale (or decision) of the user's own."""
    chosen = chosen_option(record)
    others = tuple(o.name for o in record.options if o is not chosen)
    title = f"Decision {record.number}, {record.title}"
    if chosen is not None:
        question = f"{title}: you chose {_quoted(chosen.name)} over these. Why?"
    else:
        question = f"{title}: which of these did you choose, and why?"
        others = tuple(o.name for o in record.options)
    answer = _own(record.section("rationale")) or _own(record.section("decision"))
    if not answer:
        return None
    return Card(question, answer, f"decisions/{record.path}", others)


def _own(text: str) -> str:
    """A section's text when it is the user's own, '' when it is a scaffold's."""
    from archkit.placeholders import is_placeholder

    return "" if is_placeholder(text) else text.strip()


def _quoted(name: str) -> str:
    return f"“{name}”"


# --- a session -----------------------------------------------------------------------------------


class Score(NamedTuple):
    known: int  # known the first time
    asked: int  # questions in the deck (each counted once)
    missed: tuple[str, ...]  # questions still not known at the end
    quit: bool


def order(deck: Sequence[Card], shuffle: bool = False, seed: int | None = None) -> list[Card]:
    """The deck in file order, or shuffled (the same ``seed`` gives the same order)."""
    cards_ = list(deck)
    if shuffle:
        random.Random(seed).shuffle(cards_)
    return cards_


def wrap(text: str, width: int, first: str = "", rest: str | None = None) -> str:
    """``text`` wrapped at word boundaries to ``width`` columns. Its first line starts with
    ``first``, every other line with ``rest`` (spaces as wide as ``first`` by default); lines
    starting with '- ', '* ' or '1. ' stay bullets, their continuation lines indented under the
    text; blank lines stay."""
    rest = " " * len(first) if rest is None else rest
    lines: list[str] = []
    for line in _blocks(text):
        prefix = first if not lines else rest
        if not line.strip():
            lines.append("")
            continue
        bullet = _BULLET.match(line)
        lead = bullet.group(0).strip() + " " if bullet else ""
        body = printable(" ".join(line[len(bullet.group(0)) if bullet else 0 :].split()))
        wrapped = textwrap.wrap(
            body,
            width=max(width, len(prefix + lead) + 20),
            initial_indent=prefix + lead,
            subsequent_indent=" " * len(prefix + lead),
            break_long_words=False,
            break_on_hyphens=False,
        )
        lines.extend(wrapped or [(prefix + lead).rstrip()])
    return "\n".join(lines)


_BULLET = re.compile(r"\s*(?:[-*•]|\d+[.)])\s+")


def _blocks(text: str) -> list[str]:
    """The lines of ``text`` with each paragraph and each bullet on one line: a line that starts
    no bullet continues the one before it; blank lines stay."""
    blocks: list[str] = []
    for line in text.splitlines() or [""]:
        if not line.strip():
            if blocks and blocks[-1]:
                blocks.append("")
        elif blocks and blocks[-1] and not _BULLET.match(line):
            blocks[-1] += " " + line.strip()
        else:
            blocks.append(line)
    return blocks or [""]


def print_deck(deck: Sequence[Card], out: TextIO, width: int) -> None:
    """Every question with its answer, for paper."""
    for number, card in enumerate(deck, start=1):
        _ask(card, f"{number}/{len(deck)}.", out, width)
        _answer(card, out, width)


def _ask(card: Card, label: str, out: TextIO, width: int) -> None:
    out.write("\n" + wrap(card.question, width, f"{label} ") + "\n")
    for option in card.options:  # one a line: names with commas stay whole
        out.write(wrap(f"- {option}", width, "     ") + "\n")


def _answer(card: Card, out: TextIO, width: int) -> None:
    out.write(wrap(card.answer, width, "   → ", "     ") + "\n")
    out.write(wrap(f"({card.source})", width, "     ") + "\n")


def session(deck: Sequence[Card], read: Callable[[str], str | None], out: TextIO, width: int = 80) -> Score:
    """Ask every card; after each answer the user says whether they knew it (y/n). Missed cards
    come back once before the end. ``read(prompt)`` returns the user's line, or None at the end
    of input (which ends the session like 'q')."""
    queue = [(card, False) for card in deck]
    known = 0
    missed: list[str] = []
    step = 0
    while queue:
        card, again = queue.pop(0)
        if not again:
            step += 1
        _ask(card, "Again:" if again else f"{step}/{len(deck)}.", out, width)
        reply = read("   Enter shows the answer, q quits: ")
        if reply is None or reply.strip().lower() == "q":
            return _end(known, len(deck), missed, out, width, quit_=True)
        _answer(card, out, width)
        mark = read("   Did you know it? [y/n, q quits] ")
        while mark is not None and mark.strip().lower() not in ("q", "y", "yes", "n", "no"):
            mark = read("   y if you knew it, n if not: ")
        if mark is None or mark.strip().lower() == "q":
            return _end(known, len(deck), missed, out, width, quit_=True)
        if mark.strip().lower() in ("y", "yes"):
            known += 0 if again else 1
        elif again:
            missed.append(card.question)
        else:
            queue.append((card, True))  # once more, before the end
    return _end(known, len(deck), missed, out, width, quit_=False)


def _end(known: int, total: int, missed: list[str], out: TextIO, width: int, quit_: bool) -> Score:
    out.write(f"\nScore: {known} of {total} known the first time.\n")
    if missed:
        out.write("Still to work on:\n" + "\n".join(wrap(f"- {q}", width) for q in missed) + "\n")
    return Score(known, total, tuple(missed), quit_)


def chosen_option(record: Record) -> Option | None:
    """The option the Decision section names, when exactly one of them is named there."""
    decision = f" {_words(record.section('decision'))} "
    named = [o for o in record.options if _key(o.name) and f" {_key(o.name)} " in decision]
    return named[0] if len(named) == 1 else None


def _key(name: str) -> str:
    """An option's name as a decision would quote it: its words before any ':' or '(' ."""
    return _words(name.split(":")[0].split("(")[0])


def _words(text: str) -> str:
    """Lower-case words without punctuation or 'and': 'A, B and C' and 'A and B, C' compare."""
    return " ".join(w for w in re.findall(r"[a-z0-9+#.]+", text.lower()) if w not in ("and", "the"))
