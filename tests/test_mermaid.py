"""Mermaid export: every text escaped the way Mermaid reads it, checked on the structure of the
output and, where the machine has it, by the real mermaid-cli drawing it in Debian's Chromium."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from archkit.model import System, load_system_text
from archkit.render.mermaid import to_mermaid

HOSTILE = """
name: 'Shop <script>alert(1)</script> & "quotes" # | ` ; %% end'
scale:
  'p99 <latency>': '< 100 ms & > 5 ms'
groups:
  - {id: end, label: 'end subgraph "x" <b>bold</b> [x] {y}', kind: region}
components:
  - {id: a-b.c_d, label: 'A "quoted" <i>label</i> | pipe # hash', tech: redis, group: end,
     metrics: ['p95 < 5 ms & #1']}
  - {id: graph, label: 'click callback `tick` %% comment', tech: kafka}
connections:
  - {from: a-b.c_d, to: graph, label: 'a|b "c" <d> & e #f `g`', mode: async}
"""
LABEL = re.compile(r'"(?P<text>[^"\n]*)"')
ENTITY = re.compile(r"#(?:(?P<name>[a-z]+)|(?P<code>\d+));")
MERMAID_CLI = (
    Path(__file__).resolve().parent.parent / ".venv" / "mermaid-cli" / "node_modules" / ".bin" / "mmdc"
)


def decoded(label: str) -> list[str]:
    """What Mermaid shows for a quoted label: entity codes read, archkit's own tags as breaks."""
    assert '"' not in label and "<script" not in label
    assert not re.search(r"<(?!/?(b|small)>|br/>)", label), label  # no tag but archkit's own
    parts = [part for part in re.split(r"</?b>|</?small>|<br/>", label) if part]
    return [
        ENTITY.sub(lambda m: html.unescape(f"&{m['name']};") if m["name"] else chr(int(m["code"])), part)
        for part in parts
    ]


def test_every_label_reads_back_as_written() -> None:
    system = load_system_text(HOSTILE)
    text = to_mermaid(system)
    front, body = text.split("---\n")[1], text.split("---\n", 2)[2]
    title = yaml.safe_load(front)["title"]
    assert not set("<>&") & set(title)  # Mermaid would show them as &lt; &gt; &amp;
    assert title.startswith('Shop ‹script›alert(1)‹/script› and "quotes"')
    shown = [part for match in LABEL.finditer(body) for part in decoded(match["text"])]
    for written in (
        'end subgraph "x" <b>bold</b> [x] {y}',
        'A "quoted" <i>label</i> | pipe # hash',
        "p95 < 5 ms & #1",
        "click callback `tick` %% comment",
        'a|b "c" <d> & e #f `g`',
    ):
        assert written in shown
    # the structure: one subgraph, closed once; every node defined once; the edge between them
    lines = body.splitlines()
    assert sum(line.strip().startswith("subgraph ") for line in lines) == 1
    assert sum(line.strip() == "end" for line in lines) == 1
    ids = [m[1] for line in lines if (m := re.match(r"\s+(c_\w+)\[", line))]
    assert sorted(ids) == ["c_a_hb_dc__d", "c_graph"]
    assert re.search(r"^  c_a_hb_dc__d -\.->\|\"[^\"]*\"\| c_graph$", body, re.MULTILINE)


def _mmdc() -> str | None:
    found = os.environ.get("ARCHKIT_MMDC") or shutil.which("mmdc")
    if found:
        return found
    return str(MERMAID_CLI) if MERMAID_CLI.is_file() else None


def test_mermaid_cli_draws_every_text_as_written(tmp_path: Path) -> None:
    mmdc = _mmdc()
    if mmdc is None:
        pytest.skip(
            "mermaid-cli is not installed (scripts/ensure-mermaid-cli.sh installs it with npm into "
            ".venv/mermaid-cli, or set ARCHKIT_MMDC); the structural test above still runs"
        )
    if not Path("/usr/bin/chromium").is_file():
        pytest.skip("mermaid-cli needs Chromium at /usr/bin/chromium (scripts/ensure-chromium.sh)")
    system: System = load_system_text(HOSTILE)
    source = tmp_path / "hostile.mmd"
    source.write_text(to_mermaid(system), encoding="utf-8")
    config = tmp_path / "puppeteer.json"
    config.write_text(json.dumps({"executablePath": "/usr/bin/chromium", "args": ["--no-sandbox"]}))
    out = tmp_path / "hostile.svg"
    done = subprocess.run(
        [mmdc, "-p", str(config), "-i", str(source), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    svg = out.read_text(encoding="utf-8")
    title = re.search(r'flowchartTitleText">([^<]*)<', svg)
    assert title is not None
    assert "&amp;" not in title[1] and "‹ 100 ms and › 5 ms" in html.unescape(title[1])
    texts = html.unescape(re.sub(r"<[^>]+>", "\n", svg))
    for written in ('A "quoted" <i>label</i> | pipe # hash', "p95 < 5 ms & #1", 'a|b "c" <d> & e #f `g`',
                    'end subgraph "x" <b>bold</b> [x] {y}', "click callback `tick` %% comment"):  # fmt: skip
        assert written in texts, written
    assert "<script" not in svg
