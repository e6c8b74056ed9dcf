"""Semantic checks: references, uniqueness, nesting, catalogue, layout keys; locations as written."""

from __future__ import annotations

import json
import time

import pytest

from app.model import ModelError, ThreatModel, check_model, dumps_model, parse_model
from app.model.validate import MAX_BOUNDARY_DEPTH, file_positions

from model_builders import small_model


def _file(**sections) -> bytes:
    return json.dumps({"format": "threatcanvas", "schema_version": 1, **sections}).encode()


def _problems(data: bytes, controls=None) -> list[str]:
    with pytest.raises(ModelError) as info:
        parse_model(data, "", known_controls=controls)
    return [str(p) for p in info.value.problems]


ACTORS = [{"id": i, "name": i.upper(), "kind": "actor"} for i in ("a", "b", "c")]


def test_a_consistent_model_has_no_problems():
    assert check_model(small_model(), known_controls=[]) == []


def test_locations_point_into_the_file_as_written_not_canonical_order():
    # canonical order is f2, f10; the file has f10 first
    data = _file(elements=ACTORS, flows=[
        {"id": "f10", "source": "a", "target": "zz"},
        {"id": "f2", "source": "a", "target": "b"},
    ])
    assert _problems(data) == ['flows[0].target: no element with id "zz"']


def test_duplicate_ids_each_point_at_their_own_position():
    data = _file(elements=[*ACTORS, {"id": "b", "name": "B2", "kind": "process"}, {"id": "b", "name": "B3", "kind": "tool"}])
    assert _problems(data) == [
        'elements[3].id: duplicate id "b" (also used at elements[1].id)',
        'elements[4].id: duplicate id "b" (also used at elements[1].id)',
    ]


def test_ids_are_one_namespace_across_sections():
    data = _file(elements=ACTORS, boundaries=[{"id": "a", "name": "Zone"}],
                 flows=[{"id": "b", "source": "a", "target": "c"}])
    assert _problems(data) == [
        'boundaries[0].id: duplicate id "a" (also used at elements[0].id)',
        'flows[0].id: duplicate id "b" (also used at elements[1].id)',
    ]


def test_cycles_are_reported_once_each():
    data = _file(boundaries=[
        {"id": "x1", "name": "X1", "parent": "x3"}, {"id": "x2", "name": "X2", "parent": "x1"},
        {"id": "x3", "name": "X3", "parent": "x2"}, {"id": "y", "name": "Y", "parent": "y"},
        {"id": "z", "name": "Z", "parent": "x2"},  # hangs off the cycle: not a cycle itself
    ])
    problems = _problems(data)
    assert len(problems) == 2
    assert "boundaries[0].parent: boundary nesting cycle: x1 → x3 → x2 → x1" in problems
    assert 'boundaries[3].parent: boundary nesting cycle: y → y' in problems


def test_deep_nesting_is_checked_in_linear_time_without_recursion():
    n = 10_000  # the most boundaries a file may have; far beyond Python's recursion limit
    boundaries = [{"id": f"z{i}", "name": "Z", **({"parent": f"z{i - 1}"} if i else {})} for i in range(n)]
    started = time.perf_counter()
    problems = _problems(_file(boundaries=boundaries))
    assert time.perf_counter() - started < 10  # generous: quadratic would take minutes
    assert problems == [f"boundaries[{MAX_BOUNDARY_DEPTH}].parent: boundaries nested deeper than {MAX_BOUNDARY_DEPTH} levels"]


def test_nesting_at_the_limit_is_fine():
    boundaries = [{"id": f"z{i}", "name": "Z", **({"parent": f"z{i - 1}"} if i else {})} for i in range(MAX_BOUNDARY_DEPTH)]
    assert parse_model(_file(boundaries=boundaries)).boundaries


def test_membership_rules():
    data = _file(elements=ACTORS, boundaries=[
        {"id": "o", "name": "O", "members": ["a", "ghost"]},
        {"id": "p", "name": "P", "parent": "o", "members": ["a", "b"]},
    ])
    assert _problems(data) == [
        'boundaries[0].members[1]: no element with id "ghost"',
        'boundaries[1].members[0]: element "a" is already a direct member of boundary "o"',
    ]


def test_flow_rules():
    data = _file(elements=ACTORS, boundaries=[{"id": "zone", "name": "Z"}], flows=[
        {"id": "f1", "source": "a", "target": "a"},
        {"id": "f2", "source": "zone", "target": "b"},
    ])
    assert _problems(data) == [
        'flows[0]: flow "f1" starts and ends at the same element "a"',
        'flows[1].source: no element with id "zone"',
    ]


def test_controls_are_checked_only_against_a_given_catalogue():
    data = _file(elements=[{"id": "a", "name": "A", "kind": "actor", "controls": ["x-ray", "known"]}],
                 flows=[])
    assert parse_model(data, known_controls=None)
    assert _problems(data, controls=["known"]) == ['elements[0].controls[1]: unknown control id "x-ray"']


def test_layout_keys_must_name_existing_things():
    rect = {"x": 0, "y": 0, "w": 1, "h": 1}
    data = _file(elements=ACTORS, layout={"elements": {"a": rect, "gone": rect}, "boundaries": {"b9": rect},
                                          "flows": {"f9": {"points": []}}})
    assert _problems(data) == [
        'layout.elements.gone: no element with id "gone"',
        'layout.boundaries.b9: no boundary with id "b9"',
        'layout.flows.f9: no flow with id "f9"',
    ]


def test_check_model_without_positions_uses_canonical_indexes():
    model = ThreatModel.model_validate({"elements": ACTORS, "flows": [
        {"id": "f10", "source": "a", "target": "b"}, {"id": "f2", "source": "a", "target": "q"}]})
    problems = check_model(model, "m")
    assert [str(p) for p in problems] == ['m: flows[0].target: no element with id "q"']


def test_check_model_accepts_plain_int_positions():
    model = ThreatModel.model_validate({"elements": ACTORS, "flows": [{"id": "f1", "source": "a", "target": "q"}]})
    assert check_model(model, positions={("flows", "f1"): 7})[0].location == "flows[7].target"


def test_file_positions_records_every_occurrence():
    raw = {"elements": [{"id": "a"}, {"id": "b"}, {"id": "a"}, "junk", {"id": 5}], "flows": "nope"}
    assert file_positions(raw) == {("elements", "a"): (0, 2), ("elements", "b"): (1,)}


def test_check_model_never_raises_on_a_generated_mess():
    model = ThreatModel.model_validate(json.loads(dumps_model(small_model())))
    messy = model.replace(flows=[{"id": "e1", "source": "e1", "target": "e1"}],
                          boundaries=[{"id": "b", "name": "B", "parent": "b", "members": ["e1", "nope"]}])
    problems = check_model(messy, known_controls=[])
    assert len(problems) >= 4


def test_natural_order_takes_any_text_as_a_review_key():
    """Review keys are free text: superscripts and non-ASCII digits must sort, not crash (found by hypothesis)."""
    from app.model import ThreatModel
    from app.model.types import natural_key

    keys = ["e10", "e2", "²", "e٣", "a01", "a1", "x"]
    assert sorted(keys, key=natural_key)[:4] == ["a01", "a1", "e2", "e10"]
    model = ThreatModel.model_validate({"reviews": {k: {} for k in keys}})
    assert set(model.reviews) == set(keys)
