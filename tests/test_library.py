"""The core checks what it is given (the command line only parses), and the bugs that lived
between the two stay fixed."""

from __future__ import annotations

from pathlib import Path

import pytest
from inline_snapshot import snapshot
from typer.testing import CliRunner

from archkit.cli import app
from archkit.errors import ArchkitError
from archkit.render.pipeline import RenderOptions


def message(exc: pytest.ExceptionInfo[ArchkitError]) -> str:
    return str(exc.value)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"})
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_render_options_check_what_they_are_given() -> None:
    with pytest.raises(ArchkitError) as theme:
        RenderOptions(theme="drak")
    assert message(theme) == snapshot(
        "error: 'drak' is not a theme; expected light or dark; did you mean 'dark'?"
    )
    with pytest.raises(ArchkitError) as fmt:
        RenderOptions(formats=("svgg",))
    assert message(fmt) == snapshot(
        "error: unknown format 'svgg'; expected some of svg, png, dot, mermaid, d2, excalidraw, drawio; did you mean 'svg'?"
    )
    with pytest.raises(ArchkitError) as direction:
        RenderOptions(direction="up")
    assert message(direction) == snapshot("error: 'up' is not a direction; expected LR, TB, RL or BT")
    with pytest.raises(ArchkitError) as none:
        RenderOptions(formats=(" ,",))
    assert message(none) == snapshot(
        "error: no format given; expected some of svg, png, dot, mermaid, d2, excalidraw, drawio"
    )
    with pytest.raises(ArchkitError) as jobs:
        RenderOptions(jobs=0)
    assert message(jobs) == snapshot("error: jobs is 0; expected a whole number from 1, or None")
    with pytest.raises(ArchkitError) as width:
        RenderOptions(width=100)
    assert message(width) == snapshot("error: width is 100; expected pixels from 300 to 4000, or None")


def test_render_options_normalise_what_a_command_line_writes() -> None:
    options = RenderOptions(formats=("SVG,mmd", "svg"), direction="rl")
    assert (options.formats, options.direction) == (("svg", "mermaid"), "RL")


def test_diagram_command_reports_the_core_s_message(tmp_path: Path) -> None:
    code, _, err = invoke("-C", str(tmp_path), "diagram", "--theme", "blue")
    assert (code, err) == (2, "error: 'blue' is not a theme; expected light or dark\n")


def test_drill_on_a_broken_system_says_so_and_exits_2(make_tree) -> None:
    root = make_tree(
        {
            "systems/s.yaml": "name: S\ncomponents: [{id: a, tech: postgress}]\nconnections: [{from: a, to: b}]\n"
        }
    )
    code, out, err = invoke("-C", str(root), "drill", "--print")
    assert (code, out) == (2, "")
    assert err == snapshot(
        """\
systems/s.yaml:2:28: error: unknown technology 'postgress' for component 'a'; expected a technology from 'archkit techs' (or 'other' for one of your own); did you mean 'postgresql'?
systems/s.yaml:3:29: error: connection to unknown component 'b'; expected a component id: 'a'
"""
    )


def test_whiteboard_under_C_uses_the_workspace_s_templates(make_tree, tmp_path: Path) -> None:
    root = make_tree(
        {
            "ws/systems/s.yaml": "name: S\ncomponents: [{id: a}, {id: b}]\nconnections: [{from: a, to: b}]\n",
            "ws/templates/whiteboard/cheat-sheet.md.j2": "My own sheet for {{ sheet.name }}\n",
        }
    )
    code, _, err = invoke("-C", str(root / "ws"), "whiteboard", "s", "-o", str(tmp_path / "out"))
    assert (code, err) == (0, "")
    assert (tmp_path / "out" / "s-cheat-sheet.md").read_text(encoding="utf-8") == "My own sheet for S\n"


def test_whiteboard_checks_its_options(make_tree) -> None:
    from archkit.prep.whiteboard import whiteboard

    root = make_tree({"systems/s.yaml": "name: S\ncomponents: [{id: a}]\n"})
    with pytest.raises(ArchkitError) as bad:
        whiteboard(root, "s", max_boxes=0, peak_factor=0.5)
    assert message(bad) == snapshot(
        """\
error: max_boxes is 0; expected a whole number from 1, or None
error: peak_factor is 0.5; expected a number from 1 (peak over average)\
"""
    )


def test_whiteboard_checks_its_formats_and_writes_each_asked_for(make_tree, tmp_path: Path) -> None:
    import archkit

    root = make_tree({"systems/s.yaml": "name: S\ncomponents: [{id: a}, {id: b}]\n"})
    with pytest.raises(ArchkitError) as bad:
        archkit.whiteboard(root, "s", formats=("html", "excalidrw"))
    assert message(bad) == snapshot(
        "error: unknown format 'excalidrw'; expected html, excalidraw; did you mean 'excalidraw'?"
    )
    with pytest.raises(ArchkitError) as empty:
        archkit.whiteboard(root, "s", formats=" , ")
    assert message(empty) == snapshot("error: unknown format ' , '; expected html, excalidraw")
    assert not (root / "build").exists()
    scene = archkit.whiteboard(root, "s", tmp_path / "scene", formats="EXCALIDRAW")
    assert [p.name for p in scene.files] == ["s-whiteboard.excalidraw"]
    both = archkit.whiteboard(root, "s", tmp_path / "both", formats="excalidraw,html")
    assert [p.name for p in both.files] == [
        "s-whiteboard.excalidraw",
        "s-step-1.svg",
        "s-whiteboard.html",
        "s-cheat-sheet.html",
        "s-cheat-sheet.md",
    ]
    assert sorted(p.name for p in (tmp_path / "both").iterdir()) == sorted(p.name for p in both.files)


def test_drill_deals_the_deck_in_order_or_shuffled_by_seed(repo: Path) -> None:
    import archkit

    plain = archkit.drill(repo)
    again = archkit.drill(repo, shuffle=True, seed=7)
    assert len(plain.cards) > 3 and sorted(again.cards) == sorted(plain.cards)
    assert again.cards != plain.cards and archkit.drill(repo, shuffle=True, seed=7).cards == again.cards


def test_a_review_date_is_the_same_day_a_year_later() -> None:
    import datetime as dt

    from archkit.decisions.store import add_months

    assert add_months(dt.date(2025, 3, 31), 12) == dt.date(2026, 3, 31)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2025, 11, 30), 3) == dt.date(2026, 2, 28)


def test_tdr_new_writes_a_review_date_a_year_on(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ARCHKIT_TODAY", "2025-03-31")
    code, out, _ = invoke("-C", str(tmp_path), "tdr", "new", "Use Kafka")
    assert code == 0, out
    (record,) = (tmp_path / "decisions").glob("*-use-kafka.md")
    assert "2026-03-31" in record.read_text(encoding="utf-8")
    assert "2026-03-28" not in record.read_text(encoding="utf-8")


def test_tdr_list_json_and_review_come_from_the_core(tmp_path: Path, monkeypatch) -> None:
    from archkit.decisions.checks import reviews_due
    from archkit.decisions.store import DecisionStore, list_records, listing_json

    monkeypatch.setenv("ARCHKIT_TODAY", "2024-02-29")
    store = DecisionStore(tmp_path)
    store.new("Use Kafka", status="accepted")
    records = list_records(store, "Accepted")
    assert listing_json(store, records) == [
        {
            "number": 1,
            "title": "Use Kafka",
            "status": "accepted",
            "date": "2024-02-29",
            "path": "decisions/0001-use-kafka.md",
            "links": [],
        }
    ]
    import datetime as dt

    assert reviews_due(store.records(), dt.date(2025, 2, 27)) == []
    assert [r.number for r in reviews_due(store.records(), dt.date(2025, 2, 28))] == [1]
    with pytest.raises(ArchkitError) as bad:
        list_records(store, "acepted")
    assert message(bad) == snapshot(
        "error: unknown status 'acepted'; expected one of 'proposed', 'accepted', 'rejected', 'deprecated', 'superseded'; did you mean 'accepted'?"
    )


def test_tdr_check_json_comes_from_the_core(tmp_path: Path, monkeypatch) -> None:
    """A fresh record only warns (its scaffold's sentences): ok, unless --strict counts warnings."""
    import json

    from archkit.decisions.checks import check_records, check_records_json
    from archkit.decisions.store import DecisionStore

    monkeypatch.setenv("ARCHKIT_TODAY", "2024-02-29")
    store = DecisionStore(tmp_path)
    store.new("Use Kafka")
    problems = check_records(store, store.records())
    assert problems and not any(p.is_error for p in problems)
    loose, strict = (
        check_records_json(store.records(), problems),
        check_records_json([], problems, strict=True),
    )
    assert (loose["ok"], loose["records"], strict["ok"], strict["records"]) == (True, 1, False, 0)
    code, out, _ = invoke("-C", str(tmp_path), "tdr", "check", "--json", "--strict")
    assert (code, json.loads(out)) == (1, check_records_json(store.records(), problems, strict=True))


def test_every_public_name_loads_and_says_what_it_does() -> None:
    import archkit

    for name in archkit.__all__[1:]:
        found = getattr(archkit, name)
        assert (found.__doc__ or "").strip() and not found.__doc__.startswith(f"{name}("), name
    assert archkit.serve_site.__module__ == "archkit.site.serve"
    with pytest.raises(AttributeError):
        archkit.nothing  # noqa: B018


def test_templates_list_and_copy_never_overwriting(tmp_path: Path) -> None:
    code, out, _ = invoke("-C", str(tmp_path), "templates", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["template", "overridden", "by"]
    assert "site/system.html.j2" in [line.strip() for line in lines]
    assert "whiteboard/cheat-sheet.md.j2" in [line.strip() for line in lines]

    assert invoke("-C", str(tmp_path), "templates", "copy", "cheat-sheet.md") == snapshot(
        (
            2,
            "",
            "error: no template named 'cheat-sheet.md'; expected a name from 'archkit templates list'; did you mean 'whiteboard/cheat-sheet.md.j2'?\n",
        )
    )
    assert invoke("-C", str(tmp_path), "templates", "copy", "whiteboard/cheat-sheet.md.j2") == snapshot(
        (0, "wrote templates/whiteboard/cheat-sheet.md.j2\n", "")
    )
    copied = tmp_path / "templates" / "whiteboard" / "cheat-sheet.md.j2"
    copied.write_text("mine\n", encoding="utf-8")
    assert invoke("-C", str(tmp_path), "templates", "copy", "whiteboard/cheat-sheet.md.j2") == snapshot(
        (
            2,
            "",
            "error: templates/whiteboard/cheat-sheet.md.j2 exists already; expected a template not yet copied (archkit never overwrites it)\n",
        )
    )
    assert copied.read_text(encoding="utf-8") == "mine\n"
    code, out, _ = invoke("-C", str(tmp_path), "templates", "list")
    assert "whiteboard/cheat-sheet.md.j2    templates/whiteboard/cheat-sheet.md.j2" in out
