"""archkit build, proven in a real browser: the example site loaded in headless Chromium.

Every page loads without console errors, every image decodes with a size, every internal link
resolves (to a file, served with HTTP 200, and its #fragment to an element), search finds and
navigates, and the site works from file:// as well as over HTTP. Screenshots are kept to look at.

Chromium is Debian's /usr/bin/chromium (`make test` installs it through scripts/ensure-chromium.sh);
Playwright only drives it, its own browser download is never used. No Chromium is a failure, not a
skip: these tests are the proof that the site works in a browser.
"""

from __future__ import annotations

import functools
import os
import shutil
import struct
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    Response,
    ViewportSize,
    expect,
    sync_playwright,
)

from archkit.site.build import build_site

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
SHARED_SCREENSHOTS = Path("/tmp/archkit-screenshots")  # copies go there when ARCHKIT_SCREENSHOTS is set

# every <img> and inline <svg>: loaded, decoded, and given a size on the page
IMAGES_JS = """
async () => {
  const images = Array.from(document.images);
  await Promise.all(images.map((img) => img.decode().catch(() => null)));
  return {
    images: images.map((img) => {
      const box = img.getBoundingClientRect();
      return {src: img.getAttribute("src") || "", complete: img.complete, width: img.naturalWidth,
              height: img.naturalHeight, shown: box.width > 0 && box.height > 0};
    }),
    svgs: Array.from(document.querySelectorAll("main svg"), (svg) => {
      const box = svg.getBoundingClientRect();
      return [box.width, box.height];
    }),
  };
}
"""
# every link, HTML's <a href> and inline SVG's <a href>/<a xlink:href>, as [written, resolved]
LINKS_JS = """
() => Array.from(document.querySelectorAll("a"), (a) => {
  const href = a.getAttribute("href") ?? a.getAttributeNS("http://www.w3.org/1999/xlink", "href");
  return href === null ? null : [href, new URL(href, document.baseURI).href];
}).filter(Boolean)
"""
MISSING_IDS_JS = (
    "ids => ids.filter(id => !document.getElementById(id) && !document.getElementsByName(id).length)"
)


# ---------------------------------------------------------------------------------------------
# fixtures: the built site, a loopback HTTP server for it, the browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example workspace, copied to tmp and built (once for the module)."""
    root = tmp_path_factory.mktemp("browser") / "ws"
    for name in ("systems", "decisions", "case-studies", "leadership", "stories"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "portfolio.yaml", root / "portfolio.yaml")
    out = root / "build" / "site"
    report = build_site(root, out)
    assert report.problems == []
    return out


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # no access log in the test output
        pass


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    """The site served over http://127.0.0.1 (loopback only, a free port); yields the base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the browser tests need it. "
            "Run `make test` (it installs it), or `sh scripts/ensure-chromium.sh`, "
            "or on Debian: sudo apt-get install chromium",
            pytrace=False,
        )
    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def browser(playwright: Playwright) -> Iterator[Browser]:
    """A fresh Chromium for each test: the browser remembers some things across contexts (a
    missing /favicon.ico is asked for once per browser), and each test must see them itself."""
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport=VIEWPORT)
    ctx.set_default_timeout(15_000)
    try:
        yield ctx
    finally:
        ctx.close()


class Watched:
    """A page whose console errors, uncaught exceptions, failed requests and requests to other
    hosts are collected (the site is self-contained: it must not reach for the network)."""

    def __init__(self, page: Page, base: str) -> None:
        self.page = page
        self.base = base
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"uncaught exception: {exc}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        page.on("request", self._request)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            self.problems.append(f"console error: {message.text} ({where})")

    def _failed(self, request: Request) -> None:
        self.problems.append(f"request failed: {request.url[:120]} ({request.failure})")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def _request(self, request: Request) -> None:
        if request.url.startswith(("http:", "https:")) and not request.url.startswith(self.base):
            self.problems.append(f"request to another host: {request.url}")

    def take(self) -> list[str]:
        """The problems so far (a round trip first, so that pending events are in), then forget them."""
        self.page.evaluate("0")
        problems, self.problems = self.problems, []
        return problems


def check_images(page: Page) -> tuple[int, list[str]]:
    """Number of <img> on the page and what is wrong with them or the inline SVGs."""
    found = page.evaluate(IMAGES_JS)
    problems = [
        f"image does not decode or has no size: {img['src'][:80]} "
        f"(complete={img['complete']}, natural {img['width']}x{img['height']}, shown={img['shown']})"
        for img in found["images"]
        if not (img["complete"] and img["width"] > 0 and img["height"] > 0 and img["shown"])
    ]
    problems += [f"inline svg with no size ({w}x{h})" for w, h in found["svgs"] if not (w > 0 and h > 0)]
    return len(found["images"]), problems


def local_file(site: Path, base: str, url: str) -> Path | None:
    """The site's file an internal URL (no fragment) points to; None for a URL outside the site."""
    if not url.startswith(base):
        return None
    path = unquote(urlsplit(url).path)
    prefix = unquote(urlsplit(base).path)
    relative = path[len(prefix) :] if path.startswith(prefix) else path.lstrip("/")
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    return site / relative


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# ---------------------------------------------------------------------------------------------
# tests


def test_every_page_loads_cleanly_its_images_decode_and_its_links_resolve(
    site: Path, server: str, context: BrowserContext
) -> None:
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert len(pages) >= 15 and "index.html" in pages
    page = context.new_page()
    watched = Watched(page, server)
    problems: list[str] = []
    images: dict[str, int] = {}
    # target URL without its fragment -> {fragment ("" for none): a link to it, for the messages}
    links: dict[str, dict[str, str]] = {}
    external = 0

    for name in pages:
        response = page.goto(server + name, wait_until="load")
        assert response is not None
        if response.status != 200:
            problems.append(f"{name}: HTTP {response.status}")
        count, image_problems = check_images(page)
        images[name] = count
        problems += [f"{name}: {p}" for p in image_problems]
        for href, resolved in page.evaluate(LINKS_JS):
            scheme = urlsplit(resolved).scheme
            if scheme in ("data", "mailto", "tel", "javascript"):
                continue
            url, fragment = urldefrag(resolved)
            target = local_file(site, server, url)
            if target is None:
                if scheme in ("http", "https"):
                    external += 1  # another host: not ours to check
                    continue
                problems.append(f"{name}: link {href!r} leaves the site ({resolved})")
                continue
            if not target.is_file():
                problems.append(f"{name}: link {href!r} -> {target.relative_to(site)}, which does not exist")
                continue
            links.setdefault(url, {}).setdefault(fragment, f"{name} ({href!r})")
        problems += [f"{name}: {p}" for p in watched.take()]

    # every internal target, followed in the browser: HTTP 200, and its #fragments are there
    for url, sources in sorted(links.items()):
        fragments = sorted(f for f in sources if f)
        if url.endswith((".html", "/")):
            response = page.goto(url, wait_until="load")
            status = response.status if response else None
            missing = page.evaluate(MISSING_IDS_JS, fragments) if fragments else []
            problems += [f"link from {sources[frag]}: no element #{frag} in {url}" for frag in missing]
            problems += [f"{url}: {p}" for p in watched.take()]
        else:  # a download (portfolio.md, an SVG): fetched, not shown
            status = context.request.get(url).status
        if status != 200:
            problems.append(f"link from {next(iter(sources.values()))}: {url} answers HTTP {status}")

    assert problems == [], "\n".join(problems)
    systems = [name for name in pages if name.startswith("systems/")]
    assert systems and all(images[name] >= 1 for name in systems), images
    assert images["portfolio.html"] == len(systems), images  # the printable page's data: URI diagrams
    assert len(links) >= len(pages) - 1  # (nearly) every page is linked to
    assert external == 0  # the example links nowhere else; if it starts to, check those on purpose


def test_search_finds_and_navigates(server: str, context: BrowserContext) -> None:
    page = context.new_page()
    watched = Watched(page, server)

    page.goto(server + "index.html")
    search = page.locator("input#search")
    results = page.locator("ol#search-results")
    expect(results).to_be_hidden()
    # a page that is only read loads no search script: lunr.js and the data come on first use
    loaded = "performance.getEntriesByType('resource').map(e => e.name.split('/').pop())"
    assert not {"lunr.js", "search.js"} & set(page.evaluate(loaded))
    search.press_sequentially("latency")
    expect(results).to_be_visible()
    hit = results.get_by_role("link", name="API latency under traffic growth")
    expect(hit).to_be_visible()
    assert {"lunr.js", "search.js", "pages.js"} <= set(page.evaluate(loaded))
    hit.click()
    expect(page).to_have_url(server + "case-studies/api-latency-under-traffic-growth.html")
    expect(page.locator("h1")).to_contain_text("API latency under traffic growth")

    # from a page one folder down, results still point at the right place; Enter opens the first
    page.goto(server + "systems/payment-platform.html")
    search.press_sequentially("redis caching")
    expect(results.get_by_role("link").first).to_have_text("5. Redis caching strategy for hot API paths")
    search.press("Enter")
    expect(page).to_have_url(server + "decisions/0005-redis-caching-strategy-for-hot-api-paths.html")

    search.press_sequentially("no-such-thing-anywhere")
    expect(results).to_contain_text("Nothing found")
    search.press("Escape")
    expect(results).to_be_hidden()
    assert watched.take() == []


def test_search_finds_every_page_that_mentions_a_word_ranked_with_a_snippet(
    server: str, context: BrowserContext
) -> None:
    import re

    # the pages whose sources mention Kafka: in a component's technology, a record's text, ...
    expected = set()
    for path in sorted((REPO / "systems").glob("[!_]*.yaml")):  # '_' files are not systems of their own
        if "kafka" in path.read_text(encoding="utf-8").lower():
            expected.add(f"systems/{path.stem}.html")
    for path in sorted((REPO / "decisions").glob("0*.md")):
        if "kafka" in path.read_text(encoding="utf-8").lower():
            expected.add(f"decisions/{path.stem}.html")
    for folder in ("case-studies", "leadership"):
        for path in sorted((REPO / folder).glob("*.yaml")):
            if "kafka" in path.read_text(encoding="utf-8").lower():
                expected.add(f"{folder}/{path.stem}.html")
    for path in sorted((REPO / "stories").glob("*.yaml")):
        if "kafka" in path.read_text(encoding="utf-8").lower():
            expected.add(f"stories.html#{path.stem}")
    assert len([e for e in expected if e.startswith("systems/")]) >= 3
    assert len([e for e in expected if e.startswith("decisions/")]) >= 4

    page = context.new_page()
    watched = Watched(page, server)
    page.goto(server + "decisions/index.html")
    page.locator("input#search").press_sequentially("kafka")
    results = page.locator("ol#search-results")
    links = results.locator("li > div > a")
    expect(links.first).to_be_visible()
    found = [
        href.removeprefix("../")
        for href in links.evaluate_all("(all) => all.map((a) => a.getAttribute('href'))")
    ]
    assert set(found) == expected
    assert len(found) == len(expected)
    # each result shows where the word is, marked
    snippets = results.locator(".snippet")
    expect(snippets).to_have_count(len(expected))
    for text in snippets.all_inner_texts():
        assert re.search("kafka", text, re.IGNORECASE), text
    assert {m.lower() for m in results.locator("mark").all_inner_texts()} <= {"kafka"}
    # a word still being typed finds by its beginning
    page.locator("input#search").fill("")
    page.locator("input#search").press_sequentially("elasticse")
    expect(links.first).to_have_text("4. PostgreSQL for user data and Elasticsearch for search")
    assert watched.take() == []


def test_the_site_works_from_file_urls_without_a_server(site: Path, context: BrowserContext) -> None:
    page = context.new_page()
    watched = Watched(page, site.as_uri() + "/")
    for name in ("index.html", "systems/recommendation-platform.html", "decisions/index.html"):
        page.goto((site / name).as_uri(), wait_until="load")
        count, problems = check_images(page)
        assert problems == [], name
        assert count >= (1 if name.startswith("systems/") else 0)
        for href, resolved in page.evaluate(LINKS_JS):
            if resolved.startswith("file:"):
                target = Path(unquote(urlsplit(urldefrag(resolved)[0]).path))
                assert target.is_file(), f"{name}: {href} -> {target}"
        assert watched.take() == [], name

    # search.js is loaded from a relative path, and its links work as file:// too
    page.locator("input#search").press_sequentially("latency")
    page.locator("ol#search-results").get_by_role("link", name="API latency under traffic growth").click()
    expect(page).to_have_url((site / "case-studies" / "api-latency-under-traffic-growth.html").as_uri())
    expect(page.locator("h1")).to_contain_text("API latency under traffic growth")
    assert watched.take() == []


def test_screenshots_to_look_at(
    server: str, context: BrowserContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Full-page screenshots of the summary, a system, the stories and the decisions, kept (and
    shown where) even when a check below fails: they are there to be looked at."""
    folder = tmp_path / "screenshots"
    folder.mkdir()
    page = context.new_page()
    watched = Watched(page, server)
    shots = {
        "index.html": "index.png",
        "systems/recommendation-platform.html": "system-recommendation-platform.png",
        "stories.html": "stories.png",
        "decisions/index.html": "decisions.png",
    }
    problems: list[str] = []
    for name, file in shots.items():
        page.goto(server + name, wait_until="load")
        page.evaluate("document.fonts.ready.then(() => 0)")
        page.screenshot(path=str(folder / file), full_page=True)
        problems += [f"{name}: {p}" for p in watched.take()]

    copied = ""
    if os.environ.get("ARCHKIT_SCREENSHOTS"):
        SHARED_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for file in shots.values():
            shutil.copy(folder / file, SHARED_SCREENSHOTS / file)
        copied = f" (copies in {SHARED_SCREENSHOTS})"
    with capsys.disabled():
        print(f"\nscreenshots of the example site: {folder}{copied}")

    for file in shots.values():
        width, height = png_size(folder / file)
        assert width == VIEWPORT["width"] and height >= VIEWPORT["height"], (file, width, height)
        assert (folder / file).stat().st_size > 20_000, file  # not a blank page
    assert problems == [], "\n".join(problems)


def test_the_whiteboard_page_steps_with_the_arrow_keys(tmp_path: Path, context: BrowserContext) -> None:
    from archkit.prep.whiteboard import render_whiteboard
    from archkit.workspace import Workspace

    repo = Path(__file__).resolve().parent.parent
    system = next(s for s in Workspace(repo).load().systems if s.slug == "recommendation-platform")
    render_whiteboard(system, tmp_path, max_boxes=8)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto((tmp_path / "recommendation-platform-whiteboard.html").as_uri())
    visible = page.locator(".step.current h2")
    assert visible.inner_text().startswith("Step 1 of 4")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert visible.inner_text().startswith("Step 3 of 4")
    page.keyboard.press("ArrowLeft")
    assert visible.inner_text().startswith("Step 2 of 4")
    box = page.locator(".step.current svg").bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 50
    assert errors == []


# ---------------------------------------------------------------------------------------------
# archkit serve: live preview


def replace_on_save(path: Path, old: str, new: str) -> None:
    """Save as many editors do: write a temporary file beside it, then rename it over the file."""
    text = path.read_text(encoding="utf-8")
    assert old in text, path
    temporary = path.with_name(f".{path.name}.saving")
    temporary.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.replace(temporary, path)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """`archkit serve --port 0` on a copy of the example workspace: (workspace, base URL)."""
    import subprocess
    import sys
    import time

    root = tmp_path / "ws"
    for name in ("systems", "decisions", "case-studies", "leadership", "stories"):
        shutil.copytree(REPO / name, root / name)
    for name in ("portfolio.yaml", ".adr-dir"):
        shutil.copy(REPO / name, root / name)
    process = subprocess.Popen(
        [sys.executable, "-m", "archkit", "-C", str(root), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 120
        url = ""
        while not url and time.monotonic() < deadline:
            line = process.stdout.readline()
            assert line, "archkit serve ended before serving"
            if line.startswith("serving http://"):
                url = line.split()[1]
        yield root, url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_reloads_open_pages_and_shows_a_failed_build(
    served: tuple[Path, str], context: BrowserContext
) -> None:
    root, base = served
    page = context.new_page()
    watched = Watched(page, base)
    page.goto(base + "stories.html")
    story = root / "stories" / "dive-deep-api-latency.yaml"
    title = "Finding why API latency grew tenfold"
    # saved three times the way editors save (a new file renamed over the old): seen every time
    for n in (1, 2, 3):
        page.evaluate("window.__before_reload = true")
        replace_on_save(story, "title: " + (title if n == 1 else f"Retold {n - 1}"), f"title: Retold {n}")
        expect(page.locator("main")).to_contain_text(f"Retold {n}", timeout=30_000)
        assert page.evaluate("window.__before_reload === undefined")  # the page reloaded itself
    # a portfolio.yaml replaced on save is seen too
    replace_on_save(root / "portfolio.yaml", "\nheadline: ", "\nheadline: Live - ")
    page.goto(base + "index.html")
    expect(page.locator("main")).to_contain_text("Live - ", timeout=30_000)

    # a broken system: the open page stays, and shows the errors with file:line
    system = root / "systems" / "payment-platform.yaml"
    replace_on_save(system, "\nname:", "\nname: [")
    errors = page.locator("#archkit-build-errors")
    expect(errors).to_be_visible(timeout=30_000)
    expect(errors).to_contain_text("systems/payment-platform.yaml:")
    expect(errors).to_contain_text("invalid YAML")
    assert "Live - " in page.locator("main").inner_text()  # the last good site is still there
    # fixed: the page reloads, and the errors are gone
    replace_on_save(system, "\nname: [", "\nname:")
    expect(errors).to_be_hidden(timeout=30_000)
    # a reload ends the page's event stream: the one request that may fail, by design
    assert [p for p in watched.take() if "/__archkit__/events (net::ERR_ABORTED)" not in p] == []
    # the script is in the pages served, never in the site written to disk
    built = (root / "build" / "site" / "index.html").read_text(encoding="utf-8")
    assert "__archkit__" not in built and "EventSource" not in built
