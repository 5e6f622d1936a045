"""archkit: architecture as code — systems in YAML, diagrams with their scale on the picture.

The public API is re-exported here and loaded on first use, so that ``import archkit`` (and the
command line's start-up) stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# name -> "module" (the same name there) or "module:name"; the command each one serves is in
# the README's "Python API" section.
_EXPORTS = {
    # the model
    "System": "archkit.model",
    "Component": "archkit.model",
    "Connection": "archkit.model",
    "Group": "archkit.model",
    "Metric": "archkit.model",
    "TradeOff": "archkit.model",
    "load_system": "archkit.model",
    "check_system": "archkit.model",
    "Workspace": "archkit.workspace",
    "ArchkitError": "archkit.errors",
    "Problem": "archkit.errors",
    "format_problem": "archkit.errors",
    # one function (or class) per command
    "load_checked": "archkit.workspace",  # check
    "check_workspace": "archkit.portfolio.checklist",  # check
    "check_json": "archkit.portfolio.checklist",  # check --json
    "render_diagrams": "archkit.render.pipeline",  # diagram
    "RenderOptions": "archkit.render.pipeline",  # diagram
    "to_dot": "archkit.render.dot",
    "to_mermaid": "archkit.render.mermaid",
    "search_technologies": "archkit.catalogue:search",  # techs
    "schema_text": "archkit.scaffold.starters",  # schema
    "init_workspace": "archkit.scaffold.init",  # init
    "new_system": "archkit.scaffold.starters",  # new system
    "build_site": "archkit.site.build",  # build
    "embed_documents": "archkit.documents.embed",  # embed
    "serve_site": "archkit.site.serve:serve",  # serve
    "whiteboard": "archkit.prep.whiteboard",  # whiteboard
    "drill": "archkit.prep.drill",  # drill
    "estimate": "archkit.prep.estimates",  # estimate
    "calc": "archkit.prep.estimates",  # calc
    "diff": "archkit.interop.diff",  # diff
    "DecisionStore": "archkit.decisions.store",  # tdr new, link, status, renumber, show
    "list_records": "archkit.decisions.store",  # tdr list
    "listing_json": "archkit.decisions.store",  # tdr list --json
    "check_records": "archkit.decisions.checks",  # tdr check
    "check_records_json": "archkit.decisions.checks",  # tdr check --json
    "reviews_due": "archkit.decisions.checks",  # tdr review
    "reviews_json": "archkit.decisions.checks",  # tdr review --json
    "render_decisions": "archkit.decisions.render",  # tdr render
    "list_templates": "archkit.templating",  # templates list
    "copy_template": "archkit.templating",  # templates copy
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module, _, attribute = _EXPORTS[name].partition(":")
        return getattr(importlib.import_module(module), attribute or name)
    raise AttributeError(f"module 'archkit' has no attribute {name!r}")
