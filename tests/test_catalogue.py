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
