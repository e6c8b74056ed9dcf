"""The analysis: match library entries to the model's facts, score, explain, order.

:func:`analyze` is pure: the same model and library give the same findings,
ids and order, byte for byte. It reads only its arguments; the one piece of
shared state is a bounded memo of finished findings keyed by everything that
went into them (guarded by a lock), which lets the editor re-analyse a large
model after a one-element edit without rebuilding thousands of unchanged
findings. The memo never changes a result, only how fast it arrives.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict

from app.analysis.context import FindingContext
from app.analysis.digest import model_digest
from app.analysis.drivers import DRIVERS
from app.analysis.facts import GraphFacts
from app.analysis.findings import AnalysisResult, Factor, Finding, Mitigation, Score, severity_of
from app.analysis.graph import ModelGraph
from app.analysis.narrative import business_impact, rationale
from app.knowledge import Library, ThreatEntry, load_library
from app.model.diagram import ReviewRecord, ThreatModel
from app.model.types import ReviewStatus

_MEMO_LIMIT = 200_000
_memo: OrderedDict[tuple, Finding] = OrderedDict()
_memo_lock = threading.Lock()


def analyze(model: ThreatModel, library: Library | None = None) -> AnalysisResult:
    """Analyse ``model`` with ``library`` (the bundled one when None).

    Findings come ordered by risk (highest first), then id. Thread-safe.
    """
    library = library if library is not None else load_library()
    graph = ModelGraph(model)
    facts = GraphFacts(graph)
    digests = _ContentDigests(graph)
    findings: list[Finding] = []
    for entry in library.threats:
        for subject, paths in _matches(entry, library, graph, facts):
            ctx = FindingContext(graph, facts, subject, entry.applies.to == "flow", paths)
            findings.append(_finding(entry, library, ctx, digests, model.reviews.get(_finding_id(entry.id, subject))))
    findings.sort(key=lambda f: (-f.risk, f.id))
    ids = {f.id for f in findings}
    orphans = tuple(k for k in model.reviews if k not in ids)
    return AnalysisResult(
        findings=tuple(findings),
        library_version=library.version,
        model_digest=model_digest(model),
        orphan_reviews=orphans,
    )


def _finding_id(threat_id: str, subject: str) -> str:
    """Stable id: the threat and the element or flow it lands on (both stable ids)."""
    return f"{threat_id}@{subject}"


# ------------------------------------------------------------------ matching
def _matches(entry: ThreatEntry, library: Library, g: ModelGraph, facts: GraphFacts):
    """Yield ``(subject, {fact: witness path})`` for every subject the entry applies to."""
    applies = entry.applies
    compiled = library.compiled(entry.id)
    required = [facts.get(f) for f in applies.facts]
    optional = [(name, facts.get(name)) for name in applies.any_facts]
    if required:
        candidates = list(required[0])
    elif optional:
        seen: dict[str, None] = {}
        for _, fact in optional:
            seen.update(dict.fromkeys(fact))
        candidates = list(seen)
    elif applies.to == "flow":
        candidates = list(g.flows)
    elif applies.kinds:
        candidates = [e for k in applies.kinds for e in g.of_kind(k)]
    else:
        candidates = list(g.elements)
    kinds = set(applies.kinds)
    for subject in candidates:
        if applies.to == "flow":
            flow = g.flows.get(subject)
            if flow is None or not _flow_conditions(compiled, g, flow):
                continue
        else:
            if subject not in g.elements or (kinds and g.kind[subject] not in kinds):
                continue
            props = g.props[subject]
            if not all(c.holds(getattr(props, c.key)) for c in compiled.where):
                continue
            if any(c.holds(getattr(props, c.key)) for c in compiled.unless):
                continue
        if not all(subject in f for f in required):
            continue
        paths = {name: fact.path(subject) for name, fact in zip(applies.facts, required)}
        if optional:
            held = [(n, f) for n, f in optional if subject in f and n not in paths]
            if not held and not any(n in paths for n, _ in optional):
                continue
            for name, fact in held:
                paths[name] = fact.path(subject)
        yield subject, paths


def _flow_value(g: ModelGraph, flow, key: str):
    if key == "carries":
        return flow.carries
    if key == "source_kind":
        return g.kind[flow.source]
    if key == "target_kind":
        return g.kind[flow.target]
    return getattr(flow.properties, key)


def _flow_conditions(compiled, g: ModelGraph, flow) -> bool:
    if not all(c.holds(_flow_value(g, flow, c.key)) for c in compiled.where):
        return False
    return not any(c.holds(_flow_value(g, flow, c.key)) for c in compiled.unless)


# ------------------------------------------------------------------ one finding
class _ContentDigests:
    """Per-analysis digests of element and flow content (not names or layout)."""

    def __init__(self, g: ModelGraph):
        self.g = g
        self._cache: dict[str, str] = {}

    def __call__(self, ident: str) -> str:
        d = self._cache.get(ident)
        if d is None:
            e = self.g.elements.get(ident)
            if e is not None:
                text = f"{e.kind}|{_values(e.properties)}|{e.controls!r}|{self.g.zone[ident]}"
            else:
                f = self.g.flows[ident]
                text = f"{f.source}>{f.target}|{_values(f.properties)}|{[c.value for c in f.carries]}|{f.controls!r}"
            d = self._cache[ident] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        return d


def _values(obj) -> str:
    """A stable text of a frozen properties object's field values (enum values, not reprs)."""
    return repr([getattr(v, "value", v) if not isinstance(v, tuple) else [getattr(x, "value", x) for x in v]
                 for v in obj.__dict__.values()])


def _finding(entry: ThreatEntry, library: Library, ctx: FindingContext, digests: _ContentDigests, review: ReviewRecord | None) -> Finding:
    g = ctx.g
    fid = _finding_id(entry.id, ctx.subject)
    decision_path = ctx.decision[1] if ctx.decision else ()
    action_path = ctx.action[1] if ctx.action else ()
    inputs = [library.entry_digest(entry.id), ctx.subject, "/".join(ctx.primary)]
    inputs += ["/".join(p) for p in ctx.paths.values()]
    inputs += ["d:" + "/".join(decision_path), "a:" + "/".join(action_path)]
    involved = dict.fromkeys((*ctx.ids, *decision_path, *action_path))
    inputs += [f"{i}={digests(i)}" for i in involved]
    fingerprint = hashlib.sha256("\n".join(inputs).encode("utf-8")).hexdigest()[:32]
    names = tuple(g.name(i) for i in involved)
    functions = tuple(g.props[i].business_function for i in involved if i in g.elements)
    key = (library.digest, fid, fingerprint, names, functions, g.model.info.name, review)
    with _memo_lock:
        hit = _memo.get(key)
        if hit is not None:
            _memo.move_to_end(key)
            return hit
    finding = _build(entry, library, ctx, fid, fingerprint, review)
    with _memo_lock:
        _memo[key] = finding
        if len(_memo) > _MEMO_LIMIT:
            _memo.popitem(last=False)
    return finding


def _factors(base: int, drivers: dict[str, int], ctx: FindingContext, what: str) -> tuple[Factor, ...]:
    # model_construct: every value is built here from validated inputs; validating again costs a third of the run
    out = [Factor.model_construct(name="base", delta=base, reason=f"base {what} of this threat")]
    for name, delta in drivers.items():
        reason = DRIVERS[name](ctx)
        if reason is not None:
            out.append(Factor.model_construct(name=name, delta=delta, reason=reason))
    return tuple(out)


def _clamp(value: int) -> int:
    return max(1, min(5, value))


def _build(entry: ThreatEntry, library: Library, ctx: FindingContext, fid: str, fingerprint: str, review: ReviewRecord | None) -> Finding:
    g = ctx.g
    lf = _factors(entry.likelihood.base, library.likelihood_drivers(entry), ctx, "likelihood")
    imf = _factors(entry.impact.base, library.impact_drivers(entry), ctx, "impact")
    likelihood = _clamp(sum(f.delta for f in lf))
    impact = _clamp(sum(f.delta for f in imf))
    risk = likelihood * impact
    declared: set[str] = set()
    for i in ctx.ids:
        obj = g.elements.get(i) or g.flows.get(i)
        declared.update(obj.controls)
    mitigations = []
    rl, ri = likelihood, impact
    for ref in library.mitigations(entry.id):
        control = library.controls[ref.control]
        in_place = ref.control in declared
        if in_place:
            rl += ref.likelihood
            ri += ref.impact
        mitigations.append(
            Mitigation.model_construct(
                control_id=control.id,
                name=control.name,
                atlas=control.atlas,
                in_place=in_place,
                description=control.description,
                likelihood_delta=ref.likelihood,
                impact_delta=ref.impact,
            )
        )
    rl, ri = _clamp(rl), _clamp(ri)
    status = review.status if review is not None else ReviewStatus.OPEN
    rereview = bool(
        review is not None and review.status is not ReviewStatus.OPEN and review.fingerprint and review.fingerprint != fingerprint
    )
    return Finding.model_construct(
        id=fid,
        threat_id=entry.id,
        title=entry.title,
        family=entry.family,
        description=entry.description,
        anchor=ctx.subject,
        element_ids=ctx.ids,
        path=ctx.primary,
        likelihood=likelihood,
        impact=impact,
        risk=risk,
        severity=severity_of(risk),
        likelihood_factors=lf,
        impact_factors=imf,
        rationale=rationale(ctx, entry.why),
        business_impact=business_impact(ctx, entry.business_impact, g.model.info.name, entry.family),
        atlas=entry.atlas,
        owasp=entry.owasp,
        stride=entry.stride,
        mitigations=tuple(mitigations),
        residual=Score.model_construct(likelihood=rl, impact=ri, risk=rl * ri, severity=severity_of(rl * ri)),
        status=status,
        justification=review.justification if review else "",
        owner=review.owner if review else "",
        review_date=review.date if review else "",
        fingerprint=fingerprint,
        needs_rereview=rereview,
        anchor_type=entry.applies.to,
        facts=tuple(ctx.paths),
        matrix=entry.matrix,
        decision_id=ctx.decision[0] if ctx.decision else "",
    )


def finding_json(finding: Finding) -> str:
    """Canonical JSON of one finding (used by tests and exports)."""
    return json.dumps(finding.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
