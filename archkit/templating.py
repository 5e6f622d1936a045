"""Jinja2 set-up: the workspace's own ``templates/`` first, then archkit's, in a sandbox."""

from __future__ import annotations

from pathlib import Path

from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment


def environment(workspace_root: Path) -> SandboxedEnvironment:
    """Templates a user drops in ``<workspace>/templates/`` override archkit's of the same name.

    User templates are untrusted input, so they run sandboxed; HTML is autoescaped.
    """
    return SandboxedEnvironment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(str(workspace_root / "templates")),
                PackageLoader("archkit", "templates"),
            ]
        ),
        autoescape=select_autoescape(["html", "htm", "xml", "svg"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
