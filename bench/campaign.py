"""The adversarial campaign: fuzzed inputs through the commands, kills at random moments, a full
disk, racing writers, injection payloads and attempts to write outside the workspace. It prints
one line per measure and exits 1 when any "must be 0" measure is not (or 20 concurrent
supersedes do not all land on both sides).

    python bench/campaign.py              # the full campaign (tens of minutes on 2 cores)
    python bench/campaign.py --quick      # a few of each, to try it
    python bench/campaign.py --scale 0.3  # 30% of the runs of each kind

Fuzzed inputs run in-process (Typer's CliRunner: an exception escaping a command is a traceback);
kills, the full disk and racing writers run the real command line as subprocesses. The full disk is
a real 1 MB tmpfs when this process may mount one (root), else ENOSPC injected into archkit's
writes by tests/fault_inject.py; the line says which. Everything is written under one temporary
folder, removed at the end.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import html.parser
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HELPER = REPO / "tests" / "fault_inject.py"
ARCHKIT = [sys.executable, "-m", "archkit"]
ENV = {**os.environ, "ARCHKIT_TODAY": "2025-01-15", "NO_COLOR": "1", "COLUMNS": "200"}

HOSTILE = [
    "x" * 17000, "9" * 300 + "B", "inf", "-1", "1e400", "\x1b[31mred", "\x00", "\r", "é", "]", "[", "(", ")",
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)", "{{ 7*7 }}",
    "../../etc/passwd", "a b", "-dash", "", " ", "*", "#", "---", "~~~", "```", "\u202e", "%s%n", "&amp;",
]  # fmt: skip
PAYLOADS = [
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "<svg onload=alert(1)>",
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "<iframe src=javascript:alert(1)>",
    "'-alert(1)-'", "</title><script>alert(1)</script>",
    "<a href=javascript:alert(1)>x</a>", "[x](javascript:alert(1))", "![x](javascript:alert(1))",
    "<math><mtext></p><script>alert(1)</script>", "{{ ''.__class__ }}", "<details open ontoggle=alert(1)>",
    "&#106;avascript:alert(1)", "<style>*{background:url(javascript:alert(1))}</style>",
]  # fmt: skip


def say(line: str) -> None:
    print(line, flush=True)


class Tally:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}
        self.examples: dict[str, str] = {}

    def add(self, key: str, amount: int = 1, example: str = "") -> None:
        self.values[key] = self.values.get(key, 0) + amount
        if example and amount and key not in self.examples:
            self.examples[key] = example[:300]


def cli_in_process(root: Path, *args: str) -> tuple[int, str, bool]:
    """(exit code, output, whether an exception escaped or an internal error was printed)."""
    from typer.testing import CliRunner

    from archkit.cli import app

    result = CliRunner().invoke(app, ["-C", str(root), *args], env={"COLUMNS": "200", "NO_COLOR": "1"})
    escaped = result.exception is not None and not isinstance(result.exception, SystemExit)
    output = result.output
    return result.exit_code, output, escaped or "internal error" in output or "Traceback" in output


def command(root: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ARCHKIT, "-C", str(root), *args], capture_output=True, text=True, env=ENV, timeout=timeout
    )


def mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(lines))
        choice = rng.random()
        piece = rng.choice(HOSTILE)
        if choice < 0.4:  # replace a value
            key, sep, _ = lines[at].partition(":")
            lines[at] = f"{key}{sep} {piece!r}" if sep else piece
        elif choice < 0.6:
            del lines[at]
        elif choice < 0.8:
            lines.insert(at, lines[at][: rng.randrange(len(lines[at]) + 1)] + piece)
        else:
            lines[at] = lines[at] + piece
    return "\n".join(lines)


# -- fuzzed inputs --------------------------------------------------------------------------


def fuzz_systems(base: Path, count: int, rng: random.Random, tally: Tally) -> None:
    originals = sorted((REPO / "systems").glob("*.yaml"))
    for i in range(count):
        root = base / f"sys-{i}"
        (root / "systems").mkdir(parents=True)
        source = rng.choice(originals)
        name = rng.choice([source.stem, source.stem, "a b", "-dash", "x" * 200, "ok"])
        (root / "systems" / f"{name}.yaml").write_text(mutate(source.read_text("utf-8"), rng), "utf-8")
        code, out, escaped = cli_in_process(root, "check")
        tally.add("system files fuzzed")
        tally.add("tracebacks or internal errors", escaped, f"check {root}: {out}")
        if code == 0 and i % 3 == 0:  # what check accepts, the others accept
            for args in (["diagram", "--format", "svg"], ["build"]):
                code2, out2, escaped2 = cli_in_process(root, *args)
                tally.add("tracebacks or internal errors", escaped2, f"{args} {root}: {out2}")
                tally.add("accepted by check, refused after", code2 != 0, f"{args} {root}: {out2}")
        shutil.rmtree(root)


RECORD = "# {n}. {title}\n\nDate: 2024-0{m}-01\n\n## Status\n\n{status}\n{links}\n## Context\n\nWhy.\n"


def fuzz_records(base: Path, count: int, rng: random.Random, tally: Tally) -> None:
    for i in range(count):
        root = base / f"rec-{i}"
        folder = root / "decisions"
        folder.mkdir(parents=True)
        for n in range(1, 6):
            links = ""
            if rng.random() < 0.5:
                label = rng.choice(["Amends", "Supercedes", "Bad]label", "", "Relates to"])
                target = rng.choice(["0002-r.md", "javascript:alert(1);x.md", "../x.md", "0009-none.md"])
                links = f"\n{label} [{rng.choice(HOSTILE)[:50]}]({target})\n"
            text = RECORD.format(
                n=rng.choice([n, n, 1, 0]),
                title=rng.choice([f"R{n}", *HOSTILE])[:3000],
                m=rng.randint(1, 9),
                status=rng.choice(["Accepted", "Superseded", "bogus", ""]),
                links=links,
            )
            if rng.random() < 0.3:
                text = mutate(text, rng)
            raw = text.encode("utf-8", "surrogatepass")
            if rng.random() < 0.1:
                raw = raw.replace(b"\n", rng.choice([b"\r\n", b"\r"]))
            if rng.random() < 0.05:
                raw += b"Caf\xe9\n"
            (folder / f"{n:04d}-r.md").write_bytes(raw)
        before = len(list(folder.glob("*.md")))
        for args in (
            ["tdr", "list"],
            ["tdr", "check"],
            ["tdr", "render", "--out", "out"],
            ["tdr", "renumber"],
            ["tdr", "link", "1", "2", rng.choice(["Amends", "x(y", ""]), "Amended by"],
            ["tdr", "status", "3", rng.choice(["accepted", "bogus"])],
        ):
            _, out, escaped = cli_in_process(root, *args)
            tally.add("tracebacks or internal errors", escaped, f"{args} {root}: {out}")
        after = len(list(folder.glob("*.md")))
        tally.add("record files fuzzed", before)
        tally.add("records lost", max(0, before - after), str(root))
        shutil.rmtree(root)


def fuzz_portfolio(base: Path, count: int, rng: random.Random, tally: Tally) -> None:
    sources = [
        *sorted((REPO / "case-studies").glob("*.yaml")),
        *sorted((REPO / "leadership").glob("*.yaml")),
        REPO / "portfolio.yaml",
    ]
    for i in range(count):
        root = base / f"port-{i}"
        shutil.copytree(REPO / "systems", root / "systems")
        source = rng.choice(sources)
        relative = source.relative_to(REPO)
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(mutate(source.read_text("utf-8"), rng), "utf-8")
        _code, out, escaped = cli_in_process(root, "check")
        tally.add("portfolio files fuzzed")
        tally.add("tracebacks or internal errors", escaped, f"check {root}: {out}")
        if i % 4 == 0:
            _, out2, escaped2 = cli_in_process(root, "build")
            tally.add("tracebacks or internal errors", escaped2, f"build {root}: {out2}")
        shutil.rmtree(root)


# -- kills, full disk, racing writers ---------------------------------------------------------


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def big_duplicates(folder: Path, records: int, duplicates: int) -> None:
    folder.mkdir(parents=True)
    for n in range(1, records - duplicates + 1):
        links = ""
        if n > 1 and n % 5 == 0:
            links = f"\nAmends [{n - 1}. Twin {n - 1}]({n - 1:04d}-twin-{n - 1}.md)\n"
        (folder / f"{n:04d}-first-{n}.md").write_text(
            RECORD.format(n=n, title=f"First {n}", m=1, status="Accepted", links=links), "utf-8"
        )
    for k in range(duplicates):
        n = 5 + k * 5  # every fifth record has a twin its predecessor-linker points to
        back = (
            f"\nAmended by [{n + 1}. First {n + 1}]({n + 1:04d}-first-{n + 1}.md)\n"
            if (n + 1) % 5 == 0
            else ""
        )
        (folder / f"{n - 1:04d}-twin-{n - 1}.md").write_text(
            RECORD.format(n=n - 1, title=f"Twin {n - 1}", m=2, status="Accepted", links=back), "utf-8"
        )


BASELINE: dict[str, int] = {}


def one_sided_of(snap: dict[str, bytes], base: Path) -> int:
    key = repr(sorted((k, hash(v)) for k, v in snap.items()))
    if key not in BASELINE:
        root = base / f"baseline-{len(BASELINE)}"
        (root / "decisions").mkdir(parents=True)
        for name, data in snap.items():
            (root / "decisions" / name).write_bytes(data)
        BASELINE[key] = folder_problems(root, root / "decisions")[0]
        shutil.rmtree(root)
    return BASELINE[key]


def folder_problems(root: Path, folder: Path) -> tuple[int, int, int]:
    """(one-sided links, empty records, stray files) as the next command leaves them."""
    from archkit.decisions import DecisionStore, check_records

    stray = [p.name for p in folder.iterdir() if not re.match(r"^\d+-.+\.md$", p.name)]
    empty = [p.name for p in folder.iterdir() if p.suffix == ".md" and p.stat().st_size == 0]
    store = DecisionStore(root)
    one_sided = [
        p for p in check_records(store, store.records(), errors_only=True) if "one-sided" in p.message
    ]
    return len(one_sided), len(empty), len(stray)


def kill_at_random_times(
    base: Path,
    name: str,
    make: Callable[[Path], None],
    args: list[str],
    runs: int,
    rng: random.Random,
    tally: Tally,
) -> None:
    model = base / f"{name}-model"
    make(model / "decisions")
    before = snapshot(model / "decisions")
    start = time.perf_counter()
    done = command(model, *args)
    took = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    after = snapshot(model / "decisions")
    interrupted = 0
    for i in range(runs):
        root = base / f"{name}-{i}"
        make(root / "decisions")
        process = subprocess.Popen(
            [*ARCHKIT, "-C", str(root), *args], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.05, took * 1.1))
        process.send_signal(signal.SIGKILL)
        interrupted += process.wait() == -9
        next_command = command(root, "tdr", "list")
        tally.add(
            "tracebacks or internal errors", "internal error" in next_command.stderr, next_command.stderr
        )
        folder = root / "decisions"
        one_sided, empty, stray = folder_problems(root, folder)
        now = snapshot(folder)
        one_sided -= one_sided_of(now, base) if now in (before, after) else 0
        tally.add(f"{name}: killed runs", 1)
        tally.add(f"{name}: folder neither as before nor as after", now not in (before, after), str(root))
        tally.add("one-sided links after kills", one_sided, str(root))
        tally.add("empty records after kills", empty, str(root))
        tally.add("stray files after kills", stray, str(root))
        tally.add("records lost", max(0, len(before) - len([n for n in now if n.endswith(".md")])), str(root))
        if name == "renumber":
            again = command(root, *args)
            tally.add(
                "renumber run again does not finish",
                snapshot(folder) != after or again.returncode != 0,
                str(root),
            )
        shutil.rmtree(root)
    tally.add(f"{name}: runs killed mid-way (not finished)", interrupted)
    shutil.rmtree(model)


def kill_at_injected_points(
    base: Path, name: str, make: Callable[[Path], None], args: list[str], tally: Tally
) -> None:
    model = base / f"{name}-points-model"
    make(model / "decisions")
    before = snapshot(model / "decisions")
    counted = subprocess.run(
        [sys.executable, str(HELPER), "count", "0", "--", "-C", str(model), *args],
        capture_output=True,
        text=True,
        env=ENV,
    )
    total = int(re.search(r"steps: (\d+)", counted.stderr)[1])  # type: ignore[index]
    after = snapshot(model / "decisions")
    points = sorted(random.Random(20).sample(range(1, total + 1), min(20, total)))
    for at in points:
        root = base / f"{name}-point-{at}"
        make(root / "decisions")
        subprocess.run(
            [sys.executable, str(HELPER), "kill", str(at), "--", "-C", str(root), *args],
            capture_output=True,
            env=ENV,
        )
        command(root, "tdr", "list")
        one_sided, empty, stray = folder_problems(root, root / "decisions")
        now_ = snapshot(root / "decisions")
        one_sided -= one_sided_of(now_, base) if now_ in (before, after) else 0
        tally.add(f"{name}: killed at a chosen step", 1)
        tally.add(
            f"{name}: folder neither as before nor as after",
            snapshot(root / "decisions") not in (before, after),
            str(root),
        )
        tally.add("one-sided links after kills", one_sided, str(root))
        tally.add("empty records after kills", empty, str(root))
        tally.add("stray files after kills", stray, str(root))
        shutil.rmtree(root)
    shutil.rmtree(model)


def small_set(folder: Path) -> None:
    folder.mkdir(parents=True)
    for n in range(1, 6):
        (folder / f"{n:04d}-decision-{n}.md").write_text(
            RECORD.format(n=n, title=f"Decision {n}", m=1, status="Accepted", links=""), "utf-8"
        )


def full_disk(base: Path, tally: Tally) -> str:
    """tdr new --supersedes and tdr renumber on a disk with little room left, at many fill levels."""
    mount = base / "tmpfs"
    mount.mkdir()
    mounted = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True
        ).returncode
        == 0
    )
    try:
        for name, make, args in (
            ("supersede", small_set, ["tdr", "new", "Replace four", "--supersedes", "4"]),
            ("renumber", lambda f: big_duplicates(f, 40, 6), ["tdr", "renumber"]),
        ):
            model = base / f"disk-{name}-model"
            make(model / "decisions")
            before = snapshot(model / "decisions")
            assert command(model, *args).returncode == 0
            after = snapshot(model / "decisions")
            shutil.rmtree(model)
            for room in range(0, 40000, 4000) if mounted else range(1, 30):
                root = (mount if mounted else base) / "ws"
                make(root / "decisions")
                if mounted:
                    filler = mount / "filler"
                    free = shutil.disk_usage(mount).free
                    with open(filler, "wb") as handle, contextlib.suppress(OSError):
                        handle.write(b"\0" * max(0, free - room - 4096))
                    done = command(root, *args)
                else:
                    done = subprocess.run(
                        [sys.executable, str(HELPER), "enospc", str(room), "--", "-C", str(root), *args],
                        capture_output=True,
                        text=True,
                        env=ENV,
                    )
                tally.add("full disk: runs", 1)
                tally.add(
                    "tracebacks or internal errors",
                    "internal error" in done.stderr or "Traceback" in done.stderr,
                    done.stderr,
                )
                if done.returncode and "No space left" in done.stderr:
                    tally.add("full disk: runs that hit it", 1)
                    tally.add(
                        "full disk: errors naming no record file",
                        not re.search(r"decisions/\S+: No space left", done.stderr),
                        done.stderr,
                    )
                if mounted:
                    (mount / "filler").unlink(missing_ok=True)
                command(root, "tdr", "list")
                one_sided, empty, stray = folder_problems(root, root / "decisions")
                now_ = snapshot(root / "decisions")
                one_sided -= one_sided_of(now_, base) if now_ in (before, after) else 0
                tally.add(
                    "full disk: folder neither as before nor as after",
                    snapshot(root / "decisions") not in (before, after),
                    done.stderr,
                )
                tally.add("one-sided links after kills", one_sided)
                tally.add("empty records after kills", empty)
                tally.add("stray files after kills", stray)
                shutil.rmtree(root)
    finally:
        if mounted:
            subprocess.run(["umount", str(mount)], check=False)
    return "a real 1 MB tmpfs" if mounted else "ENOSPC injected into archkit's writes (tests/fault_inject.py)"


def concurrent_supersedes(base: Path, tally: Tally) -> None:
    root = base / "race"
    small_set(root / "decisions")
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        runs = list(
            pool.map(
                lambda i: command(root, "tdr", "new", f"Replacement {i}", "--supersedes", "4"), range(20)
            )
        )
    four = (root / "decisions" / "0004-decision-4.md").read_text("utf-8")
    back = len(re.findall(r"^Super[cs]eded by \[", four, re.M))
    forward = sum(
        bool(re.search(r"^Super[cs]edes \[4\. Decision 4\]", p.read_text("utf-8"), re.M))
        for p in (root / "decisions").glob("*.md")
    )
    tally.add("concurrent supersedes exiting 0", sum(r.returncode == 0 for r in runs))
    tally.add("concurrent supersedes: links on record 4", back)
    tally.add("concurrent supersedes: links from the new records", forward)
    shutil.rmtree(root)


# -- payloads and writes outside the workspace --------------------------------------------------


class LiveFinder(html.parser.HTMLParser):
    """Counts what a browser would run: scripts not archkit's, event handlers, script URLs."""

    def __init__(self, payload_marker: str) -> None:
        super().__init__()
        self.live: list[str] = []
        self.marker = payload_marker
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            text = (value or "").strip().lower()
            if name.startswith("on"):
                self.live.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "xlink:href", "action", "formaction") and re.match(
                r"^\s*(javascript|vbscript|data):", text
            ):
                self.live.append(f"<{tag} {name}={text[:40]}>")
        if tag in ("iframe", "object", "embed"):
            self.live.append(f"<{tag}>")
        self.in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and "alert(" in data:
            self.live.append("<script>alert(...)")


def payloads(base: Path, tally: Tally) -> None:
    for i, payload in enumerate(PAYLOADS):
        root = base / f"payload-{i}"
        shutil.copytree(REPO / "systems", root / "systems")
        folder = root / "decisions"
        folder.mkdir()
        escaped_title = payload.replace("\n", " ")
        (folder / "0001-a.md").write_text(
            RECORD.format(
                n=1,
                title=escaped_title,
                m=1,
                status="Accepted",
                links=f"\nAmends [2. x]({payload.replace(' ', '')}.md)\n",
            ),
            "utf-8",
        )
        (folder / "0002-b.md").write_text(
            RECORD.format(
                n=2,
                title="B",
                m=1,
                status="Accepted",
                links=f"\nAmended by [1. {escaped_title}](0001-a.md)\n",
            ),
            "utf-8",
        )
        system = root / "systems" / "payment-platform.yaml"
        text = system.read_text("utf-8").replace("label: Payments API", f"label: {payload!r}", 1)
        system.write_text(text, "utf-8")
        cli_in_process(root, "tdr", "render", "--out", "out-tdr")
        cli_in_process(root, "build", "--out", "out-site")
        files = [p for p in root.rglob("*") if p.suffix in (".html", ".svg", ".md") and "out-" in str(p)]
        tally.add("payload checks (payload x output file)", len(files))
        for path in files:
            if path.suffix == ".md":
                text = path.read_text("utf-8")  # an escaped '\<' is text, not a tag
                raw = re.search(r"(?<!\\)<(script|img|svg|iframe|details|a |style)", text, re.I)
                live = ["raw HTML"] if raw else []
            else:
                finder = LiveFinder(payload)
                finder.feed(path.read_text("utf-8"))
                live = finder.live
            tally.add("live payloads", len(live), f"{path}: {live[:3]}")
        shutil.rmtree(root)


def outside(base: Path, tally: Tally) -> None:
    """Commands pointed outside the workspace, by hostile settings and links: nothing lands there."""
    sentinel = base / "outside"
    sentinel.mkdir()
    (sentinel / "keep.md").write_text("# 1. Mine\n", "utf-8")
    secret = sentinel / "secret.yaml"
    secret.write_text("name: SECRET\n", "utf-8")

    def listing() -> dict[str, bytes]:
        return {
            str(p.relative_to(base)): p.read_bytes() if p.is_file() else b""
            for p in base.rglob("*")
            if "ws-" not in str(p.relative_to(base)).split(os.sep)[0]
        }

    before = listing()
    attempts = [
        (str(sentinel), ["tdr", "new", "Escape"]),
        ("../outside", ["tdr", "new", "Escape"]),
        ("../../../tmp", ["tdr", "new", "Escape"]),
        (None, ["tdr", "render", "--out", "decisions"]),
        (None, ["tdr", "render", "--out", "."]),
        (None, ["tdr", "render", "--out", str(sentinel)]),
        (None, ["build", "--out", str(sentinel)]),
        (None, ["schema", "--out", str(sentinel / "no" / "x.json")]),
        (None, ["check"]),
        (None, ["tdr", "list"]),
    ]
    leaked = 0
    for i, (pointer, args) in enumerate(attempts):
        root = base / f"ws-{i}"
        shutil.copytree(REPO / "systems", root / "systems")
        small_set(root / "decisions")
        (root / "systems" / "linked.yaml").symlink_to(secret)
        (root / "decisions" / "0009-linked.md").symlink_to(sentinel / "keep.md")
        if pointer:
            (root / ".adr-dir").write_text(pointer + "\n", "utf-8")
        _, out, escaped = cli_in_process(root, *args)
        tally.add("tracebacks or internal errors", escaped, out)
        leaked += "SECRET" in out or "# 1. Mine" in out
        tally.add("outside-the-workspace attempts", 1)
    tally.add(
        "writes outside the workspace",
        sum(1 for k, v in listing().items() if before.get(k) != v)
        + sum(1 for k in before if k not in listing()),
    )
    tally.add("contents from outside echoed", leaked)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="A few of each, to try the campaign.")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="Runs of each kind, against the full campaign."
    )
    parser.add_argument("--seed", type=int, default=13)
    options = parser.parse_args()
    sys.path.insert(0, str(REPO))
    rng = random.Random(options.seed)
    scale = 0.1 if options.quick else options.scale
    # killed by a timeout: still unmount the tmpfs and remove the temporary folder
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    tally = Tally()
    base = Path(tempfile.mkdtemp(prefix="archkit-campaign-"))
    try:
        steps: list[tuple[str, Callable[[], object]]] = [
            ("systems", lambda: fuzz_systems(base, int(300 * scale), rng, tally)),
            ("records", lambda: fuzz_records(base, int(175 * scale), rng, tally)),
            ("portfolio", lambda: fuzz_portfolio(base, int(160 * scale), rng, tally)),
            (
                "renumber kills",
                lambda: kill_at_random_times(
                    base,
                    "renumber",
                    lambda f: big_duplicates(f, 1200, 200),
                    ["tdr", "renumber"],
                    max(3, int(33 * scale)),
                    rng,
                    tally,
                ),
            ),
            (
                "supersede kills",
                lambda: kill_at_random_times(
                    base,
                    "supersede",
                    small_set,
                    ["tdr", "new", "Replace four", "--supersedes", "4"],
                    max(3, int(92 * scale)),
                    rng,
                    tally,
                ),
            ),
            (
                "renumber steps",
                lambda: kill_at_injected_points(
                    base, "renumber", lambda f: big_duplicates(f, 60, 10), ["tdr", "renumber"], tally
                ),
            ),
            (
                "supersede steps",
                lambda: kill_at_injected_points(
                    base, "supersede", small_set, ["tdr", "new", "Replace four", "--supersedes", "4"], tally
                ),
            ),
            ("full disk", lambda: say(f"  full disk by {full_disk(base, tally)}")),
            ("racing writers", lambda: concurrent_supersedes(base, tally)),
            ("payloads", lambda: payloads(base, tally)),
            ("outside", lambda: outside(base, tally)),
        ]
        for name, step in steps:
            start = time.perf_counter()
            step()
            say(f"  {name}: {time.perf_counter() - start:.0f} s")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    for key in sorted(tally.values):
        say(
            f"{key}: {tally.values[key]}"
            + (f"   e.g. {tally.examples[key]!r}" if key in tally.examples else "")
        )
    must_be_zero = [
        k
        for k in tally.values
        if any(
            w in k
            for w in (
                "traceback",
                "lost",
                "one-sided",
                "empty",
                "stray",
                "live",
                "outside the workspace",
                "neither",
                "does not finish",
                "echoed",
                "naming no",
                "refused after",
            )
        )
    ]
    failed = [k for k in must_be_zero if tally.values[k]]
    complete = (
        tally.values.get("concurrent supersedes: links on record 4") == 20
        and tally.values.get("concurrent supersedes: links from the new records") == 20
    )
    say(
        "campaign: "
        + ("PASS" if not failed and complete else f"FAIL ({', '.join(failed) or 'concurrent supersedes'})")
    )
    raise SystemExit(0 if not failed and complete else 1)


if __name__ == "__main__":
    main()
