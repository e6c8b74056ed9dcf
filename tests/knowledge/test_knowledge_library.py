"""The bundled threat library: coverage of the standards, ids checked against the references."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from app.knowledge import load_controls, load_library
from app.knowledge.vocabulary import FAMILIES, OWASP_LLM, OWASP_ML
from app.resources import library_dir

SHARED = Path(__file__).resolve().parents[3] / "shared" / "reference"


def _ids(path: Path) -> dict[str, str]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return {r["id"]: r["name"] for r in rows}


@pytest.fixture(scope="module")
def library():
    return load_library()


def test_library_has_a_version_and_unique_ids(library):
    assert library.version and len(library) >= 40
    ids = [t.id for t in library]
    assert len(ids) == len(set(ids))


def test_every_threat_of_the_matrix_is_covered(library):
    covered = {m for t in library for m in t.matrix}
    assert covered >= {f"T{i:02d}" for i in range(1, 31)}


def test_owasp_llm_and_ml_top_tens_are_covered(library):
    assert {o for t in library for o in t.owasp_llm} == set(OWASP_LLM)
    assert {o for t in library for o in t.owasp_ml} == set(OWASP_ML)


def test_at_least_forty_distinct_atlas_techniques(library):
    assert len({a for t in library for a in t.atlas}) >= 40


def test_classic_boundary_threats_are_present(library):
    classic = {t.id for t in library if t.family == "classic" and t.applies.to == "flow"}
    assert {"unauthenticated-boundary-flow", "unencrypted-boundary-flow", "over-privileged-boundary-flow",
            "unlogged-boundary-flow"} <= classic
    assert {t.family for t in library} == set(FAMILIES)


def test_every_atlas_technique_is_in_the_bundled_catalogue(library):
    known = _ids(library_dir() / "atlas" / "techniques.csv")
    for t in library:
        assert set(t.atlas) <= set(known), t.id


def test_every_control_mitigation_is_an_atlas_mitigation():
    known = _ids(library_dir() / "atlas" / "mitigations.csv")
    for c in load_controls():
        assert set(c.atlas) <= set(known), c.id


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared reference folder not present")
def test_bundled_atlas_catalogue_matches_the_reference():
    """The bundled copy is the reference's ids and names, so the checks above check against it."""
    assert _ids(library_dir() / "atlas" / "techniques.csv") == _ids(SHARED / "atlas-techniques.csv")
    assert _ids(library_dir() / "atlas" / "mitigations.csv") == _ids(SHARED / "atlas-mitigations.csv")


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared reference folder not present")
def test_library_ids_against_the_shared_reference(library):
    techniques = _ids(SHARED / "atlas-techniques.csv")
    mitigations = _ids(SHARED / "atlas-mitigations.csv")
    assert {a for t in library for a in t.atlas} <= set(techniques)
    assert {m for c in load_controls() for m in c.atlas} <= set(mitigations)


def test_every_entry_recommends_known_controls(library):
    for t in library:
        refs = library.mitigations(t.id)
        assert refs, t.id
        for ref in refs:
            assert ref.control in library.controls, (t.id, ref.control)


def test_default_library_is_loaded_once(library):
    assert load_library() is library
