"""Rendering: DOT structure, self-contained SVG, one layout per system, cache, determinism."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import system_yaml

from archkit.model import Component, Connection, Group, Metric, System, load_system, load_system_text
from archkit.render import graphviz
from archkit.render.dot import DotOptions, to_dot
from archkit.render.mermaid import to_mermaid
from archkit.render.pipeline import RenderOptions, cache_file, render_diagrams
from archkit.render.svg import png_size
from archkit.render.themes import DARK

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"


@pytest.fixture
def recs(repo: Path) -> System:
    return load_system(repo / "systems" / "recommendation-platform.yaml")


@pytest.fixture
def dot_calls(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every command line archkit hands to Graphviz, while still running it for real."""
    calls: list[list[str]] = []
    real_run = subprocess.run

    def spy(args, *rest, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(list(args))
        return real_run(args, *rest, **kwargs)

    monkeypatch.setattr(graphviz.subprocess, "run", spy)
    return calls


def test_dot_draws_groups_annotations_and_scale(recs: System) -> None:
    dot = to_dot(recs)
    assert 'subgraph "cluster_aws"' in dot
    # nested: the EKS cluster is declared inside the AWS region
    aws = dot.index('subgraph "cluster_aws"')
    assert aws < dot.index('subgraph "cluster_eks"') < dot.rindex("}")
    assert '"c_events-svc" -> "c_kafka" [label=" 1B+/day " style="dashed"' in dot
    assert '"c_recs-svc" -> "c_redis" [label=" features · p99 2 ms "]' in dot
    for value, name in (("50M", "users"), ("1B+", "events/day"), ("99.9%", "availability SLA")):
        assert f"<B>{value}</B>" in dot and name in dot
    assert "p95 &lt; 50 ms" in dot  # component metrics under the label, escaped
    assert "Legend" in dot and "async event / message" in dot and "sync request / response" in dot
    assert 'splines="spline"' in dot  # not ortho: Graphviz 2.43 crashes on clustered ortho graphs
    assert 'IMG SRC="onprem/database/postgresql.png"' in dot
    assert "site-packages" not in dot and "/usr/" not in dot


def test_direction_theme_and_legend_options(recs: System) -> None:
    assert 'rankdir="LR"' in to_dot(recs)
    tb = to_dot(recs, DotOptions(direction="TB", theme=DARK, legend=False))
    assert 'rankdir="TB"' in tb
    assert f'bgcolor="{DARK.background}"' in tb
    assert "Legend" not in tb


def test_legend_lists_only_what_the_picture_uses() -> None:
    system = System("S", components=[Component("a"), Component("b")], connections=[Connection("a", "b")])
    dot = to_dot(system)
    assert "sync request" in dot
    assert "async event" not in dot
    assert "boundary" not in dot


def test_unknown_technology_is_a_labelled_box_without_icon() -> None:
    system = System("S", components=[Component("bus", "Internal bus", tech="our-bus")])
    dot = to_dot(system)
    assert "<B>Internal bus</B>" in dot and "our-bus" in dot
    assert "<IMG" not in dot


def test_labels_are_escaped_for_graphviz() -> None:
    system = System('A "quoted" <name>', components=[Component("a", 'x <b> & "y"')])
    dot = to_dot(system)
    assert "x &lt;b&gt; &amp; &quot;y&quot;" in dot
    assert "A &quot;quoted&quot; &lt;name&gt;" in dot


def test_svg_is_self_contained_with_each_icon_once(tmp_path: Path, make_tree, dot_calls) -> None:
    techs = ["k8s-service", "postgresql", "redis", "kafka", "aws-s3"]
    root = make_tree({"systems/big.yaml": system_yaml(20, techs)})
    system = load_system(root / "systems" / "big.yaml")
    render_diagrams([system], tmp_path / "out", RenderOptions(formats=("svg",)))
    text = (tmp_path / "out" / "big.svg").read_text(encoding="utf-8")
    tree = ET.fromstring(text)
    images = tree.findall(f".//{SVG}image")
    assert len(images) == 5  # 20 nodes drawn from 5 technologies carry 5 icons
    assert all(image.get(XLINK, "").startswith("data:image/png;base64,") for image in images)
    uses = tree.findall(f".//{SVG}use")
    assert len(uses) == 20
    symbols = {s.get("id") for s in tree.findall(f".//{SVG}symbol")}
    assert {u.get(XLINK) for u in uses} == {f"#{s}" for s in symbols}
    # no local path anywhere: not in an attribute, not in a comment
    assert ".png" not in text and "site-packages" not in text and str(tmp_path) not in text
    for element in tree.iter():
        for value in element.attrib.values():
            assert not value.startswith(("/", "file:")), value


def test_all_formats_come_from_one_graphviz_call(tmp_path: Path, recs: System, dot_calls) -> None:
    render_diagrams([recs], tmp_path, RenderOptions(formats=("svg", "png", "dot", "mermaid")))
    assert len(dot_calls) == 1
    assert "-Tsvg" in dot_calls[0] and "-Tpng" in dot_calls[0]
    names = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("."))
    assert names == [f"recommendation-platform.{ext}" for ext in ("dot", "mmd", "png", "svg")]
    width, height = png_size((tmp_path / "recommendation-platform.png").read_bytes())
    assert width > 1500 and height > 1000  # rendered at 2x for sharp slides


def test_svg_size_is_consistent_at_any_dpi(tmp_path: Path, recs: System) -> None:
    render_diagrams([recs], tmp_path, RenderOptions(formats=("svg", "png")))
    with_png = (tmp_path / "recommendation-platform.svg").read_text(encoding="utf-8")
    root = ET.fromstring(with_png)
    _, _, vb_width, vb_height = (float(x) for x in root.get("viewBox", "").split())
    assert float(root.get("width", "").removesuffix("pt")) == pytest.approx(vb_width, abs=1)
    assert float(root.get("height", "").removesuffix("pt")) == pytest.approx(vb_height, abs=1)
    assert 'transform="scale(1 1)' in with_png


def test_second_render_skips_graphviz_until_something_changes(tmp_path: Path, make_tree, dot_calls) -> None:
    root = make_tree({f"systems/s{i}.yaml": system_yaml(4, ["redis", "kafka"]) for i in range(3)})
    systems = [load_system(root / "systems" / f"s{i}.yaml") for i in range(3)]
    out = tmp_path / "out"
    options = RenderOptions(formats=("svg", "png"))
    cache = root / ".archkit"
    first = render_diagrams(systems, out, options, cache)
    assert [r.cached for r in first] == [False] * 3 and len(dot_calls) == 3
    second = render_diagrams(systems, out, options, cache)
    assert [r.cached for r in second] == [True] * 3 and len(dot_calls) == 3
    # the cache is the workspace's, never a file in the output folder that users commit
    assert cache_file(cache, out).is_file()
    assert sorted(p.name for p in out.iterdir()) == [
        f"s{i}.{ext}" for i in range(3) for ext in ("png", "svg")
    ]
    # a changed system, a deleted output and an edited output are drawn again; nothing else
    (root / "systems" / "s0.yaml").write_text(system_yaml(5, ["redis", "kafka"]), encoding="utf-8")
    systems[0] = load_system(root / "systems" / "s0.yaml")
    (out / "s1.png").unlink()
    (out / "s2.svg").write_text("<svg/>", encoding="utf-8")
    third = render_diagrams(systems, out, options, cache)
    assert [r.cached for r in third] == [False, False, False]
    fourth = render_diagrams(systems, out, RenderOptions(formats=("svg", "png"), theme="dark"), cache)
    assert not any(r.cached for r in fourth)
    assert len(dot_calls) == 9


def test_formats_drawn_apart_and_systems_drawn_alone_keep_their_cache(
    tmp_path: Path, make_tree, dot_calls
) -> None:
    """A system's SVG and PNG drawn by separate calls (as two embed blocks do) are both cached,
    and drawing one system forgets none of the others; an entry whose images are gone is."""
    root = make_tree({f"systems/s{i}.yaml": system_yaml(4, ["redis"]) for i in range(2)})
    systems = [load_system(root / "systems" / f"s{i}.yaml") for i in range(2)]
    out, cache = tmp_path / "out", root / ".archkit"
    svg, png = RenderOptions(formats=("svg",)), RenderOptions(formats=("png",))
    for options in (svg, png, svg):
        render_diagrams(systems, out, options, cache)
    render_diagrams(systems[:1], out, svg, cache)
    assert len(dot_calls) == 4  # each system once per format
    assert all(r.cached for options in (svg, png) for r in render_diagrams(systems, out, options, cache))
    for name in ("s1.svg", "s1.png"):
        (out / name).unlink()
    render_diagrams(systems[:1], out, png, cache)
    assert sorted(json.loads(cache_file(cache, out).read_text("utf-8"))["entries"]) == ["s0:png", "s0:svg"]


def test_output_is_byte_identical_across_processes(tmp_path: Path, example: Path) -> None:
    repo = example
    outputs = []
    for run in ("a", "b"):
        out = tmp_path / run
        subprocess.run(
            [sys.executable, "-m", "archkit", "-C", str(repo), "diagram", "recommendation-platform",
             "--format", "svg,png,dot,mermaid", "--out", str(out)],
            check=True,
            capture_output=True,
        )  # fmt: skip
        outputs.append({p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")})
    assert len(outputs[0]) == 4
    assert outputs[0] == outputs[1]


def test_mermaid_has_the_same_nodes_groups_and_labels(recs: System) -> None:
    text = to_mermaid(recs)
    lines = text.splitlines()
    assert lines[:4] == [
        "---",
        'title: "User Recommendation Platform — 50M users · 1B+ events/day · 99.9% availability SLA · '
        '‹ 100 ms recommendation latency · ‹ 50 ms p95 query time"',
        "---",
        "flowchart LR",
    ]
    assert sum(1 for line in lines if line.strip().startswith("subgraph ")) == 5
    assert sum(1 for line in lines if line.strip() == "end") == 5
    assert 'subgraph g_aws["AWS us-east-1"]' in text
    node_lines = [line for line in lines if re.match(r"\s+c_[\w]+\[", line)]
    assert len(node_lines) == len(recs.components)
    assert (
        'c_postgres[("<b>User DB</b><br/><small>PostgreSQL</small><br/><small>p95 #lt; 50 ms</small>")]'
        in text
    )
    assert 'c_events_hsvc -.->|"1B+/day"| c_kafka' in text
    assert 'c_recs_hsvc -->|"features · p99 2 ms"| c_redis' in text
    assert sum(1 for line in lines if "-->" in line or "-.->" in line) == len(recs.connections)


def test_mermaid_ids_cannot_clash_with_keywords() -> None:
    system = load_system_text("name: S\ncomponents: [{id: end, label: 'Say \"hi\" | bye'}, {id: graph}]\n")
    text = to_mermaid(system)
    assert 'c_end["<b>Say #quot;hi#quot; #124; bye</b>"]' in text
    assert "c_graph[" in text


def test_mermaid_ids_stay_distinct_and_titles_cannot_break_out() -> None:
    system = load_system_text(
        'name: "A\\n---\\n%%{init: {}}%% C:\\\\new"\n'
        "components: [{id: a-b}, {id: a.b}, {id: a_b}, {id: a__b}]\n"
        "connections: [{from: a-b, to: a.b, label: '`md`'}]\n"
    )
    text = to_mermaid(system)
    ids = [
        line.split("[", 1)[0].strip() for line in text.splitlines() if line.startswith("  c_") and "[" in line
    ]
    assert len(ids) == len(set(ids)) == 4
    assert text.splitlines()[1] == 'title: "A --- %%{init: {}}%% C:\\\\new"'
    assert text.count("\n---\n") == 1  # the front matter closes once, where archkit closes it
    assert 'c_a_hb -->|"#96;md#96;"| c_a_db' in text


def test_python_model_renders_without_a_file(tmp_path: Path) -> None:
    system = System(
        "API",
        slug="api",
        scale=[Metric("users", "1M")],
        groups=[Group("g", "Cloud", "region")],
        components=[Component("a", tech="redis", group="g")],
    )
    (result,) = render_diagrams([system], tmp_path, RenderOptions(formats=("svg", "mermaid")))
    assert [p.name for p in result.files] == ["api.svg", "api.mmd"]
    assert "1M" in (tmp_path / "api.svg").read_text(encoding="utf-8")


def test_a_failed_render_leaves_existing_files_whole(tmp_path: Path, recs: System, monkeypatch) -> None:
    render_diagrams([recs], tmp_path, RenderOptions(formats=("svg", "png")))
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert not [name for name in before if name.endswith(".tmp")]

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise graphviz.EnvironmentProblem("Graphviz's dot failed: out of memory")

    monkeypatch.setattr(graphviz, "lay_out", broken)
    changed = System(recs.name + " v2", slug=recs.slug, components=recs.components)
    with pytest.raises(graphviz.EnvironmentProblem):
        render_diagrams([changed], tmp_path, RenderOptions(formats=("svg", "png")))
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


SCALED_OUT = """
name: Short links
components:
  - {id: api, label: Read API, tech: service, replicas: 3}
  - {id: db, label: Links, tech: postgresql, role: primary, shards: 16}
  - {id: db-r, label: Links replica, tech: postgresql, replica-of: db, replicas: 2}
  - {id: q, label: Clicks, tech: kafka}
  - {id: job, label: Rollup, tech: emr}
connections:
  - {from: api, to: [db-r, q]}
  - {from: q, to: job, mode: async}
"""


def node_line(dot: str, component_id: str) -> str:
    return next(line for line in dot.splitlines() if line.strip().startswith(f'"c_{component_id}" ['))


def test_shapes_follow_the_category_and_replicas_stack() -> None:
    dot = to_dot(load_system_text(SCALED_OUT))
    assert 'shape="cylinder"' in node_line(dot, "db") and "peripheries" not in node_line(dot, "db")
    assert 'peripheries="2"' in node_line(dot, "db-r")  # two cylinders, one behind the other
    api = node_line(dot, "api")
    assert "cylinder" not in api and api.count('<TABLE BORDER="1"') == 3  # the card and two behind it
    assert ">×3<" in api
    assert node_line(dot, "q").count('SIDES="L"') == 3  # a queue's slots
    job = node_line(dot, "job")
    assert "cylinder" not in job and 'SIDES="L"' not in job  # a batch job is a box


def test_shards_and_roles_are_badges_and_replication_has_its_own_arrow_and_legend() -> None:
    dot = to_dot(load_system_text(SCALED_OUT))
    assert ">16 shards<" in node_line(dot, "db") and ">primary<" in node_line(dot, "db")
    assert ">read replica<" in node_line(dot, "db-r")
    (replication,) = [line for line in dot.splitlines() if '"c_db" -> "c_db-r"' in line]
    assert "replication" in replication and ":invis:" in replication  # a double line
    for entry in ("replication: primary to read replica", "replicas: a stack", "data split into shards"):
        assert entry in dot
    plain = to_dot(
        System("S", components=[Component("a"), Component("b")], connections=[Connection("a", "b")])
    )
    assert "replication" not in plain and "shards" not in plain and "×" not in plain


def test_a_scaled_out_system_renders(tmp_path: Path) -> None:
    dot = to_dot(load_system_text(SCALED_OUT))
    from archkit.catalogue import resources_root

    assert "Links replica" in graphviz.svg_of(dot, imagepath=resources_root())


def test_mermaid_shapes_badges_and_replication_follow_the_diagram() -> None:
    text = to_mermaid(load_system_text(SCALED_OUT))
    assert 'c_db[("<b>Links</b>' in text and "16 shards · primary" in text
    assert 'c_q[["<b>Clicks</b>' in text
    assert 'c_job["<b>Rollup</b>' in text and 'c_api["<b>Read API</b>' in text and "×3" in text
    (replication,) = [line for line in text.splitlines() if "==>" in line]
    assert replication.startswith('  c_db ==>|"replication"| c_db_')


@pytest.mark.parametrize(("label", "shown"), [("redis", False), ("Session cache", True)])
def test_every_renderer_shows_the_technology_under_a_title_by_one_rule(label: str, shown: bool) -> None:
    """'Redis' under a box titled 'redis' only repeats it: no renderer shows it then."""
    from archkit.render.d2 import to_d2
    from archkit.render.scene import scene_of

    system = System("Cache", components=(Component("cache", label=label, tech="redis"),))
    dot = to_dot(system)
    outputs = {
        "dot": ">Redis<" in dot,
        "mermaid": "<small>Redis</small>" in to_mermaid(system),
        "d2": "\\nRedis" in to_d2(system),
        "scene": "Redis" in scene_of(system, whole=True).boxes[0].detail,
    }
    assert outputs == dict.fromkeys(outputs, shown)


def test_fresh_files_are_known_without_writing_dot_until_the_system_or_archkit_changes(
    tmp_path: Path, make_tree, dot_calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild asks whether each diagram is fresh: by what it was made from (the system, the
    options, archkit's drawing code) before it pays for the DOT."""
    import archkit.render.pipeline as pipeline

    root = make_tree({"systems/s.yaml": system_yaml(4, ["redis"])})
    system = load_system(root / "systems" / "s.yaml")
    out, cache, svg = tmp_path / "out", root / ".archkit", RenderOptions(formats=("svg",))
    render_diagrams([system], out, svg, cache)
    written: list[str] = []
    real = pipeline.to_dot
    monkeypatch.setattr(pipeline, "to_dot", lambda *a, **k: written.append("dot") or real(*a, **k))
    assert render_diagrams([system], out, svg, cache)[0].cached and written == []
    # an entry written before this shortcut (no 'made_from'): fresh by its DOT, then remembered
    path = cache_file(cache, out)
    data = json.loads(path.read_text("utf-8"))
    data["entries"]["s:svg"].pop("made_from")
    path.write_text(json.dumps(data), "utf-8")
    assert render_diagrams([system], out, svg, cache)[0].cached and written == ["dot"]
    assert render_diagrams([system], out, svg, cache)[0].cached and written == ["dot"]
    # archkit's drawing code changed: the DOT decides again
    monkeypatch.setattr(pipeline, "_code_identity", lambda: "another archkit")
    assert render_diagrams([system], out, svg, cache)[0].cached and written == ["dot", "dot"]
    # the system changed: drawn again
    changed = load_system(root / "systems" / "s.yaml").__class__(**{**system.__dict__, "name": "Renamed"})
    assert not render_diagrams([changed], out, svg, cache)[0].cached
    assert len(dot_calls) == 2 and "Renamed" in (out / "s.svg").read_text("utf-8")
