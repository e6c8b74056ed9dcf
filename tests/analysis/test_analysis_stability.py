"""Determinism and id stability: same input, same bytes; unrelated edits keep review keys."""

from __future__ import annotations

import json
import random

import pytest

from app.analysis import analyze
from app.analysis.digest import canonical_text, model_digest
from app.analysis.export import to_json
from app.model import dumps_model, parse_model
from app.resources import example_files

from tests.benchmarks.synthetic import synthetic_model


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_two_runs_give_byte_identical_json(path, library):
    data = path.read_bytes()
    first = to_json(analyze(parse_model(data, str(path)), library), parse_model(data), "x.tcm.json")
    second = to_json(analyze(parse_model(data, str(path)), library), parse_model(data), "x.tcm.json")
    assert first == second
    assert json.loads(first)["findings"]


def _shuffled(data: bytes, seed: int) -> bytes:
    raw = json.loads(data)
    rng = random.Random(seed)
    for key in ("elements", "flows", "boundaries"):
        rng.shuffle(raw[key])
    for b in raw["boundaries"]:
        rng.shuffle(b["members"])
    for e in raw["elements"]:  # key order inside objects too
        items = list(e.items())
        rng.shuffle(items)
        e.clear()
        e.update(items)
    return json.dumps(raw, indent=rng.choice([None, 1, 4])).encode()


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_shuffling_the_file_changes_nothing(path, library):
    data = path.read_bytes()
    base = to_json(analyze(parse_model(data), library), parse_model(data))
    for seed in range(3):
        shuffled = _shuffled(data, seed)
        assert shuffled != data
        model = parse_model(shuffled)
        assert to_json(analyze(model, library), model) == base


def _with_unrelated(data: bytes) -> bytes:
    raw = json.loads(data)
    raw["elements"] += [
        {"id": "zz_auditor", "kind": "actor", "name": "External auditor", "properties": {"access": "partner"}},
        {"id": "aa_archive", "kind": "datastore", "name": "Paper archive", "properties": {"sensitivity": "restricted"}},
    ]
    raw["flows"].append({"id": "f999", "source": "zz_auditor", "target": "aa_archive", "carries": ["documents"]})
    return json.dumps(raw).encode()


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_an_unrelated_element_leaves_every_other_finding_unchanged(path, library):
    data = path.read_bytes()
    before = {f.id: f for f in analyze(parse_model(data), library).findings}
    after = {f.id: f for f in analyze(parse_model(_with_unrelated(data)), library).findings}
    assert set(before) <= set(after)
    new = set(after) - set(before)
    assert new and all(fid.endswith(("@aa_archive", "@zz_auditor", "@f999")) for fid in new), new
    for fid, f in before.items():
        # same id, same inputs: a review recorded against it stays valid
        assert after[fid].fingerprint == f.fingerprint, fid
        assert after[fid].path == f.path


def test_ids_follow_the_threat_and_the_subject_not_list_positions(examples, library):
    for f in analyze(examples["rag"], library).findings:
        threat, _, subject = f.id.partition("@")
        assert threat == f.threat_id and subject == f.anchor


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_model_digest_is_sha256_of_the_canonical_text(path):
    model = parse_model(path.read_bytes())
    assert canonical_text(model) == dumps_model(model)
    import hashlib

    assert model_digest(model) == hashlib.sha256(dumps_model(model).encode()).hexdigest()


def test_canonical_text_matches_for_awkward_content():
    """Escapes, non-ASCII, tiny and large floats, reviews and flow waypoints all print like dumps_model."""
    model = synthetic_model(40, seed=3)
    raw = json.loads(dumps_model(model))
    raw["elements"][0]["name"] = 'Ünïcødé "quoted" \\ back\tslash\n\u2028 ✓ 日本'
    raw["elements"][1]["description"] = "\x01\x1f control"
    raw["layout"]["elements"]["e0"] = {"x": 1e-05, "y": 9999999.5, "w": 0.1, "h": 3.0}
    raw["layout"]["flows"] = {"f0": {"points": [{"x": 1.5, "y": -2.25}]}}
    raw["reviews"] = {"evasion@e3": {"status": "accepted", "justification": "ok «fine»", "owner": "ana"}}
    model = parse_model(json.dumps(raw).encode())
    assert canonical_text(model) == dumps_model(model)
