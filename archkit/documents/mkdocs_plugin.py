"""The ``archkit`` MkDocs plugin: ``plugins: [archkit]`` in ``mkdocs.yml``.

During ``mkdocs build`` and ``mkdocs serve`` it fills the pages' ``<!-- archkit:... -->`` blocks as
``archkit embed`` would, in the Markdown MkDocs renders (the source files are not changed), and
draws the diagrams they link to into the workspace's ``.archkit/mkdocs/``, from where MkDocs copies
them into the site as if they were documentation files. ``mkdocs serve`` rebuilds when a system or
a decision record changes. The workspace is the nearest folder at or above ``mkdocs.yml`` with a
``systems/`` folder, or the plugin's ``workspace`` option (relative to ``mkdocs.yml``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from mkdocs.config import base, config_options
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from archkit.documents import blocks as made
from archkit.documents.embed import Inputs
from archkit.documents.markers import find_blocks, replace_blocks
from archkit.errors import ArchkitError, Position, format_problem


class ArchkitConfig(base.Config):  # type: ignore[no-untyped-call]
    workspace = config_options.Optional(config_options.Type(str))


class ArchkitPlugin(BasePlugin[ArchkitConfig]):  # type: ignore[no-untyped-call]
    def __init__(self) -> None:
        self.root = Path(".")
        self.inputs: Inputs | None = None
        self.docs = Path(".")

    def on_config(self, config: Any) -> Any:
        here = Path(config.config_file_path or ".").resolve().parent
        self.root = (here / self.config.workspace).resolve() if self.config.workspace else _workspace(here)
        self.docs = Path(config.docs_dir).resolve()
        return config

    def on_files(self, files: Files, *, config: Any) -> Files:
        """Draw every diagram the pages' blocks link to, and add them to the site's files."""
        self.inputs = Inputs(self.root, link_root=self.docs)
        stage = self.root / ".archkit" / "mkdocs" / hashlib.sha256(str(self.docs).encode()).hexdigest()[:12]
        images: dict[str, made.Image] = {}
        try:
            for page in files.documentation_pages():
                source = Path(page.abs_src_path or self.docs / page.src_path)
                text = source.read_text(encoding="utf-8")
                for block in find_blocks(text, self._shown(page.src_path)):
                    if block.kind != "diagram":
                        continue
                    image = made.image_for(block, source, Position(self._shown(page.src_path), block.line, 1))
                    src_uri = Path(image.path).resolve().relative_to(self.docs).as_posix()
                    images[src_uri] = image
            self._draw(images, stage)
        except ArchkitError as exc:
            raise PluginError("\n".join(format_problem(p) for p in exc.problems)) from None
        except ValueError:
            raise PluginError("archkit: a diagram block's out= folder leads outside docs_dir") from None
        for src_uri in sorted(images):
            existing = files.get_file_from_path(src_uri)
            if existing is not None:
                files.remove(existing)
            files.append(File(src_uri, str(stage), config.site_dir, config.use_directory_urls))
        return files

    def _draw(self, images: dict[str, made.Image], stage: Path) -> None:
        from archkit.render.pipeline import render_diagrams

        assert self.inputs is not None
        groups: dict[tuple[Path, Any], list[str]] = {}
        for src_uri, image in images.items():
            folder = stage / Path(src_uri).parent
            groups.setdefault((folder, image.options), []).append(image.system)
        systems = self.inputs.systems()  # unknown names were reported by image_for's page, below
        for (folder, options), names in groups.items():
            wanted = [systems[name] for name in sorted(set(names)) if name in systems]
            render_diagrams(wanted, folder, options, self.root / ".archkit")

    def on_page_markdown(self, markdown: str, *, page: Any, config: Any, files: Files) -> str:
        """The page's blocks filled in the Markdown MkDocs renders."""
        assert self.inputs is not None
        shown = self._shown(page.file.src_path)
        document = self.docs / page.file.src_path
        try:
            found = find_blocks(markdown, shown)
            bodies = [
                made.body(block, document, self.inputs.context, Position(shown, block.line, 1))
                for block in found
            ]
        except ArchkitError as exc:
            raise PluginError("\n".join(format_problem(p) for p in exc.problems)) from None
        return replace_blocks(markdown, found, bodies)

    def on_serve(self, server: Any, *, config: Any, builder: Any) -> Any:
        """Rebuild when a system or a decision record changes."""
        for folder in (self.root / "systems", Inputs(self.root).records_dir()):
            if folder.is_dir():
                server.watch(str(folder))
        return server

    def _shown(self, src_path: str) -> str:
        from archkit.errors import display_path

        return display_path(self.docs / src_path, self.root)


def _workspace(start: Path) -> Path:
    """The nearest folder at or above ``start`` that has ``systems/``; else ``start``."""
    for folder in (start, *start.parents):
        if (folder / "systems").is_dir():
            return folder
    return start
