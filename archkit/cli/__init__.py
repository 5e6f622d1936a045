"""The ``archkit`` command line: Typer commands that parse arguments, call one core function, print.

``root`` holds the app and the workspace commands; ``tdr``, ``site`` and ``prep`` one command group
each; ``common`` what they share (the workspace from -C, exit codes, error printing).
"""

from archkit.cli.root import app, main

__all__ = ["app", "main"]
