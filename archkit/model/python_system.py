"""Systems written in Python: ``systems/<name>.py`` defines ``system``.

Running the file is running code: archkit does it only for .py files in the workspace's own
systems/ folder, as a build tool runs a project's build script.
"""

from __future__ import annotations

import runpy
import traceback
from dataclasses import replace
from pathlib import Path

from archkit.errors import ArchkitError, Position, Problem
from archkit.model.system import SourceMap, System


def load_python_system(path: Path, shown: str) -> System:
    """Run ``systems/<name>.py``, which defines ``system``; report failures without a traceback."""
    try:
        namespace = runpy.run_path(str(path), run_name=f"archkit_system_{path.stem}")
    except SyntaxError as exc:
        where = Position(shown, exc.lineno or 0, exc.offset or 0)
        raise ArchkitError([Problem(f"Python syntax error: {exc.msg}", where)]) from None
    except (Exception, SystemExit) as exc:
        line = 0
        for frame in traceback.extract_tb(exc.__traceback__):
            if Path(frame.filename).resolve() == path.resolve():
                line = frame.lineno or 0
        message = f"running the file raised {type(exc).__name__}: {exc}"
        raise ArchkitError([Problem(message, Position(shown, line))]) from None
    system = namespace.get("system")
    if not isinstance(system, System):
        got = "nothing" if system is None else type(system).__name__
        raise ArchkitError(
            [
                Problem(
                    f"the file defines {got} named 'system'",
                    Position(shown),
                    expected="a module-level 'system = archkit.model.System(...)'",
                )
            ]
        )
    return replace(system, slug=system.slug or path.stem, source=SourceMap(shown))
