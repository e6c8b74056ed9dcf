"""Property-based tests: every valid model survives the file format unchanged."""

from __future__ import annotations

import json
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.model import ModelError, check_model, dumps_model, parse_model
from app.resources import example_files

from model_strategies import CONTROL_IDS, threat_models

# deadline=None: the first examples pay for pydantic's lazy schema building, and
# CI machines are shared. database=None: no .hypothesis folder in the working
# tree; a failure prints its reproducer. The suppressed health checks are about
# generation speed and size under load, never about the property itself.
CALM = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
FAST = settings(max_examples=200, deadline=None, database=None, suppress_health_check=CALM)
FEW = settings(max_examples=30, deadline=None, database=None, suppress_health_check=CALM)


@FAST
@given(threat_models())
def test_generated_models_round_trip(model):
    assert check_model(model, known_controls=CONTROL_IDS) == []
    text = dumps_model(model)
    again = parse_model(text.encode("utf-8"), "generated.tcm.json", known_controls=CONTROL_IDS)
    assert again == model
    assert dumps_model(again) == text  # canonical form is a fixed point


@FEW
@given(threat_models(max_elements=5), st.randoms(use_true_random=False))
def test_file_order_and_whitespace_never_change_the_model(model, rng: random.Random):
    data = json.loads(dumps_model(model))
    for section in ("elements", "boundaries", "flows"):
        rng.shuffle(data[section])
    keys = list(data)
    rng.shuffle(keys)
    text = json.dumps({k: data[k] for k in keys}, indent=rng.choice([None, 1, 3]), ensure_ascii=rng.random() < 0.5)
    assert parse_model(text.encode("utf-8")) == model


@FEW
@given(threat_models(max_elements=5))
def test_canonical_text_is_strict_json_and_utf8(model):
    text = dumps_model(model)
    raw = text.encode("utf-8")
    assert raw.decode("utf-8") == text
    # no NaN/Infinity tokens can come out, whatever the floats
    json.loads(text, parse_constant=lambda name: (_ for _ in ()).throw(AssertionError(name)))
    assert text.endswith("\n") and "\r" not in text.replace("\\r", "")


# ------------------------------------------------------------------ hostile files never crash the loader
_EXAMPLES = [json.loads(p.read_text(encoding="utf-8")) for p in example_files()]
_JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=80), st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.sampled_from(["actor", "read", "e1", "2024-02-30", "a" * 65, "\ud7ff", {"x": 0, "y": 0, "w": 1, "h": 1}]),
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


@settings(FEW, max_examples=100)
@given(st.sampled_from(range(len(_EXAMPLES))), st.data())
def test_any_value_anywhere_gives_located_problems_never_a_crash(which, data):
    doc = json.loads(json.dumps(_EXAMPLES[which]))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(list(_paths(doc))[1:]))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(_JUNK)
    try:
        model = parse_model(json.dumps(doc).encode("utf-8"), "m.tcm.json", known_controls=CONTROL_IDS)
    except ModelError as exc:
        assert exc.problems
        for problem in exc.problems:
            line = str(problem)
            assert line.startswith("m.tcm.json: ") and "\n" not in line
    else:
        assert parse_model(dumps_model(model).encode(), known_controls=CONTROL_IDS) == model
