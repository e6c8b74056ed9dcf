"""What each graph fact reads, so re-analysis recomputes only the facts an edit can change.

Besides the element ids and kinds (an element added, removed or re-kinded
recomputes every fact) each fact reads: ``FLOWS`` (the flows: ids, ends, what
they carry; every fact does), ``ZONES`` (the trust boundaries) and element
properties, named ``kind.field`` (``model.access``). ``GraphFacts.adopt`` takes
over, without computing it again, every fact that reads nothing an edit
changed.

The facts' inputs are declared the same way (``INPUTS``): sets of elements a
search starts from or passes through, which read no flows and so survive an
edit of the flows, and ``EDGE_SETS``, the flows a search may follow, which are
updated flow by flow after such an edit. ``tests/analysis/test_analysis_fact_reads.py``
computes each fact and input on graphs that record every flow, property, access
rank and zone read, and fails on a read not declared here: the code and its line
below change together.
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
# Inputs, element by element (no flows): kept whole over an edit of the flows.
_ELEMENT_INPUTS: dict[str, set[str]] = {
    "humans": _HUMAN,
    "_not_training_or_human": _HUMAN,
    "_untrusted_actors": _UNTRUSTED_ACTORS,
    "_untrusted_elements": _on("access", but=(A,)),
    "_prompt_relays": _HUMAN,
    "_content_sources": _on("corpus_writers", RT) | _on("source", DT) | _on("access", DS, TL) | _on("third_party", TL),
    "_content_expand": set(),
    "_processes": set(),
    "_context_relays": _HUMAN,
    "_readers": _UNTRUSTED_ACTORS | _on("access", P) | _on("role", P),
    "_sensitive_holders": _on("sensitivity", DS, RT, TL) | _on("personal_data", DS, RT, TL),
    "_non_models": set(),
    "_training_sensitive": _on("sensitivity", DT, DS) | _on("personal_data", DT, DS),
    "_training_sources": _on("source", DT) | _on("labeller_type", LB) | _on("access", but=(A, M)),
    "_action_levels": _on("human_approval", TL) | _on("capabilities", TL) | _on("decision"),
    "_unapproved_relays": _HUMAN | _on("decision") | _on("human_approval", TL),
    "_generative": _on("model_type", M),
    "_decision_points": _DECISIONS,
}
# Flows a search may follow, each chosen by a test of that flow alone (and of elements).
_EDGE_SETS: dict[str, set[str]] = {
    "_inference_edges": set(),
    "_training_edges": set(),
    "_weight_edges": set(),
    "_prompt_edges": _HUMAN,
    "_content_edges": _HUMAN,
    "_sensor_edges": set(),
    "_capture_edges": set(),
    "_context_edges": set(),
    "_sensitive_edges": _HUMAN,
}
# Other inputs, which read the flows as a whole.
_FLOW_INPUTS: dict[str, set[str]] = {
    "_open_entry_points": _on("access", but=(A, M)),
    "_context_back": _HUMAN,
    "_output_traces": _OUTPUTS,
}

READS: dict[str, frozenset[str]] = {
    **{name: frozenset(r | {FLOWS}) for name, r in (*_READS.items(), *_EDGE_SETS.items(), *_FLOW_INPUTS.items())},
    **{name: frozenset(r) for name, r in _ELEMENT_INPUTS.items()},
}
INPUTS: tuple[str, ...] = (*_ELEMENT_INPUTS, *_EDGE_SETS, *_FLOW_INPUTS)
EDGE_SETS: frozenset[str] = frozenset(_EDGE_SETS)
