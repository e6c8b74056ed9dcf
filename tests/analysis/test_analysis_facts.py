"""Graph facts on small hand-made models: multi-hop reach, levels, cycles, approvals, scale."""

from __future__ import annotations

import pytest
from analysis_builders import build, el

from app.analysis import analyze
from app.analysis.facts import FACT_BUILDERS, GraphFacts
from app.analysis.graph import ModelGraph
from app.analysis.drivers import DRIVERS
from app.knowledge.vocabulary import DRIVERS as DRIVER_NAMES
from app.knowledge.vocabulary import FACTS

from tests.benchmarks.synthetic import synthetic_model


def facts_of(model) -> GraphFacts:
    return GraphFacts(ModelGraph(model))


def test_engine_implements_exactly_the_vocabulary():
    assert set(FACT_BUILDERS) == set(FACTS)
    assert set(DRIVERS) == set(DRIVER_NAMES)


def pipeline(**overrides):
    """web → scraper → dataset → trainer → model → app (automated) → refund tool; labeller → dataset."""
    return build(
        [
            el("web", "actor", access="anonymous", human=False),
            el("partner", "actor", access="partner", human=False),
            el("scraper", "process"),
            el("data", "dataset", **overrides.get("data", {})),
            el("crowd", "labeller", labeller_type="crowd"),
            el("train", "trainer", mode="scheduled"),
            el("model", "model", **overrides.get("model", {})),
            el("app", "process", decision="automated_at_scale", criticality="critical", business_function="payouts"),
            el("pay", "tool", **{"capabilities": ["move_money"], **overrides.get("pay", {})}),
        ],
        [
            ("f1", "web", "scraper", ["documents"]),
            ("f2", "scraper", "data", ["training_data"]),
            ("f3", "crowd", "data", ["labels"]),
            ("f4", "data", "train", ["training_data", "labels"]),
            ("f5", "train", "model", ["model_weights"]),
            ("f6", "model", "app", ["predictions"]),
            ("f7", "app", "pay", ["tool_calls"]),
            ("f8", "partner", "scraper", ["documents"]),
        ],
    )


def test_untrusted_data_reaches_training_over_many_hops_from_the_least_trusted_origin():
    f = facts_of(pipeline())
    fact = f.untrusted_training_data
    assert "model" in fact
    # anonymous web beats the partner feed into the same scraper: the worst origin is reported
    assert fact.path("model") == ("web", "f1", "scraper", "f2", "data", "f4", "train", "f5", "model")


def test_labeller_feeds_training_and_influences_the_automated_decision():
    f = facts_of(pipeline())
    assert f.feeds_training.path("crowd") == ("crowd", "f3", "data", "f4", "train", "f5", "model")
    decision, path = f.decision_of("crowd")
    assert decision == "app" and path[-1] == "app"
    action, _ = f.action_of("model")
    assert action == "pay"


def test_human_approval_on_the_tool_blocks_unapproved_action():
    assert "model" in facts_of(pipeline()).output_drives_action
    approved = facts_of(pipeline(pay={"capabilities": ["move_money"], "human_approval": True}))
    # the tool is approved, but the automated-at-scale decision service still acts unchecked
    assert approved.action_of("model")[0] == "app"


def test_inference_inputs_do_not_count_as_training():
    model = build(
        [el("user", "actor", access="anonymous"), el("m", "model")],
        [("f1", "user", "m", ["queries"])],
    )
    f = facts_of(model)
    assert "m" in f.untrusted_prompt
    assert "m" not in f.untrusted_training_data


def test_direct_and_indirect_injection_are_told_apart():
    model = build(
        [
            el("user", "actor", access="anonymous"),
            el("site", "actor", access="anonymous", human=False),
            el("ui", "process", role="client"),
            el("agent", "process", role="agent"),
            el("store", "datastore", store_type="vector_store"),
            el("rag", "retriever"),
            el("llm", "model", model_type="generative"),
        ],
        [
            ("f1", "user", "ui", ["prompts"]),
            ("f2", "ui", "agent", ["prompts"]),
            ("f3", "agent", "llm", ["prompts", "retrieved_documents"]),
            ("f4", "site", "store", ["documents"]),
            ("f5", "store", "rag", ["retrieved_documents"]),
            ("f6", "rag", "agent", ["retrieved_documents"]),
        ],
    )
    f = facts_of(model)
    assert f.untrusted_prompt.path("llm")[0] == "user"
    assert f.untrusted_content.path("llm")[0] == "site"
    ids = {x.id for x in analyze(model).findings}
    assert {"direct-prompt-injection@llm", "indirect-prompt-injection@llm"} <= ids


def test_an_outsiders_own_prompts_are_not_content():
    """An outsider who sends content somewhere is a content source, but its own prompts to a
    model are direct injection: untrusted content reaches the model only along content."""
    elements = [
        el("crawler", "actor", access="anonymous", human=False),
        el("api", "process", role="gateway"),
        el("archive", "datastore", store_type="object_store"),
        el("llm", "model", model_type="generative"),
    ]
    flows = [
        ("f1", "crawler", "archive", ["documents"]),
        ("f2", "crawler", "api", ["prompts"]),
        ("f3", "api", "llm", ["prompts"]),
    ]
    f = facts_of(build(elements, flows))
    assert "llm" in f.untrusted_prompt
    assert "llm" not in f.untrusted_content  # the crawler's prompts are not content
    # the archive feeding the model's context makes the same crawler an indirect source
    f = facts_of(build(elements, [*flows, ("f4", "archive", "api", ["retrieved_documents"])]))
    assert f.untrusted_content.path("llm") == ("crawler", "f1", "archive", "f4", "api", "f3", "llm")


def test_feedback_cycle_witness_is_a_simple_cycle_through_the_model():
    model = build(
        [el("m", "model"), el("svc", "process"), el("log", "dataset"), el("t", "trainer", mode="online"),
         el("x", "process")],
        [
            ("f1", "m", "svc", ["predictions"]),
            ("f2", "svc", "x", ["predictions"]),
            ("f3", "x", "svc", ["feedback"]),  # a detour the witness must not keep
            ("f4", "svc", "log", ["training_data"]),
            ("f5", "log", "t", ["training_data"]),
            ("f6", "t", "m", ["model_weights"]),
        ],
    )
    path = facts_of(model).feedback_cycle.path("m")
    assert path == ("m", "f1", "svc", "f4", "log", "f5", "t", "f6", "m")


def test_nested_boundaries_and_crossings():
    model = build(
        [el("a", "actor"), el("gw", "process"), el("db", "datastore")],
        [("f1", "a", "gw", ["queries"]), ("f2", "gw", "db", ["queries"]), ("f3", "db", "gw", ["documents"])],
        boundaries=[
            {"id": "outer", "name": "Company", "members": ["gw"]},
            {"id": "inner", "name": "Data zone", "parent": "outer", "members": ["db"]},
        ],
    )
    f = facts_of(model)
    assert set(f.crosses_boundary) == {"f1", "f2", "f3"}
    assert set(f.into_more_trusted) == {"f1"}  # from outside every boundary into the company


def test_pure_upstream_weights_are_reported_through_their_descendant():
    model = build(
        [el("base", "model", origin="third_party_weights"), el("ft", "trainer"), el("m", "model", origin="fine_tuned"),
         el("app", "process")],
        [("f1", "base", "ft", ["model_weights"]), ("f2", "ft", "m", ["model_weights"]), ("f3", "m", "app", ["predictions"])],
    )
    lineage = facts_of(model).third_party_lineage
    assert "m" in lineage and "base" not in lineage
    assert lineage.path("m") == ("base", "f1", "ft", "f2", "m")


def test_no_path_explosion_on_a_graph_with_exponentially_many_paths():
    """60 diamonds in a row: 2**60 distinct paths from the user to the model; facts stay linear."""
    elements = [el("user", "actor", access="anonymous"), el("m", "model", model_type="generative")]
    flows = []
    prev = "user"
    for i in range(60):
        a, b, j = f"a{i}", f"b{i}", f"j{i}"
        elements += [el(a, "process"), el(b, "process"), el(j, "process")]
        flows += [(f"fa{i}", prev, a, ["prompts"]), (f"fb{i}", prev, b, ["prompts"]),
                  (f"fc{i}", a, j, ["prompts"]), (f"fd{i}", b, j, ["prompts"])]
        prev = j
    flows.append(("fz", prev, "m", ["prompts"]))
    result = analyze(build(elements, flows))
    f = next(x for x in result.findings if x.id == "direct-prompt-injection@m")
    assert len(f.path) == 2 * (60 * 2 + 1) + 1  # one shortest witness, not all of them


@pytest.mark.slow
def test_ten_thousand_elements_analyse_without_explosion(library):
    model = synthetic_model(10_000, seed=1)
    result = analyze(model, library)
    n = len(model.elements) + len(model.flows)
    assert 0 < len(result.findings) <= 10 * n
    flows = model.flow_map()
    for f in result.findings:
        # every witness is a real walk through the diagram, in flow direction …
        for i in range(1, len(f.path), 2):
            flow = flows[f.path[i]]
            assert (flow.source, flow.target) == (f.path[i - 1], f.path[i + 1]), f.id
        # … of bounded length: one search path, or two joined (a loop back to a model)
        elements = f.path[::2]
        assert max(elements.count(e) for e in elements) <= 2, f.id
