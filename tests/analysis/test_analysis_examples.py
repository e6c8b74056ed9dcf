"""What a security reviewer expects at the top of each bundled example, and why it fired."""

from __future__ import annotations

import re

import pytest

from app.analysis import Severity, analyze
from app.model.types import Decision

TOP = 5


def top_ids(result, n=TOP):
    return [f.id for f in result.findings[:n]]


def by_id(result):
    return {f.id: f for f in result.findings}


def test_rag_indirect_injection_from_public_web_into_refund_capable_assistant_is_first(examples, library):
    result = analyze(examples["rag"], library)
    first = result.findings[0]
    assert first.id == "indirect-prompt-injection@llm"
    assert first.severity is Severity.CRITICAL
    # the witness runs from the public web, through the ingestion chain, into the LLM
    assert first.path[0] == "web" and first.path[-1] == "llm"
    assert {"ingester", "kb", "retriever", "orchestrator"} <= set(first.path[::2])
    assert "Public web pages" in first.rationale and "KB retriever" in first.rationale
    # and it says what the LLM can make happen: the refund tool, without approval
    assert "Refund tool" in first.rationale and "no human approval" in first.rationale
    assert "refund payouts" in first.business_impact
    assert {f.name for f in first.impact_factors} >= {"moves_money", "decision_automated"}
    assert "LLM01" in first.owasp and "AML.T0051.001" in first.atlas


def test_rag_excessive_agency_on_refund_tool_is_near_the_top(examples, library):
    result = analyze(examples["rag"], library)
    assert "excessive-agency@refund_tool" in top_ids(result)
    f = by_id(result)["excessive-agency@refund_tool"]
    assert f.path == ("llm", "f4", "orchestrator", "f15", "refund_tool")


def test_fraud_label_poisoning_feeding_automated_blocking_is_at_the_top(examples, library):
    result = analyze(examples["fraud"], library)
    assert "label-poisoning@analysts" in top_ids(result, 3)
    f = by_id(result)["label-poisoning@analysts"]
    assert f.severity is Severity.CRITICAL
    assert f.path[0] == "analysts" and f.path[-1] == "model"
    assert "Fraud analysts (labelling)" in f.rationale and "Fraud scoring model" in f.rationale
    # the labels are not logged on their way in: a named likelihood factor
    assert any(x.name == "path_unlogged" and "Analyst fraud labels" in x.reason for x in f.likelihood_factors)
    # the business impact names the automated-at-scale decision it ultimately drives
    assert "Card authorisation service" in f.business_impact
    assert "automatically and at scale" in f.business_impact
    assert f.decision_id == "auth"


def test_fraud_membership_inference_for_anonymous_cardholders_is_at_the_top(examples, library):
    result = analyze(examples["fraud"], library)
    assert "membership-inference@model" in top_ids(result, 3)
    f = by_id(result)["membership-inference@model"]
    assert f.path[0] == "txlog"  # trained on the restricted transaction history
    assert "Transaction history" in f.rationale and "Cardholder (or fraudster)" in f.rationale
    assert "ML04" in f.owasp and "AML.T0024.000" in f.atlas
    # privacy is what is at stake, not the decision: the statement names the data
    assert "personal data" in f.business_impact


def test_vision_backdoor_from_vendor_backbone_is_first(examples, library):
    result = analyze(examples["vision"], library)
    first = result.findings[0]
    assert first.id == "backdoor-in-third-party-weights@classifier"
    assert first.path == ("backbone", "f13", "learner", "f14", "classifier")
    assert "Vendor pretrained backbone" in first.rationale
    assert "scrap-or-ship" in first.business_impact


def test_vision_also_flags_online_feedback_poisoning_and_physical_patches(examples, library):
    ids = by_id(analyze(examples["vision"], library))
    for fid in ("feedback-loop-poisoning@classifier", "physical-adversarial-input@classifier", "malicious-model-artifact@classifier"):
        assert fid in ids, fid
        assert ids[fid].severity.rank >= Severity.HIGH.rank
    cycle = ids["feedback-loop-poisoning@classifier"].path
    assert cycle[0] == cycle[-1] == "classifier"
    assert len(set(cycle[::2])) == len(cycle[::2]) - 1  # a simple cycle: only the model repeats


@pytest.mark.parametrize("name", ["rag", "fraud", "vision"])
def test_every_finding_names_real_elements(examples, library, name):
    model = examples[name]
    names = {e.id: e.name for e in model.elements}
    known = set(names) | {f.id for f in model.flows}
    result = analyze(model, library)
    assert result.findings
    for f in result.findings:
        assert f.anchor in known and set(f.element_ids) <= known and set(f.path) <= known, f.id
        assert f.element_ids[0] == f.anchor
        # the rationale names the elements at both ends of the witness path, by name
        assert names[f.path[0]] in f.rationale or f.anchor_type == "flow", f.id
        assert names[f.path[-1]] in f.rationale, f.id
        assert all(x.reason for x in f.likelihood_factors + f.impact_factors)
        assert f.likelihood == max(1, min(5, sum(x.delta for x in f.likelihood_factors)))
        assert f.impact == max(1, min(5, sum(x.delta for x in f.impact_factors)))
        assert f.risk == f.likelihood * f.impact
        assert not re.search(r"\{\w+\}", f.rationale + f.business_impact), "unfilled placeholder"


def test_findings_are_ordered_by_risk_then_id(examples, library):
    for model in examples.values():
        found = analyze(model, library).findings
        assert [(-f.risk, f.id) for f in found] == sorted((-f.risk, f.id) for f in found)
        assert len({f.id for f in found}) == len(found)


def test_business_impact_depends_on_who_decides(examples, library):
    """The same poisoned labels matter less when a person reviews each decision."""
    model = examples["fraud"]
    auth = next(e for e in model.elements if e.id == "auth")
    reviewed_auth = auth.model_validate(
        {**auth.model_dump(), "properties": {**auth.properties.model_dump(), "decision": Decision.HUMAN_REVIEWED}}
    )
    reviewed = model.replace(elements=[reviewed_auth if e.id == "auth" else e for e in model.elements])
    before = by_id(analyze(model, library))["label-poisoning@analysts"]
    after = by_id(analyze(reviewed, library))["label-poisoning@analysts"]
    assert after.impact < before.impact
    assert "automatically and at scale" in before.business_impact
    assert "A person reviews" in after.business_impact


def test_residual_risk_counts_controls_in_place(examples, library):
    f = by_id(analyze(examples["fraud"], library))["label-poisoning@analysts"]
    in_place = {m.control_id for m in f.mitigations if m.in_place}
    assert {"access-control", "model-validation"} <= in_place  # on the registry and the model, on the path
    assert f.residual.risk < f.risk
    expected_l = max(1, f.likelihood + sum(m.likelihood_delta for m in f.mitigations if m.in_place))
    assert f.residual.likelihood == expected_l
