"""The YAML formats of a portfolio's content, declared as data like the systems' format:
the executive summary (portfolio.yaml), case studies, leadership evidence and STAR stories."""

from __future__ import annotations

from archkit.model.spec import INTS, OBJECT, OBJECTS, TEXT, TEXTS, Key, ObjectSpec

# Amazon's Leadership Principles, as stories are tagged with them.
LEADERSHIP_PRINCIPLES = (
    "Customer Obsession",
    "Ownership",
    "Invent and Simplify",
    "Are Right, A Lot",
    "Learn and Be Curious",
    "Hire and Develop the Best",
    "Insist on the Highest Standards",
    "Think Big",
    "Bias for Action",
    "Frugality",
    "Earn Trust",
    "Dive Deep",
    "Have Backbone; Disagree and Commit",
    "Deliver Results",
    "Strive to be Earth's Best Employer",
    "Success and Scale Bring Broad Responsibility",
)

RESULT = ObjectSpec(
    "result",
    "A measured outcome: what changed, from what, to what.",
    [
        Key("metric", TEXT, "What was measured: 'p90 latency', 'Database CPU'.", True),
        Key("before", TEXT, "The baseline, with its unit: '2 s', '80%', '10M requests/day'."),
        Key("after", TEXT, "The result, with its unit: '150 ms', '45%', '100M requests/day'."),
        Key("note", TEXT, "What the figure means, when it is not a before/after pair."),
    ],
)

PHASE = ObjectSpec(
    "phase",
    "A step of an initiative or a plan.",
    [
        Key("name", TEXT, "What the phase did: 'Standards definition'.", True),
        Key("when", TEXT, "When: 'Month 1-2'."),
        Key("actions", TEXTS, "What was done."),
    ],
)

SCOPE = ObjectSpec(
    "scope",
    "Your current role's scope.",
    [
        Key("team-size", TEXT, "People you lead: '15-25 engineers'."),
        Key("budget", TEXT, "Budget you own: '$4M/year'."),
        Key("domains", TEXTS, "Technical domains: recommendations, payments."),
    ],
)

PORTFOLIO = ObjectSpec(
    "portfolio",
    "The executive summary: one page on who you are as an engineering leader.",
    [
        Key("name", TEXT, "Your name.", True),
        Key("headline", TEXT, "Your role in a line: 'Engineering Manager, consumer-scale systems'."),
        Key("target", TEXT, "The level you prepare for: L6, L7.", choices=("L5", "L6", "L7", "L8")),
        Key("summary", TEXT, "The one-paragraph summary.", True),
        Key("scope", OBJECT, "Current role scope: team size, budget, technical domains.", item=SCOPE),
        Key("achievements", TEXTS, "Key technical achievements: systems built, improvements delivered."),
        Key("leadership", TEXTS, "Leadership impact: people developed, processes improved, culture built."),
        Key("relevance", TEXT, "How your experience translates to the target level's scope."),
        Key("present", TEXTS, "The 2-3 systems you present in system-design interviews (system names)."),
    ],
)

CASE_STUDY = ObjectSpec(
    "case study",
    "A performance optimisation or scaling achievement, with its numbers.",
    [
        Key("title", TEXT, "What was achieved: 'API latency under traffic growth'.", True),
        Key("kind", TEXT, "performance or scaling.", choices=("performance", "scaling")),
        Key("challenge", TEXT, "The problem, with numbers.", True),
        Key("analysis", TEXT, "What the investigation found."),
        Key("solution", TEXTS, "What was built or changed."),
        Key("leadership", TEXTS, "How you led the team through it."),
        Key("results", OBJECTS, "Measured outcomes: metric, before, after.", item=RESULT),
        Key("outcomes", TEXTS, "Outcomes without a before/after figure."),
        Key("systems", TEXTS, "Systems it concerns (names from systems/)."),
        Key("decisions", INTS, "Decision records it concerns (numbers)."),
    ],
)

LEADERSHIP = ObjectSpec(
    "leadership item",
    "Leadership evidence: an initiative, a person developed, a cross-functional project.",
    [
        Key("title", TEXT, "What it was: 'Engineering Excellence Program'.", True),
        Key(
            "kind",
            TEXT,
            "initiative, team-development or cross-functional.",
            choices=("initiative", "team-development", "cross-functional"),
        ),
        Key("context", TEXTS, "The situation and the challenge, with numbers.", True),
        Key("role", TEXTS, "Your role."),
        Key("phases", OBJECTS, "What was done, step by step.", item=PHASE),
        Key("results", OBJECTS, "Measurable outcomes: metric, before, after.", item=RESULT),
        Key("outcomes", TEXTS, "Outcomes without a before/after figure."),
        Key("long-term", TEXTS, "Long-term impact."),
        Key("lessons", TEXTS, "What you learned."),
        Key("systems", TEXTS, "Systems it concerns (names from systems/)."),
    ],
)

STORY = ObjectSpec(
    "story",
    "A STAR story for behavioural interviews, tagged with Leadership Principles.",
    [
        Key("title", TEXT, "A name you recognise it by.", True),
        Key(
            "short-title",
            TEXT,
            "Two or three words that head its column in the story bank (default: the title's first words).",
        ),
        Key("principles", TEXTS, "Leadership Principles it shows.", True),
        Key("situation", TEXT, "S: the situation.", True),
        Key("task", TEXT, "T: your task.", True),
        Key("action", TEXT, "A: what you did.", True),
        Key("result", TEXT, "R: the result, with numbers.", True),
        Key("systems", TEXTS, "Systems it draws on (names from systems/)."),
        Key("decisions", INTS, "Decision records it draws on (numbers)."),
        Key("case-studies", TEXTS, "Case studies it draws on (file names without extension)."),
        Key("leadership-items", TEXTS, "Leadership evidence it draws on (file names without extension)."),
    ],
)

# folder (or file) -> spec, in the order a portfolio reads
CONTENT = {
    "portfolio.yaml": PORTFOLIO,
    "case-studies": CASE_STUDY,
    "leadership": LEADERSHIP,
    "stories": STORY,
}
