"""archkit import diagrams: scripts written for the diagrams library become archkit systems."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from archkit.cli import app
from archkit.interop.diagrams_script import import_diagrams_script
from archkit.model import load_system

# In the style of the diagrams documentation's examples.
CLUSTERED = """
from diagrams import Cluster, Diagram
from diagrams.aws.compute import ECS
from diagrams.aws.database import ElastiCache, RDS
from diagrams.aws.network import ELB, Route53

with Diagram("Clustered Web Services", show=False):
    dns = Route53("dns")
    lb = ELB("lb")

    with Cluster("Services"):
        svc_group = [ECS("web1"), ECS("web2"), ECS("web3")]

    with Cluster("DB Cluster"):
        db_primary = RDS("userdb")
        db_primary - [RDS("userdb ro")]

    memcached = ElastiCache("memcached")

    dns >> lb >> svc_group
    svc_group >> db_primary
    svc_group >> memcached
"""

EVENT_PROCESSING = """
from diagrams import Cluster, Diagram, Edge
from diagrams.aws.compute import ECS, EKS, Lambda
from diagrams.aws.database import Redshift
from diagrams.aws.integration import SQS
from diagrams.aws.storage import S3

with Diagram("Event Processing", show=False, direction="TB"):
    source = EKS("k8s source")

    with Cluster("Event Flows"):
        with Cluster("Event Workers"):
            workers = [ECS("worker1"), ECS("worker2")]

        queue = SQS("event queue")

        with Cluster("Processing"):
            handlers = [Lambda("proc1"), Lambda("proc2")]

    store = S3("events store")
    dw = Redshift("analytics")

    source >> workers >> queue >> handlers
    handlers >> Edge(label="archive", style="dashed") >> store
    handlers >> Edge(label="load", color="firebrick") >> dw
    dw << Edge(label="reports") << store
"""

CUSTOM_AND_BOTH_WAYS = """
from diagrams import Diagram, Edge, Node
from diagrams.onprem.database import PostgreSQL
from diagrams.onprem.inmemory import Redis

class Mainframe(Node):
    _provider = "acme"
    _type = "legacy"

with Diagram("Legacy bridge", show=True, outformat="png"):
    core = Mainframe("Core banking")
    pg = PostgreSQL("ledger")
    cache = Redis("cache")
    core >> Edge(label="sync", style="dotted") << pg
    pg - Edge(label="warms") - cache
"""


def _script(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _load(tmp_path: Path, text: str) -> object:
    out = tmp_path / "system.yaml"
    out.write_text(text, encoding="utf-8")
    return load_system(out)


def test_clustered_web_services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    script = _script(tmp_path, "clustered.py", CLUSTERED)
    imported = import_diagrams_script(script)
    assert imported.warnings == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clustered.py"]  # nothing rendered
    system = _load(tmp_path, imported.text)
    assert system.name == "Clustered Web Services"  # type: ignore[attr-defined]
    assert [(g.id, g.title) for g in system.all_groups()] == [
        ("services", "Services"),
        ("db-cluster", "DB Cluster"),
    ]  # type: ignore[attr-defined]
    assert [(c.id, c.tech, c.group) for c in system.components] == [  # type: ignore[attr-defined]
        ("dns", "aws-route53", None), ("lb", "aws-elb", None),
        ("web1", "aws-ecs", "services"), ("web2", "aws-ecs", "services"), ("web3", "aws-ecs", "services"),
        ("userdb", "aws-rds", "db-cluster"), ("userdb-ro", "aws-rds", "db-cluster"),
        ("memcached", "aws-elasticache", None),
    ]  # fmt: skip
    edges = [(c.source, c.target) for c in system.connections]  # type: ignore[attr-defined]
    assert edges == [
        ("userdb", "userdb-ro"), ("dns", "lb"), ("lb", "web1"), ("lb", "web2"), ("lb", "web3"),
        ("web1", "userdb"), ("web2", "userdb"), ("web3", "userdb"),
        ("web1", "memcached"), ("web2", "memcached"), ("web3", "memcached"),
    ]  # fmt: skip


def test_nested_clusters_labels_styles_and_reverse_edges(tmp_path: Path) -> None:
    imported = import_diagrams_script(_script(tmp_path, "events.py", EVENT_PROCESSING))
    system = _load(tmp_path, imported.text)
    assert system.direction == "TB"  # type: ignore[attr-defined]
    (flows,) = system.groups  # type: ignore[attr-defined]
    assert flows.id == "event-flows" and [g.id for g in flows.groups] == ["event-workers", "processing"]
    by_id = {c.id: c for c in system.components}  # type: ignore[attr-defined]
    assert by_id["event-queue"].group == "event-flows" and by_id["worker1"].group == "event-workers"
    assert (by_id["event-queue"].tech, by_id["proc1"].tech) == ("aws-sqs", "aws-lambda")
    found = [(c.source, c.target, c.label, c.mode) for c in system.connections]  # type: ignore[attr-defined]
    assert ("proc1", "events-store", "archive", "async") in found
    assert ("proc2", "analytics", "load", "sync") in found
    assert ("events-store", "analytics", "reports", "sync") in found  # dw << store: from store to dw
    assert ("worker1", "event-queue", "", "sync") in found and ("event-queue", "proc2", "", "sync") in found


def test_unknown_classes_are_kept_with_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    imported = import_diagrams_script(_script(tmp_path, "legacy.py", CUSTOM_AND_BOTH_WAYS))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "legacy.py"
    ]  # show=True opened nothing, wrote nothing
    (warning,) = imported.warnings
    assert warning.endswith(
        "legacy.py: warning: node 'Core banking' is a __main__.Mainframe, which the catalogue does not know; kept as a plain box (tech: other)"
    )
    system = _load(tmp_path, imported.text)
    core = system.components[0]  # type: ignore[attr-defined]
    assert (core.id, core.tech, core.notes) == ("core-banking", "other", "diagrams node __main__.Mainframe")
    found = [(c.source, c.target, c.label, c.mode) for c in system.connections]  # type: ignore[attr-defined]
    assert found == [
        ("core-banking", "ledger", "sync", "async"),  # >> and << on one edge: both ways
        ("ledger", "core-banking", "sync", "async"),
        ("ledger", "cache", "warms", "sync"),
    ]


def test_cli_writes_the_system_and_never_overwrites(tmp_path: Path) -> None:
    runner = CliRunner()
    script = _script(tmp_path, "events.py", EVENT_PROCESSING)
    ws = tmp_path / "ws"
    ws.mkdir()
    result = runner.invoke(app, ["-C", str(ws), "import", "diagrams", str(script)])
    assert (result.exit_code, result.output) == (0, "wrote systems/event-processing.yaml\n")
    assert runner.invoke(app, ["-C", str(ws), "check"]).exit_code == 0
    result = runner.invoke(app, ["-C", str(ws), "import", "diagrams", str(script)])
    assert result.exit_code == 2
    assert result.output.strip().endswith("systems/event-processing.yaml exists already, and is in the way")
    result = runner.invoke(
        app, ["-C", str(ws), "import", "diagrams", str(script), "--out", "systems/ev.yaml"]
    )
    assert result.exit_code == 0 and (ws / "systems" / "ev.yaml").is_file()


def test_a_relative_script_is_the_workspace_s_first_then_the_current_folder_s(
    tmp_path: Path, monkeypatch
) -> None:
    ws, here = tmp_path / "ws", tmp_path / "here"
    ws.mkdir()
    here.mkdir()
    _script(here, "events.py", EVENT_PROCESSING)
    monkeypatch.chdir(here)
    runner = CliRunner()
    result = runner.invoke(app, ["-C", str(ws), "import", "diagrams", "events.py", "-o", "a.yaml"])
    assert (result.exit_code, result.output) == (0, "wrote a.yaml\n")  # only here has it
    _script(ws, "events.py", EVENT_PROCESSING.replace("Event Processing", "Workspace Events"))
    result = runner.invoke(app, ["-C", str(ws), "import", "diagrams", "events.py", "-o", "b.yaml"])
    assert result.exit_code == 0 and "name: Workspace Events" in (ws / "b.yaml").read_text(encoding="utf-8")


def test_a_failing_script_names_its_line(tmp_path: Path) -> None:
    script = _script(
        tmp_path, "broken.py", "from diagrams import Diagram\n\nwith Diagram('x', show=False):\n    1 / 0\n"
    )
    result = CliRunner().invoke(
        app, ["-C", str(tmp_path), "import", "diagrams", str(script), "-o", "out.yaml"]
    )
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"{script}:4: error: the script failed: ZeroDivisionError: division by zero; "
        "expected a script that runs with the diagrams library installed"
    )
    assert not (tmp_path / "out.yaml").exists()
    empty = _script(tmp_path, "empty.py", "x = 1\n")
    result = CliRunner().invoke(
        app, ["-C", str(tmp_path), "import", "diagrams", str(empty), "-o", "out.yaml"]
    )
    assert result.exit_code == 2 and "the script drew no diagram" in result.output
