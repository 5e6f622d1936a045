"""archkit as a user gets it: a wheel, installed in a fresh virtualenv outside the repository and
used from an empty folder, carries its templates (init, tdr new and build all render them)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def build_wheel(tmp_path: Path) -> Path:
    """The wheel, built from a copy of the sources (the repository stays untouched) without
    network: setuptools is a dev dependency, so no isolated build environment is fetched."""
    source = tmp_path / "source"
    source.mkdir()
    shutil.copytree(
        REPO / "archkit", source / "archkit", symlinks=True, ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(REPO / "templates", source / "templates")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    out = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("archkit-*.whl")
    return wheel


def fresh_venv(tmp_path: Path, wheel: Path) -> Path:
    """A new virtualenv with the wheel installed; its dependencies are read from this one's
    site-packages (a path, not a site folder: this checkout's editable install stays out)."""
    home = tmp_path / "venv"
    venv.create(home, with_pip=False)
    python = home / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(purelib, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "-q",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return home


def test_a_wheel_in_a_fresh_virtualenv_works_from_an_empty_folder(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(
        n.removeprefix("archkit/templates/") for n in names if n.startswith("archkit/templates/")
    )
    assert shipped == sorted(
        p.relative_to(REPO / "templates").as_posix() for p in (REPO / "templates").rglob("*.j2")
    )

    home = fresh_venv(tmp_path, wheel)
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "ARCHKIT_TODAY": "2025-03-31",
    }
    env.pop("PYTHONPATH", None)

    def archkit(*args: str) -> str:
        done = subprocess.run(
            [str(home / "bin" / "archkit"), *args], cwd=empty, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    where = subprocess.run(
        [
            str(home / "bin" / "python"),
            "-c",
            "import archkit.templating as t; print(t.PACKAGE_TEMPLATES.resolve())",
        ],
        cwd=empty,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(home), where  # the wheel's templates, not the checkout's

    archkit("init")
    assert archkit("tdr", "new", "Use Kafka for events") == "decisions/0002-use-kafka-for-events.md\n"
    assert "Review: 2026-03-31" in (empty / "decisions" / "0002-use-kafka-for-events.md").read_text(
        encoding="utf-8"
    )
    out = archkit("build")
    assert out.startswith("built build/site/:"), out
    assert "Use Kafka for events" in (
        empty / "build" / "site" / "decisions" / "0002-use-kafka-for-events.html"
    ).read_text(encoding="utf-8")
    assert "site/system.html.j2" in archkit("templates", "list")
