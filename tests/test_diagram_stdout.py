"""`archkit diagram --out -`: one format of one system on standard output, for pipes and cog."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from inline_snapshot import snapshot
from typer.testing import CliRunner

from archkit.cli import app


def invoke(runner: CliRunner, *args: str) -> tuple[int, bytes, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "100", "NO_COLOR": "1"})
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout_bytes, result.stderr


def test_each_format_goes_to_stdout_as_the_file_would_be_written(
    runner: CliRunner, example: Path, tmp_path: Path
) -> None:
    for fmt, ext in (("svg", "svg"), ("png", "png"), ("dot", "dot"), ("mermaid", "mmd")):
        out = tmp_path / fmt
        code, _, _ = invoke(
            runner, "-C", str(example), "diagram", "payment-platform", "-f", fmt, "-o", str(out)
        )
        assert code == 0
        code, data, err = invoke(
            runner, "-C", str(example), "diagram", "payment-platform", "-f", fmt, "-o", "-"
        )
        assert (code, err) == (0, "")
        assert data == (out / f"payment-platform.{ext}").read_bytes(), fmt
    assert not (example / "-").exists()


def test_stdout_takes_one_format_of_one_system(runner: CliRunner, example: Path) -> None:
    code, data, err = invoke(runner, "-C", str(example), "diagram", "-f", "svg", "-o", "-")
    assert (code, data) == (2, b"")
    assert err == snapshot(
        "error: --out - writes one system to standard output; name one of: payment-platform, platform-microservices, recommendation-platform, url-shortener\n"
    )
    code, data, err = invoke(runner, "-C", str(example), "diagram", "payment-platform", "-o", "-")
    assert (code, data) == (2, b"")
    assert err == snapshot("error: --out - writes one format to standard output; got --format svg,png\n")
    assert not (example / "-").exists()


def test_stdout_in_a_pipe(example: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "archkit", "-C", str(example), "diagram", "payment-platform", "-f", "mermaid",
         "-o", "-"],
        capture_output=True,
        check=True,
    )  # fmt: skip
    assert done.stdout.startswith(b"---\ntitle: ") and b"flowchart LR" in done.stdout
    assert done.stderr == b""
