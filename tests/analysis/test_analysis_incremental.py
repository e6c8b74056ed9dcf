"""Incremental re-analysis gives exactly what a fresh full analysis gives."""

from __future__ import annotations

import operator
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


def _snapshot(before: ThreatModel, data: dict, share: bool = True) -> ThreatModel:
    """The validated model of ``data``, which shares every untouched object with ``before``.

    ``share``: as the editor's snapshots are built (``app.document.patch.apply_patch``),
    a section (elements, flows, boundaries) no item of which changed is ``before``'s
    very tuple; otherwise validation builds every tuple anew.
    """
    model = ThreatModel.model_validate(data)
    if not share:
        return model
    fields = {k: getattr(model, k) for k in type(model).model_fields}
    for section in ("elements", "flows", "boundaries"):
        old, new = getattr(before, section), fields[section]
        if len(old) == len(new) and all(map(operator.is_, old, new)):
            fields[section] = old
    return ThreatModel.model_construct(**fields)


def _replace_element(model: ThreatModel, new, share: bool = True) -> ThreatModel:
    # share every untouched object, as the editor's snapshots do
    data = {k: getattr(model, k) for k in type(model).model_fields}
    data["elements"] = tuple(new if e.id == new.id else e for e in model.elements)
    return _snapshot(model, data, share)


def _replace_flow(model: ThreatModel, new, share: bool = True) -> ThreatModel:
    data = {k: getattr(model, k) for k in type(model).model_fields}
    data["flows"] = tuple(new if f.id == new.id else f for f in model.flows)
    return _snapshot(model, data, share)


def _edit(model: ThreatModel, rng: random.Random, share: bool = True) -> ThreatModel:
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
        return _replace_element(model, type(e).model_validate(data), share)
    if choice == 4:
        f = rng.choice(model.flows)
        data = f.model_dump()
        key = rng.choice(["authenticated", "encrypted", "least_privilege", "logged"])
        data["properties"][key] = not data["properties"][key]
        return _replace_flow(model, type(f).model_validate(data), share)
    first = analyze(model).findings
    target = rng.choice(first).id if first else "x@y"
    data = {k: getattr(model, k) for k in type(model).model_fields}
    data["reviews"] = {**model.reviews, target: {"status": "accepted", "justification": "ok", "fingerprint": "ab" * 16}}
    return _snapshot(model, data, share)


def _with(model: ThreatModel, share: bool = True, **fields) -> ThreatModel:
    data = {k: getattr(model, k) for k in type(model).model_fields}
    data.update(fields)
    return _snapshot(model, data, share)


def _structural_edit(model: ThreatModel, rng: random.Random, serial: int, share: bool = True) -> ThreatModel:
    """One random structural edit, as the editor makes them: add or delete an element or a flow,
    reconnect or re-type a flow, move an element across boundaries, rename or re-parent a boundary."""
    choice = rng.randrange(8)
    elements, flows, boundaries = list(model.elements), list(model.flows), list(model.boundaries)
    ids = [e.id for e in elements]
    if choice == 0:  # a copy of an element (same kind and properties), wired to another, maybe in a boundary
        src = rng.choice(elements)
        new = type(src).model_validate({**src.model_dump(), "id": f"new_{serial}", "name": f"New {serial}"})
        other = rng.choice(ids)
        ends = (new.id, other) if rng.random() < 0.5 else (other, new.id)
        flow = {"id": f"nf_{serial}", "source": ends[0], "target": ends[1],
                "carries": rng.sample(["prompts", "documents", "training_data", "predictions", "model_weights",
                                       "tool_calls", "retrieved_documents", "labels", "feedback"], 2)}
        if boundaries and rng.random() < 0.6:
            b = rng.randrange(len(boundaries))
            boundaries[b] = boundaries[b].model_copy(update={"members": (*boundaries[b].members, new.id)})
        return _with(model, share, elements=(*elements, new), flows=(*flows, flow), boundaries=tuple(boundaries))
    if choice == 1:  # delete an element with its flows
        gone = rng.choice(ids)
        return _with(
            model,
            share,
            elements=tuple(e for e in elements if e.id != gone),
            flows=tuple(f for f in flows if gone not in (f.source, f.target)),
            boundaries=tuple(b.model_copy(update={"members": tuple(m for m in b.members if m != gone)})
                             if gone in b.members else b for b in boundaries),
        )
    if choice == 2:  # a new flow between two elements
        a, b = rng.sample(ids, 2)
        flow = {"id": f"nf_{serial}", "source": a, "target": b,
                "carries": rng.sample(["prompts", "documents", "training_data", "predictions", "model_weights",
                                       "tool_calls", "labels", "feedback", "queries"], 2)}
        return _with(model, share, flows=(*flows, flow))
    if choice == 3 and flows:  # delete a flow
        gone = rng.choice(flows).id
        return _with(model, share, flows=tuple(f for f in flows if f.id != gone))
    if choice == 4 and flows:  # reconnect one end of a flow
        i = rng.randrange(len(flows))
        f = flows[i]
        end = rng.choice(["source", "target"])
        other = f.target if end == "source" else f.source
        choices = [e for e in ids if e != other]
        flows[i] = type(f).model_validate({**f.model_dump(), end: rng.choice(choices)})
        return _with(model, share, flows=tuple(flows))
    if choice == 5 and flows:  # what a flow carries
        i = rng.randrange(len(flows))
        f = flows[i]
        kinds = ["prompts", "documents", "training_data", "predictions", "model_weights", "credentials",
                 "personal_data", "tool_calls", "telemetry"]
        flows[i] = type(f).model_validate({**f.model_dump(), "carries": rng.sample(kinds, rng.randrange(0, 3))})
        return _with(model, share, flows=tuple(flows))
    if choice == 6 and boundaries:  # move an element into another boundary (or out of all)
        moved = rng.choice(ids)
        target = rng.randrange(-1, len(boundaries))
        boundaries = [b.model_copy(update={"members": tuple(m for m in b.members if m != moved)}) if moved in b.members
                      else b for b in boundaries]
        if target >= 0:
            boundaries[target] = boundaries[target].model_copy(update={"members": (*boundaries[target].members, moved)})
        return _with(model, share, boundaries=tuple(boundaries))
    if boundaries:  # rename a boundary, or take it out of its parent
        i = rng.randrange(len(boundaries))
        update = {"name": boundaries[i].name + " (renamed)"} if rng.random() < 0.5 else {"parent": None}
        boundaries[i] = boundaries[i].model_copy(update=update)
        return _with(model, share, boundaries=tuple(boundaries))
    return model


def test_random_edit_sequence_matches_full_runs(library):
    rng = random.Random(1)
    model = synthetic_model(96, seed=1)
    analyze(model, library)
    for _ in range(20):
        model = _edit(model, rng)
        incremental = analyze(model, library)  # on top of the previous run's snapshot
        full = fresh(model, library)
        assert to_json(incremental, model) == to_json(full, model)


@pytest.mark.parametrize("seed", range(6))
def test_random_structural_edits_match_full_runs(library, seed):
    """Adding, deleting and rewiring elements, flows and boundaries, mixed with ordinary edits:
    every incremental run equals a full run of the same model. Snapshots share untouched
    sections as the editor's do, except for two seeds, whose snapshots share only objects."""
    rng = random.Random(seed)
    share = seed % 3 != 0
    model = synthetic_model(72, seed=seed)
    analyze(model, library)
    for serial in range(30):
        model = _structural_edit(model, rng, serial, share) if rng.random() < 0.7 else _edit(model, rng, share)
        incremental = analyze(model, library)
        full = fresh(model, library)
        assert to_json(incremental, model) == to_json(full, model), f"edit {serial} (seed {seed})"


def test_examples_structural_edits_match_full_runs(examples, library):
    rng = random.Random(11)
    for model in examples.values():
        analyze(model, library)
        for serial in range(12):
            model = _structural_edit(model, rng, serial)
            assert to_json(analyze(model, library), model) == to_json(fresh(model, library), model)


def test_a_structural_edit_keeps_unaffected_findings(library):
    """A new flow far from most of the model rebuilds only what it touches."""
    model = synthetic_model(240, seed=3)
    before = {f.id: f for f in fresh(model, library).findings}
    a, b = model.elements[5].id, model.elements[6].id
    edited = _with(model, flows=(*model.flows, {"id": "extra", "source": a, "target": b, "carries": ["telemetry"]}))
    after = {f.id: f for f in analyze(edited, library).findings}
    kept = [fid for fid, f in after.items() if before.get(fid) is f]
    assert len(kept) > 0.8 * len(after), (len(kept), len(after))
    assert to_json(analyze(edited, library), edited) == to_json(fresh(edited, library), edited)


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
    deps = {b[0].id: b[1] for b in engine._state.built.values()}
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


def test_an_end_changing_role_rematches_its_flows(examples, library):
    """Flow entries read their ends (a flow into a sensor is physical presence, not a network flow):
    when a sensor becomes a gateway, the flows into it are matched again."""
    model = examples["vision"]
    sensor = next(e for e in model.elements if e.kind == "process" and e.properties.role == "sensor")
    into = {f.id for f in model.flows if f.target == sensor.id}
    assert into, "the example has flows into its sensor"
    fresh(model, library)
    changed = type(sensor).model_validate(
        {**sensor.model_dump(), "properties": {**sensor.properties.model_dump(), "role": "gateway"}}
    )
    edited = _replace_element(model, changed)
    incremental = analyze(edited, library)
    assert {f.anchor for f in incremental.findings} & into, "the flows into it now carry findings"
    assert to_json(incremental, edited) == to_json(fresh(edited, library), edited)


@pytest.mark.parametrize("seed", range(3))
def test_edits_of_what_facts_read_match_full_runs(library, seed):
    """Each edit changes one property some fact reads (fact_reads.READS decides which facts are
    computed again): every incremental run equals a full run."""
    rng = random.Random(100 + seed)
    model = synthetic_model(80, seed=seed)
    analyze(model, library)
    for serial in range(30):
        e = rng.choice(model.elements)
        cls = PROPERTY_CLASSES[ElementKind(e.kind)]
        field = rng.choice([f for f in engine.FACT_FIELDS if f in cls.model_fields])
        value = getattr(e.properties, field)
        if isinstance(value, bool):
            new = not value
        elif isinstance(value, tuple):  # a tool's capabilities
            options = [c.value for c in type(value[0])] if value else ["write", "move_money", "execute_code"]
            new = sorted(set(rng.sample(options, rng.randrange(0, len(options) + 1))))
        else:
            new = rng.choice([v for v in type(value) if v is not value] or [value]).value
        data = e.model_dump()
        data["properties"][field] = new
        model = _replace_element(model, type(e).model_validate(data))
        incremental = analyze(model, library)
        assert to_json(incremental, model) == to_json(fresh(model, library), model), f"edit {serial}: {e.kind}.{field}"
