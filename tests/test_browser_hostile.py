"""Hostile text in a workspace, proven harmless in a real browser: a site built from titles,
labels, record texts and portfolio fields that carry script payloads is loaded page by page in
headless Chromium (with tests/test_browser.py's fixtures), and no payload runs.

Each payload sets ``window.__pwned`` and most also call ``alert``: a page passes when no dialog
opened, no payload set the flag, and the payload's text is on the page as text (so the test
would see it, had it been let through as markup)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page
from test_browser import browser, context, playwright  # noqa: F401 - the same Chromium, driven the same way
from typer.testing import CliRunner

from archkit.cli import app

REPO = Path(__file__).resolve().parent.parent


def script(tag: str) -> str:
    return f"<script>window.__pwned='{tag}';alert('{tag}')</script>"


def image(tag: str) -> str:
    return f"<img src=x onerror=\"window.__pwned='{tag}';alert('{tag}')\">"


def attribute(tag: str) -> str:
    return f"\"><svg onload=\"window.__pwned='{tag}';alert('{tag}')\">"


def closing(tag: str) -> str:
    """Ends a <script> holding JSON (the search data) and starts another."""
    return f"</script><script>window.__pwned='{tag}';alert('{tag}')</script>"


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def hostile_workspace(root: Path) -> Path:
    for name in ("systems", "decisions", "case-studies", "leadership", "stories"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "portfolio.yaml", root / "portfolio.yaml")
    q = json.dumps  # a YAML double-quoted string
    system = root / "systems" / "url-shortener.yaml"
    replace(system, "name: URL Shortener", "name: " + q("URL Shortener " + script("system-name")))
    replace(
        system,
        "summary: Short links",
        "summary: " + q(image("summary") + closing("summary-json")) + "\nx-was: ",
    )
    replace(system, "label: Browser", "label: " + q(attribute("label")))
    replace(system, "label: Click analytics", "label: " + q(script("group")))
    record = next((root / "decisions").glob("0005-*.md"))
    replace(record, "hot API paths\n", f"hot API paths {script('record-title')}{closing('record-json')}\n")
    replace(
        record,
        "## Context\n",
        "## Context\n\n"
        + image("record-html")
        + "\n\n<div onmouseover=\"window.__pwned='div'\">hover</div>\n\n"
        + "See [this](javascript:window.__pwned='md-link') and "
        + "<a href=\"javascript:window.__pwned='html-link'\">that</a>, "
        + "and ![pic](javascript:window.__pwned='md-image').\n",
    )
    portfolio = root / "portfolio.yaml"
    replace(portfolio, "name: Alex Morgan", "name: " + q("Alex " + attribute("portfolio-name")))
    replace(
        portfolio,
        "headline: Engineering Manager, consumer-scale systems",
        "headline: " + q(script("headline") + closing("headline-json")),
    )
    case = root / "case-studies" / "api-latency-under-traffic-growth.yaml"
    replace(case, "title: API latency under traffic growth", "title: " + q("API latency " + image("case")))
    story = root / "stories" / "dive-deep-api-latency.yaml"
    replace(
        story,
        "title: Finding why API latency grew tenfold",
        "title: " + q("Finding " + script("story") + closing("story-json")),
    )
    return root


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile workspace, built as a site, its records rendered and its whiteboard drawn,
    through the CLI (as a user would)."""
    root = hostile_workspace(tmp_path_factory.mktemp("hostile") / "ws")
    runner = CliRunner()
    for args in (
        ["check"],
        ["build"],
        ["tdr", "render", "--out", "records-html"],
        ["whiteboard", "url-shortener"],
    ):
        result = runner.invoke(app, ["-C", str(root), *args])
        assert result.exit_code == 0, (args, result.output)
    return root


class Guarded:
    """A page whose dialogs (alert, confirm, prompt) are recorded and dismissed."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: object) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    def ran(self) -> list[str]:
        """What payloads ran on the page so far: dialogs, and the flag they set."""
        self.page.wait_for_timeout(100)  # an image's onerror fires after load
        pwned = self.page.evaluate("() => window.__pwned")
        return self.dialogs + ([f"window.__pwned = {pwned!r}"] if pwned is not None else [])


@pytest.fixture
def guarded(context: BrowserContext) -> Guarded:  # noqa: F811 - test_browser's fixture
    return Guarded(context.new_page())


def pages_of(root: Path) -> list[Path]:
    found = [
        *sorted((root / "build" / "site").rglob("*.html")),
        *sorted((root / "build" / "site" / "diagrams").glob("*.svg")),
        *sorted((root / "records-html").glob("*.html")),
        *sorted((root / "build" / "whiteboard").glob("*.html")),
        *sorted((root / "build" / "whiteboard").glob("*.svg")),
    ]
    assert len(found) > 30
    return found


def test_no_payload_runs_on_any_page(outputs: Path, guarded: Guarded) -> None:
    page = guarded.page
    ran: dict[str, list[str]] = {}
    for path in pages_of(outputs):
        page.goto(path.as_uri())
        links = page.locator("a[href]")
        for i in range(links.count()):  # hovering runs onmouseover, were one let through
            if links.nth(i).is_visible():
                links.nth(i).hover(timeout=2_000)
        if found := guarded.ran():
            ran[str(path.relative_to(outputs))] = found
        guarded.dialogs.clear()
    assert ran == {}


def test_the_payloads_are_shown_as_text(outputs: Path, guarded: Guarded) -> None:
    page = guarded.page
    site = outputs / "build" / "site"
    record = next((site / "decisions").glob("0005-*.html"))
    page.goto(record.as_uri())
    assert script("record-title") in page.locator("h1").inner_text()
    body = page.locator("main").inner_text()
    assert image("record-html") in body and "javascript:window.__pwned='md-link'" in body  # as text
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        assert not href.strip().lower().startswith("javascript:"), href
    page.goto((site / "systems" / "url-shortener.html").as_uri())
    assert "URL Shortener " + script("system-name") in page.locator("h1").inner_text()
    page.goto((site / "index.html").as_uri())
    assert script("headline") in page.locator("body").inner_text()
    assert guarded.ran() == []


def test_search_results_show_hostile_titles_as_text(outputs: Path, guarded: Guarded) -> None:
    page = guarded.page
    page.goto((outputs / "build" / "site" / "index.html").as_uri())
    search = page.locator("input#search")
    results = page.locator("ol#search-results")
    for word in ("pwned", "script", "alert", "redis", "latency"):
        search.fill("")
        search.press_sequentially(word)
        page.wait_for_timeout(200)
        assert guarded.ran() == [], word
    search.fill("")
    search.press_sequentially("redis caching")
    hit = results.get_by_role("link").first
    assert script("record-title") in hit.inner_text()
    hit.click()
    page.wait_for_load_state()
    assert "0005-" in page.url and guarded.ran() == []
