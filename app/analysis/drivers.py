"""Score drivers: named conditions that move a finding's likelihood or impact.

A library entry lists the drivers that matter for its threat with a delta
each (``scores_exposed = 1``); the library's ``library.toml`` adds defaults
every entry gets (the decision consequence and criticality at stake). Each
driver here returns the reason it holds, naming the elements involved, or
None. ``DRIVERS`` must implement exactly the names in
:mod:`app.knowledge.vocabulary`.
"""

from __future__ import annotations

from typing import Callable

from app.analysis.context import FindingContext
from app.analysis.narrative import action_words
from app.model.types import (
    Access,
    Criticality,
    DatasetSource,
    DataKind,
    Decision,
    ElementKind,
    LabellerType,
    ModelOrigin,
    ModelType,
    OutputExposure,
    ProcessRole,
    Sensitivity,
    Serialization,
    ToolCapability,
    TrainerMode,
)

Driver = Callable[[FindingContext], "str | None"]
K = ElementKind


def _origin_access(access: Access, words: str) -> Driver:
    def driver(ctx: FindingContext) -> str | None:
        o = ctx.origin
        if o in ctx.g.elements and ctx.g.props[o].access is access and ctx.g.kind[o] is K.ACTOR:
            return f"{ctx.g.name(o)} is {words}"
        if o in ctx.g.elements and ctx.g.props[o].access is access and ctx.g.kind[o] is not K.ACTOR:
            return f"{ctx.g.name(o)} is reachable by {words} parties"
        return None

    return driver


def _origin_insider(ctx: FindingContext) -> str | None:
    o = ctx.origin
    if o in ctx.g.elements and ctx.g.props[o].access.rank >= Access.INTERNAL.rank:
        return f"{ctx.g.name(o)} is an insider ({ctx.g.props[o].access.label}): compromise or error, not an outsider"
    return None


def _path_unauthenticated(ctx: FindingContext) -> str | None:
    for i in ctx.primary[1::2]:
        f = ctx.g.flows.get(i)
        if f is not None and not f.properties.authenticated:
            return f"{ctx.g.name(f.id)} ({ctx.g.name(f.source)} → {ctx.g.name(f.target)}) does not authenticate its sender"
    return None


def _path_unlogged(ctx: FindingContext) -> str | None:
    for i in ctx.primary[1::2]:
        f = ctx.g.flows.get(i)
        if f is not None and not f.properties.logged:
            return f"{ctx.g.name(f.id)} ({ctx.g.name(f.source)} → {ctx.g.name(f.target)}) is not logged"
    return None


def _untrusted_input_to_model(ctx: FindingContext) -> str | None:
    m = ctx.model
    if m is None:
        return None
    for fact, words in (("untrusted_content", "content from"), ("untrusted_prompt", "input from")):
        path = ctx.consult(fact, m)
        if path is not None:
            origin = path[0]
            return f"{ctx.g.name(m)} also takes {words} {ctx.g.name(origin)} ({ctx.g.props[origin].access.label})"
    return None


def _output_to_anonymous(ctx: FindingContext) -> str | None:
    m = ctx.model
    path = ctx.consult("output_to_untrusted", m) if m is not None else None
    if path is not None:
        audience = path[-1]
        if ctx.g.props[audience].access is Access.ANONYMOUS:
            return f"output of {ctx.g.name(m)} reaches {ctx.g.name(audience)}, who is anonymous"
    return None


def _subject_exposed(ctx: FindingContext) -> str | None:
    p = None if ctx.is_flow else ctx.consult("exposed_to_untrusted", ctx.subject)
    if p is not None:
        who = p[0]
        return f"{ctx.g.name(ctx.subject)} is reachable by {ctx.g.name(who)} ({ctx.g.props[who].access.label})"
    return None


def _hops(ctx: FindingContext) -> int:
    return len(ctx.primary) // 2


def _direct(ctx: FindingContext) -> str | None:
    return f"{ctx.g.name(ctx.primary[0])} is one hop away" if _hops(ctx) == 1 else None


def _long(ctx: FindingContext) -> str | None:
    h = _hops(ctx)
    return f"the path is {h} hops long" if h >= 5 else None


def _model_prop(test: Callable, words: Callable[[str, object], str]) -> Driver:
    def driver(ctx: FindingContext) -> str | None:
        m = ctx.model
        if m is not None and test(ctx.g.props[m]):
            return words(ctx.g.name(m), ctx.g.props[m])
        return None

    return driver


def _any(kind: K, test: Callable, words: Callable[[str, object], str]) -> Driver:
    """Holds when an involved element of ``kind`` passes ``test``; names the first one."""

    def driver(ctx: FindingContext) -> str | None:
        e = ctx.first(kind, test)
        return None if e is None else words(ctx.g.name(e), ctx.g.props[e])

    return driver


def _pickle(ctx: FindingContext) -> str | None:
    e = ctx.first(K.MODEL, lambda p: p.serialization is Serialization.PICKLE)
    return None if e is None else f"{ctx.g.name(e)} is stored as pickle, which runs code when loaded"


def _verified(ctx: FindingContext) -> str | None:
    sets = ctx.all_of(K.DATASET)
    if sets and all(ctx.g.props[d].integrity_verified for d in sets):
        return f"{', '.join(ctx.g.name(d) for d in sets)}: integrity verified"
    return None


def _exposed_sensor(ctx: FindingContext) -> str | None:
    e = ctx.first(K.PROCESS, lambda p: p.role is ProcessRole.SENSOR and p.physically_exposed)
    return None if e is None else f"{ctx.g.name(e)} sees a scene outsiders can reach"


def _subject_flow(test: Callable, words: Callable[[FindingContext], str]) -> Driver:
    def driver(ctx: FindingContext) -> str | None:
        f = ctx.flow
        return words(ctx) if f is not None and test(ctx, f) else None

    return driver


def _flow_source_untrusted(ctx, f) -> bool:
    return ctx.g.untrusted(f.source)


def _store_unencrypted(ctx: FindingContext) -> str | None:
    s = ctx.subject
    if not ctx.is_flow and ctx.g.kind[s] is K.DATASTORE and not ctx.g.props[s].encrypted_at_rest:
        return f"{ctx.g.name(s)} is not encrypted at rest"
    return None


# ------------------------------------------------------------------ impact
def _decision(decision: Decision | None) -> Driver:
    def driver(ctx: FindingContext) -> str | None:
        d = ctx.decision
        if decision is None:
            return None if d is not None else f"no decision point downstream of {ctx.g.name(ctx.focus)} is marked"
        if d is None or ctx.g.props[d[0]].decision is not decision:
            return None
        p = ctx.g.props[d[0]]
        where = f" ({p.business_function})" if p.business_function else ""
        words = {
            Decision.AUTOMATED_AT_SCALE: "decides automatically and at scale",
            Decision.AUTOMATED: "decides automatically",
            Decision.HUMAN_REVIEWED: "is reviewed by a person before it takes effect",
            Decision.INFORMATIONAL: "only informs people",
        }[decision]
        if d[0] == ctx.focus:
            return f"{ctx.g.name(d[0])}{where} {words}"
        return f"{ctx.g.name(ctx.focus)} influences {ctx.g.name(d[0])}{where}, which {words}"

    return driver


def _criticality(level: Criticality) -> Driver:
    def driver(ctx: FindingContext) -> str | None:
        d = ctx.decision
        at_stake = d[0] if d is not None else ctx.focus
        if ctx.g.props[at_stake].criticality is level:
            return f"{ctx.g.name(at_stake)} has {level.label} business criticality"
        return None

    return driver


_SIDE_EFFECT_ORDER = (ToolCapability.MOVE_MONEY, ToolCapability.EXECUTE_CODE, ToolCapability.WRITE, ToolCapability.SEND_MESSAGES)


def _action(cap: ToolCapability) -> Driver:
    def driver(ctx: FindingContext) -> str | None:
        a = ctx.action
        if a is None:
            return None
        tool = a[0]
        if ctx.g.kind[tool] is not K.TOOL:
            return None
        # only the tool's most dangerous capability counts, so one tool never scores twice
        caps = ctx.g.props[tool].capabilities
        worst = next((c for c in _SIDE_EFFECT_ORDER if c in caps), None)
        if worst is cap:
            return f"{ctx.g.name(tool)} {action_words(ctx.g, tool)} on it with no human approval"
        return None

    return driver


def _data(test: Callable, words: str) -> Driver:
    def driver(ctx: FindingContext) -> str | None:
        for e in ctx.element_ids:
            if test(ctx.g.props[e]):
                return f"{ctx.g.name(e)} {words}"
        return None

    return driver


def _personal(ctx: FindingContext) -> str | None:
    for e in ctx.element_ids:
        if ctx.g.props[e].personal_data:
            return f"{ctx.g.name(e)} handles personal data"
    for i in ctx.flow_ids:
        if DataKind.PERSONAL_DATA in ctx.g.flows[i].carries:
            return f"{ctx.g.name(i)} carries personal data"
    return None


def _audience_anonymous(ctx: FindingContext) -> str | None:
    p = ctx.paths.get("output_to_untrusted")
    if p and ctx.g.props[p[-1]].access is Access.ANONYMOUS:
        return f"{ctx.g.name(p[-1])} is anonymous"
    return None


def _credentials(ctx: FindingContext) -> str | None:
    e = ctx.first(K.PROCESS, lambda p: p.holds_credentials)
    if e is not None:
        return f"{ctx.g.name(e)} holds credentials"
    m = ctx.first(K.MODEL, lambda p: p.system_prompt_secrets)
    if m is not None:
        return f"the system prompt of {ctx.g.name(m)} holds secrets"
    for i in ctx.flow_ids:
        if DataKind.CREDENTIALS in ctx.g.flows[i].carries:
            return f"{ctx.g.name(i)} carries credentials"
    return None


_SENSITIVE_FLOW = frozenset({DataKind.PERSONAL_DATA, DataKind.CREDENTIALS})


def _flow_sensitive(ctx, f) -> bool:
    return not _SENSITIVE_FLOW.isdisjoint(f.carries) or f.properties.sensitivity.rank >= Sensitivity.CONFIDENTIAL.rank


DRIVERS: dict[str, Driver] = {
    # likelihood
    "origin_anonymous": _origin_access(Access.ANONYMOUS, "anonymous"),
    "origin_authenticated": _origin_access(Access.AUTHENTICATED, "authenticated but otherwise untrusted"),
    "origin_partner": _origin_access(Access.PARTNER, "a partner"),
    "origin_insider": _origin_insider,
    "path_unauthenticated": _path_unauthenticated,
    "path_unlogged": _path_unlogged,
    "untrusted_input_to_model": _untrusted_input_to_model,
    "output_to_anonymous": _output_to_anonymous,
    "subject_exposed": _subject_exposed,
    "direct_exposure": _direct,
    "long_path": _long,
    "scores_exposed": _model_prop(lambda p: p.output_exposure is OutputExposure.SCORES, lambda n, p: f"{n} returns scores"),
    "free_text_output": _model_prop(lambda p: p.output_exposure is OutputExposure.FREE_TEXT, lambda n, p: f"{n} returns free text"),
    "label_only_output": _model_prop(lambda p: p.output_exposure is OutputExposure.LABEL_ONLY, lambda n, p: f"{n} returns labels only"),
    "public_architecture": _model_prop(lambda p: p.public_architecture, lambda n, p: f"the architecture of {n} is public"),
    "generative_model": _model_prop(lambda p: p.model_type is ModelType.GENERATIVE, lambda n, p: f"{n} is generative"),
    "hosted_api": _model_prop(lambda p: p.origin is ModelOrigin.HOSTED_API, lambda n, p: f"{n} is a hosted API run by someone else"),
    "pickle_weights": _pickle,
    "unverified_dataset": _any(K.DATASET, lambda p: not p.integrity_verified, lambda n, p: f"{n} has no integrity verification"),
    "verified_datasets": _verified,
    "public_web_data": _any(K.DATASET, lambda p: p.source is DatasetSource.PUBLIC_WEB, lambda n, p: f"{n} comes from the public web"),
    "user_generated_data": _any(K.DATASET, lambda p: p.source is DatasetSource.USER_GENERATED, lambda n, p: f"{n} is user-generated"),
    "third_party_data": _any(K.DATASET, lambda p: p.source is DatasetSource.THIRD_PARTY, lambda n, p: f"{n} comes from a third party"),
    "crowd_labels": _any(K.LABELLER, lambda p: p.labeller_type is LabellerType.CROWD, lambda n, p: f"{n} is crowd or outsourced"),
    "end_user_labels": _any(K.LABELLER, lambda p: p.labeller_type is LabellerType.END_USER_FEEDBACK, lambda n, p: f"{n} takes labels from end-user feedback"),
    "automated_labels": _any(K.LABELLER, lambda p: p.labeller_type is LabellerType.AUTOMATED, lambda n, p: f"{n} labels automatically"),
    "in_house_labels": _any(K.LABELLER, lambda p: p.labeller_type is LabellerType.IN_HOUSE, lambda n, p: f"{n} is in-house staff"),
    "online_training": _any(K.TRAINER, lambda p: p.mode is TrainerMode.ONLINE, lambda n, p: f"{n} learns continually from live data"),
    "scheduled_training": _any(K.TRAINER, lambda p: p.mode is TrainerMode.SCHEDULED, lambda n, p: f"{n} retrains on a schedule"),
    "offline_training": _any(K.TRAINER, lambda p: p.mode is TrainerMode.OFFLINE, lambda n, p: f"{n} trains once, by hand"),
    "fine_tunes_third_party": _any(K.TRAINER, lambda p: p.fine_tunes_third_party, lambda n, p: f"{n} fine-tunes third-party weights"),
    "sensor_exposed": _exposed_sensor,
    "system_prompt_secrets": _model_prop(lambda p: p.system_prompt_secrets, lambda n, p: f"the system prompt of {n} holds secrets or rules"),
    "retrieval_not_permission_aware": _any(K.RETRIEVER, lambda p: not p.permission_aware, lambda n, p: f"{n} ignores the asking user's permissions"),
    "corpus_untrusted_writers": _any(K.RETRIEVER, lambda p: p.corpus_writers.rank < Access.INTERNAL.rank, lambda n, p: f"{p.corpus_writers.label} parties can write into the corpus of {n}"),
    "third_party_tool": _any(K.TOOL, lambda p: p.third_party, lambda n, p: f"{n} is supplied by a third party"),
    "holds_credentials": _any(K.PROCESS, lambda p: p.holds_credentials, lambda n, p: f"{n} holds credentials or API keys"),
    "renders_markup": _any(K.PROCESS, lambda p: p.renders_markup, lambda n, p: f"{n} renders markup, links or images"),
    "flow_source_untrusted": _subject_flow(_flow_source_untrusted, lambda c: f"{c.g.name(c.flow.source)} is {c.g.props[c.flow.source].access.label}"),
    "flow_from_outside": _subject_flow(lambda c, f: c.g.zone[f.source] is None, lambda c: f"{c.g.name(c.flow.source)} is outside every trust boundary"),
    "flow_carries_tool_calls": _subject_flow(lambda c, f: DataKind.TOOL_CALLS in f.carries, lambda c: f"{c.g.name(c.flow.id)} carries tool calls"),
    "store_not_encrypted": _store_unencrypted,
    # impact
    "decision_automated_at_scale": _decision(Decision.AUTOMATED_AT_SCALE),
    "decision_automated": _decision(Decision.AUTOMATED),
    "decision_human_reviewed": _decision(Decision.HUMAN_REVIEWED),
    "decision_informational": _decision(Decision.INFORMATIONAL),
    "decision_none": _decision(None),
    "criticality_critical": _criticality(Criticality.CRITICAL),
    "criticality_high": _criticality(Criticality.HIGH),
    "criticality_low": _criticality(Criticality.LOW),
    "moves_money": _action(ToolCapability.MOVE_MONEY),
    "executes_code": _action(ToolCapability.EXECUTE_CODE),
    "writes_data": _action(ToolCapability.WRITE),
    "sends_messages": _action(ToolCapability.SEND_MESSAGES),
    "personal_data": _personal,
    "restricted_data": _data(lambda p: p.sensitivity is Sensitivity.RESTRICTED, "holds restricted data"),
    "confidential_data": _data(lambda p: p.sensitivity is Sensitivity.CONFIDENTIAL, "holds confidential data"),
    "audience_anonymous": _audience_anonymous,
    "credentials_involved": _credentials,
    "flow_carries_sensitive": _subject_flow(_flow_sensitive, lambda c: f"{c.g.name(c.flow.id)} carries personal, confidential or credential data"),
    "flow_carries_credentials": _subject_flow(lambda c, f: DataKind.CREDENTIALS in f.carries, lambda c: f"{c.g.name(c.flow.id)} carries credentials"),
}
