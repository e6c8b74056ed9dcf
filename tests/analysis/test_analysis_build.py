"""Building findings: the run-wide memos (shared factors, sentences, mitigation sets) change no output."""

from __future__ import annotations

import pytest

from app.analysis import analyze, engine
from app.analysis.build import FOCUS_ONLY
from app.analysis.context import FindingContext
from app.analysis.drivers import DRIVERS
from app.analysis.facts import GraphFacts
from app.analysis.graph import ModelGraph

from tests.benchmarks.synthetic import synthetic_model


def _models(examples):
    return [*examples.values(), synthetic_model(150, seed=1), synthetic_model(150, seed=2)]


def _candidates(model, library):
    """Every (entry, context) the analysis builds a finding from, on fresh graph facts."""
    g = ModelGraph(model)
    facts = GraphFacts(g)
    for entry in library.threats:
        for subject, paths in engine._matches(entry, library, g, facts):
            yield entry, FindingContext(g, facts, subject, entry.applies.to == "flow", paths)


def test_focus_only_drivers_read_nothing_but_the_focus(examples, library):
    """Drivers in FOCUS_ONLY are asked once per focus and their factors shared by every finding on
    it: each must answer the same for a finding as for the bare focus with no paths at all."""
    asked = 0
    for model in _models(examples):
        for entry, ctx in _candidates(model, library):
            bare = FindingContext(ctx.g, ctx.facts, ctx.focus, False, {})
            for name in FOCUS_ONLY:
                assert DRIVERS[name](ctx) == DRIVERS[name](bare), (entry.id, ctx.subject, name)
                asked += 1
    assert asked > 5_000


@pytest.mark.parametrize("index", range(5))
def test_every_finding_is_what_building_it_alone_gives(examples, library, index):
    """The run shares sentences, factors and mitigation lists between findings; a finding
    built alone, with every memo empty, must come out equal, texts and scores included."""
    model = _models(examples)[index]
    with engine._state_lock:
        engine._state = None
    found = {f.id: f for f in analyze(model, library).findings}
    built = 0
    for entry, ctx in _candidates(model, library):
        run = engine._Run(model, library, engine._structure(model), None)
        alone = run._build(entry, ctx.subject, ctx.paths)
        assert alone == found[alone.id]
        built += 1
    assert built == len(found)


def test_findings_assembled_without_validation_equal_validated_ones(examples, library):
    """Findings are assembled from checked parts without pydantic's validation (it was a third
    of the run): each must equal the finding pydantic validates from the same data."""
    from app.analysis.findings import AnalysisResult, Finding

    for model in examples.values():
        result = analyze(model, library)
        again = AnalysisResult.model_validate(result.model_dump())
        assert again == result
        for f in result.findings:
            assert Finding.model_validate(f.model_dump()) == f
            assert f.model_fields_set == set(Finding.model_fields)
