"""Loading systems from YAML and Python, and every validation error a user can meet."""

from __future__ import annotations

from pathlib import Path

import pytest

from archkit.errors import ArchkitError, format_problem
from archkit.model import Component, Connection, Group, System, load_system, load_system_text
from archkit.workspace import Workspace


def messages(root: Path, *names: str) -> list[str]:
    checked = Workspace(root).load(list(names))
    return [format_problem(p) for p in checked.problems]


def test_example_workspace_loads_faithfully(repo: Path) -> None:
    checked = Workspace(repo).load()
    assert checked.problems == []
    systems = {s.slug: s for s in checked.systems}
    assert set(systems) == {
        "recommendation-platform",
        "payment-platform",
        "platform-microservices",
        "url-shortener",
    }
    recs = systems["recommendation-platform"]
    assert recs.name == "User Recommendation Platform"
    assert {m.name: m.value for m in recs.scale} == {
        "users": "50M",
        "events/day": "1B+",
        "availability SLA": "99.9%",
        "recommendation latency": "< 100 ms",
        "p95 query time": "< 50 ms",
    }
    assert recs.team_size == 12
    techs = {c.tech for c in recs.components}
    assert {"postgresql", "redis", "elasticsearch", "aws-s3", "kafka", "aws-api-gateway"} <= techs
    assert "Terraform" in recs.stack
    assert [t.decision for t in recs.tradeoffs] == [
        "Microservices vs monolith",
        "Real-time vs batch processing",
        "Database technology",
    ]
    migration = systems["platform-microservices"]
    labels = {c.label for c in migration.components}
    assert {"User service", "Payment service", "Recommendation service", "Auth", "Logging"} <= labels


def test_to_list_fans_out_into_one_connection_per_target() -> None:
    system = load_system_text(
        """
name: S
components: [{id: a}, {id: b}, {id: c}]
connections:
  - {from: a, to: [b, c], label: REST, mode: async, throughput: 5k/s, latency: p99 9 ms}
"""
    )
    assert system.connections == (
        Connection("a", "b", "REST", "async", "5k/s", "p99 9 ms"),
        Connection("a", "c", "REST", "async", "5k/s", "p99 9 ms"),
    )
    assert system.connections[1].annotation == "REST · 5k/s · p99 9 ms"


def test_nested_groups_and_scale_numbers_keep_their_text() -> None:
    system = load_system_text(
        """
name: S
scale: {users: 50M, SLA: 99.90, regions: 3}
groups:
  - id: aws
    kind: region
    groups: [{id: eks, kind: cluster, label: EKS}]
components: [{id: a, group: eks, metrics: p95 < 5 ms}]
"""
    )
    assert [m.value for m in system.scale] == ["50M", "99.90", "3"]
    assert [g.id for g in system.all_groups()] == ["aws", "eks"]
    assert system.components[0].metrics == ("p95 < 5 ms",)


def test_every_problem_of_a_file_is_reported_in_one_run(make_tree) -> None:
    root = make_tree(
        {
            "systems/shop.yaml": """
            name: Shop
            compnents: []
            scale:
              users: 5M
              users: 6M
            components:
              - id: api
                tech: k8s-service
              - id: db
                tech: postgress
              - id: db
                tech: redis
            connections:
              - from: api
                to: dbb
            team-size: ten
            """
        }
    )
    assert messages(root) == [
        "systems/shop.yaml:2:1: error: unknown key 'compnents' in system; expected one of 'name', "
        "'summary', 'role', 'team-size', 'context', 'impact', 'scale', 'estimates', 'diagram-estimates', "
        "'stack', 'groups', 'components', 'connections', 'tradeoffs', 'leadership', 'decisions', 'direction', 'whiteboard', 'previous'; did you mean 'components'?",
        "systems/shop.yaml:5:3: error: duplicate key 'users' (first written on line 4); "
        "YAML would keep only the last",
        "systems/shop.yaml:10:11: error: unknown technology 'postgress' for component 'db'; expected a "
        "technology from 'archkit techs' (or 'other' for one of your own); did you mean 'postgresql'?",
        "systems/shop.yaml:11:9: error: duplicate component id 'db' (first on line 9)",
        "systems/shop.yaml:15:9: error: connection to unknown component 'dbb'; expected a component id: "
        "'api', 'db'; did you mean 'db'?",
        "systems/shop.yaml:16:12: error: 'team-size' is 'ten'; expected a whole number",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "name: S\ncomponents:\n  - id: a\n    lable: A\n",
            "s.yaml:4:5: error: unknown key 'lable' in component; expected one of 'id', 'label', 'tech', "
            "'group', 'replicas', 'shards', 'role', 'replica-of', 'metrics', 'notes'; did you mean 'label'?",
        ),
        (
            "name: S\ncomponents:\n  - id: a\n    group: clud\ngroups: [{id: cloud}]\n",
            "s.yaml:4:12: error: component 'a' is in unknown group 'clud'; expected a group id: 'cloud'; "
            "did you mean 'cloud'?",
        ),
        (
            "name: S\ncomponents: [{id: a}]\nconnections: [{from: a, to: a, mode: maybe}]\n",
            "s.yaml:3:38: error: 'mode' is 'maybe'; expected one of 'sync', 'async'",
        ),
        (
            "name: S\ncomponents: {id: a}\n",
            "s.yaml:2:13: error: 'components' is a mapping; expected a list",
        ),
        (
            "name: S\nsummary: no\ncomponents: [{id: a}]\n",
            "s.yaml:2:10: error: 'summary' is the boolean no (YAML reads no as true/false; quote it: "
            '"no"); expected text',
        ),
        (
            "name: S\ncomponents: [{label: A}]\n",
            "s.yaml:2:14: error: component has no 'id'; expected 'id': unique id; connections name it "
            "in 'from' and 'to'",
        ),
        (
            "name: [S\n",
            "s.yaml:2:1: error: invalid YAML: did not find expected ',' or ']' (while parsing a flow "
            "sequence that starts at line 1, column 7)",
        ),
        (
            "name: !!python/object/apply:os.system [echo hi]\n",
            "s.yaml:1:7: error: unsupported YAML tag !!python/object/apply:os.system; expected plain "
            "YAML values (archkit reads YAML safely)",
        ),
        ("", "s.yaml:1:1: error: the file is empty; expected a mapping with 'name'"),
        (
            "name: S\ncomponents: [{id: db, tech: pg}, {id: r, tech: pg, replica-of: dbb}]\n",
            "s.yaml:2:64: error: component 'r' is a replica of unknown component 'dbb'; expected a "
            "component id: 'db', 'r'; did you mean 'db'?",
        ),
        (
            "name: S\ncomponents: [{id: db, tech: pg, replica-of: db}]\n",
            "s.yaml:2:45: error: component 'db' is a replica of itself; expected the id of the component "
            "it copies",
        ),
        (
            "name: S\ncomponents: [{id: db, tech: pg}, {id: r, replica-of: db, role: primary}]\n",
            "s.yaml:2:64: error: component 'r' has role primary and is a replica of 'db'; expected role: "
            "replica (or no role) on a component with replica-of",
        ),
        (
            "name: S\ncomponents: [{id: api, replicas: 0}]\n",
            "s.yaml:2:34: error: component 'api' has replicas: 0; expected a count of 1 or more",
        ),
        (
            "name: S\ncomponents: [{id: db, role: replca}]\n",
            "s.yaml:2:29: error: 'role' is 'replca'; expected one of 'primary', 'replica'; did you mean "
            "'replica'?",
        ),
        (
            "name: S\ncomponents: [{id: a, tech: our-own-bus}]\n",
            "s.yaml:2:28: warning: technology 'our-own-bus' of component 'a' is not in the catalogue; "
            "it is drawn as a generic box",
        ),
    ],
)
def test_each_problem_names_file_line_column_and_expectation(make_tree, text: str, expected: str) -> None:
    root = make_tree({"systems/s.yaml": text})
    assert "systems/" + expected in messages(root)


def test_unknown_technology_far_from_any_known_is_only_a_warning(make_tree) -> None:
    root = make_tree({"systems/s.yaml": "name: S\ncomponents: [{id: a, tech: quantum-ledger-9000}]\n"})
    checked = Workspace(root).load()
    assert checked.errors == []
    assert len(checked.warnings) == 1


def test_technology_aliases_and_spelling_variants_are_accepted(make_tree) -> None:
    root = make_tree(
        {"systems/s.yaml": "name: S\ncomponents:\n  - {id: a, tech: Postgres}\n  - {id: b, tech: K8S}\n"}
    )
    assert Workspace(root).load().problems == []


def test_duplicate_group_ids_are_caught_across_nesting(make_tree) -> None:
    root = make_tree(
        {"systems/s.yaml": "name: S\ngroups:\n  - id: g\n    groups: [{id: g}]\ncomponents: [{id: a}]\n"}
    )
    assert messages(root) == ["systems/s.yaml:4:19: error: duplicate group id 'g'"]


def test_load_system_raises_with_all_problems(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: 3\nnope: 1\n", encoding="utf-8")
    with pytest.raises(ArchkitError) as caught:
        load_system(path)
    assert [p.message for p in caught.value.problems] == [
        "'name' is the number 3",
        "unknown key 'nope' in system",
    ]


def test_python_system_is_loaded_like_yaml(make_tree) -> None:
    root = make_tree(
        {
            "systems/api.py": """
            from archkit.model import Component, Connection, Group, System

            system = System(
                name="API",
                scale={"users": "1M"},
                groups=[Group("cloud", "AWS", kind="region")],
                components=[Component("gw", "Gateway", tech="aws-api-gateway", group="cloud"),
                            Component("db", tech="postgres")],
                connections=[Connection("gw", "db", mode="async")],
            )
            """
        }
    )
    checked = Workspace(root).load()
    assert checked.problems == []
    (system,) = checked.systems
    assert system.slug == "api"
    assert system.scale[0].value == "1M"
    assert system.components[1].title == "db"


def test_python_system_errors_have_no_traceback(make_tree) -> None:
    root = make_tree(
        {
            "systems/a.py": "x = 1\nraise RuntimeError('boom')\n",
            "systems/b.py": "system = 42\n",
            "systems/c.py": "def broken(:\n",
            "systems/d.py": (
                "from archkit.model import System, Component\n"
                "system = System(name='D', components=[Component('a'), Component('a')],"
                " connections=[])\n"
            ),
        }
    )
    assert messages(root) == [
        "systems/a.py:2: error: running the file raised RuntimeError: boom",
        "systems/b.py: error: the file defines int named 'system'; expected a module-level "
        "'system = archkit.model.System(...)'",
        "systems/c.py:1:12: error: Python syntax error: invalid syntax",
        "systems/d.py: error: duplicate component id 'a'",
    ]


def test_model_is_immutable_and_normalises_lists() -> None:
    system = System("S", components=[Component("a", metrics="p95 1 ms")], groups=[Group("g")])
    assert isinstance(system.components, tuple)
    assert system.components[0].metrics == ("p95 1 ms",)
    with pytest.raises(AttributeError):
        system.name = "T"  # type: ignore[misc]
    assert hash(system) == hash(
        System("S", components=[Component("a", metrics="p95 1 ms")], groups=[Group("g")])
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "name: S\ngroups: &g [{id: x, groups: *g}]\n",
            "s.yaml:2:13: error: a YAML alias refers back to a value that contains it; expected no recursive aliases",
        ),
        (
            "name:\ncomponents: [{id: a}]\n",
            "s.yaml:1:1: error: 'name' of system is empty; expected 'name': display name: 'User Recommendation Platform'",
        ),
        (
            "name: S\ncomponents: [{id: a}]\nconnections: [{from: a, to: }]\n",
            "s.yaml:3:15: error: 'to' of connection is empty; expected 'to': id of the component it points to, or a list of ids (one arrow each)",
        ),
        ('name: "a\\x01b"\n', "s.yaml:1:7: error: 'name' holds a control character; expected printable text"),
        (
            "name: a\x01b\n",
            "s.yaml:1:8: error: invalid YAML: control character U+0001 is not allowed; expected printable text",
        ),
        (
            "name: S\ncomponents: [{id: a b}]\n",
            "s.yaml:2:19: error: 'id' 'a b' is not an id; expected letters, digits, '_', '.' and '-', starting with a letter or digit",
        ),
    ],
)
def test_hostile_or_empty_values_are_reported(make_tree, text: str, expected: str) -> None:
    root = make_tree({"systems/s.yaml": text})
    assert "systems/" + expected in messages(root)


def test_python_system_parts_are_type_checked(make_tree) -> None:
    root = make_tree(
        {
            "systems/p.py": (
                "from archkit.model import System, Component, Connection\n"
                "system = System(name='P', slug='../escape', components=[Component('a', tech=None)],"
                " connections=[Connection('a', 'a', mode='sometimes')])\n"
            ),
            "systems/q.py": "import sys\nsys.exit(3)\n",
        }
    )
    assert messages(root) == [
        "systems/p.py: error: slug is '../escape'; expected an id: letters, digits, '_', '.' and '-', starting with a letter or digit",
        "systems/p.py: error: components[0].tech is None; expected a string",
        "systems/p.py: error: connections[0].mode is 'sometimes'; expected 'sync' or 'async'",
        "systems/q.py:2: error: running the file raised SystemExit: 3",
    ]


def test_two_files_for_one_system_name_are_an_error(make_tree) -> None:
    root = make_tree({"systems/s.yaml": "name: S\n", "systems/s.py": "system = None\n"})
    with pytest.raises(ArchkitError) as caught:
        Workspace(root).load()
    assert format_problem(caught.value.problems[0]) == (
        "error: two files define the system 's': systems/s.py and systems/s.yaml; expected one file per system name"
    )


def test_decision_numbers_in_a_system_must_exist(make_tree) -> None:
    root = make_tree(
        {
            "systems/s.yaml": "name: S\ncomponents: [{id: a}]\ndecisions: [1, 7]\ntradeoffs: [{decision: X, record: 2}]\n",
            "decisions/0001-a.md": "# 1. A\n\nDate: 2020-01-01\n\n## Status\n\nAccepted\n",
        }
    )
    assert messages(root) == [
        "systems/s.yaml:3:16: error: no decision record numbered 7; expected one of [1]; did you mean '1'?",
        "systems/s.yaml:4:35: error: no decision record numbered 2; expected one of [1]; did you mean '1'?",
    ]


def test_the_system_cache_gives_back_what_loading_gives(repo: Path, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(repo / "systems", tmp_path / "systems")
    cache = tmp_path / "cache.json"
    loaded = Workspace(tmp_path).load()
    first = Workspace(tmp_path).load(cache=cache)
    second = Workspace(tmp_path).load(cache=cache)
    for a, b, c in zip(loaded.systems, first.systems, second.systems, strict=True):
        assert a == b == c and a.source == c.source
    assert loaded.problems == second.problems
    # a changed file is read again; a broken cache is ignored
    path = tmp_path / "systems" / "payment-platform.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("team-size: 15", "team-size: 16"), encoding="utf-8"
    )
    assert (
        next(
            s for s in Workspace(tmp_path).load(cache=cache).systems if s.slug == "payment-platform"
        ).team_size
        == 16
    )
    cache.write_text('{"version": 1, "systems": {"x": 1}}')
    assert len(Workspace(tmp_path).load(cache=cache).systems) == 4


def test_replicas_shards_and_roles_load_into_the_model() -> None:
    system = load_system_text(
        "name: S\ncomponents:\n  - {id: db, tech: pg, role: primary, shards: 16}\n"
        "  - {id: r, tech: pg, replica-of: db, replicas: 3}\n"
    )
    db, replica = system.components
    assert (db.role, db.shards, db.is_replica, db.copies) == ("primary", 16, False, 1)
    assert (replica.replica_of, replica.replicas, replica.is_replica, replica.copies) == ("db", 3, True, 3)


def test_a_python_system_with_a_wrong_replica_count_is_reported() -> None:
    from archkit.model.check import check_system

    system = System("S", slug="s", components=[Component("a", replicas="3")])  # type: ignore[arg-type]
    assert [p.message for p in check_system(system)] == ["components[0].replicas is '3'"]


def test_commands_read_systems_through_the_workspace_cache_and_keep_the_others(
    example_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """check, diagram and the rest parse a system file again only once it changed; a command
    that read some systems keeps the cache of the others."""
    import json

    from typer.testing import CliRunner

    import archkit.workspace as workspace_module
    from archkit.cli import app

    runner = CliRunner()
    assert runner.invoke(app, ["-C", str(example_copy), "check", "--no-checklist"]).exit_code == 0
    cache = example_copy / ".archkit" / "cache" / "systems.json"
    names = sorted(Path(k).name for k in json.loads(cache.read_text(encoding="utf-8"))["entries"])
    assert names == sorted(p.name for p in (example_copy / "systems").glob("[!_]*.yaml"))
    parsed: list[str] = []
    real = workspace_module.read_system
    monkeypatch.setattr(
        workspace_module, "read_system", lambda path, *a: parsed.append(path.name) or real(path, *a)
    )
    out = example_copy / "dots"
    done = runner.invoke(
        app, ["-C", str(example_copy), "diagram", "url-shortener", "-f", "dot", "-o", str(out)]
    )
    assert done.exit_code == 0, done.output
    assert parsed == []  # unchanged: from the cache
    kept = sorted(Path(k).name for k in json.loads(cache.read_text(encoding="utf-8"))["entries"])
    assert kept == names  # one system read: the others' entries stay
    system = example_copy / "systems" / "url-shortener.yaml"
    system.write_text(system.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert runner.invoke(app, ["-C", str(example_copy), "check", "--no-checklist"]).exit_code == 0
    assert parsed == ["url-shortener.yaml"]


def test_runs_in_the_workspace_and_beside_it_share_the_system_cache(
    example_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`archkit build` in the workspace and `archkit -C ws build` beside it key the cache alike."""
    import archkit.workspace as workspace_module

    Workspace(example_copy).load(cache=example_copy / ".archkit" / "cache" / "systems.json")
    parsed: list[str] = []
    real = workspace_module.read_system
    monkeypatch.setattr(
        workspace_module, "read_system", lambda path, *a: parsed.append(path.name) or real(path, *a)
    )
    monkeypatch.chdir(example_copy)
    loaded = Workspace(Path(".")).load(cache=Path(".archkit") / "cache" / "systems.json")
    assert loaded.systems and parsed == []
