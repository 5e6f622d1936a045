"""The pre-commit hooks guard, proven with the real pre-commit in a temporary git repository: a
broken system, portfolio.yaml, story or record is refused, for a workspace at the top of the
repository and one in a subfolder; a hook placed where there is no workspace fails and says so.

pre-commit installs a hook repository's ``language: python`` hooks into an environment of its own,
with pip. One test does exactly that, as a user's repository gets them: archkit's source as a hook
repository, installed by pre-commit (its dependencies come from the package index or pip's cache).
The others use the hooks of ``.pre-commit-hooks.yaml`` as written (id, entry, files,
pass_filenames) in a ``repo: local`` configuration whose entry is this environment's archkit, so
that they need no installation each."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
ARCHKIT = Path(sys.executable).with_name("archkit")
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=check, env=ENV)


ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "T",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "T",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "NO_COLOR": "1",
}


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    assert PRE_COMMIT.exists(), "pre-commit is a test dependency (pyproject's dev extras)"
    assert shutil.which("git")
    repo = tmp_path / "repo"
    repo.mkdir()
    ENV["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    git(repo, "init", "-q", "-b", "main")
    return repo


def configure(repo: Path, *args: str) -> None:
    """.pre-commit-config.yaml with archkit's hooks as .pre-commit-hooks.yaml declares them."""
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    local = []
    for hook in hooks:
        if hook["id"] not in ("archkit-check", "archkit-tdr-check"):
            continue
        assert hook["entry"].startswith("archkit ") and hook["language"] == "python"
        entry = str(ARCHKIT) + hook["entry"][len("archkit") :]
        local.append({**hook, "entry": entry, "language": "system", "args": list(args)})
    config = {"repos": [{"repo": "local", "hooks": local}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    done = subprocess.run([str(PRE_COMMIT), "install"], cwd=repo, capture_output=True, text=True, env=ENV)
    assert done.returncode == 0, done.stdout + done.stderr


def commit(repo: Path, message: str) -> tuple[int, str]:
    """Commit everything through the installed hooks: the exit code, and what the hooks said."""
    git(repo, "add", "-A")
    done = git(repo, "commit", "-q", "-m", message, check=False)
    return done.returncode, done.stdout + done.stderr


def init(where: Path) -> None:
    done = subprocess.run([str(ARCHKIT), "init", str(where)], capture_output=True, text=True, env=ENV)
    assert done.returncode == 0, done.stderr


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, path
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("folder", ["", "docs/arch"])
def test_hooks_refuse_every_broken_file(repository: Path, folder: str) -> None:
    workspace = repository / folder if folder else repository
    init(workspace)
    configure(repository, *(["-C", folder] if folder else []))
    code, said = commit(repository, "a workspace")
    assert code == 0, said

    edit(workspace / "portfolio.yaml", "\nname:", "\nnmae:")
    code, said = commit(repository, "a typo in the summary")
    assert code != 0 and "portfolio.yaml:" in said and "unknown key 'nmae'" in said, said
    edit(workspace / "portfolio.yaml", "\nnmae:", "\nname:")

    story = next((workspace / "stories").glob("*.yaml"))
    edit(story, "\nprinciples:", "\nprincipels:")
    code, said = commit(repository, "a typo in a story")
    assert code != 0 and f"stories/{story.name}:" in said, said
    edit(story, "\nprincipels:", "\nprinciples:")

    record = next((workspace / "decisions").glob("0001-*.md"))
    edit(record, "\nAccepted", "\nAcepted")
    code, said = commit(repository, "a typo in a record's status")
    assert code != 0 and "unknown status 'acepted'" in said, said
    edit(record, "\nAcepted", "\nAccepted")

    edit(story, "\ntitle:", "\ntitle: Retold -")  # a valid change passes
    code, said = commit(repository, "a story retold")
    assert code == 0, said
    assert git(repository, "log", "--format=%s").stdout.split("\n")[:2] == ["a story retold", "a workspace"]


def test_a_hook_where_there_is_no_workspace_fails_and_says_so(repository: Path) -> None:
    configure(repository)
    (repository / "notes.md").write_text("# Notes\n", encoding="utf-8")
    code, said = commit(repository, "notes")
    assert code != 0
    assert "no archkit workspace in" in said
    assert "no decision records folder: decisions/ does not exist" in said


def hook_repository(folder: Path) -> str:
    """archkit's source as a hook repository (what a user's ``repo:`` URL points at); its commit."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("archkit", "templates"):
        shutil.copytree(REPO / name, folder / name, symlinks=True, ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml"):
        shutil.copy(REPO / name, folder / name)
    git(folder, "init", "-q", "-b", "main")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "archkit")
    return git(folder, "rev-parse", "HEAD").stdout.strip()


def test_the_hooks_as_a_user_installs_them_guard_a_workspace(repository: Path, tmp_path: Path) -> None:
    """pre-commit makes the hooks' own environment and installs archkit into it (language: python)."""
    hooks = tmp_path / "archkit-hooks"
    rev = hook_repository(hooks)
    init(repository)
    config = {
        "repos": [
            {"repo": str(hooks), "rev": rev, "hooks": [{"id": "archkit-check"}, {"id": "archkit-tdr-check"}]}
        ]
    }
    (repository / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    done = subprocess.run(
        [str(PRE_COMMIT), "install"], cwd=repository, capture_output=True, text=True, env=ENV
    )
    assert done.returncode == 0, done.stdout + done.stderr
    code, said = commit(repository, "a workspace")  # the first commit installs the hooks' environment
    assert code == 0, said
    assert "archkit check....." in said and "Passed" in said, said

    system = next((repository / "systems").glob("*.yaml"))
    edit(system, "\nname:", "\nnmae:")
    code, said = commit(repository, "a typo in a system")
    assert code != 0, said
    assert (
        f"systems/{system.name}:" in said and "unknown key 'nmae'" in said and "did you mean 'name'" in said
    )
    edit(system, "\nnmae:", "\nname:")
    edit(system, "\nsummary:", "\nsummary: Checked -")
    code, said = commit(repository, "a valid change")
    assert code == 0, said
