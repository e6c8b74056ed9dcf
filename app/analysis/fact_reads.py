"""What each graph fact reads, so re-analysis recomputes only the facts an edit can change.

Besides the element ids and kinds (an element added, removed or re-kinded
recomputes every fact) each fact reads: ``FLOWS`` (the flows: ids, ends, what
they carry; every fact does), ``ZONES`` (the trust boundaries) and element
properties, named ``kind.field`` (``model.access``). ``GraphFacts.adopt`` takes
over, without computing it again, every fact that reads nothing an edit
changed. ``tests/analysis/test_analysis_fact_reads.py`` computes each fact on
graphs that record every property, access rank and zone read, and fails on a
read not declared here: a fact's code and its line below change together.
"""

from __future__ import annotations

from app.analysis.graph import A, DS, DT, LB, M, P, RT, TL, TR
from app.model.types import ElementKind

FLOWS, ZONES = "flows", "zones"


def _on(field: str, *kinds: ElementKind, but: tuple[ElementKind, ...] = ()) -> set[str]:
    """``kind.field`` for the given kinds (none given: every kind), less ``but``."""
    return {f"{k.value}.{field}" for k in (kinds or ElementKind) if k not in but}


_HUMAN = _on("human", A)
_UNTRUSTED_ACTORS = _on("access", A) | _HUMAN
_DECISIONS = _on("decision") | _on("criticality")
_ACTIONS = _on("human_approval", TL) | _on("capabilities", TL) | _on("decision") | _HUMAN
_OUTPUTS = _on("model_type", M) | _HUMAN
_READS: dict[str, set[str]] = {
    "untrusted_prompt": _UNTRUSTED_ACTORS | _on("access", but=(A, M)),
    "untrusted_content": _UNTRUSTED_ACTORS | _on("corpus_writers", RT) | _on("source", DT) | _on("third_party", TL)
    | _on("access", DS, TL),
    "physical_input": _on("role", P) | _on("physically_exposed", P) | _on("access", A),
    "untrusted_capture": _on("role", P) | _on("access", P),
    "feeds_model_context": _HUMAN,
    "automated_retraining": _on("mode", TR),
    "output_to_untrusted": _UNTRUSTED_ACTORS | _on("access", P) | _on("role", P),
    "trained_on_sensitive": _on("sensitivity", DT, DS) | _on("personal_data", DT, DS),
    "untrusted_training_data": _UNTRUSTED_ACTORS | _on("source", DT) | _on("labeller_type", LB)
    | _on("access", but=(A, M)),
    "feeds_training": _DECISIONS,
    "third_party_lineage": _on("access", but=(M,)) | _on("origin", M) | _on("fine_tunes_third_party", TR),
    "feedback_cycle": set(),
    "agent_loop": _on("role", P),
    "output_drives_action": _ACTIONS,
    "unapproved_action": _ACTIONS | _on("model_type", M),
    "model_output_reaches": _OUTPUTS,
    "generative_output_reaches": _OUTPUTS,
    "agent_memory_loop": _OUTPUTS,
    "sensitive_context": _on("sensitivity", DS, RT, TL) | _on("personal_data", DS, RT, TL) | _HUMAN,
    "reachable_from_untrusted": _UNTRUSTED_ACTORS | _on("access", but=(A,)),
    "exposed_to_untrusted": _on("access"),
    "holds_model_artifacts": _on("store_type", DS),
    "influences_decision": _DECISIONS,
    "crosses_boundary": {ZONES},
    "into_more_trusted": {ZONES} | _on("access"),
    "_decision_traces": _DECISIONS,
    "action_traces": _ACTIONS,
}
READS: dict[str, frozenset[str]] = {name: frozenset(r | {FLOWS}) for name, r in _READS.items()}
