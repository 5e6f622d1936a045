"""The typed model of systems, and loading it from YAML or Python files."""

from archkit.model.check import check_system
from archkit.model.load import load_system, load_system_text
from archkit.model.system import (
    Component,
    Connection,
    Group,
    Metric,
    SourceMap,
    System,
    TradeOff,
    Whiteboard,
)

__all__ = [
    "Component",
    "Connection",
    "Group",
    "Metric",
    "SourceMap",
    "System",
    "TradeOff",
    "Whiteboard",
    "check_system",
    "load_system",
    "load_system_text",
]
