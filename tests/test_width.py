"""`--width PX`: diagrams laid out for a page width, their labels at least 11 px high there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from archkit.cli import app
from archkit.model import load_system
from archkit.render.fit import MIN_LABEL_PX, scale_fonts
from archkit.render.pipeline import RenderOptions, render_diagrams


def smallest_label_px(svg: str, width_px: float) -> float:
    """The smallest font size of the SVG in pixels when it is shown ``width_px`` wide."""
    view_width = float(re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+)', svg)[1])  # type: ignore[index]
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    return min(sizes) * width_px / view_width


def test_the_example_reads_at_900_px(tmp_path: Path, repo: Path) -> None:
    system = load_system(repo / "systems" / "recommendation-platform.yaml")
    (plain,) = render_diagrams([system], tmp_path / "plain", RenderOptions(formats=("svg",)))
    (fitted,) = render_diagrams(
        [system], tmp_path / "fitted", RenderOptions(formats=("svg", "png"), width=900)
    )
    before = plain.files[0].read_text(encoding="utf-8")
    after = fitted.files[0].read_text(encoding="utf-8")
    assert smallest_label_px(before, 900) < 6  # what the issue saw: labels a few pixels high
    assert smallest_label_px(after, 900) >= MIN_LABEL_PX
    assert re.search(r'<svg width="900px" height="\d+px"', after)
    # the PNG is drawn for a high-density screen at that width
    png = fitted.files[1].read_bytes()
    assert int.from_bytes(png[16:20], "big") in range(1790, 1811)


@pytest.mark.parametrize("folder", ["systems", "tests/fixtures/primer"])
def test_every_system_reads_at_900_px(folder: str, tmp_path: Path, repo: Path) -> None:
    """The example systems, and systems written from a public system-design guide: wide ones
    are turned top to bottom, and their boundaries stacked when that is not enough."""
    systems = [load_system(path) for path in sorted((repo / folder).glob("[!_]*.yaml"))]
    results = render_diagrams(systems, tmp_path, RenderOptions(formats=("svg",), width=900))
    heights = {r.system: smallest_label_px(r.files[0].read_text(encoding="utf-8"), 900) for r in results}
    assert len(heights) == len(systems) >= 4
    assert min(heights.values()) >= MIN_LABEL_PX, heights
    assert all(not r.note for r in results)


def test_fonts_grow_and_spacing_tightens() -> None:
    source = 'graph [nodesep="0.55" ranksep="0.9" pad="0.4"]\n<FONT POINT-SIZE="9">a</FONT><FONT POINT-SIZE="22">t</FONT>'
    scaled = scale_fonts(source, 2.0)
    assert 'POINT-SIZE="21"' in scaled  # 9 x 2 x 1.15, in whole points
    assert 'POINT-SIZE="33"' in scaled  # the title grows half as much
    assert 'nodesep="0.3"' in scaled and 'ranksep="0.45"' in scaled


def test_width_on_the_command_line(runner: CliRunner, example: Path, tmp_path: Path) -> None:
    out = tmp_path / "d"
    args = ["-C", str(example), "diagram", "-f", "svg", "--width", "850", "-o", str(out)]
    result = runner.invoke(app, [*args[:3], "recommendation-platform", *args[3:]])
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    svg = (out / "recommendation-platform.svg").read_text(encoding="utf-8")
    assert '<svg width="850px"' in svg and smallest_label_px(svg, 850) >= MIN_LABEL_PX
    # a system too wide for the width in every layout is drawn as well as it can be, and said so
    args[args.index("850")] = "400"
    result = runner.invoke(app, [*args[:3], "payment-platform", *args[3:]])
    assert result.exit_code == 0
    warning = "warning: payment-platform: at --width 400 its smallest labels are 3.4 px high, under 11 px"
    assert result.stderr.startswith(warning)
    again = runner.invoke(app, [*args[:3], "payment-platform", *args[3:]])  # from the cache: still said
    assert again.stderr.startswith(warning) and "0 drawn" in again.stdout
    result = runner.invoke(app, ["-C", str(example), "diagram", "--width", "50"])
    assert (
        result.exit_code == 2
        and "Invalid value for '--width': Input should be greater than or equal to 300" in result.output
    )


def test_the_site_lays_its_diagrams_out_for_its_column(make_tree) -> None:
    from archkit.site.build import build_site

    root = make_tree(
        {
            "systems/s.yaml": "name: S\ncomponents: [{id: a, tech: redis}, {id: b, tech: kafka}]\nconnections: [{from: a, to: b}]\n"
        }
    )
    build_site(root, root / "build" / "site")
    svg = (root / "build" / "site" / "diagrams" / "s.svg").read_text(encoding="utf-8")
    assert re.search(r'<svg width="\d+px"', svg)


STACKABLE = """\
name: Shop
groups:
  - {id: services, label: Services}
  - {id: stores, label: Data stores}
components:
  - {id: web}
  - {id: api, group: services}
  - {id: orders, group: services}
  - {id: payments, group: services}
  - {id: cache, group: stores}
  - {id: orders-db, group: stores}
  - {id: payments-db, group: stores}
connections:
  - {from: web, to: api}
  - {from: api, to: [orders, payments, cache]}
  - {from: orders, to: orders-db}
  - {from: payments, to: payments-db}
  - {from: payments-db, to: api, mode: async, label: settled}
"""


def test_boundaries_stack_one_below_another(make_tree) -> None:
    """As drawn, the cache sits beside the services, on their rank; stacked, every
    data store comes below every service (Graphviz's y grows upwards), an event sent back up
    included, and the drawing is narrower."""
    import json

    from archkit.render import graphviz
    from archkit.render.dot import DotOptions, to_dot

    system = load_system(make_tree({"systems/shop.yaml": STACKABLE}) / "systems" / "shop.yaml")

    def laid_out(stack: bool) -> tuple[dict[str, float], float]:
        dot = to_dot(system, DotOptions(direction="TB", compact=True, stack=stack))
        layout = json.loads(graphviz.layout_json(dot))
        ys = {o["name"]: float(o["pos"].split(",")[1]) for o in layout["objects"] if "pos" in o}
        return ys, float(layout["bb"].split(",")[2])

    (plain, plain_width), (stacked, stacked_width) = laid_out(False), laid_out(True)
    services, stores = ("c_api", "c_orders", "c_payments"), ("c_cache", "c_orders-db", "c_payments-db")
    assert plain["c_cache"] == plain["c_orders"]
    assert max(stacked[s] for s in stores) < min(stacked[s] for s in services)
    assert stacked_width < plain_width


def _label_boxes(dot: str) -> list[tuple[float, float, float, float, str]]:
    """Each arrow label's box (left, bottom, right, top, text) as Graphviz places it: its own
    measure of the text, not archkit's estimate."""
    import json
    import subprocess

    from archkit import catalogue
    from archkit.render import graphviz

    args = [graphviz.find_dot(), f"-Gimagepath={catalogue.resources_root()}", "-Tjson"]
    layout = json.loads(subprocess.run(args, input=dot.encode(), capture_output=True, check=True).stdout)
    boxes = []
    for edge in layout.get("edges", []):
        size = next((op["size"] for op in edge.get("_ldraw_", []) if op["op"] == "F"), 0)
        for op in edge.get("_ldraw_", []):
            if op["op"] == "T":
                (x, y), width = op["pt"], op["width"]
                left = {"l": x, "c": x - width / 2, "r": x - width}[op["align"]]
                boxes.append((left, y, left + width, y + size, op["text"].strip()))
    return boxes


def test_no_two_arrow_labels_overlap_at_900_px(tmp_path: Path, repo: Path) -> None:
    """Laid out for 900 px, the recommendation platform's 'REST · p99 < 100 ms' (a long arrow
    down to the recommendation service) came out on top of '1B+/day'; now no two labels of any
    example system touch."""
    systems = [load_system(path) for path in sorted((repo / "systems").glob("[!_]*.yaml"))]
    results = render_diagrams(systems, tmp_path, RenderOptions(formats=("dot",), width=900))
    for result in results:
        boxes = _label_boxes(result.files[0].read_text(encoding="utf-8"))
        assert len(boxes) >= 5
        touching = [
            (a[4], b[4])
            for i, a in enumerate(boxes)
            for b in boxes[i + 1 :]
            if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
        ]
        assert touching == [], result.system


def test_a_system_is_fitted_once_for_a_width(
    tmp_path: Path, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cold, fitting's last layout is the drawing; the choice is remembered in the user's cache
    folder, so the same system drawn for the same width into another folder (or after the output
    was deleted) costs the one layout of its drawing, and comes out byte for byte the same."""
    from archkit.render import graphviz

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    runs: list[list[str]] = []
    real = graphviz._run
    monkeypatch.setattr(graphviz, "_run", lambda args, source: runs.append(args) or real(args, source))
    system = load_system(repo / "systems" / "payment-platform.yaml")
    options = RenderOptions(formats=("svg",), width=900)

    def render(folder: str) -> bytes:
        runs.clear()
        (result,) = render_diagrams([system], tmp_path / folder, options, tmp_path / "ws" / ".archkit")
        return result.files[0].read_bytes()

    cold = render("a")
    assert 1 < len(runs) <= 4  # the three ways it is drawn, once each as is, and the one chosen enlarged
    assert render("b") == cold and len(runs) == 1
    assert render("b") == cold and runs == []  # the output folder's own cache: nothing drawn
    for remembered in (tmp_path / "cache" / "archkit" / "layouts").iterdir():
        remembered.write_text('{"variant": "TB stacked", "factor": "a lot"}')  # damaged: fitted again
    assert render("c") == cold and len(runs) > 1


def test_the_title_block_is_narrow_for_a_page_width(repo: Path) -> None:
    """For a page width the summary and stack lines are broken into even lines, and long scale
    figures go two a row; the legend beside keeps to the height of its entries."""
    from archkit.render.dot import DotOptions, to_dot

    twitter = load_system(repo / "tests" / "fixtures" / "primer" / "twitter.yaml")
    payments = load_system(repo / "systems" / "payment-platform.yaml")
    wide, narrow = to_dot(payments), to_dot(payments, DotOptions(compact=True))
    summary = "A new payment provider integrated across 5 products in 6 months, PCI DSS compliant."
    assert summary in wide and summary not in narrow
    lines = 'A new payment provider integrated across 5<BR ALIGN="LEFT"/>products in 6 months, PCI DSS'
    assert lines + ' compliant.<BR ALIGN="LEFT"/>' in narrow

    def per_row(dot: str) -> list[int]:
        kpis = dot[dot.index('CELLSPACING="6"') : dot.index("</TABLE>", dot.index('CELLSPACING="6"'))]
        return [row.count('POINT-SIZE="16"') for row in kpis.split("<TR>")[1:]]

    assert per_row(narrow) == [3, 2] and per_row(to_dot(payments)) == [5]
    # '250 billion read requests per month' and the like: two a row
    assert per_row(to_dot(twitter, DotOptions(compact=True))) == [2, 2, 2, 2]
    assert wide.count('<TR><TD HEIGHT="0"></TD></TR>') == 9
