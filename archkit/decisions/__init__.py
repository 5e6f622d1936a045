"""Technical decision records: parse, number, link, check and renumber them.

Names are loaded on first use, so that a command needing only the store does not import the checks.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "check_records": "archkit.decisions.checks",
    "review_due": "archkit.decisions.checks",
    "Link": "archkit.decisions.record",
    "Option": "archkit.decisions.record",
    "Record": "archkit.decisions.record",
    "parse_record": "archkit.decisions.record",
    "DecisionStore": "archkit.decisions.store",
    "LinkSpec": "archkit.decisions.store",
    "slugify": "archkit.decisions.store",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'archkit.decisions' has no attribute {name!r}")
