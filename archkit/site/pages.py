"""The pages of the site: what each one shows, as plain data for its template.

A page is its path, its template and its context; the context is hashed (with the template
sources) so an unchanged page is carried over instead of rendered again.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from archkit.decisions.record import METADATA_KEYS, Record
from archkit.decisions.render import section_html
from archkit.decisions.store import DecisionStore
from archkit.files import PACKAGE_TEMPLATES
from archkit.model.system import System
from archkit.portfolio.content import CaseStudy, Content, LeadershipItem, Story
from archkit.portfolio.spec import LEADERSHIP_PRINCIPLES
from archkit.site.fragments import (
    data_uri,
    file_digest,
    graph_svg,
    local_graph,
    result_row,
)


def digest_of(*parts: object) -> str:
    """A stable hash of page inputs. They are plain data built in a fixed order (strings,
    numbers, tuples, lists, dicts), so their repr is stable, and far cheaper than JSON."""
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


TEMPLATES = PACKAGE_TEMPLATES / "site"
SEARCH_PART = 100  # records per part of the search data


class Page(NamedTuple):
    path: str  # relative to the site root, '/'-separated
    template: str
    inputs: Any  # plain data: what the page is made from; its hash decides whether to render
    make: Callable[[], dict[str, Any]]  # the template's context, computed only when rendering
    root: Path  # the workspace, whose templates/ may override archkit's

    def digest(self) -> str:
        from archkit import __version__

        return digest_of(__version__, self.path, self.template, _templates_digest(self.root), self.inputs)

    def render(self, env: Any) -> str:
        from archkit.templating import render_with

        depth = self.path.count("/")
        context = self.make()
        return render_with(
            env, self.root, f"site/{self.template}", base="../" * depth, page=self.path, **context
        )


def forget_templates() -> None:
    """Templates may have changed since the last build in this process (serve)."""
    _templates_digest.cache_clear()


@functools.cache
def _templates_digest(root: Path) -> str:
    """Every site template's source (archkit's and the workspace's): a changed template changes
    every page."""
    sources = []
    for folder in (TEMPLATES, root / "templates" / "site"):
        if folder.is_dir():
            for path in sorted(folder.glob("*.j2")):
                sources.append((path.name, path.read_text(encoding="utf-8")))
    return digest_of(sources)


_META_ORDER = {key: i for i, key in enumerate(METADATA_KEYS)}


def record_page(record: Record) -> str:
    from archkit.decisions.render import page_name

    return "decisions/" + page_name(record.path)


class Site:
    def __init__(
        self,
        systems: Sequence[System],
        records: Sequence[Record],
        content: Content,
        diagrams: dict[str, Path],
        store: DecisionStore,
        changes: dict[str, tuple[str, list[str]]] | None = None,
    ) -> None:
        self.changes = changes or {}  # system slug -> (what it changed from, summary lines)
        self.systems = list(systems)
        self.records = list(records)
        self.content = content
        self.diagrams = diagrams
        self.root = store.root
        self.by_number = {r.number: r for r in self.records}
        self.by_path = {r.path: r for r in self.records}
        self.records_of: dict[str, set[int]] = {}  # system slug -> records that name it, built once
        for r in self.records:
            for name in _names(r.metadata.get("systems", "")):
                self.records_of.setdefault(name, set()).add(r.number)

    # -- the plan ------------------------------------------------------------------------

    def plan(self) -> list[Page]:
        common = {"nav": self.nav(), "site_title": self.title()}
        shared = digest_of(common)  # hashed once: every page shows the same navigation
        root = self.root

        def page(path: str, template: str, context: dict[str, Any]) -> Page:
            return Page(path, template, (shared, context), lambda: {**common, **context}, root)

        systems = {s.slug: self.system(s) for s in self.systems}
        cases = [self.case(c) for c in self.content.case_studies]
        leaders = [self.leader(i) for i in self.content.leadership]
        stories = self.stories()
        found = [page("index.html", "index.html.j2", self.index())]
        found += [
            page(f"systems/{slug}.html", "system.html.j2", context) for slug, context in systems.items()
        ]
        summary = [
            (r.number, r.title, r.status, r.date, r.path, [tuple(link) for link in r.links])
            for r in self.records
        ]
        texts = {  # each record's text hash, by file name: hashing beats JSON-encoding it
            r.path: hashlib.sha256(r.text.encode("utf-8")).hexdigest() for r in self.records
        }
        found += self._decision_pages(common, shared, summary, texts)
        for case, context in zip(self.content.case_studies, cases, strict=True):
            found.append(page(f"case-studies/{case.slug}.html", "case-study.html.j2", context))
        for item, context in zip(self.content.leadership, leaders, strict=True):
            found.append(page(f"leadership/{item.slug}.html", "leadership.html.j2", context))
        found.append(page("stories.html", "stories.html.j2", stories))
        whole = digest_of(shared, self.index(), summary, list(systems.values()), stories, cases, leaders)
        found.append(
            Page("portfolio.html", "portfolio.html.j2", whole, lambda: {**common, **self.whole()}, root)
        )
        found.append(Page("portfolio.md", "portfolio.md.j2", whole, lambda: {**common, **self.whole()}, root))
        found += self.search_pages(texts)
        return found

    def search_pages(self, texts: dict[str, str]) -> list[Page]:
        """The search data in parts: the summary, systems and content in one, the records a hundred
        to a part, so that a changed record renders one part again, not the text of every record;
        ``search.js`` lists the parts (``texts``: each record's text hash, by file name)."""
        root = self.root
        parts = [
            Page(
                "search/pages.js",
                "search-part.js.j2",
                self.search_entries(records=False),
                lambda: {"part": "pages", "entries": self.search_entries(records=False)},
                root,
            )
        ]
        for start in range(0, len(self.records), SEARCH_PART):
            chunk = self.records[start : start + SEARCH_PART]
            name = f"decisions-{start // SEARCH_PART + 1}"
            inputs = [(r.number, r.title, r.status, r.path, texts[r.path]) for r in chunk]
            make = functools.partial(self._search_part, name, chunk)
            parts.append(Page(f"search/{name}.js", "search-part.js.j2", inputs, make, root))
        listed = [page.path for page in parts]
        index = Page("search.js", "search.js.j2", listed, lambda: {"parts": listed}, root)
        return [index, *parts]

    def _search_part(self, name: str, records: Sequence[Record]) -> dict[str, Any]:
        return {"part": name, "entries": [_record_entry(r) for r in records]}

    def _decision_pages(
        self, common: dict[str, Any], shared: str, summary: list[Any], texts: dict[str, str]
    ) -> list[Page]:
        """The decisions index and a page per record, each hashed from what it shows (``texts``:
        each record's text hash, by file name)."""
        root = self.root
        found = [
            Page(
                "decisions/index.html",
                "decisions.html.j2",
                (shared, summary),
                lambda: {**common, **self.decisions()},
                root,
            )
        ]
        for record in self.records:
            neighbours = [(r.number, r.title, r.status, r.path) for r in self._neighbours(record)]
            make = functools.partial(self._decision_context, common, record)
            inputs = (shared, texts[record.path], neighbours)
            found.append(Page(record_page(record), "decision.html.j2", inputs, make, root))
        return found

    def _decision_context(self, common: dict[str, Any], record: Record) -> dict[str, Any]:
        return {**common, **self.decision(record)}

    def _neighbours(self, record: Record) -> list[Record]:
        linked = [self.by_path.get(link.target.rsplit("/", 1)[-1]) for link in record.links]
        return [r for r in linked if r is not None]

    def title(self) -> str:
        portfolio = self.content.portfolio
        return f"{portfolio.name} — technical portfolio" if portfolio else "Technical portfolio"

    def nav(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = [{"title": "Summary", "url": "index.html", "children": []}]
        systems = [(s.name, f"systems/{s.slug}.html") for s in self.systems]
        cases = [(c.title, f"case-studies/{c.slug}.html") for c in self.content.case_studies]
        leaders = [(i.title, f"leadership/{i.slug}.html") for i in self.content.leadership]
        for title, children in (
            ("Systems", systems),
            ("Decisions", None),
            ("Case studies", cases),
            ("Leadership", leaders),
        ):
            if children is None:
                items.append({"title": title, "url": "decisions/index.html", "children": []})
            elif children:
                items.append({"title": title, "children": [{"title": t, "url": url} for t, url in children]})
        items.append({"title": "Story bank", "url": "stories.html", "children": []})
        items.append({"title": "Printable portfolio", "url": "portfolio.html", "children": []})
        return items

    # -- page contexts ----------------------------------------------------------------------

    def index(self) -> dict[str, Any]:
        p = self.content.portfolio
        summary = None
        if p:
            summary = {
                "name": p.name,
                "headline": p.headline,
                "target": p.target,
                "summary": p.summary,
                "scope": p.scope._asdict() if p.scope else None,
                "achievements": list(p.achievements),
                "leadership": list(p.leadership),
                "relevance": p.relevance,
                "present": list(p.present),
            }
        return {
            "summary": summary,
            "systems": [self._system_card(s) for s in self.systems],
            "counts": {
                "systems": len(self.systems),
                "decisions": len(self.records),
                "case_studies": len(self.content.case_studies),
                "leadership": len(self.content.leadership),
                "stories": len(self.content.stories),
            },
        }

    def _system_card(self, system: System) -> dict[str, Any]:
        present = self.content.portfolio.present if self.content.portfolio else ()
        return {
            "slug": system.slug,
            "name": system.name,
            "summary": system.summary,
            "scale": [(m.name, m.value) for m in system.scale],
            "present": system.slug in present,
        }

    def system(self, system: System) -> dict[str, Any]:
        related = sorted(
            {n for n in system.decisions if n in self.by_number}
            | {t.record for t in system.tradeoffs if t.record in self.by_number}
            | self.records_of.get(system.slug, set())
        )
        return {
            "system": {
                "slug": system.slug,
                "name": system.name,
                "summary": system.summary,
                "role": system.role,
                "team_size": system.team_size,
                "context": system.context,
                "impact": list(system.impact),
                "scale": [(m.name, m.value) for m in system.scale],
                "estimates": _estimates(system),
                "stack": list(system.stack),
                "leadership": list(system.leadership),
                "tradeoffs": [
                    {
                        **dataclasses.asdict(t),
                        "record_url": record_page(self.by_number[t.record])
                        if t.record in self.by_number
                        else "",
                    }
                    for t in system.tradeoffs
                ],
                "components": [(c.title, c.tech, list(c.metrics)) for c in system.components],
            },
            "diagram": f"diagrams/{system.slug}.svg" if system.slug in self.diagrams else "",
            "diagram_digest": file_digest(self.diagrams.get(system.slug)),
            "changes": self._changes(system.slug),
            "decisions": [self._record_link(self.by_number[n]) for n in related],
            "case_studies": [
                {"title": c.title, "url": f"case-studies/{c.slug}.html"}
                for c in self.content.case_studies
                if system.slug in c.systems
            ],
            "stories": [
                {"title": s.title, "url": f"stories.html#{s.slug}"}
                for s in self.content.stories
                if system.slug in s.systems
            ],
        }

    def _changes(self, slug: str) -> dict[str, Any] | None:
        """The 'What changed' section: the diff diagram and its summary lines."""
        if slug not in self.changes:
            return None
        since, lines = self.changes[slug]
        diagram = self.diagrams.get(f"{slug}-diff")
        return {
            "since": since,
            "lines": lines,
            "diagram": f"diagrams/{slug}-diff.svg" if diagram else "",
            "digest": file_digest(diagram),
        }

    def _record_link(self, record: Record) -> dict[str, Any]:
        return {
            "number": record.number,
            "title": record.title,
            "status": record.status,
            "url": record_page(record),
        }

    def decisions(self) -> dict[str, Any]:
        from archkit.decisions.render import decision_graph

        return {
            "records": [{**self._record_link(r), "date": r.date} for r in self.records],
            "graph": graph_svg(decision_graph(self.records), "decisions/") if self.records else "",
        }

    def decision(self, record: Record) -> dict[str, Any]:
        return {
            "record": {
                **self._record_link(record),
                "date": record.date,
                "metadata": sorted(record.metadata.items(), key=lambda kv: _META_ORDER.get(kv[0], 99)),
                "links": [
                    {
                        "label": link.name,
                        "number": link.number,
                        "title": link.title,
                        "url": "decisions/" + link.target.rsplit("/", 1)[-1][: -len(".md")] + ".html",
                    }
                    for link in record.links
                ],
                "sections": [
                    {
                        "heading": s.heading,
                        "html": section_html(s.text),
                        "options": [o._asdict() for o in record.options]
                        if s.key == "options" and record.options
                        else [],
                    }
                    for s in record.sections
                    if s.key not in ("status", "links") and s.text.strip()
                ],
            },
            "graph": local_graph(record, self._neighbours(record)),
        }

    def case(self, case: CaseStudy) -> dict[str, Any]:
        return {
            "item": {
                "title": case.title,
                "kind": case.kind,
                "challenge": case.challenge,
                "analysis": case.analysis,
                "solution": list(case.solution),
                "leadership": list(case.leadership),
                "outcomes": list(case.outcomes),
            },
            "results": [result_row(r) for r in case.results],
            "systems": [{"title": self._system_name(s), "url": f"systems/{s}.html"} for s in case.systems],
            "decisions": [
                self._record_link(self.by_number[n]) for n in case.decisions if n in self.by_number
            ],
        }

    def leader(self, item: LeadershipItem) -> dict[str, Any]:
        return {
            "item": {
                "title": item.title,
                "kind": item.kind,
                "context": list(item.context),
                "role": list(item.role),
                "phases": [p._asdict() for p in item.phases],
                "outcomes": list(item.outcomes),
                "long_term": list(item.long_term),
                "lessons": list(item.lessons),
            },
            "results": [result_row(r) for r in item.results],
            "systems": [{"title": self._system_name(s), "url": f"systems/{s}.html"} for s in item.systems],
        }

    def stories(self) -> dict[str, Any]:
        stories = list(self.content.stories)
        covered = {p for s in stories for p in s.principles}
        return {
            "principles": [
                {"name": p, "stories": [s.slug for s in stories if p in s.principles]}
                for p in LEADERSHIP_PRINCIPLES
            ],
            "uncovered": [p for p in LEADERSHIP_PRINCIPLES if p not in covered],
            "stories": [self._story(s) for s in stories],
        }

    def _story(self, story: Story) -> dict[str, Any]:
        uses = [{"title": self._system_name(s), "url": f"systems/{s}.html"} for s in story.systems]
        uses += [
            {"title": f"Decision {n}. {self.by_number[n].title}", "url": record_page(self.by_number[n])}
            for n in story.decisions
            if n in self.by_number
        ]
        titles = {c.slug: c.title for c in self.content.case_studies}
        uses += [{"title": titles.get(c, c), "url": f"case-studies/{c}.html"} for c in story.case_studies]
        lead = {i.slug: i.title for i in self.content.leadership}
        uses += [{"title": lead.get(i, i), "url": f"leadership/{i}.html"} for i in story.leadership_items]
        return {
            "slug": story.slug,
            "title": story.title,
            "short": story.column_title,
            "principles": list(story.principles),
            "star": [
                ("Situation", story.situation),
                ("Task", story.task),
                ("Action", story.action),
                ("Result", story.result),
            ],
            "uses": uses,
        }

    def _system_name(self, slug: str) -> str:
        return next((s.name for s in self.systems if s.slug == slug), slug)

    def whole(self) -> dict[str, Any]:
        """The single printable page: everything, with diagrams inlined as data URIs."""
        return {
            **self.index(),
            "system_pages": [
                {**self.system(s), "diagram_data": data_uri(self.diagrams.get(s.slug))} for s in self.systems
            ],
            "case_pages": [self.case(c) for c in self.content.case_studies],
            "leadership_pages": [self.leader(i) for i in self.content.leadership],
            "records": [
                {**self._record_link(r), "date": r.date, "decision": r.section("decision")}
                for r in self.records
            ],
            **self.stories(),
        }

    def search_entries(self, records: bool = True) -> list[dict[str, str]]:
        """One entry per page (a story per story-bank section): its URL, title, kind and the text a
        reader sees there, for full-text search in the browser (lunr.js)."""
        portfolio = self.content.portfolio
        entries: list[dict[str, str]] = []
        if portfolio:
            summary = (portfolio.headline, portfolio.summary, portfolio.achievements, portfolio.leadership)
            entries.append(_entry(portfolio.name, "summary", "index.html", *summary))
        entries += [_system_entry(s) for s in self.systems]
        if records:
            entries += [_record_entry(r) for r in self.records]
        for c in self.content.case_studies:
            results = [(r.metric, r.before, r.after) for r in c.results]
            case = (c.challenge, c.analysis, c.solution, c.leadership, c.outcomes, results)
            entries.append(_entry(c.title, "case study", f"case-studies/{c.slug}.html", *case))
        for i in self.content.leadership:
            phases = [(p.name, p.when, p.actions) for p in i.phases]
            results = [(r.metric, r.before, r.after) for r in i.results]
            item = (i.context, i.role, phases, i.outcomes, i.long_term, i.lessons, results)
            entries.append(_entry(i.title, "leadership", f"leadership/{i.slug}.html", *item))
        for story in self.content.stories:
            star = (story.situation, story.task, story.action, story.result)
            url = f"stories.html#{story.slug}"
            entries.append(_entry(story.title, "story", url, story.principles, *star))
        return entries


def _search_text(*parts: Any) -> str:
    """Every non-empty part as text, lists and tuples flattened, separated by spaces."""
    flat: list[str] = []
    for part in parts:
        if isinstance(part, (list, tuple)):
            flat.append(_search_text(*part))
        elif part:
            flat.append(str(part))
    return " ".join(flat)


def _entry(title: str, kind: str, url: str, *parts: Any) -> dict[str, str]:
    return {"title": title, "kind": kind, "url": url, "text": _search_text(*parts)}


def _system_entry(s: System) -> dict[str, str]:
    from archkit import catalogue

    def tech_name(tech: str) -> str:
        found = catalogue.find(tech) if tech else None
        return f"{tech} {found.name}" if found else tech

    return _entry(
        s.name,
        "system",
        f"systems/{s.slug}.html",
        s.summary,
        s.role,
        s.context,
        s.impact,
        s.stack,
        [(m.name, m.value) for m in s.scale],
        [(c.title, tech_name(c.tech), c.metrics, c.notes) for c in s.components],
        [(c.label, c.throughput, c.latency) for c in s.connections],
        [(t.decision, t.choice, t.tradeoff, t.result) for t in s.tradeoffs],
        s.leadership,
    )


def _record_entry(record: Record) -> dict[str, str]:
    sections = " ".join(s.text for s in record.sections if s.text.strip())
    metadata = " ".join(record.metadata.values())
    return {
        "title": f"{record.number}. {record.title}",
        "kind": "decision",
        "url": record_page(record),
        "text": " ".join(part for part in (record.status, metadata, sections) if part),
    }


def _names(text: str) -> set[str]:
    return {name.strip() for name in text.split(",") if name.strip()}


def _estimates(system: System) -> list[tuple[str, str, str]]:
    """A system's estimates as name, value as shown and working (those that compute: a system
    with a wrong one does not pass 'archkit check')."""
    if not system.estimates:
        return []
    from archkit.prep.estimates import estimate

    return [(f.name, f.shown, f.working) for f in estimate(system).estimates]
