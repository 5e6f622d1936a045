"""Systems, templates, options and output folders that are hostile, huge or strange: what
``check`` accepts every command accepts, errors name the file, nothing leaves the workspace."""

from __future__ import annotations

import concurrent.futures
import errno
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from archkit.cli import app

SYSTEM = """name: Shop
summary: {summary}
scale:
  events/day: "{events}"
components:
  - id: web
    label: {label}
    tech: nginx
  - id: db
    tech: postgresql
connections:
  - from: web
    to: db
"""


def cli(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["-C", str(root), *args], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    return result.exit_code, result.stdout, result.stderr


def workspace(
    root: Path, name: str = "shop", label: str = "Web", summary: str = "A shop", events: str = "1B"
) -> Path:
    (root / "systems").mkdir(parents=True, exist_ok=True)
    (root / "systems" / f"{name}.yaml").write_text(
        SYSTEM.format(label=label, summary=summary, events=events), encoding="utf-8"
    )
    return root


@pytest.mark.parametrize("key", ["label", "summary"])
def test_a_text_longer_than_graphviz_can_take_is_an_error_at_check(tmp_path: Path, key: str) -> None:
    root = workspace(tmp_path, **{key: "x" * 17000})
    line = 7 if key == "label" else 2
    for args in (["check"], ["diagram"], ["build"]):
        code, _, err = cli(root, *args)
        assert code == (1 if args == ["check"] else 2), args
        assert err.startswith(f"systems/shop.yaml:{line}:")
        assert (
            f"'{key}' is 17000 characters long ('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…'); expected at most 2000"
            in err
        )
        assert "16384" not in err and len(err) < 400


def test_a_huge_id_is_quoted_short(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    text = (root / "systems" / "shop.yaml").read_text(encoding="utf-8")
    (root / "systems" / "shop.yaml").write_text(
        text.replace("id: db", "id: " + "d" * 1_000_000), encoding="utf-8"
    )
    code, _, err = cli(root, "check")
    assert code == 1 and len(err) < 1000 and "1000000 characters long" in err


@pytest.mark.parametrize("name", ["a b", "-dash", "new\nline"])
def test_a_file_name_that_cannot_name_outputs_is_an_error_at_check(tmp_path: Path, name: str) -> None:
    root = workspace(tmp_path, name=name)
    for args in (["check"], ["build"]):
        code, _, err = cli(root, *args)
        assert code == (1 if args == ["check"] else 2)
        shown = name.replace("\n", "\\n")
        assert err.startswith(
            f"systems/{shown}.yaml: error: the file name '{shown}' cannot name output files"
        )
        assert (
            "expected letters, digits, '_', '.' and '-', starting with a letter or digit; did you mean '"
            in err
        )


def test_a_symlinked_system_pointing_outside_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:SECRET:/root:/bin/bash\n", encoding="utf-8")
    root = workspace(tmp_path / "ws")
    (root / "systems" / "passwd.yaml").symlink_to(secret)
    code, _, err = cli(root, "check")
    assert code == 1 and "SECRET" not in err
    assert err == (
        "systems/passwd.yaml: error: the system file is a symbolic link to a file outside the workspace; "
        "expected a system file inside the workspace\n"
    )


def test_a_huge_or_infinite_figure_gives_a_warning_not_an_internal_error(tmp_path: Path) -> None:
    root = workspace(tmp_path, events="9" * 300 + "B")
    assert cli(root, "check")[0] == 0
    code, _, _ = cli(root, "whiteboard", "shop", "--out", "board")
    assert code == 0 and (root / "board" / "shop-cheat-sheet.md").is_file()
    for factor in ("inf", "nan", "1e9"):
        code, _, err = cli(root, "whiteboard", "shop", "--peak-factor", factor)
        assert code == 2 and "Invalid value for '--peak-factor'" in err


def test_serve_refuses_a_port_that_does_not_exist(tmp_path: Path) -> None:
    code, _, err = cli(workspace(tmp_path), "serve", "--port", "99999")
    assert (
        code == 2 and "Invalid value for '--port' / '-p': Input should be less than or equal to 65535" in err
    )


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{% for i in range(100000000) %}x{% endfor %}", "template tdr.md.j2 asks too much: OverflowError"),
        ("{{ 'a' * 100000000 }}", "a repetition of more than 1000000 characters or items"),
        (
            "{% for i in range(99999) %}{% for j in range(99999) %}xxxx{% endfor %}{% endfor %}",
            "writes more than 4,000,000 characters",
        ),
    ],
)
def test_workspace_templates_render_within_limits(tmp_path: Path, template: str, expected: str) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "tdr.md.j2").write_text(template, encoding="utf-8")
    code, _, err = cli(tmp_path, "tdr", "new", "Big")
    assert code == 2 and expected in err, err
    assert not (tmp_path / "decisions").exists() or list((tmp_path / "decisions").iterdir()) == []


def test_schema_out_never_makes_a_folder(tmp_path: Path) -> None:
    target = tmp_path / "nonexistent" / "dir" / "x.json"
    code, _, err = cli(tmp_path, "schema", "--out", str(target))
    assert code == 2 and err == (
        f"error: the folder {target.parent} does not exist; expected --out in an existing folder\n"
    )
    assert not (tmp_path / "nonexistent").exists()


def test_builds_remove_what_killed_builds_left_and_race_without_os_errors(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    (root / "build" / ".site.building-999999" / "diagrams").mkdir(parents=True)
    (root / "build" / ".site.building-999999" / "diagrams" / "big.svg").write_text("<svg/>", encoding="utf-8")
    assert cli(root, "build")[0] == 0
    assert sorted(p.name for p in (root / "build").iterdir() if p.name.startswith(".site.building")) == []
    command = [sys.executable, "-m", "archkit", "-C", str(root), "build"]
    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        runs = list(pool.map(lambda _: subprocess.run(command, capture_output=True, text=True), range(3)))
    assert [(r.returncode, r.stderr) for r in runs] == [(0, "")] * 3
    assert (root / "build" / "site" / "index.html").is_file()


def test_a_workspace_whose_cache_cannot_be_written_still_builds_elsewhere(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws")
    (root / ".archkit").write_text("not a folder", encoding="utf-8")  # nothing can be written under it
    code, _, err = cli(root, "build", "--out", str(tmp_path / "site"))
    assert (code, err) == (0, "") and (tmp_path / "site" / "diagrams" / "shop.svg").is_file(), err


def test_graphviz_failing_to_write_reads_as_a_full_disk_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archkit.render import graphviz

    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\necho 'Error: gvwrite_no_z problem 8' >&2\nexit 1\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("ARCHKIT_DOT", str(fake))
    graphviz.find_dot.cache_clear()
    try:
        with pytest.raises(OSError) as raised:
            graphviz.lay_out("digraph {}", ("svg", "png"), tmp_path)
    finally:
        graphviz.find_dot.cache_clear()
    # dot writes every format into a private folder first: the error names the file it could not write
    assert raised.value.errno == errno.ENOSPC and Path(raised.value.filename).name == "out.svg"


def test_archkit_s_own_templates_are_not_capped_only_a_workspace_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A site of 1,000 records writes pages over the cap: only a workspace's templates are limited."""
    from archkit import templating
    from archkit.errors import ArchkitError

    monkeypatch.setattr(templating, "MAX_OUTPUT", 10)
    assert len(templating.render(tmp_path, "site/style.css.j2")) > 10
    (tmp_path / "templates" / "site").mkdir(parents=True)
    (tmp_path / "templates" / "site" / "style.css.j2").write_text("{{ 'x' * 20 }}", encoding="utf-8")
    with pytest.raises(ArchkitError, match="writes more than 10 characters"):
        templating.render(tmp_path, "site/style.css.j2")
