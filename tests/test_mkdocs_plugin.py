"""The MkDocs plugin: a real `mkdocs build` of a small docs folder, its page opened in Chromium."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE_PARTS, REPO
from PIL import Image, ImageChops
from test_browser import server  # noqa: F401 - serves the ``site`` fixture below over HTTP
from test_diagram_browser import chromium  # noqa: F401 - the browser fixture

PAGE = """\
# Recommendations

Some prose before the diagram.

<!-- archkit:diagram recommendation-platform -->
<!-- archkit:end -->

## Scale

<!-- archkit:scale recommendation-platform -->
<!-- archkit:end -->

<!-- archkit:decision 2 -->
<!-- archkit:end -->
"""


def mkdocs_build(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(root / "handbook" / "mkdocs.yml")],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=300,
    )


@pytest.fixture
def handbook(example: Path) -> Path:
    return make_handbook(example)


def make_handbook(example: Path) -> Path:
    """An MkDocs site in a folder of the example workspace, its docs_dir one level further down."""
    site = example / "handbook"
    (site / "pages" / "architecture").mkdir(parents=True)
    # the default theme's highlight.js comes from a CDN: off, so that any request leaving the site
    # would be archkit's
    (site / "mkdocs.yml").write_text(
        "site_name: Handbook\ndocs_dir: pages\ntheme:\n  name: mkdocs\n  highlightjs: false\n"
        "plugins:\n  - archkit\n"
    )
    (site / "pages" / "index.md").write_text("# Home\n\n[Architecture](architecture/recommendations.md)\n")
    (site / "pages" / "architecture" / "recommendations.md").write_text(PAGE)
    return example


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The handbook built once for the browser test (served by test_browser's ``server``)."""
    root = tmp_path_factory.mktemp("mkdocs") / "ws"
    for name in EXAMPLE_PARTS:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        elif source.exists():
            shutil.copy(source, root / name)
    make_handbook(root)
    done = mkdocs_build(root)
    assert done.returncode == 0, done.stderr
    return root / "handbook" / "site"


def test_mkdocs_build_fills_the_blocks_and_leaves_the_sources_alone(handbook: Path) -> None:
    done = mkdocs_build(handbook)
    assert done.returncode == 0, done.stderr
    page = (handbook / "handbook" / "site" / "architecture" / "recommendations" / "index.html").read_text()
    assert '<img alt="User Recommendation Platform" src="../recommendation-platform.svg" />' in page
    assert "<table>" in page and "<td>50M</td>" in page and "<td>&lt; 100 ms</td>" in page
    # the record lies outside docs_dir: its title is shown, not linked to a page the site lacks
    assert "<strong>2. Migration from monolith to microservices</strong>" in page
    svg = handbook / "handbook" / "site" / "architecture" / "recommendation-platform.svg"
    assert svg.read_bytes().startswith(b"<?xml") and b"data:image/png;base64," in svg.read_bytes()
    assert (handbook / "handbook" / "pages" / "architecture" / "recommendations.md").read_text() == PAGE
    assert not (handbook / "handbook" / "pages" / "architecture" / "recommendation-platform.svg").exists()


def test_an_unknown_system_fails_the_build_naming_the_page(handbook: Path) -> None:
    page = handbook / "handbook" / "pages" / "architecture" / "recommendations.md"
    page.write_text(PAGE.replace("diagram recommendation-platform", "diagram recomendation-platform"))
    done = mkdocs_build(handbook)
    assert done.returncode != 0
    assert (
        "handbook/pages/architecture/recommendations.md:5:1: error: no system named 'recomendation-platform'"
        in done.stderr
    )
    assert "did you mean 'recommendation-platform'?" in done.stderr


def test_the_page_shows_the_diagram_and_its_icons_without_leaving_the_site(
    server: str,  # noqa: F811
    chromium: Any,  # noqa: F811
) -> None:
    served = server
    context = chromium.new_context(viewport={"width": 1200, "height": 900})
    outside: list[str] = []
    failed: list[str] = []
    context.on(
        "request", lambda r: outside.append(r.url) if not r.url.startswith((served, "data:")) else None
    )
    context.on("requestfailed", lambda r: failed.append(r.url))
    page = context.new_page()
    page.goto(served + "architecture/recommendations/")
    image = page.locator("img[alt='User Recommendation Platform']")
    assert page.evaluate("(img) => img.decode().then(() => img.naturalWidth)", image.element_handle()) > 1000
    with_icons = Image.open(io.BytesIO(image.screenshot())).convert("RGB")
    assert outside == [] and failed == []
    # the same SVG without its icons: what the diagram would look like if they did not show
    page.evaluate(
        """async (img) => {
            const text = await (await fetch(img.src)).text();
            const bare = text.replace(/<symbol[\\s\\S]*?<\\/symbol>/g, "");
            img.src = URL.createObjectURL(new Blob([bare], {type: "image/svg+xml"}));
            await img.decode();
        }""",
        image.element_handle(),
    )
    without_icons = Image.open(io.BytesIO(image.screenshot())).convert("RGB")
    context.close()
    assert with_icons.size == without_icons.size
    changed = (
        ImageChops.difference(with_icons, without_icons).convert("L").point(lambda v: 255 if v > 40 else 0)
    )
    assert changed.histogram()[255] > 2000  # the icons are drawn: thousands of pixels differ


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fetch(url: str) -> str | None:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return str(answer.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _wait_for(url: str, wanted: str, seconds: float) -> str:
    import time

    deadline = time.monotonic() + seconds
    text = None
    while time.monotonic() < deadline:
        text = _fetch(url)
        if text is not None and wanted in text:
            return text
        time.sleep(0.3)
    raise AssertionError(f"{wanted!r} not served at {url} within {seconds} s; last: {(text or '')[:200]!r}")


def test_mkdocs_serve_draws_again_when_a_system_changes(handbook: Path) -> None:
    """A real `mkdocs serve`: the plugin has it watch the workspace's systems/ and decisions/
    folders (outside docs_dir), so saving a system rebuilds the site with a fresh diagram and
    scale table, and saving a record its summary."""
    port = _free_port()
    args = [sys.executable, "-m", "mkdocs", "serve", "-f", str(handbook / "handbook" / "mkdocs.yml")]
    serving = subprocess.Popen(
        [*args, "-a", f"127.0.0.1:{port}"], cwd=handbook, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        base = f"http://127.0.0.1:{port}/architecture/"
        _wait_for(base + "recommendation-platform.svg", "Event stream", 120)
        assert "Event bus" not in (_fetch(base + "recommendation-platform.svg") or "")
        system = handbook / "systems" / "recommendation-platform.yaml"
        text = system.read_text(encoding="utf-8")
        assert "    label: Event stream\n" in text and "  users: 50M\n" in text
        system.write_text(
            text.replace("    label: Event stream\n", "    label: Event bus\n").replace(
                "  users: 50M\n", "  users: 60M\n"
            ),
            encoding="utf-8",
        )
        svg = _wait_for(base + "recommendation-platform.svg", "Event bus", 120)
        assert "Event stream<" not in svg
        assert "<td>60M</td>" in _wait_for(base + "recommendations/", "<td>60M</td>", 30)
        # a decision record (outside docs_dir too) shown in a block
        record = handbook / "decisions" / "0002-migration-from-monolith-to-microservices.md"
        record.write_text(record.read_text(encoding="utf-8").replace("to microservices", "to services", 1))
        _wait_for(base + "recommendations/", "<strong>2. Migration from monolith to services</strong>", 60)
    finally:
        serving.terminate()
        _, errors = serving.communicate(timeout=30)
    assert "Error" not in errors.decode("utf-8", "replace"), errors
