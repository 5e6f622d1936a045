"""archkit diff: what changed between two versions of a system, as data, text, JSON and one diagram."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from inline_snapshot import snapshot
from typer.testing import CliRunner

from archkit.cli import app
from archkit.model import Component, Connection, Group, Metric, System
from archkit.model.diff import diff_systems
from archkit.render.diff import diff_dot, summary

BEFORE = System(
    name="Shop",
    slug="shop",
    scale=(Metric("users", "1M"), Metric("orders/day", "50k")),
    groups=(Group("aws", "AWS", kind="region", groups=(Group("old", "Legacy zone", kind="zone"),)),),
    components=(
        Component("api", "API", tech="k8s-service", group="aws"),
        Component("db", "Orders", tech="postgres", group="aws"),
        Component("batch", "Nightly batch", tech="server", group="old"),
    ),
    connections=(Connection("api", "db", label="SQL"), Connection("batch", "db", label="export")),
)
AFTER = System(
    name="Shop",
    slug="shop",
    scale=(Metric("users", "5M"), Metric("regions", "2")),
    groups=(Group("aws", "AWS", kind="region"),),
    components=(
        Component("api", "API", tech="k8s-service", group=None),
        Component("db", "Orders", tech="aurora", group="aws", metrics=("p99 4 ms",)),
        Component("cache", "Cache", tech="redis", group="aws"),
    ),
    connections=(
        Connection("api", "db", label="SQL", latency="p99 4 ms"),
        Connection("api", "cache", mode="async"),
    ),
)


def test_added_removed_changed_and_moved() -> None:
    found = diff_systems(BEFORE, AFTER)
    by_key = {(c.kind, c.key): (c.status, c.fields) for c in found.changes}
    assert by_key == {
        ("scale", "users"): ("changed", (("value", "1M", "5M"),)),
        ("scale", "regions"): ("added", (("value", "", "2"),)),
        ("scale", "orders/day"): ("removed", (("value", "50k", ""),)),
        ("group", "old"): ("removed", ()),
        ("component", "api"): ("changed", (("group", "aws", ""),)),  # moved out of its group
        ("component", "db"): ("changed", (("tech", "postgres", "aurora"), ("metrics", "", "p99 4 ms"))),
        ("component", "cache"): ("added", ()),
        ("component", "batch"): ("removed", ()),
        ("connection", "api -> db (SQL)"): ("changed", (("latency", "", "p99 4 ms"),)),
        ("connection", "api -> cache"): ("added", ()),
        ("connection", "batch -> db (export)"): ("removed", ()),
    }
    assert diff_systems(AFTER, AFTER).empty


def test_a_relabelled_connection_is_a_change_not_two() -> None:
    before = System(
        name="S",
        components=(Component("a"), Component("b")),
        connections=(Connection("a", "b", label="old"),),
    )
    after = System(
        name="S",
        components=(Component("a"), Component("b")),
        connections=(Connection("a", "b", label="new"),),
    )
    (change,) = diff_systems(before, after).changes
    assert (change.status, change.fields) == ("changed", (("label", "old", "new"),))


def test_the_diagram_draws_both_versions_in_their_colours() -> None:
    dot = diff_dot(diff_systems(BEFORE, AFTER, "v1", "v2"))
    batch = next(line for line in dot.splitlines() if line.strip().startswith('"c_batch"'))
    assert 'COLOR="#dc2626" BGCOLOR="#fee2e2"' in batch and "<S><B>Nightly batch</B></S>" in batch
    cache = next(line for line in dot.splitlines() if line.strip().startswith('"c_cache"'))
    assert 'fillcolor="#dcfce7"' in cache and "+ added" in cache  # a store: a cylinder
    db = next(line for line in dot.splitlines() if line.strip().startswith('"c_db"'))
    assert 'fillcolor="#fef3c7"' in db and "tech was <S>postgres</S>" in db
    api = next(line for line in dot.splitlines() if line.strip().startswith('"c_api"'))
    assert "moved from <S>AWS</S>" in api
    assert 'subgraph "cluster_old"' in dot  # the removed group is drawn, struck through
    assert "<S><B>Legacy zone</B></S>" in dot
    removed_edge = next(line for line in dot.splitlines() if '"c_batch" -> "c_db"' in line)
    assert 'color="#dc2626"' in removed_edge and "<S>export</S>" in removed_edge
    changed_edge = next(line for line in dot.splitlines() if '"c_api" -> "c_db"' in line)
    assert 'color="#d97706"' in changed_edge and "<S>SQL</S>" in changed_edge
    # the title block: changed figure with its old value, removed one struck, the counts
    assert "<S>1M</S>" in dot and "<S><B>50k</B></S>" in dot
    assert "Changes from v1 to v2: 3 added, 4 removed, 4 changed" in dot
    assert dot == diff_dot(diff_systems(BEFORE, AFTER, "v1", "v2"))


def test_summary_lines() -> None:
    lines = summary(diff_systems(BEFORE, AFTER, "v1", "v2"))
    assert lines[0] == "changes from v1 to v2:"
    assert "  ~ scale users: changed" in lines and "      value: 1M -> 5M" in lines
    assert "  − component batch: removed" in lines and "  + component cache: added" in lines
    assert "      group: aws -> (none)" in lines
    assert lines[-1] == "3 added, 4 removed, 4 changed"


SHOP_V1 = """\
name: Shop
scale: {users: 1M}
components:
  - {id: api, label: API, tech: k8s-service}
  - {id: db, label: Orders, tech: postgres}
connections:
  - {from: api, to: db, label: SQL}
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """A workspace in a git repository: the system committed twice, then changed in the working tree."""
    (tmp_path / "systems").mkdir()
    shop = tmp_path / "systems" / "shop.yaml"
    _git(tmp_path, "init", "-q")
    shop.write_text(SHOP_V1, encoding="utf-8")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "v1")
    _git(tmp_path, "tag", "v1")
    shop.write_text(SHOP_V1.replace("users: 1M", "users: 2M"), encoding="utf-8")
    _git(tmp_path, "commit", "-qam", "v2")
    text = SHOP_V1.replace("users: 1M", "users: 2M").replace(
        "  - {id: db, label: Orders, tech: postgres}\n",
        "  - {id: db, label: Orders, tech: postgres}\n  - {id: cache, label: Cache, tech: redis}\n",
    )
    shop.write_text(text + "  - {from: api, to: cache}\n", encoding="utf-8")
    return tmp_path


def test_git_revisions_of_a_system(history: Path) -> None:
    runner = CliRunner()
    out = history / "out"
    # default: HEAD against the working tree
    result = runner.invoke(app, ["-C", str(history), "diff", "shop", "-f", "svg,json", "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[:4] == [
        "changes from HEAD:systems/shop.yaml to systems/shop.yaml:",
        "  + component cache: added",
        "  + connection api -> cache: added",
        "2 added, 0 removed, 0 changed",
    ]
    assert sorted(p.name for p in out.iterdir()) == ["shop-diff.json", "shop-diff.svg"]
    assert "#16a34a" in (out / "shop-diff.svg").read_text(encoding="utf-8")
    # between two revisions
    result = runner.invoke(
        app, ["-C", str(history), "diff", "shop", "--from", "v1", "--to", "HEAD", "-f", "none", "--json"]
    )
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert data["from"] == "v1:systems/shop.yaml" and data["to"] == "HEAD:systems/shop.yaml"
    assert data["changes"] == [
        {
            "kind": "scale",
            "id": "users",
            "status": "changed",
            "changes": [{"field": "value", "old": "1M", "new": "2M"}],
        }
    ]
    # the same version: no change, exit 0
    result = runner.invoke(
        app, ["-C", str(history), "diff", "shop", "--from", "HEAD", "--to", "HEAD", "-f", "none"]
    )
    assert (result.exit_code, result.output) == (
        0,
        "no changes from HEAD:systems/shop.yaml to HEAD:systems/shop.yaml\n",
    )


def test_unknown_revision_and_bad_format_are_clear_errors(history: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["-C", str(history), "diff", "shop", "--from", "nope", "-f", "none"])
    assert result.exit_code == 2
    assert result.output.startswith(
        "systems/shop.yaml: error: cannot read revision 'nope' of this file: fatal:"
    )
    assert result.output.rstrip().endswith(
        "expected a git revision (a commit, branch or tag) in which the file exists"
    )
    result = runner.invoke(app, ["-C", str(history), "diff", "shop", "-f", "jsn"])
    assert (result.exit_code, result.output) == (
        2,
        "error: unknown format 'jsn'; expected some of svg, png, dot, json; did you mean 'json'?\n",
    )


def test_the_library_checks_formats_and_direction_before_reading_anything(history: Path) -> None:
    """Through the Python API as on the command line: archkit's own error, with the close match."""
    import archkit

    with pytest.raises(archkit.ArchkitError) as fmt:
        archkit.diff(history, ["shop"], formats=("svg", "pngg"))
    assert str(fmt.value) == snapshot(
        "error: unknown format 'pngg'; expected some of svg, png, dot, json; did you mean 'png'?"
    )
    with pytest.raises(archkit.ArchkitError) as way:
        archkit.diff(history, ["shop"], direction="up")
    assert str(way.value) == snapshot("error: 'up' is not a direction; expected LR, TB, RL or BT")
    assert not (history / "build").exists()
    found, written = archkit.diff(history, ["shop"], formats="DOT,json,dot", direction="tb")
    assert [p.name for p in written] == ["shop-diff.dot", "shop-diff.json"]
    assert 'rankdir="TB"' in written[0].read_text(encoding="utf-8")
    assert json.loads(written[1].read_text(encoding="utf-8")) == found.as_dict()
    assert archkit.diff(history, ["shop"], formats="none").files == []


def test_two_files_and_the_real_cli(history: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.yaml"
    old.write_text(SHOP_V1, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "archkit", "-C", str(history), "diff", str(old), "systems/shop.yaml", "-f", "png", "-o", str(tmp_path / "o")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "  ~ scale users: changed" in done.stdout
    assert (tmp_path / "o" / "shop-diff.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_site_shows_what_changed_since_the_previous_version(repo: Path, tmp_path: Path) -> None:
    import shutil

    from archkit.site.build import build_site

    root = tmp_path / "ws"
    for name in ("systems", "decisions"):
        shutil.copytree(repo / name, root / name)
    report = build_site(root, tmp_path / "site")
    assert report.problems == []
    page = (tmp_path / "site" / "systems" / "platform-microservices.html").read_text(encoding="utf-8")
    assert '<h2 id="what-changed">What changed since _platform-before-migration.yaml</h2>' in page
    assert 'src="../diagrams/platform-microservices-diff.svg"' in page
    assert "<li>+ component user-svc added</li>" in page
    assert (
        "<li>~ component gateway changed: label Load balancer → API gateway; tech nginx → api-gateway</li>"
        in page
    )
    svg = (tmp_path / "site" / "diagrams" / "platform-microservices-diff.svg").read_text(encoding="utf-8")
    assert "#16a34a" in svg and "#dc2626" in svg and "#d97706" in svg
    other = (tmp_path / "site" / "systems" / "payment-platform.html").read_text(encoding="utf-8")
    assert "What changed" not in other


def test_site_previous_as_a_git_revision_and_a_bad_one_warns(history: Path, tmp_path: Path) -> None:
    from archkit.site.build import build_site

    shop = history / "systems" / "shop.yaml"
    shop.write_text(shop.read_text(encoding="utf-8") + "previous: v1\n", encoding="utf-8")
    report = build_site(history, tmp_path / "site")
    assert report.problems == []
    page = (tmp_path / "site" / "systems" / "shop.html").read_text(encoding="utf-8")
    assert "What changed since v1" in page and "<li>~ scale users changed: value 1M → 2M</li>" in page
    shop.write_text(
        shop.read_text(encoding="utf-8").replace("previous: v1", "previous: v9"), encoding="utf-8"
    )
    report = build_site(history, tmp_path / "site")
    (warning,) = report.problems
    assert warning.severity == "warning" and warning.position is not None and warning.position.line == 10
    assert warning.message.startswith(
        "'previous: v9' cannot be compared: cannot read revision 'v9' of this file"
    )
    assert "What changed" not in (tmp_path / "site" / "systems" / "shop.html").read_text(encoding="utf-8")
