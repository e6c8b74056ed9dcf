"""Property-based tests: every valid model survives the file format unchanged."""

from __future__ import annotations

import json
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.model import check_model, dumps_model, parse_model

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
