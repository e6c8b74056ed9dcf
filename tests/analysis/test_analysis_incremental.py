"""Incremental re-analysis gives exactly what a fresh full analysis gives."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from app.analysis import analyze, engine
from app.analysis.export import to_json
from app.model import ThreatModel
from app.model.elements import PROPERTY_CLASSES
from app.model.types import ElementKind

from tests.benchmarks.synthetic import synthetic_model


def fresh(model: ThreatModel, library):
    """A full run: forget the last snapshot first."""
    with engine._state_lock:
        engine._state = None
    return analyze(model, library)


def _replace_element(model: ThreatModel, new) -> ThreatModel:
    # share every untouched object, as the editor's snapshots do
    data = {k: getattr(model, k) for k in type(model).model_fields}
    data["elements"] = tuple(new if e.id == new.id else e for e in model.elements)
    return ThreatModel.model_validate(data)


def _replace_flow(model: ThreatModel, new) -> ThreatModel:
    data = {k: getattr(model, k) for k in type(model).model_fields}
    data["flows"] = tuple(new if f.id == new.id else f for f in model.flows)
    return ThreatModel.model_validate(data)


def _edit(model: ThreatModel, rng: random.Random) -> ThreatModel:
    """One random editor-like edit: rename, a property, controls, a flow property, a review."""
    choice = rng.randrange(6)
    if choice <= 3:
        e = rng.choice(model.elements)
        data = e.model_dump()
        if choice == 0:
            data["name"] = e.name + "′"
        elif choice == 1:
            data["controls"] = sorted(set(data["controls"]) ^ {"rate-limiting"})
        else:  # any property, including those the graph facts read
            cls = PROPERTY_CLASSES[ElementKind(e.kind)]
            field = rng.choice(list(cls.model_fields))
            value = getattr(e.properties, field)
            if isinstance(value, bool):
                data["properties"][field] = not value
            elif hasattr(value, "value"):
                data["properties"][field] = rng.choice(list(type(value))).value
            elif isinstance(value, str):
                data["properties"][field] = value + " x"
        return _replace_element(model, type(e).model_validate(data))
    if choice == 4:
        f = rng.choice(model.flows)
        data = f.model_dump()
        key = rng.choice(["authenticated", "encrypted", "least_privilege", "logged"])
        data["properties"][key] = not data["properties"][key]
        return _replace_flow(model, type(f).model_validate(data))
    first = analyze(model).findings
    target = rng.choice(first).id if first else "x@y"
    data = {k: getattr(model, k) for k in type(model).model_fields}
    data["reviews"] = {**model.reviews, target: {"status": "accepted", "justification": "ok", "fingerprint": "ab" * 16}}
    return ThreatModel.model_validate(data)


def test_random_edit_sequence_matches_full_runs(library):
    rng = random.Random(1)
    model = synthetic_model(96, seed=1)
    analyze(model, library)
    for _ in range(20):
        model = _edit(model, rng)
        incremental = analyze(model, library)  # on top of the previous run's snapshot
        full = fresh(model, library)
        assert to_json(incremental, model) == to_json(full, model)


def test_examples_edit_sequence_matches_full_runs(examples, library):
    rng = random.Random(7)
    for model in examples.values():
        analyze(model, library)
        for _ in range(8):
            model = _edit(model, rng)
            assert to_json(analyze(model, library), model) == to_json(fresh(model, library), model)


def test_facts_read_only_the_fields_in_the_structure_signature():
    """Facts are reused when the signature is unchanged: they must not read any other property."""
    source = (Path(engine.__file__).parent / "facts.py").read_text()
    read = set(re.findall(r"props\[[^\]]+\]\.(\w+)", source)) | set(re.findall(r"\bp\.(\w+)", source))
    all_fields = {f for cls in PROPERTY_CLASSES.values() for f in cls.model_fields}
    assert read & all_fields, "the pattern found nothing: the test would not notice a new read"
    assert read & all_fields <= set(engine.FACT_FIELDS)


def test_a_rename_reuses_facts_and_untouched_findings(library):
    model = synthetic_model(96, seed=2)
    before = {f.id: f for f in fresh(model, library).findings}
    facts_before = engine._state.facts
    e = model.elements[3]
    renamed = _replace_element(model, type(e).model_validate({**e.model_dump(), "name": "Renamed model"}))
    after = {f.id: f for f in analyze(renamed, library).findings}
    assert engine._state.facts.untrusted_prompt is facts_before.untrusted_prompt  # facts shared, not recomputed
    assert after.keys() == before.keys()
    touched = {fid for fid, f in after.items() if f is not before[fid]}
    assert touched, "findings that name the element must be rebuilt"
    deps = {finding.id: d for finding, d in engine._state.built.values()}
    assert all(e.id in deps[fid] for fid in touched)  # rebuilt: it read the renamed element
    untouched = set(after) - touched
    assert untouched and all(e.id not in deps[fid] for fid in untouched)
    assert any("Renamed model" in after[fid].rationale for fid in touched)


def test_concurrent_analyses_agree_with_sequential_ones(examples, library):
    """Threads analysing different models at once (the editor's worker, a CLI) never mix results."""
    from concurrent.futures import ThreadPoolExecutor

    models = list(examples.values()) + [synthetic_model(60, seed=s) for s in range(3)]
    expected = [to_json(fresh(m, library), m) for m in models]
    jobs = [i % len(models) for i in range(36)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda i: to_json(analyze(models[i], library), models[i]), jobs))
    assert got == [expected[i] for i in jobs]
