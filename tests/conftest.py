from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo() -> Path:
    """The example workspace shipped with archkit (read it, never write to it)."""
    return REPO


@pytest.fixture
def make_tree(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Build a file tree under tmp_path from {relative path: text}; returns its root."""

    def make(files: dict[str, str]) -> Path:
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return tmp_path

    return make


@pytest.fixture
def example_copy(repo: Path, tmp_path: Path) -> Path:
    """A copy of the example workspace, to change freely."""
    root = tmp_path / "ws"
    for name in ("systems", "decisions", "case-studies", "leadership", "stories"):
        shutil.copytree(repo / name, root / name)
    shutil.copy(repo / "portfolio.yaml", root / "portfolio.yaml")
    return root


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(autouse=True, scope="session")
def _cache_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> None:
    """archkit keeps compiled templates in the user's cache folder: tests keep theirs in tmp."""
    import os

    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))


EXAMPLE_PARTS = (
    "systems",
    "decisions",
    "case-studies",
    "leadership",
    "stories",
    "portfolio.yaml",
    ".adr-dir",
)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of the example workspace under tmp_path, for commands that write into the workspace
    (its .archkit/ cache, diagrams beside documents)."""
    import shutil

    root = tmp_path / "example"
    root.mkdir()
    for name in EXAMPLE_PARTS:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copy(source, root / name)
    return root


# Fuzz targets (tests/test_fuzz*.py): brief in `make test`; HYPOTHESIS_PROFILE=long for a longer run.
def _fuzz_profiles() -> None:
    import os

    from hypothesis import settings

    settings.register_profile("brief", max_examples=60, deadline=None)
    settings.register_profile("long", max_examples=3000, deadline=None)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "brief"))


_fuzz_profiles()
