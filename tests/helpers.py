"""Small builders shared by tests."""

from __future__ import annotations


def system_yaml(components: int, techs: list[str], *, groups: bool = True) -> str:
    """A valid system of ``components`` nodes cycling through ``techs``, chained by connections."""
    lines = ["name: Generated", "scale:", "  users: 1M", "  requests/s: 5k"]
    if groups:
        lines += [
            "groups:",
            "  - id: cloud",
            "    kind: region",
            "    groups:",
            "      - id: k8s",
            "        kind: cluster",
        ]
    lines.append("components:")
    for i in range(components):
        lines += [f"  - id: n{i}", f"    label: Node {i}", f"    tech: {techs[i % len(techs)]}"]
        if groups:
            lines.append(f"    group: {'k8s' if i % 2 else 'cloud'}")
        lines.append(f"    metrics: [p95 < {i + 1}0 ms]")
    lines.append("connections:")
    for i in range(components - 1):
        mode = "async" if i % 3 == 2 else "sync"
        lines += [
            f"  - from: n{i}",
            f"    to: n{i + 1}",
            f"    mode: {mode}",
            "    throughput: 1k/s",
        ]
    return "\n".join(lines) + "\n"
