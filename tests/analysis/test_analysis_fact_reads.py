"""Every graph fact reads only what ``fact_reads.READS`` declares for it.

Re-analysis after an edit keeps, without computing it again, every fact whose
declared reads the edit did not touch; an undeclared read would leave a stale
fact behind. Here each fact is computed on graphs whose properties, access
ranks and trust zones record every read, and the record must stay within the
declaration.
"""

from __future__ import annotations

import pytest

from app.analysis.fact_reads import READS, ZONES
from app.analysis.facts import FACT_BUILDERS, Fact, GraphFacts
from app.analysis.graph import ModelGraph

from tests.benchmarks.synthetic import synthetic_model

TRACES = ("_decision_traces", "action_traces")  # what "@decision" and "@action" answers come from


class _Recorded:
    """A properties object that notes ``kind.field`` for every field read."""

    def __init__(self, inner, kind: str, log: set[str]):
        self._inner, self._kind, self._log = inner, kind, log

    def __getattr__(self, name: str):
        self._log.add(f"{self._kind}.{name}")
        return getattr(self._inner, name)


class _RecordedRanks(dict):
    """Access ranks by element: a read is a read of that element's ``access``."""

    def __init__(self, ranks: dict, kinds: dict, log: set[str]):
        super().__init__(ranks)
        self._kinds, self._log = kinds, log

    def __getitem__(self, key):
        self._log.add(f"{self._kinds[key].value}.access")
        return super().__getitem__(key)

    def get(self, key, default=None):
        if key in self:
            return self[key]
        return default


class _RecordedZones(dict):
    def __init__(self, zones: dict, log: set[str]):
        super().__init__(zones)
        self._log = log

    def __getitem__(self, key):
        self._log.add(ZONES)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._log.add(ZONES)
        return super().get(key, default)

    def items(self):
        self._log.add(ZONES)
        return super().items()


def _recording_graph(model, log: set[str]) -> ModelGraph:
    g = ModelGraph(model)
    g.props = {e: _Recorded(p, g.kind[e].value, log) for e, p in g.props.items()}
    g.rank = _RecordedRanks(g.rank, g.kind, log)
    g.zone = _RecordedZones(g.zone, log)
    return g


def _models(examples):
    return [*examples.values(), *(synthetic_model(160, seed=s) for s in range(4))]


def test_every_fact_has_a_declaration():
    assert set(READS) == set(FACT_BUILDERS) | set(TRACES)


@pytest.mark.parametrize("name", [*FACT_BUILDERS, *TRACES])
def test_a_fact_reads_nothing_it_does_not_declare(examples, name):
    seen: set[str] = set()
    for model in _models(examples):
        log: set[str] = set()
        facts = GraphFacts(_recording_graph(model, log))
        value = getattr(facts, name)
        if isinstance(value, Fact):
            for subject in value:  # paths are built lazily: build them all
                value.path(subject)
        undeclared = log - READS[name]
        assert not undeclared, f"{name} reads {sorted(undeclared)} on {model.info.name!r}, not declared in READS"
        seen |= log
    # the models exercise the fact: it read at least one declared property (when it declares any)
    declared = {r for r in READS[name] if "." in r or r == ZONES}
    assert not declared or seen & declared, f"{name}: the test models never made it read what it declares"


def test_the_recording_notices_an_undeclared_read(examples):
    """The recording sees reads through properties, ranks and zones alike."""
    log: set[str] = set()
    g = _recording_graph(examples["rag"], log)
    model_id = next(iter(g.of_kind(next(k for k in g.kind.values() if k.value == "model"))))
    g.props[model_id].origin
    g.rank[model_id]
    g.zone[model_id]
    assert {"model.origin", "model.access", ZONES} <= log
