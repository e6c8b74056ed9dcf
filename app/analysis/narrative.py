"""Plain-words texts: fact sentences, rationales and business-impact statements.

Every sentence names real elements of the diagram, taken from the witness
paths. Texts are plain strings; whoever renders them (the PDF report, a
SARIF viewer) escapes them for its own markup.
"""

from __future__ import annotations

from app.analysis.context import FindingContext
from app.analysis.graph import ModelGraph
from app.model.types import Decision, ElementKind, ToolCapability

MAX_VIA = 6


def join_names(names: list[str]) -> str:
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def via(g: ModelGraph, path: tuple[str, ...]) -> str:
    """`` through A, B and C`` for the elements between a path's two ends ('' when none)."""
    inner = path[2:-2:2] if len(path) > 3 else ()
    if not inner:
        return ""
    name = g.name
    if len(inner) > MAX_VIA:  # name only the elements that are shown
        return " through " + join_names([name(inner[0]), name(inner[1]), name(inner[2]),
                                         f"{len(inner) - 4} more", name(inner[-1])])
    return " through " + join_names([name(i) for i in inner])


def describe_source(g: ModelGraph, node: str) -> str:
    """How an origin of untrusted data reads in a sentence."""
    k = g.kind[node]
    p = g.props[node]
    name = g.name(node)
    if k is ElementKind.RETRIEVER:
        return f"the corpus of {name}, which {p.corpus_writers.label} parties can write"
    if k is ElementKind.DATASET:
        return f"{name} ({p.source.label} data)"
    if k is ElementKind.LABELLER:
        return f"{name} ({p.labeller_type.label} labels)"
    if k is ElementKind.TOOL and p.third_party:
        return f"{name} (a third-party tool)"
    if k is ElementKind.ACTOR:
        return f"{name} ({p.access.label})"
    return f"{name} ({p.access.label} access)"


def sensitivity_words(g: ModelGraph, node: str) -> str:
    p = g.props[node]
    words = [p.sensitivity.label]
    if p.personal_data:
        words.append("personal data")
    return ", ".join(words)


def action_words(g: ModelGraph, node: str) -> str:
    """What an action element does, e.g. 'moves money' or 'decides automatically at scale'."""
    p = g.props[node]
    if g.kind[node] is ElementKind.TOOL:
        caps = p.capabilities
        for cap, words in (
            (ToolCapability.MOVE_MONEY, "can move money"),
            (ToolCapability.EXECUTE_CODE, "can execute code"),
            (ToolCapability.WRITE, "can write data"),
            (ToolCapability.SEND_MESSAGES, "can send messages"),
        ):
            if cap in caps:
                return words
    return {
        Decision.AUTOMATED_AT_SCALE: "decides automatically and at scale",
        Decision.AUTOMATED: "decides automatically",
    }.get(p.decision, "acts on it")


def fact_sentence(fact: str, ctx: FindingContext, path: tuple[str, ...]) -> str:
    g = ctx.g
    n = g.name
    first, last = path[0], path[-1]
    through = via(g, path)
    if fact == "untrusted_prompt":
        kinds = _carried(g, path[1]) or "input"
        return f"{describe_source(g, first)} can send {kinds} to {n(last)}{through}."
    if fact == "untrusted_content":
        return f"Content from {describe_source(g, first)} reaches the context of {n(last)}{through}."
    if fact == "physical_input":
        if g.kind[first] is ElementKind.ACTOR:
            return f"{describe_source(g, first)} can reach the scene that {n(path[2])} captures, which feeds {n(last)}{via(g, path[2:])}."
        return f"{n(first)} captures the physical world and feeds {n(last)}{through}."
    if fact == "untrusted_capture":
        return f"{describe_source(g, first)} captures what {n(last)} sees{through}: a device outsiders control."
    if fact == "feeds_model_context":
        return f"{n(first)} reaches the context of {n(last)}{through}."
    if fact == "automated_retraining":
        mode = g.props[first].mode.label
        return f"{n(first)} ({mode}) produces the weights of {n(last)} with no person in the loop{through}."
    if fact == "output_to_untrusted":
        return f"Output of {n(first)} reaches {describe_source(g, last)}{through}."
    if fact == "trained_on_sensitive":
        return f"{n(first)} ({sensitivity_words(g, first)}) trains {n(last)}{through}."
    if fact == "untrusted_training_data":
        return f"Data from {describe_source(g, first)} reaches the training of {n(last)}{through}."
    if fact == "feeds_training":
        return f"{n(first)} feeds the training of {n(last)}{through}."
    if fact == "third_party_lineage":
        if len(path) == 1:
            return f"{n(last)} runs {g.props[last].origin.label.replace('third party', 'third-party')} weights."
        return f"{n(last)} is built from {n(first)}, third-party weights, {through.strip() or 'directly'}."
    if fact in ("feedback_cycle", "agent_loop"):
        loop = " → ".join(n(i) for i in path[::2])
        what = "its outputs flow back into its own training" if fact == "feedback_cycle" else "it runs in a loop with tools or an agent"
        return f"{n(first)}: {what} ({loop})."
    if fact == "output_drives_action":
        return f"Output of {n(first)} reaches {n(last)}, which {action_words(g, last)}, with no human approval{through}."
    if fact == "unapproved_action":
        return f"{n(last)} {action_words(g, last)} on output of {n(first)}{through}, with no human approval."
    if fact in ("model_output_reaches", "generative_output_reaches"):
        return f"{n(last)} receives output of {n(first)}{through}."
    if fact == "agent_memory_loop":
        store = ctx.subject
        return f"Output of {n(first)} is written into {n(store)}, which is read back into the context of {n(last)}."
    if fact == "sensitive_context":
        return f"{n(first)} ({sensitivity_words(g, first)}) reaches the context of {n(last)}{through}."
    if fact == "reachable_from_untrusted":
        return f"Input from {describe_source(g, first)} reaches {n(last)}{through}."
    if fact == "exposed_to_untrusted":
        if len(path) == 1:
            return f"{n(first)} is reachable by {g.props[first].access.label} parties."
        return f"{describe_source(g, first)} sends directly to {n(last)}."
    if fact == "holds_model_artifacts":
        if len(path) == 1:
            return f"{n(first)} is a model registry."
        if first == ctx.subject:
            return f"{n(first)} holds model weights that {n(last)} loads ({n(path[1])})."
        return f"{n(first)} writes model weights into {n(last)} ({n(path[1])})."
    if fact == "influences_decision":
        d = g.props[last].decision
        return f"{n(first)} ultimately influences {n(last)} ({d.label.replace('_', ' ')}){through}."
    if fact in ("crosses_boundary", "into_more_trusted"):
        f = g.flows[path[1]]
        return (
            f"{n(f.id)} ({n(f.source)} → {n(f.target)}) crosses from {g.boundary_name(g.zone[f.source])} "
            f"into {g.boundary_name(g.zone[f.target])}."
        )
    return f"{fact.replace('_', ' ')}: {' → '.join(n(i) for i in path[::2])}."  # pragma: no cover


_INPUT_KINDS = ("prompts", "queries", "sensor_data", "documents")


def _carried(g: ModelGraph, flow_id: str) -> str:
    """The input kinds a flow carries, in words ('prompts', 'queries and sensor data')."""
    f = g.flows.get(flow_id)
    if f is None:
        return ""
    return join_names([c.label for c in f.carries if c.value in _INPUT_KINDS])


def rationale(ctx: FindingContext, why: str) -> str:
    """The fact sentences, the unapproved action downstream (if any), then the entry's ``why``.

    Within a run a fact's witness for a subject is fixed, so the facts that held
    decide the sentences: entries matching the same facts on the same subject
    share them, worded once.
    """
    memo = ctx.facts.sentences
    key = ("why", ctx.subject, tuple(ctx.paths))
    head = memo.get(key)
    if head is None:
        head = memo[key] = _situation(ctx)
    return head + why


def _situation(ctx: FindingContext) -> str:
    """The sentences of a rationale before the entry's own ``why`` (ending in a space)."""
    g = ctx.g
    parts: list[str] = []
    seen_paths: set[tuple[str, ...]] = set()
    memo = ctx.facts.sentences  # the same fact recurs across entries: word it once per run
    for fact, path in ctx.paths.items():
        if path in seen_paths and len(path) > 1:
            continue  # two facts witnessed by the same path: one sentence says it
        seen_paths.add(path)
        key = (fact, ctx.subject)  # the fact's witness for the subject: fixed within a run
        s = memo.get(key)
        if s is None:
            s = memo[key] = fact_sentence(fact, ctx, path)
        if s not in parts:
            parts.append(s)
    if not parts and not ctx.is_flow:
        parts.append(f"{g.name(ctx.subject)} matches this threat's conditions.")
    elif not parts:
        f = ctx.flow
        parts.append(f"{g.name(f.id)} ({g.name(f.source)} → {g.name(f.target)}) matches this threat's conditions.")
    action = ctx.action
    involved = set(ctx.element_ids)
    if action is not None and action[0] not in involved:
        tool, path = action
        through = via(g, path)
        through = f" ({through.strip()})" if through else ""
        parts.append(
            f"Downstream, what {g.name(ctx.focus)} produces reaches {g.name(tool)}{through}, "
            f"which {action_words(g, tool)} with no human approval."
        )
    parts.append("")
    return " ".join(parts)


_CONSEQUENCE = {
    Decision.AUTOMATED_AT_SCALE: "{d} acts on it automatically and at scale, with no person checking: one successful "
    "manipulation repeats across every case it decides until someone notices.",
    Decision.AUTOMATED: "{d} acts on it automatically, case by case, with no person checking each result: a wrong "
    "output becomes a wrong action.",
    Decision.HUMAN_REVIEWED: "A person reviews the outcome at {d} before anything happens, so a wrong output costs "
    "review effort and can mislead, but can be caught.",
    Decision.INFORMATIONAL: "The outcome only informs people at {d}; no decision is taken on it, so the harm is "
    "misinformation and lost trust.",
}


CONFIDENTIALITY_FAMILIES = frozenset({"data_leakage", "model_theft"})


def business_impact(ctx: FindingContext, typical: str, fallback_function: str, family: str = "") -> str:
    """Business function and decision consequence at stake, then the entry's typical impact.

    For confidentiality threats (leakage, theft) what is at stake is the data or
    the model, not the decisions taken on outputs, and the statement says so.
    """
    confidential = family in CONFIDENTIALITY_FAMILIES
    key = ("stake", ctx.focus, fallback_function) + ((ctx.element_ids,) if confidential else ())
    head = ctx.facts.sentences.get(key)
    if head is None:  # many entries share a subject: say what is at stake once per subject
        head = ctx.facts.sentences[key] = _stake(ctx, fallback_function, confidential)
    return f"{head} Typical consequences: {typical}"


def _stake(ctx: FindingContext, fallback_function: str, confidential: bool) -> str:
    g = ctx.g
    decision = ctx.decision
    if confidential:
        function = _function(ctx, fallback_function)
        held = [e for e in ctx.element_ids if g.props[e].personal_data or g.props[e].sensitivity.rank >= 2]
        if held:
            data = "; ".join(f"{g.name(e)}: {sensitivity_words(g, e)}" for e in held[:4])
            head = f"At stake: the data behind {function} ({data})."
        else:
            head = f"At stake: the confidentiality of what {g.name(ctx.focus)} holds, in service of {function}."
        return head
    if decision is None:
        function = g.props[ctx.focus].business_function or fallback_function
        head = (
            f"At stake: {function}. No decision point downstream of {g.name(ctx.focus)} is marked in the model; "
            "mark where outputs are decided on (the decision property) to sharpen this assessment."
        )
    else:
        d, _ = decision
        p = g.props[d]
        function = p.business_function or g.props[ctx.focus].business_function or fallback_function
        head = f"At stake: {function} ({g.name(d)}; business criticality: {p.criticality.label}). " + _CONSEQUENCE[
            p.decision
        ].format(d=g.name(d))
    action = ctx.action
    if action is not None and action[0] != ctx.focus and (decision is None or action[0] != decision[0]):
        tool = action[0]
        head += f" Its output can also reach {g.name(tool)}, which {action_words(g, tool)}, with no human approval."
    return head


def _function(ctx: FindingContext, fallback: str) -> str:
    g = ctx.g
    d = ctx.decision
    for e in ((d[0],) if d else ()) + (ctx.focus,) + ctx.element_ids:
        if g.props[e].business_function:
            return g.props[e].business_function
    return fallback
