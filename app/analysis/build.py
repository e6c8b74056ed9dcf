"""Building one finding: scores from drivers, residual after controls, texts, fingerprint.

Thousands of findings are built per analysis of a large model, so the frozen
result objects are assembled directly (:func:`fast`) from values this module
computed from validated inputs, instead of being validated a second time, and
objects that do not depend on the finding (mitigations, scores) are shared.
"""

from __future__ import annotations

import functools
import hashlib
import threading

from app.analysis.context import FindingContext
from app.analysis.drivers import DRIVERS
from app.analysis.facts import ACTION, DECISION
from app.analysis.findings import Factor, Finding, Mitigation, Score, severity_of
from app.analysis.narrative import business_impact, rationale
from app.knowledge import Library, ThreatEntry
from app.model.diagram import ReviewRecord
from app.model.types import ReviewStatus

_OBJ_SET = object.__setattr__


def fast(cls, values: dict):
    """A frozen pydantic object from ``values`` (every field, in declaration order), unvalidated.

    Only for values built here from validated inputs; a test checks that the
    result equals the validated object.
    """
    obj = cls.__new__(cls)
    _OBJ_SET(obj, "__dict__", values)
    _OBJ_SET(obj, "__pydantic_fields_set__", set(values))
    _OBJ_SET(obj, "__pydantic_extra__", None)
    _OBJ_SET(obj, "__pydantic_private__", None)
    return obj


_shared_lock = threading.Lock()
_scores: dict[tuple[int, int], Score] = {}
_mitigations: dict[tuple, Mitigation] = {}


def score(likelihood: int, impact: int) -> Score:
    key = (likelihood, impact)
    s = _scores.get(key)
    if s is None:
        risk = likelihood * impact
        s = fast(Score, {"likelihood": likelihood, "impact": impact, "risk": risk, "severity": severity_of(risk)})
        with _shared_lock:
            _scores[key] = s
    return s


def mitigation(library: Library, control_id: str, in_place: bool, dl: int, di: int) -> Mitigation:
    key = (library.digest, control_id, in_place, dl, di)
    m = _mitigations.get(key)
    if m is None:
        c = library.controls[control_id]
        m = fast(
            Mitigation,
            {"control_id": c.id, "name": c.name, "atlas": c.atlas, "in_place": in_place,
             "description": c.description, "likelihood_delta": dl, "impact_delta": di},
        )
        with _shared_lock:
            if len(_mitigations) > 100_000:
                _mitigations.clear()
            _mitigations[key] = m
    return m


# drivers whose answer depends only on the finding's focus (its subject, or a flow's receiver)
FOCUS_ONLY = frozenset({
    "decision_automated_at_scale", "decision_automated", "decision_human_reviewed", "decision_informational",
    "decision_none", "criticality_critical", "criticality_high", "criticality_low", "moves_money",
    "executes_code", "writes_data", "sends_messages",
})
_MISSING = object()


def clamp(value: int) -> int:
    return 1 if value < 1 else 5 if value > 5 else value


@functools.cache
def _base_factor(base: int, what: str) -> Factor:
    """The first factor of every finding, shared (frozen) like scores and mitigations."""
    return fast(Factor, {"name": "base", "delta": base, "reason": f"base {what} of this threat"})


def _factors(base: int, drivers: dict[str, int], ctx: FindingContext, what: str) -> tuple[Factor, ...]:
    out = [_base_factor(base, what)]
    memo = ctx.facts.sentences
    for name, delta in drivers.items():
        if name in FOCUS_ONLY:  # the same answer for every entry on this subject: ask once per run
            key = ("driver", name, ctx.focus)
            reason = memo.get(key, _MISSING)
            if reason is _MISSING:
                reason = memo[key] = DRIVERS[name](ctx)
        else:
            reason = DRIVERS[name](ctx)
        if reason is not None:
            out.append(fast(Factor, {"name": name, "delta": delta, "reason": reason}))
    return tuple(out)


def dependencies(ctx: FindingContext) -> tuple[tuple[str, ...], ...]:
    """Every path whose elements and flows the finding read (after drivers ran)."""
    deps = [ctx.primary, *ctx.paths.values(), *ctx.consulted]
    if ctx.decision:
        deps.append(ctx.decision[1])
    if ctx.action:
        deps.append(ctx.action[1])
    return tuple(deps)


def build_finding(
    entry: ThreatEntry,
    library: Library,
    ctx: FindingContext,
    fid: str,
    review: ReviewRecord | None,
    path_digest,
    fallback_function: str,
) -> tuple[Finding, frozenset[str]]:
    """The finding, and the ids of everything it depends on (for incremental re-analysis)."""
    g = ctx.g
    lf = _factors(entry.likelihood.base, library.likelihood_drivers(entry), ctx, "likelihood")
    imf = _factors(entry.impact.base, library.impact_drivers(entry), ctx, "impact")
    likelihood = clamp(sum(f.delta for f in lf))
    impact = clamp(sum(f.delta for f in imf))
    declared = set().union(*map(g.controls.__getitem__, ctx.ids))
    mitigations = []
    rl, ri = likelihood, impact
    for ref in library.mitigations(entry.id):
        in_place = ref.control in declared
        if in_place:
            rl += ref.likelihood
            ri += ref.impact
        mitigations.append(mitigation(library, ref.control, in_place, ref.likelihood, ref.impact))
    why = rationale(ctx, entry.why)
    stake = business_impact(ctx, entry.business_impact, fallback_function, entry.family)
    deps = dependencies(ctx)
    fingerprint = hashlib.sha256(
        "\n".join([library.entry_digest(entry.id), ctx.subject, *map(path_digest, deps)]).encode("utf-8")
    ).hexdigest()[:32]
    status = review.status if review is not None else ReviewStatus.OPEN
    rereview = bool(
        review is not None and review.status is not ReviewStatus.OPEN and review.fingerprint and review.fingerprint != fingerprint
    )
    risk = likelihood * impact
    finding = fast(
        Finding,
        {
            "id": fid,
            "threat_id": entry.id,
            "title": entry.title,
            "family": entry.family,
            "description": entry.description,
            "anchor": ctx.subject,
            "element_ids": ctx.ids,
            "path": ctx.primary,
            "likelihood": likelihood,
            "impact": impact,
            "risk": risk,
            "severity": severity_of(risk),
            "likelihood_factors": lf,
            "impact_factors": imf,
            "rationale": why,
            "business_impact": stake,
            "atlas": entry.atlas,
            "owasp": entry.owasp,
            "stride": entry.stride,
            "mitigations": tuple(mitigations),
            "residual": score(clamp(rl), clamp(ri)),
            "status": status,
            "justification": review.justification if review else "",
            "owner": review.owner if review else "",
            "review_date": review.date if review else "",
            "fingerprint": fingerprint,
            "needs_rereview": rereview,
            "anchor_type": entry.applies.to,
            "facts": tuple(ctx.paths),
            "matrix": entry.matrix,
            "decision_id": ctx.decision[0] if ctx.decision else "",
        },
    )
    return finding, frozenset().union(*deps)


def reads(entry: ThreatEntry, ctx: FindingContext) -> tuple[tuple[str, str], ...]:
    """Every fact answer the finding was built from, as ``(fact, subject)`` (see ``GraphFacts.changed_answers``).

    The entry's own facts count whether they held or not (an optional fact that
    starts to hold adds a path); the decision and action of the focus are read
    by every finding (its fingerprint covers them).
    """
    applies = entry.applies
    subject = ctx.subject
    out = [(name, subject) for name in (*applies.facts, *applies.any_facts)]
    out += ctx.reads
    out.append((DECISION, ctx.focus))
    out.append((ACTION, ctx.focus))
    return tuple(dict.fromkeys(out))
