"""Light SVGs: icons embedded at the resolution they are drawn at, cached in the user's cache."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from archkit import catalogue
from archkit.model import System, load_system
from archkit.render import graphviz, icons
from archkit.render.dot import to_dot
from archkit.render.icons import pixels_for, scale_png, scaled_reader
from archkit.render.pipeline import RenderOptions, render_diagrams
from archkit.render.svg import finish_svg, png_size, read_icon_from

SVG = "{http://www.w3.org/2000/svg}"


def gradient_icon(size: int = 256) -> bytes:
    """A rounded-looking icon: a diagonal gradient on a transparent background, soft edges."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pixels = image.load()
    assert pixels is not None
    for y in range(size):
        for x in range(size):
            inside = min(x, y, size - 1 - x, size - 1 - y)
            alpha = 255 if inside > 8 else 0 if inside < 2 else inside * 30
            pixels[x, y] = (120 + (x + y) * 100 // (2 * size), 60, 200 - (x + y) * 80 // (2 * size), alpha)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_an_icon_is_scaled_to_the_pixels_asked_and_stays_faithful() -> None:
    source = gradient_icon()
    small = scale_png(source, 102, 102)
    assert png_size(small) == (102, 102)
    reference = Image.open(io.BytesIO(source)).convert("RGBA").resize((102, 102), Image.Resampling.LANCZOS)
    true_colour = io.BytesIO()
    reference.save(true_colour, format="PNG", optimize=True)
    assert small[25] == 3  # PNG colour type 3: a palette, not true colour
    assert len(small) < len(true_colour.getvalue())
    difference = ImageChops.difference(reference, Image.open(io.BytesIO(small)).convert("RGBA"))
    assert max(ImageStat.Stat(difference).mean) < 1.5  # out of 255, per channel, on average


def test_an_icon_already_small_is_kept_as_it_is() -> None:
    source = gradient_icon(64)
    assert scale_png(source, 102, 102) == source


def test_icons_are_asked_for_at_twice_their_drawn_css_pixels() -> None:
    # 38 points drawn = 50.7 CSS pixels = 102 device pixels at a device pixel ratio of 2
    assert pixels_for(38) == 102
    asked: list[tuple[str, int, int]] = []
    svg = (
        '<svg width="100pt" height="100pt"\n viewBox="0.00 0.00 100.00 100.00">'
        '<g id="graph0" class="graph" transform="scale(1 1)">'
        '<image xlink:href="a/b.png" width="38px" height="38px" preserveAspectRatio="xMinYMin meet" '
        'x="1" y="2"/>'
        '<image xlink:href="a/b.png" width="20px" height="20px" preserveAspectRatio="xMinYMin meet" '
        'x="3" y="4"/></g></svg>'
    )

    def read(href: str, width: int, height: int) -> bytes:
        asked.append((href, width, height))
        return scale_png(gradient_icon(), width, height)

    finished = finish_svg(svg, read)
    assert asked == [("a/b.png", 102, 102)]  # once, at its largest drawn size
    assert finished.count("<symbol") == 1 and finished.count("<use") == 2
    assert 'viewBox="0 0 102 102"' in finished


def test_scaled_icons_are_kept_in_the_user_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = gradient_icon()
    read = scaled_reader(lambda href: source)
    first = read("x.png", 102, 102)
    assert [p.parent for p in (tmp_path / "cache").rglob("*.png")] == [
        tmp_path / "cache" / "archkit" / "icons"
    ]

    def no_scaling(*args: object) -> bytes:
        raise AssertionError("scaled again instead of read from the cache")

    monkeypatch.setattr(icons, "scale_png", no_scaling)
    assert read("x.png", 102, 102) == first
    with pytest.raises(AssertionError):  # another size is another entry
        read("x.png", 60, 60)


def _full_size_svg(system: System, tmp_path: Path) -> str:
    """The SVG as archkit wrote it before: every icon embedded at its source resolution."""
    root = catalogue.resources_root()
    source = read_icon_from(root)
    return finish_svg(graphviz.svg_of(to_dot(system), imagepath=root), lambda href, w, h: source(href))


def test_the_example_svg_weighs_at_most_a_quarter_of_one_with_full_size_icons(
    tmp_path: Path, repo: Path
) -> None:
    system = load_system(repo / "systems" / "recommendation-platform.yaml")
    (result,) = render_diagrams([system], tmp_path / "out", RenderOptions(formats=("svg",)))
    light = result.files[0].read_bytes()
    full = _full_size_svg(system, tmp_path).encode("utf-8")
    assert len(light) <= 0.25 * len(full), (len(light), len(full))
    tree = ET.fromstring(light)
    assert len(tree.findall(f".//{SVG}symbol")) == 13
    assert all(s.get("viewBox") == "0 0 102 102" for s in tree.findall(f".//{SVG}symbol"))
