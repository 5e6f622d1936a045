"""Trade-off drills: questions drawn from the systems' trade-offs and the decision records, each
with the answer the user recorded, for practice before an interview."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from archkit.decisions.record import Option, Record
from archkit.errors import Problem
from archkit.model.system import System
from archkit.prep import Card


class Deck(NamedTuple):
    """What :func:`drill` found: the cards, and the warnings to show."""

    cards: list[Card]
    problems: list[Problem]


def drill(root: Path | str, system: str | None = None) -> Deck:
    """``archkit drill``: the cards of the workspace at ``root`` (of one system, a name or a
    file, when ``system`` is given). ArchkitError when a system does not load: a broken system
    is reported, never drilled around."""
    from archkit.decisions.store import workspace_records
    from archkit.workspace import load_checked

    checked = load_checked(root, [system] if system else [])
    only = checked.systems[0].slug if system else None
    return Deck(cards(checked.systems, workspace_records(root), only), checked.problems)


def cards(systems: Sequence[System], records: Sequence[Record], only: str | None = None) -> list[Card]:
    """One card per trade-off of each system (or of the system ``only``), then one per accepted
    decision record with options (all records when ``only`` is None, else the system's own), then
    the number questions of the systems' scale and estimates."""
    found: list[Card] = []
    drilled = [s for s in systems if only is None or s.slug == only]
    for system in drilled:
        where = system.source.file if system.source else system.slug
        for t in system.tradeoffs:
            choice = t.choice or t.decision
            question = f"{system.name}, {t.decision}. You chose: {choice}. What did you give up?"
            parts = (
                f"Gave up: {t.tradeoff}" if t.tradeoff else "",
                f"Result: {t.result}" if t.result else "",
            )
            answer = "; ".join(part for part in parts if part)
            found.append(Card(question, answer or "(no trade-off recorded)", where))
    related = {n for s in drilled for n in s.decisions} | {
        t.record for s in drilled for t in s.tradeoffs if t.record
    }
    for record in records:
        if record.status != "accepted" or len(record.options) < 2:
            continue
        if only is not None and record.number not in related:
            continue
        chosen = chosen_option(record)
        others = _alternatives([o.name for o in record.options if o is not chosen])
        title = f"Decision {record.number}, {record.title}"
        if chosen is not None:
            question = f"{title}: you chose {chosen.name} over {others}. Why?"
        else:
            question = f"{title}: which of {others} did you choose, and why?"
        answer = record.section("rationale") or record.section("decision") or "(no rationale recorded)"
        found.append(Card(question, " ".join(answer.split()), f"decisions/{record.path}"))
    from archkit.prep.estimates import number_cards

    found.extend(number_cards(drilled))  # the numbers: rates, SLAs, estimates with their working
    return found


def _alternatives(names: Sequence[str]) -> str:
    if len(names) <= 2:
        return " or ".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]


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
    import re

    return " ".join(w for w in re.findall(r"[a-z0-9+#.]+", text.lower()) if w not in ("and", "the"))
