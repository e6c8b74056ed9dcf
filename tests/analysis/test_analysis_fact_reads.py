"""Every graph fact reads only what ``fact_reads.READS`` declares for it.

Re-analysis after an edit keeps, without computing it again, every fact (and
every input of one) whose declared reads the edit did not touch; an undeclared
read would leave a stale fact behind. Here each is computed on graphs whose
flows, properties, access ranks and trust zones record every read, and the
record must stay within the declaration. Inputs declared to read no flows
must read none: they are kept over every edit of the flows.
"""

from __future__ import annotations

import random

import pytest

from app.analysis.fact_reads import EDGE_SETS, FLOWS, INPUTS, READS, ZONES
from app.analysis.facts import FACT_BUILDERS, Fact, GraphFacts, edge_set
from app.analysis.graph import ModelGraph
from app.analysis.lazy import lazy
from app.model import Flow, ThreatModel
from app.model.types import natural_key

from tests.benchmarks.synthetic import synthetic_model

TRACES = ("_decision_traces", "action_traces")  # what "@decision" and "@action" answers come from
# memos of one run, never carried from one run to the next
RUN_MEMOS = {"sentences", "_chains", "_decisions_seen", "_actions_seen"}


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


class _RecordedFlows(dict):
    """A table of the graph keyed by flow or by element (flows, adjacency): any read is a read of ``FLOWS``."""

    def __init__(self, table: dict, log: set[str]):
        super().__init__(table)
        self._log = log

    def _read(self):
        self._log.add(FLOWS)

    def __getitem__(self, key):
        self._read()
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._read()
        return super().get(key, default)

    def __iter__(self):
        self._read()
        return super().__iter__()

    def __contains__(self, key):
        self._read()
        return super().__contains__(key)

    def __len__(self):
        self._read()
        return super().__len__()

    def items(self):
        self._read()
        return super().items()

    def keys(self):
        self._read()
        return super().keys()

    def values(self):
        self._read()
        return super().values()


def _recording_graph(model, log: set[str]) -> ModelGraph:
    g = ModelGraph(model)
    for table in ("flows", "fmask", "out", "inc", "out_adj", "in_adj"):
        setattr(g, table, _RecordedFlows(getattr(g, table), log))
    g.props = {e: _Recorded(p, g.kind[e].value, log) for e, p in g.props.items()}
    g.rank = _RecordedRanks(g.rank, g.kind, log)
    g.zone = _RecordedZones(g.zone, log)
    return g


def _models(examples):
    return [*examples.values(), *(synthetic_model(160, seed=s) for s in range(4))]


def test_every_fact_and_input_has_a_declaration():
    computed = {name for name, v in vars(GraphFacts).items() if isinstance(v, (lazy, edge_set))}
    assert set(READS) == set(FACT_BUILDERS) | set(TRACES) | set(INPUTS) == computed - RUN_MEMOS
    assert EDGE_SETS == {name for name, v in vars(GraphFacts).items() if isinstance(v, edge_set)}
    assert all(FLOWS in READS[name] for name in [*FACT_BUILDERS, *TRACES, *EDGE_SETS])


@pytest.mark.parametrize("name", [*FACT_BUILDERS, *TRACES, *INPUTS])
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
    assert FLOWS not in READS[name] or FLOWS in seen, f"{name} declares the flows but never read them"


def test_the_recording_notices_an_undeclared_read(examples):
    """The recording sees reads through properties, ranks and zones alike."""
    log: set[str] = set()
    g = _recording_graph(examples["rag"], log)
    model_id = next(iter(g.of_kind(next(k for k in g.kind.values() if k.value == "model"))))
    g.props[model_id].origin
    g.rank[model_id]
    g.zone[model_id]
    assert {"model.origin", "model.access", ZONES} <= log
    assert FLOWS not in log
    g.out[model_id]
    assert FLOWS in log


def _flow_edit(model, rng: random.Random, serial: int):
    """A new, deleted, reconnected or re-typed flow; the elements and boundaries are the very
    tuples of ``model``, as in the editor's snapshots after an edit of the flows alone."""
    flows = list(model.flows)
    ids = [e.id for e in model.elements]
    kinds = ["prompts", "documents", "training_data", "predictions", "model_weights", "tool_calls",
             "retrieved_documents", "labels", "feedback", "queries", "sensor_data", "telemetry"]
    choice = rng.randrange(4)
    if choice == 0 or not flows:
        a, b = rng.sample(ids, 2)
        flows.append(Flow.model_validate({"id": f"nf_{serial}", "source": a, "target": b,
                                          "carries": rng.sample(kinds, rng.randrange(0, 3))}))
    elif choice == 1:
        flows.pop(rng.randrange(len(flows)))
    else:
        i = rng.randrange(len(flows))
        data = flows[i].model_dump()
        if choice == 2:
            end = rng.choice(["source", "target"])
            data[end] = rng.choice([e for e in ids if e != data["target" if end == "source" else "source"]])
        else:
            data["carries"] = rng.sample(kinds, rng.randrange(0, 3))
        flows[i] = Flow.model_validate(data)
    fields = {k: getattr(model, k) for k in type(model).model_fields}
    fields["flows"] = tuple(sorted(flows, key=lambda f: natural_key(f.id)))
    return ThreatModel.model_construct(**fields)


@pytest.mark.parametrize("seed", range(3))
def test_inputs_carried_over_flow_edits_equal_fresh_ones(seed):
    """After an edit of the flows alone, inputs that read no flows are the last run's and flow
    sets are updated flow by flow (``edge_set``): each equals the same input computed afresh."""
    rng = random.Random(seed)
    model = synthetic_model(120, seed=seed)
    facts = GraphFacts(ModelGraph(model))
    for name in [*INPUTS, *FACT_BUILDERS]:
        getattr(facts, name)
    carried = updated = 0
    for serial in range(25):
        edited = _flow_edit(model, rng, serial)
        after = GraphFacts(ModelGraph(edited, facts.g))
        after.adopt(facts, frozenset({FLOWS}))
        carried += sum(after.__dict__.get(name) is facts.__dict__[name] for name in INPUTS if name not in EDGE_SETS)
        updated += len(after._prior_sets)
        scratch = GraphFacts(ModelGraph(edited))
        for name in INPUTS:
            assert getattr(after, name) == getattr(scratch, name), f"{name} after edit {serial}"
        for name in FACT_BUILDERS:
            assert getattr(after, name).same_as(getattr(scratch, name)), f"{name} after edit {serial}"
        model, facts = edited, after
    assert carried and updated, "the edits never exercised the carried inputs"
