"""Running Graphviz's ``dot``: find it, explain how to install it, lay out once for all formats."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from archkit.errors import EnvironmentProblem, excerpt

GRAPHVIZ_MISSING = (
    "Graphviz is not installed: archkit needs its 'dot' program to lay out diagrams. "
    "Install it, then run the command again - Debian/Ubuntu: sudo apt-get install graphviz; "
    "macOS: brew install graphviz; Windows: winget install graphviz (or choco install graphviz), "
    "then make sure its bin folder is on PATH. Set ARCHKIT_DOT to use a 'dot' program elsewhere."
)

# Formats the renderer asks dot for, and the dot -T name of each.
DOT_FORMATS = {"svg": "svg", "png": "png"}
# Scale of PNG output against Graphviz's 96 dpi: sharp on high-density screens and in slides.
PNG_DPI = "192"


@functools.cache
def find_dot() -> str:
    """The path of ``dot``, or EnvironmentProblem with how to install it."""
    configured = os.environ.get("ARCHKIT_DOT")
    found = shutil.which(configured or "dot")
    if not found:
        raise EnvironmentProblem(GRAPHVIZ_MISSING)
    return found


def dot_identity() -> str:
    """Which dot this is, for cache keys, without starting it: path, size and mtime."""
    path = find_dot()
    stat = os.stat(path)
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}"


def lay_out(source: str, formats: Sequence[str], imagepath: Path, dpi: str | None = None) -> dict[str, bytes]:
    """Lay the DOT ``source`` out ONCE and return every requested format (svg, png) drawn from
    that one layout; icons are looked up under ``imagepath``; PNG at ``dpi`` (default 192).

    One format comes back through a pipe; several are written by dot into a private temporary
    folder and read back, so nothing is left beside the caller's files.
    """
    args = [find_dot(), f"-Gimagepath={imagepath}"]
    if "png" in formats:
        args.append(f"-Gdpi={dpi or PNG_DPI}")
    if len(formats) == 1:
        return {formats[0]: _run([*args, f"-T{DOT_FORMATS[formats[0]]}"], source)}
    import tempfile

    with tempfile.TemporaryDirectory(prefix="archkit-dot-") as tmp:
        paths = {fmt: Path(tmp) / f"out.{fmt}" for fmt in formats}
        for fmt, path in paths.items():
            args += [f"-T{DOT_FORMATS[fmt]}", f"-o{path}"]
        _run(args, source)
        return {fmt: path.read_bytes() for fmt, path in paths.items()}


def svg_of(source: str, imagepath: Path) -> str:
    """Graphviz's SVG of the DOT ``source``, as text."""
    return lay_out(source, ("svg",), imagepath)["svg"].decode("utf-8")


def layout_json(source: str) -> str:
    """Graphviz's layout of the DOT ``source`` as JSON (positions, cluster boxes, edge routes),
    for exports that place shapes themselves."""
    return _run([find_dot(), "-Tjson"], source).decode("utf-8")


def _run(args: list[str], source: str) -> bytes:
    try:
        done = subprocess.run(args, input=source.encode("utf-8"), capture_output=True, check=False)
    except OSError as exc:
        raise EnvironmentProblem(f"could not run Graphviz's dot ({args[0]}): {exc.strerror}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        if "gvwrite" in message or "No space left" in message:  # dot's words for a failed write
            import errno
            import re

            first = next((Path(arg[2:]) for arg in args if arg.startswith("-o")), Path("-"))
            temporary = re.match(r"^\.(.+)\.\d+\.\d+\.tmp$", first.name)  # files.reserve_temporary's
            if temporary:
                first = first.with_name(temporary[1])
            raise OSError(errno.ENOSPC, "No space left on device (or the file cannot be written)", str(first))
        raise EnvironmentProblem(
            f"Graphviz's dot could not lay out the diagram (exit code {done.returncode}"
            + (f"; it said: {excerpt(message.splitlines()[0], 120)}" if message else "")
            + "); archkit checks its input to prevent this, so please report it with the input"
        )
    return done.stdout
