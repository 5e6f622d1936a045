"""Diagrams seen in a real browser (Debian's Chromium, driven by Playwright)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat
from playwright.sync_api import Browser, sync_playwright
from test_light_svg import _full_size_svg

from archkit.model import load_system
from archkit.render.pipeline import RenderOptions, render_diagrams

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `make test`", pytrace=False)
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def screenshot(browser: Browser, url: str, scale: float = 2) -> Image.Image:
    context = browser.new_context(device_scale_factor=scale, viewport={"width": 1280, "height": 1000})
    try:
        page = context.new_page()
        page.goto(url)
        return Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    finally:
        context.close()


def test_light_icons_look_the_same_at_device_pixel_ratio_2(
    tmp_path: Path, repo: Path, chromium: Browser
) -> None:
    system = load_system(repo / "systems" / "recommendation-platform.yaml")
    (result,) = render_diagrams([system], tmp_path / "out", RenderOptions(formats=("svg",)))
    full = tmp_path / "full.svg"
    full.write_text(_full_size_svg(system, tmp_path), encoding="utf-8")
    before = screenshot(chromium, full.as_uri())
    after = screenshot(chromium, result.files[0].as_uri())
    before.save(tmp_path / "before.png")
    after.save(tmp_path / "after.png")
    difference = ImageChops.difference(before, after).convert("L")
    assert difference.getbbox() is not None  # the icons did change (else this proves nothing)
    histogram = difference.histogram()
    pixels = before.width * before.height
    assert sum(histogram[33:]) / pixels < 0.001  # under 0.1% of pixels differ by more than 32/255
    assert ImageStat.Stat(difference).mean[0] < 0.2


LABELS_JS = """() => {
  const texts = Array.from(document.querySelectorAll("svg text"));
  return Math.min(...texts.map((t) => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a));
}"""


def test_labels_are_11_px_high_at_the_width_asked(tmp_path: Path, repo: Path, chromium: Browser) -> None:
    system = load_system(repo / "systems" / "recommendation-platform.yaml")
    sizes = {}
    for name, width in (("natural", None), ("fitted", 900)):
        (result,) = render_diagrams([system], tmp_path / name, RenderOptions(formats=("svg",), width=width))
        svg = result.files[0].read_text(encoding="utf-8")
        page = chromium.new_page(viewport={"width": 1000, "height": 800})
        # inline, in a 900 px column, as a page at that width shows it
        page.set_content(
            f'<div style="width:900px">{svg[svg.index("<svg") :]}</div><style>svg{{width:100%;height:auto}}</style>'
        )
        sizes[name] = page.evaluate(LABELS_JS)
        page.close()
    assert sizes["natural"] < 5  # about 4.3 px: unreadable until clicked
    assert sizes["fitted"] >= 11
