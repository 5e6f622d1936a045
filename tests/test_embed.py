"""`archkit embed`: marker blocks in documents, filled and checked; the rest of the file untouched."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from inline_snapshot import snapshot
from typer.testing import CliRunner

from archkit.cli import app
from archkit.documents.embed import embed_documents
from archkit.documents.markers import find_blocks
from archkit.errors import ArchkitError, format_problem
from archkit.render import graphviz

DOC = (
    "# Architecture\r\n"
    "\r\n"
    "Intro text with trailing spaces   \r\n"
    "<!-- archkit:diagram payment-platform format=svg -->\r\n"
    "<!-- archkit:end -->\r\n"
    "\r\n"
    "```markdown\r\n"
    "<!-- archkit:diagram not-a-block -->\r\n"
    "```\r\n"
    "<!-- archkit:mermaid payment-platform -->\r\n"
    "old text\r\n"
    "<!-- archkit:end -->\r\n"
    "<!-- archkit:scale recommendation-platform -->\r\n"
    "<!-- archkit:end -->\r\n"
    "<!-- archkit:decision 2 -->\r\n"
    "<!-- archkit:end -->\r\n"
    "<!-- archkit:decisions -->\r\n"
    "<!-- archkit:end -->\r\n"
    "tail without newline"
)


def invoke(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "100", "NO_COLOR": "1"})
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def outside_blocks(text: str) -> list[str]:
    """The document without what lies between markers."""
    kept, inside = [], False
    for line in text.splitlines(keepends=True):
        if "<!-- archkit:end -->" in line:
            inside = False
        if not inside:
            kept.append(line)
        if "<!-- archkit:" in line and "archkit:end" not in line and "not-a-block" not in line:
            inside = True
    return kept


def test_embed_fills_every_kind_of_block_and_keeps_every_other_byte(runner: CliRunner, example: Path) -> None:
    doc = write(example / "docs" / "architecture.md", DOC)
    code, out, err = invoke(runner, "-C", str(example), "embed")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "1 document, 5 blocks: 1 document updated"
    text = doc.read_bytes().decode("utf-8")
    assert outside_blocks(text) == outside_blocks(DOC)
    assert text.endswith("tail without newline") and "\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert "![Payment Platform Integration](payment-platform.svg)\r\n" in text
    assert (example / "docs" / "payment-platform.svg").read_bytes().startswith(b"<?xml")
    assert "```mermaid\r\n---\r\ntitle: " in text and "old text" not in text
    assert "| users | 50M |" in text  # the scale table
    assert "[2\\. Migration from monolith to microservices](../decisions/0002-" in text
    assert "| 1 | [1. " in text  # the index
    # the scale table has the system's estimates with their working (archkit.prep.estimates)
    assert "| Figure | Value | Working | What it implies |" in text
    assert "| cache memory | 20 GB | \\[users\\] x 20% x 2 KB = 50M x 20% x 2 KB = 20 GB |" in text
    # a second run changes nothing and draws nothing
    before = doc.stat().st_mtime_ns
    code, out, _ = invoke(runner, "-C", str(example), "embed")
    assert out == "1 document, 5 blocks: 0 documents updated\n"
    assert doc.stat().st_mtime_ns == before


def test_check_lists_stale_blocks_and_writes_nothing(runner: CliRunner, example: Path) -> None:
    doc = write(example / "README.md", DOC)
    code, out, _ = invoke(runner, "-C", str(example), "embed", "--check")
    assert code == 1
    assert out == snapshot(
        """\
README.md:4: stale archkit:diagram payment-platform: its text is out of date
README.md:4: stale archkit:diagram payment-platform: its image is out of date
README.md:10: stale archkit:mermaid payment-platform: its text is out of date
README.md:13: stale archkit:scale recommendation-platform: its text is out of date
README.md:15: stale archkit:decision 2: its text is out of date
README.md:17: stale archkit:decisions: its text is out of date
1 document, 5 blocks: 6 stale; run 'archkit embed' to update them
"""
    )
    assert doc.read_bytes() == DOC.encode("utf-8")
    assert not (example / "payment-platform.svg").exists()
    assert invoke(runner, "-C", str(example), "embed")[0] == 0
    assert invoke(runner, "-C", str(example), "embed", "--check")[:2] == (
        0,
        "1 document, 5 blocks: all up to date\n",
    )
    # a changed system makes its blocks stale again
    system = example / "systems" / "payment-platform.yaml"
    system.write_text(
        system.read_text(encoding="utf-8").replace("Payment Platform Integration", "Payments"), "utf-8"
    )
    code, out, _ = invoke(runner, "-C", str(example), "embed", "--check")
    assert code == 1
    assert "README.md:4: stale archkit:diagram payment-platform: its text is out of date" in out
    assert "README.md:11: stale archkit:mermaid payment-platform" in out
    assert "recommendation-platform" not in out


def workspace_state(root: Path) -> dict[str, tuple[bytes, int] | None]:
    """Every file below ``root`` (its bytes and modification time) and every folder."""
    state: dict[str, tuple[bytes, int] | None] = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        state[name] = (path.read_bytes(), path.stat().st_mtime_ns) if path.is_file() else None
    return state


def test_a_check_leaves_the_workspace_as_it_was_caches_included(runner: CliRunner, example: Path) -> None:
    """Whatever a check has to read again (a new or touched document, an edited system, a new
    record, a deleted image), it writes nothing: not a document, an image or a cache."""
    write(example / "docs" / "a.md", DOC)
    write(
        example / "docs" / "b.md", "<!-- archkit:diagram url-shortener format=png -->\n<!-- archkit:end -->\n"
    )
    assert invoke(runner, "-C", str(example), "embed")[0] == 0
    assert (example / ".archkit" / "cache" / "embed.json").is_file()
    write(example / "docs" / "c.md", "<!-- archkit:mermaid url-shortener -->\n<!-- archkit:end -->\n")
    os.utime(example / "docs" / "a.md", ns=(1, 1))  # touched, still up to date
    system = example / "systems" / "payment-platform.yaml"
    system.write_text(system.read_text("utf-8").replace("Payment Platform Integration", "Payments"), "utf-8")
    record = sorted((example / "decisions").glob("0002-*.md"))[0]
    record.write_text(record.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    (example / "docs" / "url-shortener.png").unlink()
    before = workspace_state(example)
    code, out, _ = invoke(runner, "-C", str(example), "embed", "--check")
    assert code == 1
    assert "docs/c.md:1: stale archkit:mermaid url-shortener" in out
    assert "docs/b.md:1: stale archkit:diagram url-shortener: its image is out of date" in out
    assert workspace_state(example) == before
    # and a check that finds everything up to date writes nothing either
    assert invoke(runner, "-C", str(example), "embed")[0] == 0
    before = workspace_state(example)
    assert invoke(runner, "-C", str(example), "embed", "--check")[:2] == (
        0,
        "3 documents, 7 blocks: all up to date\n",
    )
    assert workspace_state(example) == before


def test_a_deleted_image_is_stale_and_drawn_again(runner: CliRunner, example: Path) -> None:
    write(
        example / "doc.md",
        "<!-- archkit:diagram payment-platform format=png out=img -->\n<!-- archkit:end -->\n",
    )
    assert invoke(runner, "-C", str(example), "embed")[0] == 0
    image = example / "img" / "payment-platform.png"
    assert image.read_bytes()[:4] == b"\x89PNG"
    assert "![Payment Platform Integration](img/payment-platform.png)" in (example / "doc.md").read_text(
        "utf-8"
    )
    image.unlink()
    code, out, _ = invoke(runner, "-C", str(example), "embed", "--check")
    assert code == 1 and "its image is out of date" in out
    code, out, _ = invoke(runner, "-C", str(example), "embed")
    assert "drew img/payment-platform.png" in out and image.is_file()


def test_nothing_is_drawn_or_read_when_nothing_changed(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(example / "a.md", "<!-- archkit:diagram payment-platform -->\n<!-- archkit:end -->\n")
    embed_documents(example)

    def no_graphviz(*args: object, **kwargs: object) -> None:
        raise AssertionError("Graphviz was run")

    monkeypatch.setattr(graphviz, "lay_out", no_graphviz)
    assert embed_documents(example, check=True).stale == []
    assert embed_documents(example).images == []
    # a document edited outside its blocks is read again, and nothing is drawn either
    text = (example / "a.md").read_text("utf-8")
    (example / "a.md").write_text("# Title\n" + text, "utf-8")
    assert embed_documents(example).updated == []


def test_html_documents_get_html(example: Path) -> None:
    page = write(
        example / "page.html",
        "<html><body>\n<!-- archkit:diagram payment-platform -->\n<!-- archkit:end -->\n"
        "<!-- archkit:decisions status=accepted -->\n<!-- archkit:end -->\n</body></html>\n",
    )
    embed_documents(example)
    text = page.read_text("utf-8")
    assert '<img src="payment-platform.svg" alt="Payment Platform Integration">' in text
    assert "<table>" in text and "<td>accepted</td>" in text.lower()


def test_user_text_is_escaped(make_tree) -> None:
    root = make_tree(
        {
            "systems/x.yaml": "name: 'A <script>x</script> | pipe'\nscale: {'*users*': '<b>1M</b>'}\n"
            "components: [{id: a}]\n",
            "doc.md": "<!-- archkit:scale x -->\n<!-- archkit:end -->\n<!-- archkit:diagram x format=png -->\n"
            "<!-- archkit:end -->\n",
        }
    )
    embed_documents(root, check=True)  # a check of a new document: no error
    embed_documents(root)
    text = (root / "doc.md").read_text("utf-8")
    # entities, not backslashes: Python-Markdown (MkDocs) does not read '\\<' as an escape
    assert "| \\*users\\* | &lt;b&gt;1M&lt;/b&gt; |" in text
    assert "![A &lt;script&gt;x&lt;/script&gt; | pipe](x.png)" in text
    # and CommonMark (GitHub) reads them back as the text written
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").enable("table").render(text)
    assert "<td>*users*</td>" in rendered and "<td>&lt;b&gt;1M&lt;/b&gt;</td>" in rendered
    assert 'alt="A &lt;script&gt;x&lt;/script&gt; | pipe"' in rendered and "<script" not in rendered


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "a\n<!-- archkit:diagram payment-platform -->\nno end\n",
            "doc.md:2:1: error: the block 'archkit:diagram' is not closed; expected <!-- archkit:end --> on a line of its own after it",
        ),
        (
            "<!-- archkit:diagram paymnt-platform -->\n<!-- archkit:end -->\n",
            "doc.md:1:1: error: no system named 'paymnt-platform'; expected a system name: 'payment-platform', 'platform-microservices', 'recommendation-platform', 'url-shortener'; did you mean 'payment-platform'?",
        ),
        (
            "<!-- archkit:diagam payment-platform -->\n<!-- archkit:end -->\n",
            "doc.md:1:1: error: unknown marker 'archkit:diagam'; expected one of diagram, mermaid, scale, decision, decisions (and 'end' to close a block); did you mean 'diagram'?",
        ),
        (
            "x\n\n<!-- archkit:end -->\n",
            "doc.md:3:1: error: 'archkit:end' closes no block; expected an opening marker",
        ),
        (
            "<!-- archkit:diagram payment-platform fromat=png -->\n<!-- archkit:end -->\n",
            "doc.md:1:39: error: 'archkit:diagram' has no option 'fromat'; expected options: format, out, theme, direction, legend, width; did you mean 'format'?",
        ),
        (
            "<!-- archkit:decision 99 -->\n<!-- archkit:end -->\n",
            "doc.md:1:1: error: no decision record numbered 99; expected one of 1, 2, 3, 4, 5, 6",
        ),
        (
            "<!-- archkit:diagram payment-platform format=gif -->\n<!-- archkit:end -->\n",
            "doc.md:1:1: error: format=gif is not allowed; expected format=svg or png",
        ),
    ],
)
def test_errors_name_file_and_line(runner: CliRunner, example: Path, text: str, message: str) -> None:
    doc = write(example / "doc.md", text)
    code, out, err = invoke(runner, "-C", str(example), "embed", "doc.md")
    assert (code, out) == (2, "")
    assert err.strip() == message
    assert doc.read_text("utf-8") == text


def test_markers_in_code_fences_are_examples() -> None:
    text = "~~~\n<!-- archkit:diagram a -->\n~~~\n````\n```\n<!-- archkit:end -->\n````\n"
    assert find_blocks(text, "x.md") == []
    with pytest.raises(ArchkitError) as caught:
        find_blocks("<!-- archkit:diagram a -->\n<!-- archkit:mermaid a -->\n<!-- archkit:end -->\n", "x.md")
    assert [format_problem(p) for p in caught.value.problems] == [
        "x.md:1:1: error: the block 'archkit:diagram' is not closed; expected <!-- archkit:end --> on a line of its own after it"
    ]


def test_an_indented_block_keeps_its_indent(example: Path) -> None:
    doc = write(
        example / "list.md",
        "- item\n\n    <!-- archkit:scale payment-platform -->\n    <!-- archkit:end -->\n",
    )
    embed_documents(example)
    lines = doc.read_text("utf-8").splitlines()
    assert lines[3].startswith("    | Figure |") and lines[-1] == "    <!-- archkit:end -->"


def test_files_outside_documents_are_not_touched(example: Path) -> None:
    write(example / "build" / "x.md", "<!-- archkit:diagram nope -->\n")  # build output is skipped
    write(example / "notes.txt", "<!-- archkit:diagram nope -->\n")
    assert embed_documents(example).documents == 0
    assert not any(p.suffix == ".svg" for p in example.rglob("*"))
    assert os.listdir(example / "build") == ["x.md"]


def test_a_document_named_from_outside_the_workspace_is_the_workspace_s(
    runner: CliRunner, example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As with git -C: `archkit -C ws embed doc.md` run from the folder above means ws/doc.md."""
    doc = write(example / "doc.md", "<!-- archkit:scale payment-platform -->\n<!-- archkit:end -->\n")
    monkeypatch.chdir(example.parent)
    code, out, err = invoke(runner, "-C", example.name, "embed", "doc.md")
    assert (code, err) == (0, ""), out
    assert "| products | 5 |" in doc.read_text(encoding="utf-8")
    # a file only the current folder has is still found there
    elsewhere = write(
        example.parent / "notes.md", "<!-- archkit:scale payment-platform -->\n<!-- archkit:end -->\n"
    )
    code, out, err = invoke(runner, "-C", example.name, "embed", "notes.md")
    assert (code, err) == (0, ""), out
    assert "| products | 5 |" in elsewhere.read_text(encoding="utf-8")
