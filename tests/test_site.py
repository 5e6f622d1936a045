"""archkit build: the portfolio site — every page, every link, escaping, incremental rebuilds."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from archkit.errors import ArchkitError
from archkit.site.build import build_site


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and ((tag == "a" and name == "href") or (tag in ("img", "script") and name == "src")):
                self.targets.append(value)


def internal_links(site: Path) -> list[tuple[Path, str]]:
    found = []
    for page in site.rglob("*.html"):
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for target in parser.targets:
            if not target.startswith(("http:", "https:", "data:", "mailto:")):
                found.append((page, target))
    return found


def served_url(said: list[str], deadline: float) -> str:
    """The address serve says it serves at, once it has said it (before ``deadline``)."""
    import time

    while not any(s.startswith("serving http://") for s in said):
        assert time.monotonic() < deadline, said
        time.sleep(0.05)
    return next(s for s in said if s.startswith("serving ")).split()[1]


@pytest.fixture
def workspace(example_copy: Path) -> Path:
    return example_copy


def test_example_site_has_every_page_and_every_link_resolves(workspace: Path) -> None:
    out = workspace / "build" / "site"
    report = build_site(workspace, out)
    assert report.problems == []
    names = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    for expected in (
        "index.html",
        "systems/recommendation-platform.html",
        "decisions/index.html",
        "decisions/0002-migration-from-monolith-to-microservices.html",
        "case-studies/api-latency-under-traffic-growth.html",
        "leadership/engineering-excellence-program.html",
        "stories.html",
        "portfolio.html",
        "portfolio.md",
        "search.js",
        "diagrams/payment-platform.svg",
    ):
        assert expected in names, expected
    links = internal_links(out)
    assert len(links) > 100
    for page, target in links:
        path = target.split("#", 1)[0]
        if path:
            assert (page.parent / path).resolve().is_file(), f"{page.relative_to(out)} -> {target}"
    parts = json.loads(re.search(r"=\s*(\[.*\]);", (out / "search.js").read_text(encoding="utf-8"), re.S)[1])
    assert parts == ["search/pages.js", "search/decisions-1.js"]
    entries = [
        entry
        for part in parts
        for entry in json.loads(
            re.search(r"\] = (\[.*\]);", (out / part).read_text(encoding="utf-8"), re.S)[1]
        )
    ]
    assert {e["kind"] for e in entries} == {
        "summary",
        "system",
        "decision",
        "case study",
        "leadership",
        "story",
    }
    # full text: a component's technology is searchable on its system's page
    recommendations = next(e for e in entries if e["url"] == "systems/recommendation-platform.html")
    assert "kafka Apache Kafka" in recommendations["text"]
    assert (out / "lunr.js").read_text(encoding="utf-8").startswith("/**\n * lunr - http://lunrjs.com")


def test_the_printable_page_is_self_contained(workspace: Path) -> None:
    out = workspace / "site"
    build_site(workspace, out)
    page = (out / "portfolio.html").read_text(encoding="utf-8")
    assert page.count('src="data:image/svg+xml;base64,') == 4
    assert "<script" not in page
    assert re.findall(r'(?:href|src)="(?!data:|#)([^"]*)"', page) == []  # nothing outside the page
    assert "93% faster" in page and "10x" in page
    markdown = (out / "portfolio.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Alex Morgan\n") and "- p90 latency: 2 s → 150 ms (93% faster)" in markdown


def test_rebuilds_render_only_what_changed(workspace: Path) -> None:
    out = workspace / "site"
    first = build_site(workspace, out)
    assert first.rendered == first.pages
    second = build_site(workspace, out)
    assert second.rendered == 0 and second.pages == first.pages
    story = next((workspace / "stories").glob("*.yaml"))
    story.write_text(
        story.read_text(encoding="utf-8").replace("title: ", "title: Revised - ", 1), encoding="utf-8"
    )
    third = build_site(workspace, out)
    # the story bank, the printable page and its Markdown, and the search index
    assert third.rendered == 4


def test_user_text_is_escaped_everywhere(workspace: Path) -> None:
    story = next((workspace / "stories").glob("*.yaml"))
    text = story.read_text(encoding="utf-8")
    story.write_text(
        re.sub(
            r"^title: .*$",
            "title: '\"><img src=x onerror=alert(1)> <script>alert(2)</script>'",
            text,
            flags=re.M,
        ),
        encoding="utf-8",
    )
    out = workspace / "site"
    build_site(workspace, out)
    for page in ("stories.html", "portfolio.html"):
        html = (out / page).read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<img src=x" not in html, page
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    search = "".join(
        p.read_text(encoding="utf-8") for p in [out / "search.js", *(out / "search").glob("*.js")]
    )
    assert "</script>" not in search and "\\u003cscript\\u003e" in search


def test_a_workspace_with_errors_builds_nothing_and_keeps_the_old_site(workspace: Path) -> None:
    out = workspace / "site"
    build_site(workspace, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (workspace / "stories" / "broken.yaml").write_text(
        "title: X\nprinciples: [Deliver Resluts]\n", encoding="utf-8"
    )
    with pytest.raises(ArchkitError) as caught:
        build_site(workspace, out)
    messages = [p.message for p in caught.value.problems]
    assert "story has no 'situation'" in messages
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".site")] == []


def test_serve_previews_on_loopback_and_rebuilds_on_change(workspace: Path) -> None:
    import threading
    import time
    import urllib.request

    from archkit.site.serve import Outcome, serve

    out = workspace / "site"
    said: list[str] = []
    stop = threading.Event()

    def rebuild() -> Outcome:
        report = build_site(workspace, out)
        return Outcome(True, f"built {report.rendered}")

    thread = threading.Thread(target=serve, args=(workspace, out, 0, rebuild, said.append, stop), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 90
        url = served_url(said, deadline)
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "stories.html") as response:  # loopback
            assert response.status == 200
            # the page knows which build it came from: one loaded while a rebuild ran reloads
            # when that rebuild is announced, even if it is the first message the page hears
            assert "var seen = 1, box = null;" in response.read().decode("utf-8")
        story = next((workspace / "stories").glob("*.yaml"))
        story.write_text(
            story.read_text(encoding="utf-8").replace("title: ", "title: Changed - ", 1), encoding="utf-8"
        )
        while "Changed - " not in (out / "stories.html").read_text(encoding="utf-8"):
            assert time.monotonic() < deadline, said
            time.sleep(0.1)
        while len(said) < 3:  # 'built', 'serving', then the rebuild's 'built'
            assert time.monotonic() < deadline, said
            time.sleep(0.05)
        before = sum(s.startswith("built") for s in said)
        with urllib.request.urlopen(url + "stories.html") as response:
            served = re.search(r"var seen = (\d+), box = null;", response.read().decode("utf-8"))
        after = sum(s.startswith("built") for s in said)  # an editor's save may be seen twice
        assert served and before <= int(served[1]) <= after and int(served[1]) >= 2, (served, said)
        first = said[0].split(" in ")[0]  # 'built N in 0.12 s'
        pages = [
            *out.rglob("*.html"),
            out / "portfolio.md",
            out / "search.js",
            *(out / "search").glob("*.js"),
        ]
        assert first == f"built {len(pages)}"  # every page, the first time
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def test_user_text_is_escaped_in_diagrams_too(workspace: Path) -> None:
    system = workspace / "systems" / "payment-platform.yaml"
    text = system.read_text(encoding="utf-8").replace(
        "label: Payments API", "label: '<script>alert(1)</script> \"><img src=x onerror=alert(2)>'", 1
    )
    system.write_text(text, encoding="utf-8")
    out = workspace / "site"
    build_site(workspace, out)
    svg = (out / "diagrams" / "payment-platform.svg").read_text(encoding="utf-8")
    assert "<script>" not in svg and "<img" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    page = (out / "systems" / "payment-platform.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page


def test_pages_rendered_in_worker_processes_are_the_same(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archkit.site import output as site_output

    build_site(workspace, workspace / "one", jobs=1)
    monkeypatch.setattr(site_output, "PARALLEL_FROM", 2)
    report = build_site(workspace, workspace / "many", jobs=2)
    assert report.rendered == report.pages
    one = {
        p.relative_to(workspace / "one"): p.read_bytes()
        for p in (workspace / "one").rglob("*")
        if p.is_file()
    }
    many = {
        p.relative_to(workspace / "many"): p.read_bytes()
        for p in (workspace / "many").rglob("*")
        if p.is_file()
    }
    assert one == many
    # a broken template of the user's fails in a worker, and is reported whole
    (workspace / "templates" / "site").mkdir(parents=True)
    (workspace / "templates" / "site" / "stories.html.j2").write_text("{{ nope.nothing }}", encoding="utf-8")
    with pytest.raises(ArchkitError) as caught:
        build_site(workspace, workspace / "broken", jobs=2)
    assert caught.value.problems[0].message.startswith("template site/stories.html.j2:")
    assert not (workspace / "broken").exists()


def test_the_output_folder_never_swallows_the_workspace(workspace: Path) -> None:
    for out in (workspace, workspace / "systems", workspace / "decisions" / "site", workspace.parent):
        with pytest.raises(ArchkitError) as caught:
            build_site(workspace, out)
        assert caught.value.problems[0].message.startswith(f"will not build into {out}")
    mine = workspace / "notes"
    mine.mkdir()
    (mine / "todo.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ArchkitError):
        build_site(workspace, mine)
    assert (mine / "todo.txt").read_text(encoding="utf-8") == "mine"
    assert (workspace / "systems" / "payment-platform.yaml").is_file()


def test_an_empty_workspace_builds_and_a_planted_link_is_not_carried_over(tmp_path: Path) -> None:
    report = build_site(tmp_path, tmp_path / "site")
    assert report.problems == [] and (tmp_path / "site" / "index.html").is_file()
    secret = tmp_path / "secret.txt"
    secret.write_text("secret", encoding="utf-8")
    page = tmp_path / "site" / "stories.html"
    page.unlink()
    page.symlink_to(secret)
    build_site(tmp_path, tmp_path / "site")
    assert not (tmp_path / "site" / "stories.html").is_symlink()
    assert "secret" not in (tmp_path / "site" / "stories.html").read_text(encoding="utf-8")


def test_a_file_that_fails_is_one_error_and_build_prints_what_check_prints(workspace: Path) -> None:
    from typer.testing import CliRunner

    from archkit.cli import app

    system = workspace / "systems" / "recommendation-platform.yaml"
    system.write_text(system.read_text(encoding="utf-8").replace("\nname:", "\nname: [", 1), encoding="utf-8")
    story = next(p for p in (workspace / "stories").glob("*.yaml") if "recommendation" in p.name)
    story.write_text(
        re.sub("^title:", "titel:", story.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8"
    )

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(app, ["-C", str(workspace), *args], env={"NO_COLOR": "1"})
        return result.exit_code, result.stderr

    code, checked = run("check")
    errors = [line for line in checked.splitlines() if ": error: " in line]
    assert code == 1
    # one error per broken file: nothing that names them is reported as missing too
    assert sorted({line.split(":")[0] for line in errors}) == [
        f"stories/{story.name}",
        "systems/recommendation-platform.yaml",
    ], checked
    assert "which the workspace does not have" not in checked
    code, built = run("build", "--out", str(workspace / "site"))
    assert (code, built) == (2, checked)
    assert not (workspace / "site").exists()


def test_build_site_checks_its_jobs_and_takes_a_relative_out_from_the_workspace(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for jobs in (0, -1, True, "2"):
        with pytest.raises(ArchkitError) as raised:
            build_site(workspace, Path("site"), jobs=jobs)  # type: ignore[arg-type]
        assert raised.value.problems[0].message == f"jobs is {jobs!r}"
    assert not (workspace / "site").exists()
    monkeypatch.chdir(tmp_path)  # not the workspace: a relative out is still the workspace's
    report = build_site(workspace, Path("site"), jobs=1)
    assert report.out == (workspace / "site").resolve()
    assert (workspace / "site" / "index.html").is_file() and not (tmp_path / "site").exists()


def test_the_diagram_of_what_changed_is_drawn_again_only_when_its_system_changed(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """serve rebuilds on every save: an unchanged diff costs no Graphviz run."""
    import archkit.render.diff as diff_module

    drawn: list[str] = []
    real = diff_module.render_diff

    def counted(found: object, *args: object, **kwargs: object) -> object:
        drawn.append(found.after.slug)  # type: ignore[attr-defined]
        return real(found, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(diff_module, "render_diff", counted)
    out = workspace / "site"
    build_site(workspace, out, jobs=1)
    assert drawn == ["platform-microservices"]
    first = (out / "diagrams" / "platform-microservices-diff.svg").read_bytes()
    build_site(workspace, out, jobs=1)
    assert drawn == ["platform-microservices"]  # nothing changed: not drawn again
    assert (out / "diagrams" / "platform-microservices-diff.svg").read_bytes() == first
    system = workspace / "systems" / "platform-microservices.yaml"
    text = system.read_text(encoding="utf-8")
    assert "label: User service" in text
    system.write_text(text.replace("label: User service", "label: Accounts service", 1), encoding="utf-8")
    build_site(workspace, out, jobs=1)
    assert drawn == ["platform-microservices"] * 2
    again = (out / "diagrams" / "platform-microservices-diff.svg").read_text(encoding="utf-8")
    assert "Accounts service" in again and again.encode() != first


def test_a_workspace_it_cannot_write_to_still_gets_its_diff_diagram(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Diagrams go to a temporary cache then, the diff's too: nothing is written into the workspace."""
    from archkit.site import build as site_build

    shutil.rmtree(workspace / ".archkit", ignore_errors=True)
    monkeypatch.setattr(site_build, "_writable", lambda folder: False)
    report = build_site(workspace, tmp_path / "site", jobs=1)
    assert report.problems == []
    assert (tmp_path / "site" / "diagrams" / "platform-microservices-diff.svg").is_file()
    assert not (workspace / ".archkit" / "diagrams").exists()


def test_serve_through_the_library_rebuilds_the_site_by_itself(workspace: Path) -> None:
    """archkit.serve_site needs no callback: it rebuilds the site and says what check says."""
    import threading
    import time

    from archkit import serve_site

    said: list[str] = []
    stop = threading.Event()
    out = workspace / "site"
    thread = threading.Thread(
        target=lambda: serve_site(workspace, out, 0, say=said.append, stop=stop, quiet=True), daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + 90
        served_url(said, deadline)
        assert said[0].startswith("built ") and (out / "index.html").is_file()
        system = workspace / "systems" / "payment-platform.yaml"
        system.write_text(
            system.read_text(encoding="utf-8").replace("\nname:", "\nname: [", 1), encoding="utf-8"
        )
        while not any(s.startswith("not rebuilt") for s in said):
            assert time.monotonic() < deadline, said
            time.sleep(0.05)
        failed = next(s for s in said if s.startswith("not rebuilt"))
        assert "systems/payment-platform.yaml:" in failed and "invalid YAML" in failed
        assert "warning" not in failed  # quiet: errors only
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def test_a_relative_out_under_dash_c_is_the_workspaces_for_build_and_serve(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`archkit -C ws build --out site` writes ws/site (once joined, never ws/ws/site); serve too."""
    import threading
    import time
    import urllib.request

    from typer.testing import CliRunner

    from archkit.cli import app
    from archkit.site.serve import serve

    monkeypatch.chdir(workspace.parent)
    name = workspace.name
    result = CliRunner().invoke(app, ["-C", name, "build", "--out", "site"])
    assert result.exit_code == 0, result.output
    assert (workspace / "site" / "index.html").is_file() and not (workspace / name).exists()
    assert result.output.startswith("built site/: ")  # shown as in the workspace
    said: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=lambda: serve(Path(name), Path("served"), 0, say=said.append, stop=stop), daemon=True
    )
    thread.start()
    try:
        url = served_url(said, time.monotonic() + 90)
        with urllib.request.urlopen(url + "index.html") as page:
            assert page.status == 200
        assert (workspace / "served" / "index.html").is_file() and not (workspace / name).exists()
    finally:
        stop.set()
        thread.join(10)
