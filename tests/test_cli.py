"""The command line, driven through Typer's CliRunner and, where a fresh process matters, a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from inline_snapshot import snapshot
from typer.testing import CliRunner

from archkit import __version__
from archkit.cli import app
from archkit.workspace import Workspace

BAD_SYSTEM = """
name: Shop
components:
  - id: api
    tech: postgress
connections:
  - from: api
    to: dbb
"""


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"})
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_version(runner: CliRunner) -> None:
    assert run(runner, "--version") == (0, f"archkit {__version__}\n", "")


def test_help_lists_the_commands(runner: CliRunner) -> None:
    code, out, _ = run(runner, "--help")
    assert code == 0
    commands = out.split("\nCommands:\n")[1]
    listed = [
        line.split()[0] for line in commands.splitlines() if line.startswith("  ") and line[2:3].isalpha()
    ]
    assert listed == snapshot(
        [
            "check",
            "diagram",
            "techs",
            "schema",
            "init",
            "embed",
            "build",
            "serve",
            "whiteboard",
            "drill",
            "estimate",
            "calc",
            "diff",
            "new",
            "tdr",
            "templates",
            "import",
        ]
    )


def test_every_command_has_help(runner: CliRunner) -> None:
    for command in (
        ["check"],
        ["diagram"],
        ["techs"],
        ["schema"],
        ["new", "system"],
        ["init"],
        ["embed"],
        ["build"],
        ["serve"],
        ["whiteboard"],
        ["drill"],
        ["tdr", "new"],
        ["templates", "list"],
        ["templates", "copy"],
    ):
        code, out, _ = run(runner, *command, "--help")
        assert code == 0 and "Usage: archkit" in out, command


def test_help_text_is_printed_as_written(runner: CliRunner) -> None:
    """No emoji made of ':label:', no Rich markup eaten: each option's help appears word for word."""
    import typer.main

    def walk(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
        yield path, command
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                yield from walk(sub, [*path, name])

    checked = 0
    for path, command in walk(typer.main.get_command(app), []):
        out = " ".join(run(runner, *path, "--help")[1].split())
        for param in command.params:
            text = " ".join((getattr(param, "help", None) or "").split())
            if text:
                assert text in out, (path, text)
                checked += 1
    assert checked > 40
    assert '"N:Label:Reverse label", e.g. "3:Amends:Amended by"' in " ".join(
        run(runner, "tdr", "new", "--help")[1].split()
    )


def test_check_example_workspace(runner: CliRunner, repo: Path) -> None:
    assert run(runner, "-C", str(repo), "check", "--no-checklist") == (0, "4 systems OK\n", "")
    code, out, err = run(runner, "-C", str(repo), "check", "--strict")
    assert (code, err) == (0, "")
    assert out.startswith("4 systems OK\n\nPortfolio checklist\n")
    assert out.endswith("16 of 16 checklist lines pass\n")


def test_check_reports_problems_and_exits_1(runner: CliRunner, make_tree) -> None:
    root = make_tree(
        {"systems/shop.yaml": BAD_SYSTEM, "systems/ok.yaml": "name: OK\ncomponents: [{id: a}]\n"}
    )
    code, out, err = run(runner, "-C", str(root), "check")
    assert code == 1  # findings; 2 is for usage and configuration errors
    assert out == ""
    assert err == snapshot(
        """\
systems/shop.yaml:4:11: error: unknown technology 'postgress' for component 'api'; expected a technology from 'archkit techs' (or 'other' for one of your own); did you mean 'postgresql'?
systems/shop.yaml:7:9: error: connection to unknown component 'dbb'; expected a component id: 'api'
"""
    )


def test_one_system_by_name_or_path(runner: CliRunner, repo: Path) -> None:
    assert run(runner, "-C", str(repo), "check", "payment-platform")[0] == 0
    assert run(runner, "check", str(repo / "systems" / "payment-platform.yaml"))[0] == 0
    code, _, err = run(runner, "-C", str(repo), "check", "payment-platfrom")
    assert code == 2
    assert "no system named 'payment-platfrom'" in err and "did you mean 'payment-platform'?" in err


def test_missing_directory_and_empty_workspace(runner: CliRunner, tmp_path: Path) -> None:
    code, _, err = run(runner, "-C", str(tmp_path / "nope"), "check")
    assert code == 2 and "no such directory" in err
    code, _, err = run(runner, "-C", str(tmp_path), "check")
    assert code == 2
    assert err.replace(str(tmp_path), "TMP") == snapshot(
        "error: no archkit workspace in TMP; expected a folder with portfolio.yaml, systems/ or decision records ('archkit init' creates one; -C DIR or ARCHKIT_DIR points at one)\n"
    )
    (tmp_path / "systems").mkdir()
    code, _, err = run(runner, "-C", str(tmp_path), "check")
    assert code == 2
    assert err == snapshot(
        "error: no systems found in systems/; expected systems/<name>.yaml files (start one with 'archkit new system NAME')\n"
    )


def test_diagram_renders_then_reuses(runner: CliRunner, example: Path, tmp_path: Path) -> None:
    out = tmp_path / "d"
    code, text, _ = run(runner, "-C", str(example), "diagram", "-f", "svg,mermaid", "-o", str(out))
    assert code == 0
    assert text.splitlines()[-1] == "4 systems rendered (4 drawn, 0 unchanged)"
    assert sorted(p.name for p in out.glob("*.*") if not p.name.startswith(".")) == [
        "payment-platform.mmd",
        "payment-platform.svg",
        "platform-microservices.mmd",
        "platform-microservices.svg",
        "recommendation-platform.mmd",
        "recommendation-platform.svg",
        "url-shortener.mmd",
        "url-shortener.svg",
    ]
    code, text, _ = run(runner, "-C", str(example), "diagram", "-f", "svg,mermaid", "-o", str(out))
    assert text.splitlines()[-1] == "4 systems rendered (0 drawn, 4 unchanged)"
    # the cache is in the workspace's .archkit/, not among the files users commit
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []
    assert list((example / ".archkit" / "cache" / "diagrams").glob("*.json"))


def test_diagram_default_output_is_inside_the_workspace(runner: CliRunner, make_tree) -> None:
    root = make_tree({"systems/s.yaml": "name: S\ncomponents: [{id: a, tech: redis}]\n"})
    code, _, _ = run(runner, "-C", str(root), "diagram", "--format", "dot", "--direction", "tb")
    assert code == 0
    assert 'rankdir="TB"' in (root / "build" / "diagrams" / "s.dot").read_text(encoding="utf-8")


def test_diagram_refuses_bad_options_and_bad_input(runner: CliRunner, repo: Path, make_tree) -> None:
    code, _, err = run(runner, "-C", str(repo), "diagram", "--format", "svgg")
    assert code == 2 and "unknown format 'svgg'" in err and "did you mean 'svg'?" in err
    assert run(runner, "-C", str(repo), "diagram", "--direction", "up")[0] == 2
    assert run(runner, "-C", str(repo), "diagram", "--theme", "blue")[0] == 2
    root = make_tree({"systems/shop.yaml": BAD_SYSTEM})
    code, _, err = run(runner, "-C", str(root), "diagram")
    assert code == 2 and "postgress" in err
    assert not (root / "build").exists()  # nothing written for input with errors


def test_techs_lists_and_searches(runner: CliRunner) -> None:
    code, out, _ = run(runner, "techs")
    assert code == 0 and len(out.splitlines()) > 80
    code, out, _ = run(runner, "techs", "postgres")
    assert code == 0 and "postgresql" in out and "PostgreSQL" in out
    code, out, _ = run(runner, "techs", "postgress")
    assert code == 0 and "postgresql" in out  # close matches when nothing contains the query
    assert run(runner, "techs", "qqqqqqqq")[0] == 1


def test_techs_answers_a_category_word_with_that_category(runner: CliRunner) -> None:
    code, out, _ = run(runner, "techs", "nosql")
    rows = [line.split()[0] for line in out.splitlines()[1:-1]]
    assert code == 0
    assert rows[:4] == ["key-value-store", "document-store", "wide-column-store", "graph-database"]
    assert "aws-dynamodb" in rows and "postgresql" not in rows
    assert out.splitlines()[0].split() == ["tech", "name", "category", "shape", "provider", "aliases"]
    code, _, err = run(runner, "techs", "replica")
    assert code == 1 and "replicas and shards are a component's keys" in err


def test_schema_offers_the_catalogue_for_tech_and_accepts_any_string(runner: CliRunner) -> None:
    schema = json.loads(run(runner, "schema")[1])
    tech = schema["$defs"]["component"]["properties"]["tech"]
    offered = tech["anyOf"][0]["anyOf"][0]["enum"]
    assert "key-value-store" in offered and "postgresql" in offered
    validator = jsonschema.Draft202012Validator(schema)
    system = {"name": "S", "components": [{"id": "a", "tech": "our-own-bus"}]}
    assert list(validator.iter_errors(system)) == []


def test_schema_validates_the_example_systems_and_rejects_typos(runner: CliRunner, repo: Path) -> None:
    code, out, _ = run(runner, "schema")
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted((repo / "systems").glob("*.yaml")):
        assert list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))) == [], path
    bad = {"name": "S", "compnents": []}
    assert [e.message for e in validator.iter_errors(bad)] == [
        "'compnents' does not match any of the regexes: '^x-'"
    ]


# schema type -> the example workspace's files of that type, and a key no file of it may have
SCHEMA_TYPES = {
    "system": ("systems/*.yaml", {"name": "S", "compnents": []}),
    "portfolio": ("portfolio.yaml", {"name": "N", "summary": "S", "summery": "S"}),
    "case-study": ("case-studies/*.yaml", {"title": "T", "challenge": "C", "result": []}),
    "leadership": ("leadership/*.yaml", {"title": "T", "context": "C", "lesson": "L"}),
    "story": (
        "stories/*.yaml",
        {
            "title": "T",
            "principles": ["Ownership"],
            **dict.fromkeys(("situation", "task", "action", "result"), "x"),
            "tags": [],
        },
    ),
}


@pytest.mark.parametrize("kind", list(SCHEMA_TYPES))
def test_each_schema_type_validates_the_example_files_and_rejects_unknown_keys(
    runner: CliRunner, repo: Path, kind: str
) -> None:
    code, out, err = run(runner, "schema", "--type", kind)
    assert (code, err) == (0, "")
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == f"https://archkit.dev/schema/{kind}.json"
    validator = jsonschema.Draft202012Validator(schema)
    pattern, bad = SCHEMA_TYPES[kind]
    files = sorted(repo.glob(pattern))
    assert files, pattern
    for path in files:
        assert list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))) == [], path
    unknown = next(key for key in bad if key not in schema["properties"])
    assert [e.message for e in validator.iter_errors(bad)] == [
        f"'{unknown}' does not match any of the regexes: '^x-'"
    ]


def test_schema_type_defaults_to_system_and_an_unknown_type_is_refused(
    runner: CliRunner, tmp_path: Path
) -> None:
    assert run(runner, "schema")[1] == run(runner, "schema", "--type", "system")[1]
    code, out, err = run(runner, "schema", "--type", "storys")
    assert (code, out) == (2, "")
    assert err == (
        "error: unknown schema type 'storys'; expected one of system, portfolio, case-study, leadership,"
        " story; did you mean 'story'?\n"
    )
    code, out, _ = run(runner, "-C", str(tmp_path), "schema", "-t", "case-study", "-o", "cs.json")
    assert (code, out) == (0, "wrote cs.json\n")
    assert json.loads((tmp_path / "cs.json").read_text(encoding="utf-8"))["title"] == "archkit case study"
    code, out, _ = run(runner, "-C", str(tmp_path), "schema", "-t", "case-study", "-o", "cs.json")
    assert (code, out) == (0, "cs.json is up to date\n")
    # a file of the user's is never overwritten, and no folder is made
    (tmp_path / "notes.json").write_text('{"mine": true}\n', encoding="utf-8")
    code, _, err = run(runner, "-C", str(tmp_path), "schema", "-o", "notes.json")
    assert code == 2 and "is not archkit's system schema: it is left as it is" in err
    assert (tmp_path / "notes.json").read_text(encoding="utf-8") == '{"mine": true}\n'
    code, _, err = run(runner, "-C", str(tmp_path), "schema", "-o", "nowhere/x.json")
    assert code == 2 and "does not exist" in err and not (tmp_path / "nowhere").exists()


def test_write_schema_replaces_only_its_own_schema(tmp_path: Path) -> None:
    from archkit.scaffold.starters import schema_text, write_schema

    path = tmp_path / "archkit-story.schema.json"
    assert write_schema(path, "story") and not write_schema(path, "story")
    path.write_text('{"$id": "https://archkit.dev/schema/story.json", "old": true}\n', encoding="utf-8")
    assert write_schema(path, "story") and path.read_text(encoding="utf-8") == schema_text("story")
    path.write_text('{"$id": "https://archkit.dev/schema/system.json"}\n', encoding="utf-8")
    assert not write_schema(path, "story")  # another kind's schema, or the user's own: left alone


def test_new_system_is_valid_points_at_the_schema_and_never_overwrites(
    runner: CliRunner, tmp_path: Path
) -> None:
    code, out, _ = run(runner, "-C", str(tmp_path), "new", "system", "checkout")
    assert code == 0
    assert out == "wrote systems/archkit-system.schema.json\nwrote systems/checkout.yaml\n"
    created = tmp_path / "systems" / "checkout.yaml"
    text = created.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=archkit-system.schema.json"
    checked = Workspace(tmp_path).load()
    assert checked.problems == [] and checked.systems[0].name == "Checkout"
    # the schema file beside it validates the scaffold
    schema = json.loads((tmp_path / "systems" / "archkit-system.schema.json").read_text(encoding="utf-8"))
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(yaml.safe_load(text))) == []

    created.write_text("name: Mine\n", encoding="utf-8")
    code, _, err = run(runner, "-C", str(tmp_path), "new", "system", "checkout")
    assert code == 2 and "exists already" in err and "--force" in err
    assert created.read_text(encoding="utf-8") == "name: Mine\n"
    assert run(runner, "-C", str(tmp_path), "new", "system", "checkout", "--force")[0] == 0
    assert created.read_text(encoding="utf-8") == text


def test_new_system_rejects_a_bad_name_with_a_suggestion(runner: CliRunner, tmp_path: Path) -> None:
    code, _, err = run(runner, "-C", str(tmp_path), "new", "system", "My Shop")
    assert code == 2
    assert "did you mean 'my-shop'?" in err
    assert not (tmp_path / "systems").exists()


def test_missing_graphviz_is_explained_not_a_traceback(example: Path, tmp_path: Path) -> None:
    repo = example
    env = {**os.environ, "ARCHKIT_DOT": str(tmp_path / "no-such-dot")}
    done = subprocess.run(
        [sys.executable, "-m", "archkit", "-C", str(repo), "diagram", "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 3
    assert "Traceback" not in done.stderr
    assert "Graphviz is not installed" in done.stderr
    for hint in ("sudo apt-get install graphviz", "brew install graphviz", "winget install graphviz"):
        assert hint in done.stderr
    # Mermaid and DOT need no Graphviz
    env_ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "archkit",
            "-C",
            str(repo),
            "diagram",
            "-f",
            "mermaid,dot",
            "-o",
            str(tmp_path / "m"),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert env_ok.returncode == 0, env_ok.stderr


def test_example_workspace_schema_file_is_current(repo: Path, runner: CliRunner) -> None:
    """The systems' first line points editors at this file: it must say what `archkit schema` says."""
    shipped = (repo / "systems" / "archkit-system.schema.json").read_text(encoding="utf-8")
    assert run(runner, "schema")[1] == shipped


def test_paths_are_the_workspace_s_and_a_file_in_the_way_is_named(
    runner: CliRunner, make_tree, tmp_path: Path
) -> None:
    root = make_tree({"ws/systems/s.yaml": "name: S\ncomponents: [{id: a}]\n", "ws/build": "not a folder\n"})
    code, out, _ = run(runner, "-C", str(root / "ws"), "check", "systems/s.yaml")
    assert (code, out) == (0, "1 system OK\n")
    code, _, err = run(runner, "-C", str(root / "ws"), "diagram", "-f", "mermaid")
    assert (code, err.replace(str(root), "TMP")) == snapshot(
        (2, "error: TMP/ws/build/diagrams is a file, where a folder is needed\n")
    )
    assert (root / "ws" / "build").read_text() == "not a folder\n"
    code, out, _ = run(runner, "-C", str(root / "ws"), "schema", "--out", "schema.json")
    assert (code, out) == (0, "wrote schema.json\n") and (root / "ws" / "schema.json").is_file()


def test_the_console_command_builds_only_the_command_it_runs(repo: Path, tmp_path: Path) -> None:
    from archkit.cli.root import _app_for, _command_word

    assert _command_word(["-C", "ws", "tdr", "new", "X"]) == "tdr"
    assert _command_word(["--directory=ws", "check"]) == "check"
    assert _command_word(["-Cws", "check"]) == "check"
    assert _command_word(["--help"]) is None and _command_word([]) is None
    (tdr,) = _app_for(["tdr", "list"]).registered_groups
    assert tdr.name == "tdr"
    assert [c.name for c in tdr.typer_instance.registered_commands] == ["list"]  # type: ignore[union-attr]
    assert len(_app_for(["tdr", "--help"]).registered_groups[0].typer_instance.registered_commands) == 9  # type: ignore[union-attr]
    assert _app_for(["chek"]) is _app_for(["--version"])  # typos get the whole app, for its suggestions
    # end to end, through the installed entry point
    script = Path(sys.executable).with_name("archkit")
    done = subprocess.run([str(script), "-C", str(repo), "chek"], capture_output=True, text=True)
    assert done.returncode == 2 and "No such command 'chek'" in done.stderr
    done = subprocess.run(
        [str(script), "-C", str(repo), "check", "--no-checklist"], capture_output=True, text=True
    )
    assert (done.returncode, done.stdout) == (0, "4 systems OK\n")


def test_new_system_with_a_broken_template_of_the_user_s_is_an_error_at_its_line(
    runner: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "system.yaml.j2").write_text(
        "name: {{ title }}\n{{ nope }}\n", encoding="utf-8"
    )
    code, _, err = run(runner, "-C", str(tmp_path), "new", "system", "checkout")
    assert code == 2, err
    assert "templates/system.yaml.j2:2" in err and "nope" in err and "internal error" not in err
    assert not (tmp_path / "systems" / "checkout.yaml").exists()
