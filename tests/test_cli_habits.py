"""The command line behaves as ruff, mypy and git do: exit codes, --json, --quiet, -C anywhere,
a clear word where there is no workspace, quiet ends in a closed pipe, clean help."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from inline_snapshot import snapshot
from typer.testing import CliRunner

from archkit.cli import app

ENV = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}

WARNED = """
name: Shop
components:
  - {id: api, tech: k8s-service}
  - {id: box, tech: mainframe-thing}
connections:
  - {from: api, to: box}
"""


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={**ENV, **(env or {})})
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace with one accepted record overdue for review, one broken link."""
    monkeypatch.setenv("ARCHKIT_TODAY", "2030-01-01")
    folder = tmp_path / "decisions"
    folder.mkdir()
    (folder / "0001-a.md").write_text(
        "# 1. A\n\nDate: 2020-01-01\n\n- Review: 2021-01-01\n\n## Status\n\nAccepted\n",
        encoding="utf-8",
    )
    return tmp_path


def test_exit_codes_clean_findings_usage(make_tree, repo: Path) -> None:
    assert run("-C", str(repo), "check", "--no-checklist")[0] == 0
    root = make_tree({"systems/shop.yaml": "name: Shop\ncomponents: [{id: a, tech: postgress}]\n"})
    assert run("-C", str(root), "check")[0] == 1  # a finding in a file
    assert run("-C", str(root), "check", "nosuch")[0] == 2  # a usage mistake
    assert run("-C", str(root), "diagram", "--format", "gif")[0] == 2
    assert run("-C", str(root), "check", "--bogus")[0] == 2


def test_directory_option_before_or_after_the_command_and_from_the_environment(repo: Path) -> None:
    expected = (0, "4 systems OK\n", "")
    assert run("-C", str(repo), "check", "--no-checklist") == expected
    assert run("check", "--no-checklist", "-C", str(repo)) == expected
    assert run("check", f"--directory={repo}", "--no-checklist") == expected
    assert run("check", "--no-checklist", env={"ARCHKIT_DIR": str(repo)}) == expected
    code, out, _ = run("tdr", "list", "-C", str(repo))
    assert code == 0 and "Migration from monolith to microservices" in out


def test_the_global_options_after_the_command_reach_the_installed_command(repo: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "archkit", "tdr", "check", "-q", "-C", str(repo)],
        capture_output=True,
        text=True,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_no_workspace_and_no_records_folder_are_said_and_fail(tmp_path: Path) -> None:
    for command in (["build"], ["check"], ["serve"], ["drill", "--print"], ["whiteboard", "x"]):
        code, _out, err = run("-C", str(tmp_path), *command)
        assert code == 2, command
        assert "no archkit workspace in" in err, command
    code, _, err = run("-C", str(tmp_path), "tdr", "check")
    assert code == 2
    assert err == snapshot(
        "error: no decision records folder: decisions/ does not exist; expected a records folder ('archkit tdr new TITLE' or 'archkit init' creates one; --dir, .adr-dir, -C DIR or ARCHKIT_DIR points at one)\n"
    )
    (tmp_path / ".adr-dir").write_text("doc/arch\n", encoding="utf-8")
    code, _, err = run("-C", str(tmp_path), "tdr", "list")
    assert code == 2 and "doc/arch/ does not exist (named by .adr-dir)" in err
    assert not (tmp_path / "build").exists() and not (tmp_path / "doc").exists()


def test_quiet_prints_errors_only(make_tree) -> None:
    root = make_tree({"systems/shop.yaml": WARNED})
    code, out, err = run("-C", str(root), "check")
    assert code == 0 and "warning:" in err and out == "1 system OK, 1 warning\n"
    assert run("-C", str(root), "check", "-q") == (0, "", "")
    assert run("-q", "-C", str(root), "check") == (0, "", "")
    bad = make_tree({"systems/bad.yaml": "name: Bad\ncomponents: [{id: a, tech: postgress}]\n"})
    code, out, err = run("-C", str(bad), "--quiet", "check")
    assert code == 1 and out == "" and "error: unknown technology 'postgress'" in err


def test_check_json(make_tree, repo: Path) -> None:
    root = make_tree({"systems/shop.yaml": "name: Shop\ncomponents: [{id: a, tech: postgress}]\n"})
    code, out, err = run("-C", str(root), "check", "--json")
    assert (code, err) == (1, "")
    assert json.loads(out) == snapshot(
        {
            "ok": False,
            "systems": ["shop"],
            "problems": [
                {
                    "file": "systems/shop.yaml",
                    "line": 2,
                    "column": 28,
                    "severity": "error",
                    "message": "unknown technology 'postgress' for component 'a'",
                    "expected": "a technology from 'archkit techs' (or 'other' for one of your own)",
                    "suggestion": "postgresql",
                }
            ],
            "checklist": None,
        }
    )
    code, out, _ = run("-C", str(repo), "check", "--json")
    data = json.loads(out)
    assert code == 0 and data["ok"] and data["problems"] == []
    assert len(data["checklist"]) == 16 and all(line["ok"] for line in data["checklist"])
    assert set(data["checklist"][0]) == {"what", "ok", "reason", "fix"}


def test_techs_json() -> None:
    code, out, _ = run("techs", "kafka", "--json")
    found = json.loads(out)
    assert code == 0
    assert found[0] == snapshot(
        {
            "id": "kafka",
            "name": "Apache Kafka",
            "category": "streaming",
            "shape": "queue",
            "provider": "onprem",
            "aliases": ["apache-kafka"],
            "tags": ["messaging", "event-stream", "pub-sub", "async", "log", "durable"],
        }
    )
    assert run("techs", "qqqqqqqq", "--json")[:2] == (1, "[]\n")
    import archkit  # the command prints what the library gives

    assert found == [t.as_json() for t in archkit.search_technologies("kafka")]


def test_tdr_check_and_review_json_and_strict(records: Path) -> None:
    code, out, _ = run("-C", str(records), "tdr", "review")
    assert (code, out) == (0, "1. A (review 2021-01-01) decisions/0001-a.md\n")
    assert run("-C", str(records), "tdr", "review", "--strict")[0] == 1
    code, out, _ = run("-C", str(records), "tdr", "review", "--json", "--strict")
    assert code == 1
    assert json.loads(out) == [
        {"number": 1, "title": "A", "review": "2021-01-01", "path": "decisions/0001-a.md"}
    ]
    code, out, _ = run("-C", str(records), "tdr", "check", "--json")
    data = json.loads(out)
    assert code == 0 and data["ok"] and data["records"] == 1
    assert {p["severity"] for p in data["problems"]} == {"warning"}
    assert all(p["file"] == "decisions/0001-a.md" for p in data["problems"])
    (records / "decisions" / "0002-b.md").write_text(
        "# 2. B\n\nDate: 2020-01-01\n\n## Status\n\nAccepted\n\nAmends [9. X](0009-x.md)\n", encoding="utf-8"
    )
    code, out, _ = run("-C", str(records), "tdr", "check", "--json")
    assert code == 1 and not json.loads(out)["ok"]
    code, out, err = run("-C", str(records), "tdr", "check", "-q")
    assert code == 1 and out == "" and "warning" not in err and "0009-x.md" in err


def test_edit_without_an_editor_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    result = CliRunner().invoke(app, ["-C", str(tmp_path), "tdr", "new", "X", "--edit"], env={"EDITOR": None})
    assert result.exit_code == 2
    assert result.stderr == snapshot(
        "error: --edit needs $VISUAL or $EDITOR to name an editor; nothing was written\n"
    )
    assert list(tmp_path.iterdir()) == []


def piped(archkit_args: str, reader: str) -> subprocess.CompletedProcess[str]:
    """The installed command's output into ``reader``, with the pipeline's status (pipefail)."""
    return subprocess.run(
        f"set -o pipefail; '{sys.executable}' -m archkit {archkit_args} | {reader}",
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
    )


def test_a_closed_pipe_ends_quietly(repo: Path) -> None:
    done = piped(f"-C '{repo}' drill --print", "head -1")
    assert (done.returncode, done.stderr, done.stdout) == (0, "", "\n")
    listing = piped("techs", "head -2")
    assert (listing.returncode, listing.stderr) == (0, "")
    assert listing.stdout.startswith("tech ")


def test_help_has_no_bool_markers_or_doubled_brackets() -> None:
    for command in (["check"], ["diagram"], ["serve"], ["drill"], ["tdr", "new"], ["tdr", "review"]):
        code, out, _ = run(*command, "--help")
        assert code == 0, command
        assert "<bool>" not in out and "[[" not in out and "{title}" not in out, command
    assert "Usage: archkit check [OPTIONS] [SYSTEM]..." in run("check", "--help")[1]
    assert "Usage: archkit tdr new [OPTIONS] {TITLE}..." in run("tdr", "new", "--help")[1]


def test_serve_names_a_busy_port(make_tree) -> None:
    root = make_tree({"systems/shop.yaml": "name: Shop\ncomponents: [{id: a}]\n"})
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, out, err = run("-C", str(root), "serve", "--port", str(port))
    assert code == 2 and out == ""
    assert (
        err
        == f"error: port {port} on 127.0.0.1 is in use by another program; expected a free port: --port N, or --port 0 for any free one\n"
    )
    assert not (root / "build").exists()


def test_serve_help_lists_host_and_open() -> None:
    out = run("serve", "--help")[1]
    assert "--host" in out and "--open" in out and "--port" in out


@pytest.mark.skipif(os.name != "posix", reason="pipes as POSIX shells make them")
def test_json_output_is_valid_when_piped(repo: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "archkit", "-C", str(repo), "tdr", "check", "--json"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and json.loads(done.stdout)["records"] == 6
