"""The technology catalogue: coverage, aliases, typo suggestions, and real icons."""

from __future__ import annotations

import importlib
import re
from collections import Counter

import pytest

from archkit import catalogue


def test_catalogue_covers_many_technologies_across_providers() -> None:
    techs = catalogue.technologies()
    assert len(techs) >= 80
    providers = Counter(t.provider for t in techs)
    for provider in ("onprem", "aws", "gcp", "azure", "k8s", "saas", "generic"):
        assert providers[provider] >= 3, provider


def test_ids_and_aliases_are_unique_and_well_formed() -> None:
    names = [name for tech in catalogue.technologies() for name in tech.names]
    duplicates = [name for name, count in Counter(names).items() if count > 1]
    assert duplicates == []
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", name) for name in names)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("postgres", "postgresql"),
        ("pg", "postgresql"),
        ("PostgreSQL", "postgresql"),
        ("k8s", "kubernetes"),
        ("s3", "aws-s3"),
        ("Amazon S3", "aws-s3"),
        ("elastic_search", "elasticsearch"),
        ("pubsub", "gcp-pubsub"),
    ],
)
def test_aliases_and_spellings_resolve(typed: str, expected: str) -> None:
    tech = catalogue.find(typed)
    assert tech is not None and tech.id == expected


def test_typos_get_the_canonical_id_as_suggestion() -> None:
    suggestion, ratio = catalogue.suggest("postgress")
    assert suggestion == "postgresql"
    assert ratio >= catalogue.TYPO_RATIO
    assert catalogue.suggest("zzzzzzzz") == ("", 0.0)


def test_search_finds_by_name_category_and_provider() -> None:
    assert "redis" in [t.id for t in catalogue.search("redis")]
    assert {t.category for t in catalogue.search("cache")} >= {"cache"}
    assert all(t.provider == "gcp" for t in catalogue.search("gcp") if t.id.startswith("gcp"))
    assert [t.id for t in catalogue.search("postgress")][:1] == ["postgresql"]


def test_every_node_class_exists_and_ships_its_icon() -> None:
    for tech in catalogue.technologies():
        module, _, name = tech.node.rpartition(".")
        node_class = getattr(importlib.import_module(module), name)
        assert isinstance(node_class, type), tech.id
        # the recorded icon is the class's own, so drawing can skip importing diagrams
        assert f"resources/{tech.icon}" == f"{node_class._icon_dir}/{node_class._icon}", tech.id
        icon = catalogue.icon_path(tech)
        assert icon.is_file(), f"{tech.id}: {icon}"
        assert icon.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", tech.id


# The words of system-design interviews: each resolves to a generic building block.
INTERVIEW_VOCABULARY = {
    "client": "browser",
    "dns": "dns",
    "cdn": "cdn",
    "load balancer": "load-balancer",
    "api gateway": "api-gateway",
    "web server": "web-server",
    "app server": "app-server",
    "worker": "worker",
    "mapreduce": "batch-job",
    "batch": "batch-job",
    "stream processor": "stream-processor",
    "cache": "cache",
    "sql": "database",
    "kv": "key-value-store",
    "nosql": "key-value-store",
    "document store": "document-store",
    "wide-column": "wide-column-store",
    "graph db": "graph-database",
    "object store": "object-storage",
    "file system": "file-system",
    "message queue": "queue",
    "pub/sub": "event-stream",
    "lucene": "search-index",
    "data warehouse": "data-warehouse",
    "notification service": "notification-service",
    "id generator": "id-generator",
    "rate limiter": "rate-limiter",
    "auth": "auth-service",
    "scheduler": "scheduler",
    "monitoring": "monitoring",
}


@pytest.mark.parametrize(("said", "expected"), INTERVIEW_VOCABULARY.items())
def test_the_words_of_an_interview_name_generic_building_blocks(said: str, expected: str) -> None:
    tech = catalogue.lookup(said)
    assert tech is not None and tech.id == expected and tech.provider == "generic"


def test_every_entry_has_a_documented_category_tags_and_a_shape() -> None:
    header = catalogue.DATA.read_text(encoding="utf-8").split("#   provider")[0]
    documented = set(re.findall(r"[a-z][a-z-]+", header.split("#   category")[1].split("(")[0]))
    for tech in catalogue.technologies():
        assert tech.category in documented, tech.id
        assert tech.tags, tech.id
        assert tech.shape in catalogue.SHAPES


@pytest.mark.parametrize(
    ("tech", "shape"),
    [
        ("postgresql", "cylinder"),
        ("key-value-store", "cylinder"),
        ("redis", "cylinder"),
        ("s3", "cylinder"),
        ("search-index", "cylinder"),
        ("bigquery", "cylinder"),
        ("kafka", "queue"),
        ("sqs", "queue"),
        ("event-stream", "queue"),
        ("emr", "box"),
        ("batch-job", "box"),
        ("flink", "box"),
        ("service", "box"),
        ("our-own-thing", "box"),
    ],
)
def test_shape_follows_category(tech: str, shape: str) -> None:
    assert catalogue.shape_of(tech) == shape


def ids(query: str) -> list[str]:
    return [t.id for t in catalogue.search(query)]


def test_a_category_word_answers_with_that_category_generic_blocks_first() -> None:
    found = ids("nosql")
    assert found[:4] == ["key-value-store", "document-store", "wide-column-store", "graph-database"]
    assert {"aws-dynamodb", "cassandra", "mongodb", "neo4j"} <= set(found)
    assert all(catalogue.lookup(t).category == "database" for t in found)  # type: ignore[union-attr]
    assert "postgresql" not in found


@pytest.mark.parametrize(
    ("query", "first", "never"),
    [
        ("key-value", "key-value-store", "azure-key-vault"),
        ("graph", "graph-database", "graphql"),
        ("crawler", "worker", "oracle-database"),
        ("web server", "web-server", "microsoft-teams"),
        ("lucene", "search-index", "fluentd"),
        ("postgres", "postgresql", "mysql"),
    ],
)
def test_exact_and_category_matches_come_first_and_unrelated_products_never(
    query: str, first: str, never: str
) -> None:
    found = ids(query)
    assert found[0] == first
    assert never not in found


def test_a_word_that_names_no_technology_finds_nothing_rather_than_anything() -> None:
    assert ids("replica") == []
    assert ids("zzzzzzzz") == []


def test_prefixes_and_substrings_answer_when_nothing_better_does() -> None:
    assert "graphql" in ids("graphq")
    assert ids("postgre")[:1] == ["postgresql"]


def test_check_suggests_by_the_same_ranking() -> None:
    assert catalogue.suggest("key-valu")[0] == "key-value-store"
    assert catalogue.suggest("wide-colum")[0] == "wide-column-store"
    assert catalogue.suggest("document")[0] == "document-store"


def test_a_search_for_replicas_or_shards_says_they_are_a_component_s_keys() -> None:
    assert catalogue.search("shards") == []
    assert catalogue.not_found_note("Shards") == catalogue.not_found_note("read replica") != ""
    assert "replicas: 3" in catalogue.not_found_note("replicas")
    assert catalogue.not_found_note("qqqq") == ""
