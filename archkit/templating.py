"""Jinja2 set-up: the workspace's own ``templates/`` first, then archkit's, in a sandbox."""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any, NamedTuple, cast

from jinja2 import (
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    nodes,
    select_autoescape,
)
from jinja2 import Template as JinjaTemplate
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context, LoopContext
from jinja2.sandbox import SandboxedEnvironment

# PACKAGE_TEMPLATES is re-exported: where archkit's templates are
from archkit.files import PACKAGE_TEMPLATES, inside


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    """Compiled templates, kept between runs in the user's cache folder (keyed by source).
    Jinja2 imports its cache machinery anyway, so using it costs nothing and saves a compile."""
    from archkit.files import user_cache_dir

    folder = user_cache_dir("jinja2")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # a read-only home: compile every time
    # the pattern names what archkit compiles differently (loops counted in a workspace's templates),
    # so bytecode an earlier archkit cached is never loaded in its place
    return FileSystemBytecodeCache(str(folder), pattern="__archkit_counted_%s.cache")


MAX_OUTPUT = 4_000_000  # characters one template may write (a record, a page)
MAX_REPEAT = 1_000_000  # characters (or items) of one 'text' * n
MAX_STEPS = 10_000_000  # loop steps (and items of the ranges made) in one render of a workspace's templates
MAX_SECONDS = 30.0  # processor time one render may take, checked in a workspace template's loops and calls


class _Budget:
    """What one render of a template may still spend in a workspace template: loop steps (the
    measure that stops nested loops the same way on every machine), and processor time (the
    backstop for steps that are each slow: a long sort in a loop)."""

    def __init__(self) -> None:
        self.left = MAX_STEPS
        self.until = time.process_time() + MAX_SECONDS

    def spend(self, steps: int, name: str, filename: str | None, line: int | None = None) -> None:
        """Spend ``steps`` and look at the clock; over either budget is an ArchkitError at the
        template's ``line`` (None: found on the stack)."""
        self.left -= steps
        if self.left < 0:
            self.left = 0  # a template catching nothing: the next step stops it again
            raise _over_budget(f"runs its loops more than {MAX_STEPS:,} times", name, filename, line)
        if time.process_time() > self.until:
            what = f"takes more than {MAX_SECONDS:g} seconds of processor time"
            raise _over_budget(what, name, filename, line)


_BUDGET: ContextVar[_Budget | None] = ContextVar("archkit_template_budget", default=None)


def _over_budget(what: str, name: str, filename: str | None, line: int | None) -> Exception:
    from archkit.errors import ArchkitError, Position, Problem, display_path

    shown = display_path(Path(filename)) if filename else name
    where = Position(shown, _template_line() if line is None else line)
    return ArchkitError(
        [
            Problem(
                f"template {name} {what}",
                where,
                expected="loops that end sooner (archkit stops a workspace's template there)",
            )
        ]
    )


def _counted(iterable: Iterable[Any], name: str, filename: str | None, line: int) -> Iterator[Any]:
    """``iterable``, each item spent from the render's budget (a loop in a workspace template)."""
    budget = _BUDGET.get()
    if budget is None:  # rendered outside a budgeted render: this loop alone is limited
        budget = _Budget()
    for item in iterable:
        budget.left -= 1
        if budget.left < 0 or not budget.left & 15:  # the clock, every 16 steps
            budget.spend(0, name, filename, line)
        yield item


def _template_line() -> int:
    """The line of the workspace template running now (0 when not found): asked only when the
    budget is spent, from the template code's frame on the stack."""
    import sys

    frame = sys._getframe(1)
    while frame is not None:
        template = frame.f_globals.get("__jinja_template__")
        if template is not None:
            return int(template.get_corresponding_lineno(frame.f_lineno))
        frame = frame.f_back  # type: ignore[assignment]
    return 0


class _CountingCodeGenerator(CodeGenerator):
    """Compiles every ``{% for %}`` of a workspace's own template so that its steps are counted:
    nested loops that write nothing (which the output cap never sees) still end. archkit's own
    templates compile as Jinja compiles them."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        if _users_own(self.filename, self.name or ""):
            for loop in node.find_all(nodes.For):
                where = [nodes.Const(self.name), nodes.Const(self.filename), nodes.Const(loop.lineno)]
                loop.iter = nodes.Filter(
                    loop.iter, "archkit_counted", where, [], None, None, lineno=loop.lineno
                )
        super().visit_Template(node, frame)


class _BudgetedTemplate(JinjaTemplate):
    """A template whose every render (with what it includes) gets a fresh budget of MAX_STEPS."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        token = _BUDGET.set(_Budget())
        try:
            return super().render(*args, **kwargs)
        finally:
            _BUDGET.reset(token)

    def generate(self, *args: Any, **kwargs: Any) -> Iterator[str]:
        token = _BUDGET.set(_Budget())
        try:
            yield from super().generate(*args, **kwargs)
        finally:
            with contextlib.suppress(ValueError):  # closed from another context: nothing to undo
                _BUDGET.reset(token)


class _LimitedSandbox(SandboxedEnvironment):
    """The sandbox, with limits: range() to 100,000 items (Jinja's sandbox), no 'x' * n past
    MAX_REPEAT, no huge powers; in a workspace's templates, loops and the ranges they make spend
    one budget of MAX_STEPS per render. What a template writes is limited by render_with."""

    intercepted_binops = frozenset(["*", "**"])
    code_generator_class = _CountingCodeGenerator
    template_class = _BudgetedTemplate

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        from jinja2.exceptions import SecurityError

        self._look_at_the_clock(context)

        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                sized = isinstance(seq, (str, list, tuple)) and isinstance(times, int)
                if sized and len(seq) * times > MAX_REPEAT:
                    raise SecurityError(f"a repetition of more than {MAX_REPEAT} characters or items")
        if operator == "**" and isinstance(right, int) and abs(right) > 1000:
            raise SecurityError("a power above 1000")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget = __self._look_at_the_clock(__context)
        if budget is not None and isinstance(__obj, LoopContext) and args:
            # loop(children) in a recursive loop: its items are loop steps too
            template = __context.name or ""
            args = (_counted(args[0], template, __self._filename(template), 0), *args[1:])
        result = super().call(__context, __obj, *args, **kwargs)
        if budget is not None and isinstance(result, range):
            # a range a workspace template makes costs its length: range(100000)|sum in a loop
            # is as much work as a nested loop, and is counted as one
            template = __context.name or ""
            budget.spend(len(result), template, __self._filename(template))
        return result

    def _look_at_the_clock(self, context: Context) -> _Budget | None:
        """The render's budget when ``context`` is a workspace template's (its clock looked at:
        every call and operator there), else None."""
        budget = _BUDGET.get()
        if budget is None or not self._users(context.name):
            return None
        if budget.left < 0 or time.process_time() > budget.until:
            budget.spend(0, context.name or "", self._filename(context.name or ""))
        return budget

    def _users(self, name: str | None) -> bool:
        if name is None:
            return True
        own: dict[str, bool] = self.__dict__.setdefault("_archkit_own", {})
        if name not in own:
            own[name] = _users_own(self._filename(name), name)
        return own[name]

    def _filename(self, name: str) -> str | None:
        try:
            return self.get_template(name).filename
        except Exception:  # a template built from a string has no file
            return None


class _WorkspaceLoader(FileSystemLoader):
    """The workspace's templates/ first, then archkit's; a workspace template that is a symbolic
    link to a file outside the workspace is refused at the link, and not read."""

    def __init__(self, workspace_root: Path) -> None:
        super().__init__([str(workspace_root / "templates"), str(PACKAGE_TEMPLATES)])
        self.workspace_root = workspace_root

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        own = self.workspace_root / "templates" / template
        linked_out = not inside(own, self.workspace_root) and not inside(own, PACKAGE_TEMPLATES)
        if os.path.lexists(own) and linked_out:
            from archkit.errors import ArchkitError, Position, Problem, display_link

            raise ArchkitError(
                [
                    Problem(
                        "the template is a symbolic link to a file outside the workspace",
                        Position(display_link(own, self.workspace_root)),
                        expected="a template inside the workspace (archkit reads nothing outside it)",
                    )
                ]
            )
        return super().get_source(environment, template)


def environment(workspace_root: Path) -> SandboxedEnvironment:
    """Templates a user drops in ``<workspace>/templates/`` override archkit's of the same name.

    User templates are untrusted input, so they run sandboxed; HTML is autoescaped.
    """
    env = _LimitedSandbox(
        # one loader, two folders: the workspace's first
        loader=_WorkspaceLoader(workspace_root),
        bytecode_cache=_bytecode_cache(),
        # "page.html.j2" is HTML too: escape by the extension before .j2 as well
        autoescape=select_autoescape(["html", "htm", "xml", "svg", "html.j2", "htm.j2", "xml.j2", "svg.j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["md"] = markdown_text
    env.filters["archkit_counted"] = _counted
    return env


# What Markdown would read as markup inside a line of text: emphasis, code, links, HTML, and an
# '&' that spells an entity. Everything else ('->', quotes, '#' mid-line) is written as it is.
_MARKDOWN_SPECIAL = re.compile(r"[\\`*_\[\]<~]|&(?=#?[A-Za-z0-9]+;)")
_MARKDOWN_LINE_START = re.compile(r"^(?:([#>+=-])|(\d+)([.)]))", re.MULTILINE)


def markdown_text(value: object) -> str:
    """``value`` as Markdown text that renders back to exactly that text (the ``md`` filter of
    templates that write Markdown); its lines stay lines."""
    text = _MARKDOWN_SPECIAL.sub(lambda m: "\\" + m.group(0), str(value))
    return _MARKDOWN_LINE_START.sub(
        lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), text
    )


def render(workspace_root: Path, name: str, **values: object) -> str:
    """Render one template; a broken (user) template is an ArchkitError naming file and line."""
    return render_with(environment(workspace_root), workspace_root, name, **values)


def render_with(env: SandboxedEnvironment, workspace_root: Path, name: str, **values: object) -> str:
    """Render with an environment made once (a site renders hundreds of pages with one)."""
    from archkit.errors import ArchkitError

    try:
        template = env.get_template(name)
        # a user's template is capped; archkit's own grow with the workspace (a site of 1,000 records)
        limit = MAX_OUTPUT if _users_own(template.filename, name) else None
        return _generate(template, name, limit, values)
    except ArchkitError:
        raise
    except Exception as exc:
        problem = _template_problem(exc, name, workspace_root)
        if problem is None:
            raise  # raised by archkit's own templates: a bug
        raise ArchkitError([problem]) from None


def _generate(template: JinjaTemplate, name: str, limit: int | None, values: dict[str, object]) -> str:
    from archkit.errors import ArchkitError, Problem

    parts: list[str] = []
    size = 0
    generated = cast("Generator[str, None, None]", template.generate(**values))
    for part in generated:
        size += len(part)
        if limit is not None and size > limit:
            generated.close()  # its render ends here, and gives its loop budget back
            raise ArchkitError(
                [
                    Problem(
                        f"template {name} writes more than {MAX_OUTPUT:,} characters",
                        expected="a template of sensible size (archkit stops it there)",
                    )
                ]
            )
        parts.append(part)
    return "".join(parts)


def _template_problem(exc: Exception, name: str, workspace_root: Path) -> Any:
    """The problem a template's failure is, or None when it is archkit's own bug."""
    from jinja2 import TemplateError, TemplateSyntaxError

    from archkit.errors import Position, Problem, display_path, excerpt

    if isinstance(exc, (OverflowError, MemoryError, RecursionError)):
        return Problem(f"template {name} asks too much: {type(exc).__name__}: {excerpt(str(exc))}")
    if isinstance(exc, TemplateSyntaxError):
        file = display_path(Path(exc.filename), workspace_root) if exc.filename else name
        return Problem(f"template error: {exc.message}", Position(file, exc.lineno or 0))
    where = _rendering_line(exc, workspace_root)
    if isinstance(exc, TemplateError):
        return Problem(f"template {name}: {exc}", where, expected="the values archkit passes")
    if not _raised_in_users_template(exc):  # '{{ 1 // 0 }}' in a workspace's template is the user's
        return None
    return Problem(
        f"template {name}: {type(exc).__name__}: {excerpt(str(exc))}",
        where,
        expected="a template that renders with the values archkit passes",
    )


def _last_template_frame(exc: BaseException) -> tuple[str, int] | None:
    """The file and line of the last template frame in the traceback: Jinja2 rewrites the
    traceback so that a template's own frames carry its file and line."""
    found = None
    trace = exc.__traceback__
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            found = (filename, trace.tb_lineno)
        trace = trace.tb_next
    return found


def _rendering_line(exc: BaseException, workspace_root: Path) -> Any:
    """Where in a template an error was raised while rendering (None when not in one)."""
    from archkit.errors import Position, display_path

    found = _last_template_frame(exc)
    return Position(display_path(Path(found[0]), workspace_root), found[1]) if found else None


def _raised_in_users_template(exc: BaseException) -> bool:
    """Whether the last template frame of the traceback is a workspace's template."""
    found = _last_template_frame(exc)
    return found is not None and not inside(Path(found[0]), PACKAGE_TEMPLATES)


class Template(NamedTuple):
    """One of archkit's templates, and the workspace's copy that overrides it, if any."""

    name: str  # relative, '/'-separated: 'site/system.html.j2'
    override: Path | None


def list_templates(workspace_root: Path | str = ".") -> list[Template]:
    """``archkit templates list``: every template archkit renders with, by the relative name a
    file in ``<workspace>/templates/`` takes to override it, with the workspace's copy if any."""
    own = Path(workspace_root) / "templates"
    names = sorted(p.relative_to(PACKAGE_TEMPLATES).as_posix() for p in PACKAGE_TEMPLATES.rglob("*.j2"))
    return [Template(name, own / name if (own / name).is_file() else None) for name in names]


def copy_template(workspace_root: Path | str, name: str) -> Path:
    """``archkit templates copy NAME``: archkit's template ``name`` copied into the workspace's
    ``templates/`` to be edited there; returns the new file. Never overwrites: a copy already
    there is an ArchkitError, as is an unknown name (with the close match)."""
    from archkit.errors import ArchkitError, Problem, closest, display_path
    from archkit.files import write_new

    root = Path(workspace_root)
    known = [t.name for t in list_templates(root)]
    wanted = name.replace("\\", "/").removeprefix("templates/")
    if wanted not in known:
        hint = closest(wanted, known) or closest(wanted, [n.rsplit("/", 1)[-1] for n in known])
        full = next((n for n in known if n == hint or n.endswith("/" + hint)), hint)
        raise ArchkitError(
            [
                Problem(
                    f"no template named '{name}'",
                    expected="a name from 'archkit templates list'",
                    suggestion=full,
                )
            ]
        )
    target = root / "templates" / wanted
    try:
        write_new(target, (PACKAGE_TEMPLATES / wanted).read_bytes())
    except FileExistsError:
        raise ArchkitError(
            [
                Problem(
                    f"{display_path(target, root)} exists already",
                    expected="a template not yet copied (archkit never overwrites it)",
                )
            ]
        ) from None
    return target


def _users_own(filename: str | None, name: str) -> bool:
    """Whether the template came from a workspace's templates/ rather than archkit's own files."""
    if filename is None:
        return True
    return Path(filename).resolve() != (PACKAGE_TEMPLATES / name).resolve()
