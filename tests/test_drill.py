"""Drill: one question per trade-off, a session driven through its input and output streams,
wrapping at word boundaries, and no scaffold text offered as an answer."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from typer.testing import CliRunner

from archkit.cli import app
from archkit.decisions.store import DecisionStore
from archkit.prep.drill import Card, cards, order, print_deck, session, wrap
from archkit.workspace import Workspace


def deck_of(root: Path, only: str | None = None) -> list[Card]:
    checked = Workspace(root).load()
    store = DecisionStore(root)
    return cards(checked.systems, store.records() if store.dir.is_dir() else [], only)


def scripted(*replies: str) -> tuple[object, list[str]]:
    """A reader that answers prompts from ``replies`` and then reports the end of input."""
    prompts: list[str] = []
    answers: Iterator[str] = iter(replies)

    def read(prompt: str) -> str | None:
        prompts.append(prompt)
        return next(answers, None)

    return read, prompts


def test_a_trade_off_and_the_record_it_names_are_one_question(repo: Path) -> None:
    deck = deck_of(repo, "recommendation-platform")
    questions = [c.question for c in deck]
    assert len(questions) == len(set(questions))
    about_record_3 = [c for c in deck if "0003-" in c.source]
    assert len(about_record_3) == 1  # not again from the record itself
    card = about_record_3[0]
    assert card.options == ("Batch only", "Real-time only")
    assert "Gave up: A more complex pipeline" in card.answer and "Why (decision 3):" in card.answer


def test_options_with_commas_are_listed_one_a_line(repo: Path) -> None:
    (card,) = [c for c in deck_of(repo) if "0005-" in c.source]
    assert "Query optimisation, Redis caching and connection pooling" in card.options
    out = io.StringIO()
    print_deck([card], out, 80)
    assert "\n     - Query optimisation, Redis caching and connection pooling\n" in out.getvalue()


def test_number_questions_come_from_the_scale(repo: Path) -> None:
    numbers = [c for c in deck_of(repo, "recommendation-platform") if c.kind == "number"]
    events = [c for c in numbers if "events/day: 1B+" in c.question]
    assert len(events) == 1 and "≈ 11.6k/s on average" in events[0].answer
    assert any(c.answer.startswith("[events/day] x 3 =") for c in numbers)  # an estimate, with its working


def test_scaffold_sentences_are_never_offered_as_answers(make_tree) -> None:
    root = make_tree({"systems/s.yaml": "name: S\ncomponents: [{id: a}]\n"})
    runner = CliRunner()
    assert runner.invoke(app, ["-C", str(root), "tdr", "new", "Pick", "a", "store"]).exit_code == 0
    record = next((root / "decisions").glob("0001-*.md"))
    text = record.read_text(encoding="utf-8").replace("Proposed", "Accepted")
    text = text.replace("## Options considered\n", "## Options considered\n\n### A\n\n### B\n")
    record.write_text(text, encoding="utf-8")
    assert deck_of(root) == []  # the rationale is still "Why this option over the others; ..."
    record.write_text(text.replace("Why this option over the others", "B is cheaper; A"), encoding="utf-8")
    (card,) = deck_of(root)
    assert card.answer.startswith("B is cheaper")


def test_a_session_asks_marks_brings_missed_questions_back_and_scores() -> None:
    deck = [Card("Q1?", "A1", "s"), Card("Q2?", "A2", "s"), Card("Q3?", "A3", "s")]
    read, prompts = scripted("", "y", "", "n", "", "y", "", "n")
    out = io.StringIO()
    score = session(deck, read, out, 60)  # type: ignore[arg-type]
    text = out.getvalue()
    assert [line for line in text.splitlines() if line and line[0] in "123A"] == [
        "1/3. Q1?",
        "2/3. Q2?",
        "3/3. Q3?",
        "Again: Q2?",
    ]
    assert text.index("Again: Q2?") < text.index("Score:")
    assert text.endswith("Score: 2 of 3 known the first time.\nStill to work on:\n- Q2?\n")
    assert (score.known, score.asked, score.missed, score.quit) == (2, 3, ("Q2?",), False)
    assert prompts.count("   Did you know it? [y/n, q quits] ") == 4


def test_a_missed_question_known_the_second_time_is_not_left_to_work_on() -> None:
    read, _ = scripted("", "n", "", "yes")
    out = io.StringIO()
    score = session([Card("Q1?", "A1", "s")], read, out)  # type: ignore[arg-type]
    assert score == (0, 1, (), False) and "Still to work on" not in out.getvalue()


def test_q_or_the_end_of_input_ends_the_session_with_a_score() -> None:
    for replies in (("q",), ("", "q"), ()):
        read, _ = scripted(*replies)
        out = io.StringIO()
        score = session([Card("Q1?", "A1", "s"), Card("Q2?", "A2", "s")], read, out)  # type: ignore[arg-type]
        assert score.quit and "Q2?" not in out.getvalue()
        assert out.getvalue().endswith("Score: 0 of 2 known the first time.\n")


def test_an_unclear_mark_is_asked_again() -> None:
    read, prompts = scripted("", "maybe", "y")
    score = session([Card("Q1?", "A1", "s")], read, io.StringIO())  # type: ignore[arg-type]
    assert score.known == 1 and prompts[-1] == "   y if you knew it, n if not: "


def test_shuffle_with_a_seed_is_repeatable_and_keeps_every_card() -> None:
    deck = [Card(f"Q{i}?", "A", "s") for i in range(20)]
    first, again, other = order(deck, True, 3), order(deck, True, 3), order(deck, True, 4)
    assert first == again and first != deck and first != other
    assert sorted(first) == sorted(deck)
    assert order(deck) == deck


def test_wrapping_breaks_at_words_and_keeps_bullets() -> None:
    text = "Why:\n- a first reason that is long enough to wrap past the width\n  and continues\n- second"
    wrapped = wrap(text, 30, "   → ", "     ")
    assert wrapped.splitlines() == [
        "   → Why:",
        "     - a first reason that is",
        "       long enough to wrap",
        "       past the width and",
        "       continues",
        "     - second",
    ]
    long_word = wrap("see decisions/0003-hybrid-real-time-and-batch.md now", 20)
    assert "decisions/0003-hybrid-real-time-and-batch.md" in long_word.splitlines()


def test_the_command_runs_a_session_on_its_streams(repo: Path, monkeypatch) -> None:
    from archkit.cli import prep as cli_prep

    monkeypatch.setattr(cli_prep, "_is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", "60")
    runner = CliRunner()
    deck = deck_of(repo, "recommendation-platform")
    replies = "\n".join(["", "y"] * len(deck)) + "\n"
    result = runner.invoke(
        app,
        ["-C", str(repo), "drill", "-s", "recommendation-platform", "--shuffle", "--seed", "1"],
        input=replies,
    )
    assert result.exit_code == 0
    assert result.output.endswith(f"Score: {len(deck)} of {len(deck)} known the first time.\n")
    # prompts and the next line share a line here, as the runner does not echo the input
    body = [line for line in result.output.splitlines() if "decisions/" not in line and "quits" not in line]
    assert max(len(line) for line in body) <= 60
    shuffled = [line for line in result.output.splitlines() if line[:2] == "1/"]
    again = runner.invoke(
        app,
        ["-C", str(repo), "drill", "-s", "recommendation-platform", "--shuffle", "--seed", "1"],
        input=replies,
    )
    assert shuffled == [line for line in again.output.splitlines() if line[:2] == "1/"]
    printed = runner.invoke(app, ["-C", str(repo), "drill", "--print", "-s", "recommendation-platform"])
    assert (
        printed.exit_code == 0
        and printed.output.count("   → ") == len(deck)
        and "Score" not in printed.output
    )
