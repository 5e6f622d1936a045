"""Whiteboard prep: a board small enough to redraw, steps that keep their layout, a cheat sheet."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from inline_snapshot import snapshot
from typer.testing import CliRunner

from archkit.cli import app
from archkit.decisions.store import DecisionStore
from archkit.prep.board import simplify
from archkit.prep.whiteboard import cheat_sheet
from archkit.workspace import Workspace


def systems(repo: Path) -> dict[str, object]:
    return {s.slug: s for s in Workspace(repo).load().systems}


def test_groups_collapse_innermost_first_until_the_board_fits(repo: Path) -> None:
    recs = systems(repo)["recommendation-platform"]
    board = simplify(recs, 8)  # type: ignore[arg-type]
    assert len(board.boxes) == 8
    labels = [b.label for b in board.boxes]
    assert "EKS cluster — microservices" in labels and "Data stores" in labels
    assert "AWS us-east-1" not in labels  # the region around everything never collapses
    members = sorted(m for b in board.boxes for m in b.members)
    assert members == sorted(c.id for c in recs.components)  # type: ignore[attr-defined]
    assert all(a.source != a.target for a in board.arrows)
    assert [title for title, _ in board.steps] == [
        "Clients and the way in",
        "Services",
        "Asynchronous paths",
        "Data stores",
    ]
    assert len(simplify(recs, 100).boxes) == 16  # type: ignore[arg-type]


def test_cheat_sheet_has_numbers_what_they_imply_tradeoffs_and_questions(repo: Path) -> None:
    recs = systems(repo)["recommendation-platform"]
    sheet = cheat_sheet(recs, DecisionStore(repo).records())  # type: ignore[arg-type]
    scale = {name: figures for name, _, figures in sheet.scale}
    assert scale["events/day"] == ("≈ 11.6k/s on average", "34.7k/s at peak (×3)")
    assert scale["availability SLA"][0] == "allows 43.8 min/month of downtime"
    first = sheet.tradeoffs[0]
    assert first["decision"] == "Microservices vs monolith"
    assert first["options"] == ["Status quo: keep the monolith", "Full microservices", "Modular monolith"]
    assert any(q.startswith("What breaks first at 10x the events/day") for q in sheet.questions)


def test_whiteboard_command_writes_steps_with_one_layout(repo: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "-C",
            str(repo),
            "whiteboard",
            "recommendation-platform",
            "--max-boxes",
            "8",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    steps = sorted(tmp_path.glob("recommendation-platform-step-*.svg"))
    assert len(steps) == 4
    sizes = {ET.parse(p).getroot().get("viewBox") for p in steps}
    assert len(sizes) == 1  # every step has the same layout: nothing moves
    page = (tmp_path / "recommendation-platform-whiteboard.html").read_text(encoding="utf-8")
    assert page.count('class="step') == 4 and "ArrowRight" in page
    sheet = (tmp_path / "recommendation-platform-cheat-sheet.md").read_text(encoding="utf-8")
    assert re.search(r"\*\*events/day\*\*: 1B\+ — ≈ 11.6k/s on average", sheet)


def test_drill_prints_every_card_or_asks_one_at_a_time(repo: Path, monkeypatch) -> None:
    from archkit.cli import prep as cli_prep
    from archkit.prep.drill import cards

    deck = cards(list(systems(repo).values()), DecisionStore(repo).records(), "recommendation-platform")  # type: ignore[arg-type]
    assert deck[0].question == (
        "User Recommendation Platform, Microservices vs monolith. You chose: Microservices, for team "
        "autonomy and independent scaling. What did you give up?"
    )
    assert deck[0].answer.startswith("Gave up: More operational complexity")
    assert any("you chose “Hybrid: event streaming" in card.question for card in deck)
    printed = CliRunner().invoke(
        app, ["-C", str(repo), "drill", "--print", "--system", "recommendation-platform"]
    )
    answers = [line for line in printed.output.splitlines() if line.startswith("   → ")]
    assert printed.exit_code == 0 and len(answers) == len(deck)
    monkeypatch.setattr(cli_prep, "_is_terminal", lambda: True)
    asked = CliRunner().invoke(
        app, ["-C", str(repo), "drill", "-s", "recommendation-platform"], input="\nq\n"
    )
    assert asked.exit_code == 0
    shown = [line for line in asked.output.splitlines() if "   → " in line]
    assert len(shown) == 1 and f"2/{len(deck)}." not in asked.output  # quit after the first


def test_whiteboard_warns_about_figures_it_cannot_read(repo: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["-C", str(repo), "whiteboard", "payment-platform", "-o", str(tmp_path)])
    assert result.exit_code == 0
    assert result.stderr == snapshot(
        "systems/payment-platform.yaml:20:15: warning: scale 'compliance: PCI DSS' is not a figure archkit can compute with (no number); it is shown as written; expected a number with its unit, such as 10M/month, 1.27 KB, 3 years or 99.9%\n"
    )


def test_the_system_file_can_say_what_collapses_and_the_draw_order(make_tree) -> None:
    root = make_tree(
        {
            "systems/s.yaml": """
            name: S
            groups: [{id: data, label: Data tier}, {id: edge, label: Edge}]
            components:
              - {id: web, tech: browser}
              - {id: lb, tech: load-balancer, group: edge}
              - {id: api, tech: k8s-service}
              - {id: db, tech: postgresql, group: data}
              - {id: cache, tech: redis, group: data}
            connections: [{from: web, to: lb}, {from: lb, to: api}, {from: api, to: [db, cache]}]
            whiteboard:
              collapse: [data]
              order: [api, web]
              max-boxes: 6
            """
        }
    )
    (system,) = Workspace(root).load().systems
    board = simplify(system)
    assert [b.label for b in board.boxes] == ["web", "lb", "api", "Data tier"]
    assert [title for title, _ in board.steps] == ["api", "web", "Clients and the way in", "Data stores"]
    bad = make_tree(
        {"systems/s.yaml": "name: S\ncomponents: [{id: a}]\nwhiteboard: {collapse: [dta], order: [b]}\n"}
    )
    problems = [p.message for p in Workspace(bad).load().problems]
    assert problems == [
        "whiteboard collapse names unknown group 'dta'",
        "whiteboard order names unknown component or group 'b'",
    ]


def test_the_markdown_cheat_sheet_writes_text_as_it_is_and_renders_back_to_it(
    make_tree, tmp_path: Path
) -> None:
    from markdown_it import MarkdownIt

    root = make_tree(
        {
            "systems/s.yaml": """
            name: "Shortener *v2* <script>alert(1)</script>"
            summary: "Reads -> cache, writes -> DB; it's 'fast' & [cheap] &amp; C# `code` a_b ~x~"
            scale: {users: 100M, "p99 read": "< 20 ms"}
            components: [{id: api, tech: service}, {id: db, tech: postgresql}]
            connections: [{from: api, to: db}]
            tradeoffs:
              - {decision: "#1: SQL vs NoSQL", choice: "SQL -> simpler", tradeoff: "- 5% write headroom"}
            """
        }
    )
    (system,) = Workspace(root).load().systems
    out = tmp_path / "out"
    from archkit.prep.whiteboard import render_whiteboard

    render_whiteboard(system, out)
    markdown = (out / "s-cheat-sheet.md").read_text(encoding="utf-8")
    assert "->" in markdown and "it's 'fast'" in markdown
    assert "&gt;" not in markdown and "&#39;" not in markdown
    tokens = MarkdownIt("commonmark").parse(markdown)
    text = " ".join(t.content for t in tokens if t.type == "inline")
    rendered = "".join(
        child.content
        for t in tokens
        if t.type == "inline"
        for child in (t.children or [])
        if child.type == "text"
    )
    assert "<script>" not in MarkdownIt("commonmark", {"html": False}).render(markdown)
    for written in (
        "Shortener *v2* <script>alert(1)</script>",
        "Reads -> cache, writes -> DB; it's 'fast' & [cheap] &amp; C# `code` a_b ~x~",
        "#1: SQL vs NoSQL",
        "SQL -> simpler",
        "- 5% write headroom",
    ):
        assert written in rendered, (written, text)


FLAT = Path(__file__).with_name("data") / "flat-21.yaml"


def flat_system() -> object:
    from archkit.model import load_system

    return load_system(FLAT)


def test_the_budget_holds_on_a_system_without_groups() -> None:
    system = flat_system()
    assert len(system.components) == 21  # type: ignore[attr-defined]
    for budget in (21, 16, 12, 8, 5):
        board = simplify(system, budget)  # type: ignore[arg-type]
        assert len(board.boxes) <= budget, budget
        assert board.warnings == ()
        members = sorted(m for b in board.boxes for m in b.members)
        assert members == sorted(c.id for c in system.components)  # type: ignore[attr-defined]
    board = simplify(system, 20)  # type: ignore[arg-type]
    assert [b.text for b in board.boxes if len(b.members) > 1] == ["Links databases ×2"]  # enough
    board = simplify(system, 19)  # type: ignore[arg-type]
    assert [b.text for b in board.boxes if len(b.members) > 1] == ["Read services ×3"]
    board = simplify(system, 8)  # type: ignore[arg-type]
    assert len(board.boxes) == 8  # merged only as far as needed
    assert "Clients ×2" in [b.text for b in board.boxes]


def test_when_one_box_per_tier_is_too_many_it_warns_and_names_what_to_collapse(tmp_path: Path) -> None:
    board = simplify(flat_system(), 3)  # type: ignore[arg-type]
    assert len(board.boxes) == 5  # one per tier: clients, entry, services, async paths, stores
    (warning,) = board.warnings
    assert warning.startswith("the board has 5 boxes, over the budget of 3, with one box per tier already")
    assert "raise --max-boxes to 5" in warning and "(whiteboard: collapse)" in warning
    ws = tmp_path / "ws"
    (ws / "systems").mkdir(parents=True)
    (ws / "systems" / "flat.yaml").write_text(FLAT.read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(app, ["-C", str(ws), "whiteboard", "flat", "-n", "3"])
    assert result.exit_code == 0
    assert result.stderr.startswith("systems/flat.yaml:1:1: warning: the board has 5 boxes")


def test_the_board_draws_stores_as_cylinders_queues_as_queues_and_replicas_as_stacks() -> None:
    from archkit.prep.whiteboard import board_dot

    board = simplify(flat_system(), 21)  # type: ignore[arg-type]
    by_id = {b.id: b for b in board.boxes}
    assert by_id["read-api"].text == "Read API ×3"
    assert by_id["db"].text == "Links DB\n16 shards"
    assert by_id["db-r"].text == "Links replica ×2\nread replica"
    assert (by_id["emr"].shape, by_id["events"].shape, by_id["db"].shape) == ("box", "queue", "cylinder")
    dot = board_dot(board, len(board.steps))
    lines = {
        line.split()[0].strip('"'): line
        for line in dot.splitlines()
        if line.startswith('  "') and "->" not in line
    }
    assert 'shape="cylinder"' in lines["db"] and 'shape="cylinder"' not in lines["emr"]
    assert lines["events"].count('SIDES="L"') == 3
    assert 'peripheries="2"' in lines["read-api"]
    assert any('"db" -> "db-r"' in line and ":invis:" in line for line in dot.splitlines())


def test_the_cheat_sheet_asks_about_shards_and_replicas_and_lists_options_unambiguously(repo: Path) -> None:
    shortener = systems(repo)["url-shortener"]
    sheet = cheat_sheet(shortener, DecisionStore(repo).records())  # type: ignore[arg-type]
    assert "How is Links split into 16 shards, and what happens when one gets hot?" in sheet.questions
    assert "Reads from Links read replicas lag the primary: where would a user notice?" in sheet.questions
    from archkit.templating import render

    page = render(repo, "whiteboard/cheat-sheet.md.j2", sheet=sheet, board=None, svgs=[], slug="x")
    assert "(lost: Hash of the URL, truncated; Counter in the database, base-62 encoded)" in page


REPO = Path(__file__).resolve().parent.parent


def test_boards_are_the_same_whatever_python_s_hash_seed() -> None:
    """Same input, same board: no set's order decides what a collapsed group is drawn as."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from archkit.workspace import Workspace\n"
        "from archkit.render.scene import scene_of\n"
        "for s in Workspace(Path(sys.argv[1])).load().systems:\n"
        "    for n in (3, 4, 6):\n"
        "        print(repr(scene_of(s, n)))\n"
    )
    boards = {
        subprocess.run(
            [sys.executable, "-c", script, str(REPO)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in range(6)
    }
    assert len(boards) == 1
