"""``archkit diff``: what changed between two versions of a system, summed up and drawn in one
diagram of both (the comparing is :mod:`archkit.model.diff`'s, the drawing
:mod:`archkit.render.diff`'s)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from archkit.model.diff import SystemDiff
from archkit.names import check_formats, split_formats

DIFF_FORMATS = ("svg", "png", "dot", "json")


class Diffed(NamedTuple):
    """What :func:`diff` found, and the files it wrote."""

    diff: SystemDiff
    files: list[Path]


def diff(
    root: Path | str,
    systems: Sequence[str],
    revision_from: str | None = None,
    revision_to: str | None = None,
    out_dir: Path | str = "build/diagrams",
    formats: Iterable[str] | str = ("svg", "png"),
    direction: str | None = None,
) -> Diffed:
    """``archkit diff``: one system of the workspace ``root`` between two git revisions of its
    file (``revision_from`` defaults to HEAD, ``revision_to`` to the working tree), or two system
    files; the diagram of both versions written to ``out_dir`` (relative to ``root``) as
    ``<slug>-diff.<format>`` for each of ``formats`` (some of svg, png, dot, json, as a list or
    comma-separated; 'none' or nothing draws nothing), laid out in ``direction`` (LR, TB, RL or
    BT; None: the system's). ArchkitError for an unknown format or direction, a system that
    does not load, or a revision git cannot show."""
    from archkit.files import in_workspace
    from archkit.model.diff import diff_versions
    from archkit.render.diff import render_diff
    from archkit.render.pipeline import parse_direction

    drawn = diff_formats(formats)
    way = parse_direction(direction) if direction is not None else None
    root = Path(root)
    found = diff_versions(root, list(systems), revision_from, revision_to)
    return Diffed(found, render_diff(found, in_workspace(root, Path(out_dir)), drawn, way))


def diff_formats(formats: Iterable[str] | str) -> tuple[str, ...]:
    """The formats of a diff as a command line writes them ('svg,png', any case), checked, in
    order, once each; 'none' alone is none."""
    given = split_formats(formats)
    if given == ["none"]:
        return ()
    return check_formats(given, DIFF_FORMATS, "some of " + ", ".join(DIFF_FORMATS))
