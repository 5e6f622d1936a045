"""No input, however broken, gets a traceback: the loader answers with problems or a system."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from archkit.model.check import check_system
from archkit.model.load import parse_system

KEYS = ["name", "components", "connections", "groups", "scale", "id", "tech", "from", "to", "mode", "group",
        "metrics", "label", "kind", "team-size", "direction", "tradeoffs", "decision", "compnents", "<<", "x-a"]  # fmt: skip
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=False),
    st.sampled_from(["a", "b", "redis", "x y"]),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.sampled_from(KEYS), children, max_size=5)
    ),
    max_leaves=25,
)


@settings(deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS), values, max_size=8))
def test_any_yaml_structure_gives_a_system_or_problems(document: dict[str, object]) -> None:
    text = yaml.safe_dump(document, allow_unicode=True)
    system, problems = parse_system(text, "fuzz.yaml")
    if system is not None:
        problems += check_system(system)
    for problem in problems:
        assert problem.position is not None and problem.position.file == "fuzz.yaml"
        assert problem.message


@settings(deadline=None)
@given(
    st.lists(st.sampled_from([*"ab:-[]{}&*!|>'\"#%@` \n\t", "id", "name", "<<"]), max_size=40).map("".join)
)
def test_any_text_gives_a_system_or_problems(text: str) -> None:
    system, problems = parse_system(text, "fuzz.yaml")
    assert system is not None or problems
