"""``archkit init``: a fresh workspace whose starters are valid, point at their schemas and at each
other, and are never overwritten."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from archkit.cli import app
from archkit.decisions.store import DecisionStore
from archkit.portfolio.content import load_content
from archkit.scaffold.init import init_workspace
from archkit.workspace import Workspace

CREATED = [
    "archkit-portfolio.schema.json",
    "portfolio.yaml",
    "systems/archkit-system.schema.json",
    "systems/my-system.yaml",
    ".adr-dir",
    "decisions/0001-record-architecture-decisions.md",
    "case-studies/archkit-case-study.schema.json",
    "case-studies/my-case-study.yaml",
    "leadership/archkit-leadership.schema.json",
    "leadership/my-initiative.yaml",
    "stories/archkit-story.schema.json",
    "stories/my-story.yaml",
    ".gitignore",
]

# starter file -> the schema file its first line names
STARTERS = {
    "portfolio.yaml": "archkit-portfolio.schema.json",
    "systems/my-system.yaml": "archkit-system.schema.json",
    "case-studies/my-case-study.yaml": "archkit-case-study.schema.json",
    "leadership/my-initiative.yaml": "archkit-leadership.schema.json",
    "stories/my-story.yaml": "archkit-story.schema.json",
}


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"})
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def workspace(runner: CliRunner, tmp_path: Path) -> Path:
    """A workspace made by `archkit init` in a folder that did not exist."""
    root = tmp_path / "ws"
    code, out, err = run(runner, "-C", str(tmp_path), "init", "ws")
    assert (code, err) == (0, "")
    assert out == "".join(f"wrote {name}\n" for name in CREATED) + (
        f"next: replace the starters' text with your own, then run 'archkit -C {root} check'\n"
    )
    return root


def test_every_file_is_created(workspace: Path) -> None:
    files = sorted(str(p.relative_to(workspace)) for p in workspace.rglob("*") if p.is_file())
    assert files == sorted(CREATED)
    assert (workspace / ".adr-dir").read_text(encoding="utf-8") == "decisions\n"


def test_each_starter_points_at_its_schema_and_validates_against_it(workspace: Path) -> None:
    for name, schema_file in STARTERS.items():
        path = workspace / name
        text = path.read_text(encoding="utf-8")
        assert text.splitlines()[0] == f"# yaml-language-server: $schema={schema_file}", name
        schema = json.loads((path.parent / schema_file).read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
        errors = [
            e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(yaml.safe_load(text))
        ]
        assert errors == [], name


def test_starters_load_with_archkit_s_own_loaders_without_problems(workspace: Path) -> None:
    checked = Workspace(workspace).load()
    assert checked.problems == []
    assert [s.slug for s in checked.systems] == ["my-system"]
    numbers = [n for n, _ in DecisionStore(workspace).files()]
    assert numbers == [1]
    content = load_content(workspace, ["my-system"], numbers)
    assert content.problems == ()
    assert content.portfolio is not None and content.portfolio.present == ("my-system",)
    assert [c.slug for c in content.case_studies] == ["my-case-study"]
    assert [item.slug for item in content.leadership] == ["my-initiative"]
    (story,) = content.stories
    # the story points at every other starter, so the cross-references are seen working
    assert (story.systems, story.decisions, story.case_studies, story.leadership_items) == (
        ("my-system",),
        (1,),
        ("my-case-study",),
        ("my-initiative",),
    )
    assert all(r.change for r in content.case_studies[0].results if r.before)


def test_the_first_record_is_accepted_and_written_out(workspace: Path) -> None:
    (record,) = DecisionStore(workspace).records()
    assert (record.number, record.title, record.status) == (1, "Record architecture decisions", "accepted")
    assert len(record.options) == 2
    for placeholder in ("What forces this decision", "What was decided.", "What it is, in a sentence"):
        assert placeholder not in record.text


def test_the_checklist_fails_with_a_useful_list(runner: CliRunner, workspace: Path) -> None:
    code, out, err = run(runner, "-C", str(workspace), "check")
    assert (code, err) == (0, "")
    assert out.startswith("1 system OK\n\nPortfolio checklist\n")
    code, strict_out, err = run(runner, "-C", str(workspace), "check", "--strict")
    assert (code, err, strict_out) == (1, "", out)
    failed = [line for line in out.splitlines() if line.startswith("  ✗")]
    assert failed == [
        "  ✗ 3-5 systems: 0 (none); not counted: the starter systems/my-system.yaml",
        "  ✗ 2-3 systems to present at L6: my-system",
        "  ✗ 3-5 technical artifacts: decision records with rationale",
        "  ✗ 3-4 pieces of leadership evidence: none",
        "  ✗ executive summary on one page: the summary is the starter's text",
        "  ✗ story bank: STAR parts and a principle: no stories",
        "  ✗ starter files renamed or replaced: not counted until then: systems/my-system.yaml, "
        "case-studies/my-case-study.yaml, leadership/my-initiative.yaml, stories/my-story.yaml",
    ]
    assert "-> add systems: 'archkit new system NAME'" in out
    assert run(runner, "-C", str(workspace), "tdr", "check") == (0, "1 record OK\n", "")


def test_a_second_run_keeps_everything(runner: CliRunner, workspace: Path) -> None:
    before = {p: p.read_bytes() for p in workspace.rglob("*") if p.is_file()}
    code, out, _ = run(runner, "-C", str(workspace), "init")
    assert code == 0
    assert out == "".join(f"kept {name}\n" for name in CREATED) + (
        "nothing to write: the workspace has every part\n"
    )
    assert {p: p.read_bytes() for p in workspace.rglob("*") if p.is_file()} == before


def test_an_existing_file_is_never_overwritten(runner: CliRunner, tmp_path: Path) -> None:
    mine = "name: Me\nsummary: Mine, not a starter.\n"
    (tmp_path / "portfolio.yaml").write_text(mine, encoding="utf-8")
    (tmp_path / "stories").mkdir()
    (tmp_path / "stories" / "archkit-story.schema.json").write_text("{}\n", encoding="utf-8")
    code, out, _ = run(runner, "-C", str(tmp_path), "init")
    assert code == 0
    assert "kept portfolio.yaml\n" in out and "kept stories/archkit-story.schema.json\n" in out
    assert "wrote stories/my-story.yaml\n" in out
    assert out.endswith(f"then run 'archkit -C {tmp_path} check'\n")
    assert (tmp_path / "portfolio.yaml").read_text(encoding="utf-8") == mine
    assert (tmp_path / "stories" / "archkit-story.schema.json").read_text(encoding="utf-8") == "{}\n"


def test_a_folder_with_content_of_its_own_gets_no_starter(tmp_path: Path) -> None:
    """An existing workspace gains what it lacks; the starters point at its own files."""
    (tmp_path / "case-studies").mkdir()
    (tmp_path / "case-studies" / "faster-checkout.yaml").write_text(
        "title: Faster checkout\nchallenge: Checkout took 4 s.\n", encoding="utf-8"
    )
    actions = init_workspace(tmp_path)
    assert ("kept", tmp_path / "case-studies") in actions
    assert not (tmp_path / "case-studies" / "my-case-study.yaml").exists()
    story = yaml.safe_load((tmp_path / "stories" / "my-story.yaml").read_text(encoding="utf-8"))
    assert story["case-studies"] == ["faster-checkout"]
    content = load_content(tmp_path, ["my-system"], [1])
    assert content.problems == ()


def test_a_workspace_template_overrides_a_starter(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "story.yaml.j2").write_text(
        "# yaml-language-server: $schema={{ schema_file }}\ntitle: Ours\nprinciples: [Ownership]\n"
        "situation: S\ntask: T\naction: A\nresult: R\n",
        encoding="utf-8",
    )
    init_workspace(tmp_path)
    story = (tmp_path / "stories" / "my-story.yaml").read_text(encoding="utf-8")
    assert story.startswith("# yaml-language-server: $schema=archkit-story.schema.json\ntitle: Ours\n")


def test_a_file_in_the_way_is_named(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "systems").write_text("not a folder\n", encoding="utf-8")
    code, _, err = run(runner, "-C", str(tmp_path), "init")
    assert code == 2 and ("in the way" in err or "where a folder is needed" in err)
    assert (tmp_path / "systems").read_text(encoding="utf-8") == "not a folder\n"


def test_init_has_help(runner: CliRunner) -> None:
    code, out, _ = run(runner, "init", "--help")
    assert code == 0 and "Usage: archkit init [OPTIONS] [DIR]" in out
