"""The words a threat-library entry may use: families, STRIDE, OWASP, facts, drivers.

The analysis engine (``app.analysis``) computes the graph facts and score
drivers named here; this module only names and explains them, so the library
loader can refuse an unknown name with a precise message without importing the
engine (``app.knowledge`` sits below ``app.analysis``). A test checks that the
engine implements every name listed here and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

FAMILIES: dict[str, str] = {
    "adversarial_input": "adversarial input",
    "poisoning": "poisoning",
    "prompt_injection": "prompt injection",
    "data_leakage": "data leakage",
    "model_theft": "model theft",
    "supply_chain": "supply chain",
    "availability": "availability / cost",
    "output_integrity": "output integrity",
    "lifecycle": "lifecycle",
    "classic": "classic",
}

STRIDE: tuple[str, ...] = (
    "Spoofing",
    "Tampering",
    "Repudiation",
    "Information disclosure",
    "Denial of service",
    "Elevation of privilege",
)

OWASP_LLM: dict[str, str] = {
    "LLM01": "Prompt Injection",
    "LLM02": "Sensitive Information Disclosure",
    "LLM03": "Supply Chain",
    "LLM04": "Data and Model Poisoning",
    "LLM05": "Improper Output Handling",
    "LLM06": "Excessive Agency",
    "LLM07": "System Prompt Leakage",
    "LLM08": "Vector and Embedding Weaknesses",
    "LLM09": "Misinformation",
    "LLM10": "Unbounded Consumption",
}

OWASP_ML: dict[str, str] = {
    "ML01": "Input Manipulation Attack",
    "ML02": "Data Poisoning Attack",
    "ML03": "Model Inversion Attack",
    "ML04": "Membership Inference Attack",
    "ML05": "Model Theft",
    "ML06": "AI Supply Chain Attacks",
    "ML07": "Transfer Learning Attack",
    "ML08": "Model Skewing",
    "ML09": "Output Integrity Attack",
    "ML10": "Model Poisoning",
}


@dataclass(frozen=True)
class FactInfo:
    """A graph fact: what it holds for (``element`` or ``flow``) and what it means."""

    subject: str  # "element" or "flow"
    summary: str
    witness: str  # what the witness path shows


FACTS: dict[str, FactInfo] = {
    "untrusted_prompt": FactInfo(
        "element",
        "A party less trusted than internal (anonymous, authenticated or partner) can send prompts or "
        "queries to this model's inference input, directly or through applications and gateways.",
        "the party, then each hop to the model",
    ),
    "untrusted_content": FactInfo(
        "element",
        "Content that untrusted parties can write (web pages, e-mails, documents, an openly writable "
        "corpus, third-party tool output) reaches this model's context at inference time, through "
        "ingesters, stores, retrievers, tools or an agent.",
        "the content's origin, then each hop to the model",
    ),
    "physical_input": FactInfo(
        "element",
        "A sensor that captures the physical world (camera, microphone) feeds this model.",
        "who can reach the scene (when drawn), the sensor, then each hop to the model",
    ),
    "untrusted_capture": FactInfo(
        "element",
        "A capture device that less-trusted parties control (a phone camera, a client app or sensor with "
        "anonymous or authenticated access) feeds this model.",
        "the capture device, then each hop to the model",
    ),
    "feeds_model_context": FactInfo(
        "element",
        "What this element holds or produces reaches a model's context at inference time.",
        "the element, then each hop to the nearest model",
    ),
    "automated_retraining": FactInfo(
        "element",
        "A trainer that runs without a person (scheduled, online or federated) produces this model's weights.",
        "the trainer, then each hop to the model",
    ),
    "output_to_untrusted": FactInfo(
        "element",
        "This model's output reaches a party less trusted than internal, through the services that serve it.",
        "the model, then each hop to the least-trusted party reached",
    ),
    "trained_on_sensitive": FactInfo(
        "element",
        "Personal, confidential or restricted data reaches this model's training.",
        "the sensitive data source, then each hop through training to the model",
    ),
    "untrusted_training_data": FactInfo(
        "element",
        "Data that untrusted parties produce or control (their inputs, public-web or user-generated "
        "datasets, crowd or end-user labels) reaches this model's training, possibly many hops away.",
        "the least-trusted origin, then each hop through training to the model",
    ),
    "feeds_training": FactInfo(
        "element",
        "What this element produces reaches the training of a model (datasets, labels, feedback).",
        "the element, then each hop to the model whose training it feeds (the most consequential one)",
    ),
    "third_party_lineage": FactInfo(
        "element",
        "This model is, or was trained or fine-tuned from, third-party weights.",
        "the third-party weights, then each hop to the model",
    ),
    "feedback_cycle": FactInfo(
        "element",
        "This model's outputs flow back into its own training: a feedback loop.",
        "one cycle from the model through its trainer back to the model",
    ),
    "output_drives_action": FactInfo(
        "element",
        "This model's output reaches a tool with side effects (write, send, execute code, move money) "
        "or an automated decision, with no human approval on the way.",
        "the model, then each hop to the most consequential such action",
    ),
    "unapproved_action": FactInfo(
        "element",
        "Model output reaches this element, which acts (a side-effect tool or an automated decision), "
        "with no human approval on the way.",
        "the nearest model, then each hop to this element",
    ),
    "model_output_reaches": FactInfo(
        "element",
        "Some model's output reaches this element (directly or through other components).",
        "the nearest model, then each hop to this element",
    ),
    "generative_output_reaches": FactInfo(
        "element",
        "A generative model's output (an LLM's text, tool calls) reaches this element.",
        "the nearest generative model, then each hop to this element",
    ),
    "agent_memory_loop": FactInfo(
        "element",
        "Model output is written into this store and the store is read back into a model's context.",
        "the model, the hops into the store, then the hops back to a model",
    ),
    "sensitive_context": FactInfo(
        "element",
        "Personal, confidential or restricted data reaches this model's context at inference time "
        "(retrieval, tools, stores).",
        "the sensitive source, then each hop to the model",
    ),
    "reachable_from_untrusted": FactInfo(
        "element",
        "Data or requests from a party less trusted than internal reach this element, over any number of hops.",
        "the least-trusted origin, then each hop to the element",
    ),
    "exposed_to_untrusted": FactInfo(
        "element",
        "This element is itself reachable by less-trusted parties: its access is below internal or a "
        "less-trusted element sends to it directly.",
        "the less-trusted sender and the flow, or the element alone",
    ),
    "holds_model_artifacts": FactInfo(
        "element",
        "This store holds model weights (a model registry, or weights flow in or out of it).",
        "the flow that carries weights into or out of the store",
    ),
    "agent_loop": FactInfo(
        "element",
        "This model sits in a loop with tools or an agent: its output can trigger calls whose results "
        "return to it, with no fixed end.",
        "one cycle from the model back to itself",
    ),
    "influences_decision": FactInfo(
        "element",
        "What this element produces ultimately reaches a decision point (human-reviewed, automated or "
        "automated at scale).",
        "the element, then each hop to the most consequential decision it influences",
    ),
    "crosses_boundary": FactInfo(
        "flow",
        "The flow crosses a trust boundary: its two ends sit in different trust zones.",
        "source, flow, target",
    ),
    "into_more_trusted": FactInfo(
        "flow",
        "The flow enters a zone that is more trusted than where it comes from (the sender's access is "
        "below the receiver's, or the sender is outside every boundary).",
        "source, flow, target",
    ),
}


@dataclass(frozen=True)
class DriverInfo:
    """A score driver: a condition that, when it holds, moves likelihood or impact."""

    kind: str  # "likelihood" or "impact"
    summary: str


LIKELIHOOD_DRIVERS: dict[str, DriverInfo] = {
    name: DriverInfo("likelihood", text)
    for name, text in {
        "origin_anonymous": "the path starts at an anonymous party",
        "origin_authenticated": "the path starts at an authenticated (but otherwise untrusted) party",
        "origin_partner": "the path starts at a partner",
        "origin_insider": "the path starts at an internal or privileged party",
        "path_unauthenticated": "a flow on the path does not authenticate its sender",
        "path_unlogged": "a flow on the path is not logged, so changes cannot be attributed",
        "untrusted_input_to_model": "the model involved also takes untrusted prompts or content",
        "output_to_anonymous": "the model's output reaches anonymous parties",
        "subject_exposed": "the element at stake is itself reachable by less-trusted parties",
        "direct_exposure": "the subject is one hop from the less-trusted party",
        "long_path": "the path has five or more hops, so the influence is indirect",
        "scores_exposed": "the model returns scores or confidences",
        "free_text_output": "the model returns free text",
        "label_only_output": "the model returns labels only",
        "public_architecture": "the model's architecture or base model is public",
        "generative_model": "the model is generative (an LLM)",
        "hosted_api": "the model is someone else's, behind an API",
        "pickle_weights": "weights are stored in pickle, which executes code when loaded",
        "unverified_dataset": "a dataset on the path has no integrity verification",
        "verified_datasets": "every dataset on the path is integrity-verified",
        "public_web_data": "a dataset on the path comes from the public web",
        "user_generated_data": "a dataset on the path is user-generated",
        "third_party_data": "a dataset on the path comes from a third party",
        "crowd_labels": "labels come from crowd or outsourced workers",
        "end_user_labels": "labels come from end-user feedback",
        "automated_labels": "labels come from another model or heuristic",
        "in_house_labels": "labels come from in-house staff",
        "online_training": "the model learns continually from live data",
        "scheduled_training": "the model is retrained on a schedule from fresh data",
        "offline_training": "the model is trained once, by hand",
        "fine_tunes_third_party": "training starts from third-party pretrained weights",
        "sensor_exposed": "a sensor on the path sees a scene outsiders can reach",
        "system_prompt_secrets": "the model's system prompt holds secrets or authorisation rules",
        "retrieval_not_permission_aware": "a retriever on the path ignores the asking user's permissions",
        "corpus_untrusted_writers": "less-trusted parties can write into a retriever's corpus on the path",
        "third_party_tool": "a tool involved is supplied by a third party",
        "holds_credentials": "a process involved holds credentials or paid API keys",
        "renders_markup": "output is rendered as markup, links or images",
        "flow_source_untrusted": "the flow's sender is less trusted than internal",
        "flow_from_outside": "the flow comes from outside every trust boundary",
        "store_not_encrypted": "the store is not encrypted at rest",
    }.items()
}

IMPACT_DRIVERS: dict[str, DriverInfo] = {
    name: DriverInfo("impact", text)
    for name, text in {
        "decision_automated_at_scale": "the most consequential decision reached is automated and at scale",
        "decision_automated": "the most consequential decision reached is automated, case by case",
        "decision_human_reviewed": "the most consequential decision reached is reviewed by a person",
        "decision_informational": "outputs only inform people; no decision is taken on them",
        "decision_none": "no decision point is reached downstream",
        "criticality_critical": "the business depends critically on the element at stake",
        "criticality_high": "the business depends heavily on the element at stake",
        "criticality_low": "the element at stake matters little to the business",
        "moves_money": "output can move money without human approval",
        "executes_code": "output can execute code without human approval",
        "writes_data": "output can write or change data without human approval",
        "sends_messages": "output can send messages without human approval",
        "personal_data": "personal data is involved",
        "restricted_data": "restricted data is involved",
        "confidential_data": "confidential data is involved",
        "audience_anonymous": "output reaches anonymous parties",
        "credentials_involved": "credentials or keys are involved",
        "flow_carries_sensitive": "the flow carries personal data, credentials or confidential data",
        "flow_carries_credentials": "the flow carries credentials",
        "flow_carries_tool_calls": "the flow carries tool calls",
    }.items()
}

DRIVERS: dict[str, DriverInfo] = {**LIKELIHOOD_DRIVERS, **IMPACT_DRIVERS}

# Flow-level condition keys besides FlowProperties fields.
FLOW_SPECIAL_KEYS: dict[str, str] = {
    "carries": "the flow carries at least one of these data kinds",
    "source_kind": "the sender's element kind is one of these",
    "target_kind": "the receiver's element kind is one of these",
    "source_role": "the sender is a process with one of these roles",
    "target_role": "the receiver is a process with one of these roles (a sensor: the flow is physical presence)",
}
