"""The YAML format of a system, declared once as data.

The loader validates files against these specs and ``archkit schema`` turns the same specs into a
JSON Schema, so the two can never disagree.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from archkit.model.system import GROUP_KINDS, ROLES
from archkit.names import DIRECTIONS, ID_PATTERN

# Kinds of value a key may hold.
TEXT = "text"  # a string
INT = "int"  # a whole number
SCALAR = "scalar"  # a string or a number (scale figures: 50M, 99.9%, 1000)
TEXTS = "texts"  # a list of strings, or one string
INTS = "ints"  # a list of whole numbers
METRICS = "metrics"  # a mapping of metric name -> scalar
OBJECT = "object"  # a mapping described by another spec
OBJECTS = "objects"  # a list of mappings described by another spec


class Key(NamedTuple):
    name: str
    kind: str
    help: str
    required: bool = False
    choices: tuple[str, ...] = ()
    item: ObjectSpec | None = None
    attr: str = ""  # the model attribute, when it is not the key itself
    example: Any = None
    completions: str = ""  # "technologies": editors offer the catalogue's ids; any text stays valid

    @property
    def attribute(self) -> str:
        return self.attr or self.name.replace("-", "_")


class ObjectSpec(NamedTuple):
    title: str  # what the user calls it in messages: "component", "connection"
    help: str
    keys: list[Key]  # a list, so that a spec can contain itself (groups nest)

    def key(self, name: str) -> Key | None:
        return next((k for k in self.keys if k.name == name), None)

    @property
    def names(self) -> list[str]:
        return [k.name for k in self.keys]


PATH_KEY = "_path"

# Keys starting with this are the user's own (as in docker-compose): YAML anchors, other tools' data.
EXTENSION_PREFIX = "x-"


CONNECTION = ObjectSpec(
    "connection",
    "An arrow between two components.",
    [
        Key("from", TEXT, "Id of the component the arrow starts at.", True, attr="source"),
        Key(
            "to",
            TEXTS,
            "Id of the component it points to, or a list of ids (one arrow each).",
            True,
            attr="target",
        ),
        Key("label", TEXT, "What flows: 'REST', 'gRPC', 'user events'."),
        Key(
            "mode",
            TEXT,
            "sync (request/response, solid line) or async (events, queues; dashed line).",
            choices=("sync", "async"),
        ),
        Key("throughput", TEXT, "Traffic on this arrow: '20k req/s', '1B events/day'."),
        Key("latency", TEXT, "Latency on this arrow: 'p99 30 ms'."),
    ],
)

GROUP_KEYS: list[Key] = [
    Key("id", TEXT, "Unique id; components name it in their 'group'.", True),
    Key("label", TEXT, "Title drawn on the boundary: 'AWS us-east-1', 'EKS cluster'."),
    Key("kind", TEXT, "What the boundary is; sets its style.", choices=GROUP_KINDS),
]
GROUP = ObjectSpec("group", "A boundary around components; groups nest.", GROUP_KEYS)

COMPONENT = ObjectSpec(
    "component",
    "A box on the diagram.",
    [
        Key("id", TEXT, "Unique id; connections name it in 'from' and 'to'.", True),
        Key("label", TEXT, "Name drawn on the diagram (defaults to the id)."),
        Key(
            "tech",
            TEXT,
            "Technology, from 'archkit techs': postgresql, redis, kafka, s3, key-value-store...",
            completions="technologies",
        ),
        Key("group", TEXT, "Id of the group (boundary) it sits in."),
        Key("replicas", INT, "Identical copies running: drawn as a stack of cards with a '×3' badge."),
        Key("shards", INT, "Partitions its data is split into: drawn as a '16 shards' badge."),
        Key(
            "role",
            TEXT,
            "primary (takes the writes) or replica (a copy that serves reads).",
            choices=ROLES,
        ),
        Key(
            "replica-of",
            TEXT,
            "Id of the component this one is a replica of: draws a replication arrow from it.",
        ),
        Key("metrics", TEXTS, "Figures drawn under the label: 'p95 < 50 ms', '40k reads/s'."),
        Key("notes", TEXT, "A longer note, for documents (not drawn)."),
    ],
)

TRADEOFF = ObjectSpec(
    "trade-off",
    "A key technical decision, what it cost and what it gave.",
    [
        Key("decision", TEXT, "The question: 'Microservices vs monolith'.", True),
        Key("choice", TEXT, "What was chosen and why."),
        Key("tradeoff", TEXT, "What it cost."),
        Key("result", TEXT, "What it gave, measured."),
        Key("record", INT, "Number of the decision record with the whole story."),
    ],
)

WHITEBOARD = ObjectSpec(
    "whiteboard",
    "How 'archkit whiteboard' simplifies the system.",
    [
        Key("collapse", TEXTS, "Ids of groups to draw as one box each, whatever the box count."),
        Key("order", TEXTS, "Ids of components or groups in the order you draw them; the rest follow."),
        Key("max-boxes", INT, "At most this many boxes (default 12; --max-boxes overrides)."),
    ],
)

SYSTEM = ObjectSpec(
    "system",
    "A system: its story, its scale, and the parts drawn on its diagram.",
    [
        Key("name", TEXT, "Display name: 'User Recommendation Platform'.", True),
        Key("summary", TEXT, "One line: what it does and for whom."),
        Key("role", TEXT, "Your role: 'Technical lead and manager'."),
        Key("team-size", INT, "People on the team you led."),
        Key("context", TEXT, "Business context: why it mattered."),
        Key("impact", TEXTS, "Outcomes with numbers: 'Engagement +25%'."),
        Key(
            "scale",
            METRICS,
            "Named figures with units, drawn on the diagram: {users: 50M, 'events/day': 1B+}.",
        ),
        Key(
            "estimates",
            METRICS,
            "Back-of-the-envelope estimates: name -> expression over [scale figures] and earlier "
            "estimates, with units, + - * / and an optional display unit: "
            "{'new content': '[paste writes] * [size per paste] in GB/month'}.",
        ),
        Key(
            "diagram-estimates",
            TEXTS,
            "Names of estimates drawn in the diagram's title block, beside the scale figures.",
        ),
        Key("stack", TEXTS, "Infrastructure and tech stack: Kubernetes, AWS, Terraform."),
        Key("groups", OBJECTS, "Boundaries: regions, VPCs, clusters, teams.", item=GROUP),
        Key("components", OBJECTS, "The boxes on the diagram.", item=COMPONENT),
        Key("connections", OBJECTS, "The arrows between components.", item=CONNECTION),
        Key("tradeoffs", OBJECTS, "Key technical decisions and trade-offs.", item=TRADEOFF),
        Key("leadership", TEXTS, "Engineering leadership aspects: mentoring, standards."),
        Key("decisions", INTS, "Numbers of related decision records (decisions/NNNN-*.md)."),
        Key(
            "direction",
            TEXT,
            "Diagram direction: LR (left to right), TB (top to bottom), RL or BT (the reverses).",
            choices=DIRECTIONS,
        ),
        Key("whiteboard", OBJECT, "How the whiteboard version simplifies the system.", item=WHITEBOARD),
        Key(
            "previous",
            TEXT,
            "The version it changed from, for the site's 'What changed' section: a file (relative to this "
            "one, e.g. monolith.yaml) or a git revision of this file (e.g. v1.0, HEAD~3).",
        ),
    ],
)

# Groups contain groups: close the loop once the spec exists.
GROUP_KEYS.append(Key("groups", OBJECTS, "Boundaries nested inside this one.", item=GROUP))

SCHEMA_ID = "https://archkit.dev/schema/system.json"


def json_schema(spec: ObjectSpec | None = None, schema_id: str = SCHEMA_ID) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a file of ``spec`` (a system by default)."""
    schemas = _Schemas()
    top = schemas.object_schema(spec or SYSTEM)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id,
        "title": f"archkit {(spec or SYSTEM).title}",
        **top,
        "$defs": schemas.definitions,
    }


class _Schemas:
    """The schema of each spec, written once under ``$defs`` and referred to from there."""

    def __init__(self) -> None:
        self.definitions: dict[str, Any] = {}

    def ref(self, spec: ObjectSpec) -> dict[str, Any]:
        name = spec.title.replace("-", "")
        if name not in self.definitions:
            self.definitions[name] = {}  # placeholder first: specs are recursive
            self.definitions[name] = self.object_schema(spec)
        return {"$ref": f"#/$defs/{name}"}

    def value_schema(self, key: Key) -> dict[str, Any]:
        text: dict[str, Any] = {"type": "string"}
        if key.choices:
            text["enum"] = list(key.choices)
        if key.name in ("id", "from", "replica-of") or (key.name == "group" and key.kind == TEXT):
            text["pattern"] = ID_PATTERN
        scalar = {"type": ["string", "number"]}
        if key.completions == "technologies":
            # Editors complete from the enum; the plain string keeps a technology of one's own valid
            # (archkit check warns about it).
            from archkit import catalogue

            ids = [t.id for t in catalogue.technologies()]
            return {"anyOf": [{"enum": ids}, text]}
        if key.kind == TEXT:
            return text
        if key.kind == INT:
            return {"type": "integer", "minimum": 0}
        if key.kind == SCALAR:
            return scalar
        if key.kind == TEXTS:
            return {"oneOf": [text, {"type": "array", "items": text}]}
        if key.kind == INTS:
            return {"type": "array", "items": {"type": "integer", "minimum": 0}}
        if key.kind == METRICS:
            return {"type": "object", "additionalProperties": scalar}
        assert key.item is not None
        if key.kind == OBJECT:
            return self.ref(key.item)
        return {"type": "array", "items": self.ref(key.item)}

    def object_schema(self, spec: ObjectSpec) -> dict[str, Any]:
        properties = {}
        for key in spec.keys:
            value = self.value_schema(key)
            if not key.required:  # archkit reads an empty optional value as absent
                value = {"anyOf": [value, {"type": "null"}]}
            properties[key.name] = {"description": key.help, **value}
        schema: dict[str, Any] = {
            "type": "object",
            "description": spec.help,
            "properties": properties,
            "patternProperties": {f"^{EXTENSION_PREFIX}": {}},
            "additionalProperties": False,
        }
        required = [k.name for k in spec.keys if k.required]
        if required:
            schema["required"] = required
        return schema
