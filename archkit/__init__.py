"""archkit: architecture as code — systems in YAML, diagrams with their scale on the picture.

The public API is re-exported here and loaded on first use, so that ``import archkit`` (and the
command line's start-up) stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "System": "archkit.model",
    "Component": "archkit.model",
    "Connection": "archkit.model",
    "Group": "archkit.model",
    "Metric": "archkit.model",
    "TradeOff": "archkit.model",
    "load_system": "archkit.model",
    "check_system": "archkit.model",
    "Workspace": "archkit.workspace",
    "render_diagrams": "archkit.render.pipeline",
    "RenderOptions": "archkit.render.pipeline",
    "to_dot": "archkit.render.dot",
    "to_mermaid": "archkit.render.mermaid",
    "estimate": "archkit.prep.estimates",
    "calc": "archkit.prep.estimates",
    "ArchkitError": "archkit.errors",
    "Problem": "archkit.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'archkit' has no attribute {name!r}")
