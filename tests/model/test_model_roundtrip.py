"""Round trips and canonical form: load → save → load is the identity, saves are byte-stable,
and the file is shaped for git (moving one node changes at most three lines)."""

from __future__ import annotations

import difflib
import json
import random

import pytest

from app.model import ThreatModel, dumps_model, load_model, parse_model, save_model
from app.resources import example_files

from model_builders import small_model

EXAMPLES = example_files()


def test_the_three_examples_exist_and_cover_every_kind():
    assert len(EXAMPLES) >= 3
    kinds = {e.kind for path in EXAMPLES for e in load_model(path).elements}
    assert kinds == {"actor", "process", "datastore", "dataset", "labeller", "trainer", "model", "retriever", "tool"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_load_save_load_is_identity_and_examples_are_canonical(path, tmp_path):
    model = load_model(path)
    out = tmp_path / path.name
    save_model(model, out)
    again = load_model(out)
    assert again == model
    assert out.read_bytes() == path.read_bytes(), "examples are stored in canonical form"


def test_saving_twice_gives_identical_bytes(tmp_path):
    model = small_model()
    first, second = tmp_path / "a.tcm.json", tmp_path / "b.tcm.json"
    save_model(model, first)
    save_model(load_model(first), second)
    save_model(model, first)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() == dumps_model(model).encode("utf-8")


def test_canonical_text_rules():
    text = dumps_model(small_model())
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert "\r" not in text and "\t" not in text
    data = json.loads(text)
    assert list(data) == ["format", "schema_version", "info", "elements", "boundaries", "flows", "reviews", "layout"]
    # two-space indentation
    assert text.splitlines()[1] == '  "format": "threatcanvas",'
    # defaults are written out, so a reader sees every property without the docs
    assert data["elements"][0]["properties"]["access"] == "anonymous"


def test_non_ascii_text_is_stored_as_utf8_not_escapes():
    model = small_model().replace(info={"name": "Détection de fraude — 欺诈检测 🛡"})
    text = dumps_model(model)
    assert "Détection de fraude — 欺诈检测 🛡" in text
    assert parse_model(text.encode("utf-8")) == model


def _shuffled(value, rng: random.Random):
    """The same JSON with every object's keys and the id-keyed lists in random order."""
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _shuffled(v, rng) for k, v in items}
    if isinstance(value, list):
        items = [_shuffled(v, rng) for v in value]
        if all(isinstance(v, dict) and "id" in v for v in items):
            rng.shuffle(items)  # element, boundary and flow lists: order is not meaning
        return items
    return value


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_file_order_does_not_matter(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    rng = random.Random(7)
    for indent in (None, 4, "\t"):
        text = json.dumps(_shuffled(data, rng), indent=indent, ensure_ascii=True)
        assert parse_model(text.encode()) == load_model(path)
        assert dumps_model(parse_model(text.encode())) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_moving_one_node_changes_at_most_three_lines(path):
    model = load_model(path)
    before = dumps_model(model).splitlines()
    for element_id, rect in model.layout.elements.items():
        moved_rect = rect.model_copy(update={"x": rect.x + 37.5, "y": rect.y - 12.25})
        elements = {**model.layout.elements, element_id: moved_rect}
        moved = model.replace(layout={**model.layout.model_dump(), "elements": {k: v.model_dump() for k, v in elements.items()}})
        after = dumps_model(moved).splitlines()
        diff = [
            line
            for line in difflib.unified_diff(before, after, lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))
        ]
        removed = [line for line in diff if line.startswith("-")]
        added = [line for line in diff if line.startswith("+")]
        assert 1 <= len(removed) <= 3 and len(added) == len(removed), diff
        assert all('"x"' in line or '"y"' in line for line in diff), diff
    assert model.layout.elements, "the example has a layout to move"


def test_layout_is_apart_from_content():
    """Content lines come before the layout section; moving touches only layout lines."""
    model = small_model()
    text = dumps_model(model)
    layout_start = text.index('\n  "layout": {')
    assert '"x":' not in text[:layout_start]
    rect = model.layout.elements["e5"]
    moved = model.replace(
        layout={**model.layout.model_dump(), "elements": {**model.layout.model_dump()["elements"], "e5": {**rect.model_dump(), "x": 1.0}}}
    )
    new = dumps_model(moved)
    assert new[:layout_start] == text[:layout_start]


def test_natural_id_order_is_canonical():
    model = small_model()
    data = json.loads(dumps_model(model))
    ids = [e["id"] for e in data["elements"]]
    assert ids == [f"e{i}" for i in range(1, 10)]
    data["elements"].append({"id": "e10", "name": "Ten", "kind": "actor"})
    reloaded = parse_model(json.dumps(data).encode())
    assert [e.id for e in reloaded.elements][-2:] == ["e9", "e10"]  # e10 after e9, not after e1


def test_integer_coordinates_load_and_are_written_as_numbers():
    data = json.loads(dumps_model(small_model()))
    data["layout"]["elements"]["e1"] = {"x": 10, "y": -20, "w": 30, "h": 40}
    model = parse_model(json.dumps(data).encode())
    assert model.layout.elements["e1"].x == 10.0
    assert parse_model(dumps_model(model).encode()) == model


def test_replace_validates_changes():
    model = small_model()
    with pytest.raises(Exception):
        model.replace(info={"name": ""})
    assert isinstance(model.replace(info={"name": "New"}), ThreatModel)


def test_ids_that_read_as_the_same_number_still_have_one_canonical_order():
    elements = [{"id": i, "name": i, "kind": "actor"} for i in ("a01", "a1", "a001", "a")]
    texts = set()
    for order in (elements, elements[::-1], elements[1:] + elements[:1]):
        model = parse_model(json.dumps({"format": "threatcanvas", "schema_version": 1, "elements": order}).encode())
        texts.add(dumps_model(model))
    assert len(texts) == 1
    assert [e["id"] for e in json.loads(texts.pop())["elements"]] == ["a", "a001", "a01", "a1"]
