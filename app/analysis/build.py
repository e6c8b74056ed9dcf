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


_ALL_SET: dict[type, set[str]] = {}


def fast(cls, values: dict):
    """A frozen pydantic object from ``values`` (every field, in declaration order), unvalidated.

    Only for values built here from validated inputs; a test checks that the
    result equals the validated object. Every field is set, so all objects of a
    class share one fields-set (pydantic copies it before changing a copy's).
    """
    fields_set = _ALL_SET.get(cls)
    if fields_set is None:
        fields_set = _ALL_SET[cls] = set(cls.model_fields)
    obj = cls.__new__(cls)
    _OBJ_SET(obj, "__dict__", values)
    _OBJ_SET(obj, "__pydantic_fields_set__", fields_set)
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


_sets: dict[tuple, tuple[tuple[Mitigation, ...], int, int]] = {}


def _mitigation_set(library: Library, threat_id: str, ids: tuple[str, ...], controls: dict[str, tuple[str, ...]]):
    """The entry's mitigations, each marked in place when an involved element or flow
    declares it, and the likelihood and impact deltas of those in place."""
    refs = library.mitigations(threat_id)
    on = controls.keys() & ids  # usually empty: few elements declare controls
    if on:
        declared = set().union(*map(controls.__getitem__, on))
        pattern = tuple(ref.control in declared for ref in refs)
    else:
        pattern = ()
    key = (library.digest, threat_id, pattern)
    hit = _sets.get(key)
    if hit is None:
        marks = pattern or (False,) * len(refs)
        hit = (
            tuple(mitigation(library, r.control, m, r.likelihood, r.impact) for r, m in zip(refs, marks)),
            sum(r.likelihood for r, m in zip(refs, marks) if m),
            sum(r.impact for r, m in zip(refs, marks) if m),
        )
        with _shared_lock:
            if len(_sets) > 100_000:
                _sets.clear()
            _sets[key] = hit
    return hit


# drivers whose answer depends only on the finding's focus (its subject, or a flow's receiver)
FOCUS_ONLY = frozenset({
    "decision_automated_at_scale", "decision_automated", "decision_human_reviewed", "decision_informational",
    "decision_none", "criticality_critical", "criticality_high", "criticality_low", "moves_money",
    "executes_code", "writes_data", "sends_messages",
})


def clamp(value: int) -> int:
    return 1 if value < 1 else 5 if value > 5 else value


@functools.cache
def _base_factor(base: int, what: str) -> Factor:
    """The first factor of every finding, shared (frozen) like scores and mitigations."""
    return fast(Factor, {"name": "base", "delta": base, "reason": f"base {what} of this threat"})


_plans: dict[int, tuple[dict, tuple]] = {}


def _plan(drivers: dict[str, int]) -> tuple:
    """The drivers in order, runs of consecutive focus-only ones grouped: ``(block, items)``
    steps, ``block`` a small int naming a focus-only run (None for a single other driver)."""
    hit = _plans.get(id(drivers))
    if hit is not None and hit[0] is drivers:
        return hit[1]
    steps: list[tuple[int | None, tuple[tuple[str, int], ...]]] = []
    for name, delta in drivers.items():
        if name in FOCUS_ONLY and steps and steps[-1][0] is not None:
            steps[-1] = (steps[-1][0], steps[-1][1] + ((name, delta),))
        else:
            steps.append((0 if name in FOCUS_ONLY else None, ((name, delta),)))
    with _shared_lock:
        plan = tuple((None if b is None else _block_no(items), items) for b, items in steps)
        if len(_plans) > 10_000:  # two per entry of every library analysed in this process
            _plans.clear()
        _plans[id(drivers)] = (drivers, plan)  # holding drivers keeps its id from being reused
    return plan


_blocks: dict[tuple, int] = {}


def _block_no(items: tuple) -> int:
    return _blocks.setdefault(items, len(_blocks))


def _factors(base: int, drivers: dict[str, int], ctx: FindingContext, what: str) -> tuple[tuple[Factor, ...], int]:
    """The factors that hold, in the drivers' order, and their summed deltas.

    A run of focus-only drivers gives the same factors for every finding on the
    same focus: it is asked once per run and its (frozen) factors are shared.
    """
    out = [_base_factor(base, what)]
    total = base
    memo = ctx.facts.sentences
    for block, items in _plan(drivers):
        if block is not None:
            key = (block, ctx.focus)
            held = memo.get(key)
            if held is None:
                held = memo[key] = _held(items, ctx)
            out += held[0]
            total += held[1]
            continue
        name, delta = items[0]
        reason = DRIVERS[name](ctx)
        if reason is not None:
            out.append(fast(Factor, {"name": name, "delta": delta, "reason": reason}))
            total += delta
    return tuple(out), total


def _held(items: tuple[tuple[str, int], ...], ctx: FindingContext) -> tuple[tuple[Factor, ...], int]:
    out = []
    for name, delta in items:
        reason = DRIVERS[name](ctx)
        if reason is not None:
            out.append(fast(Factor, {"name": name, "delta": delta, "reason": reason}))
    return tuple(out), sum(f.delta for f in out)


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
    path_texts: dict[tuple[str, ...], str],
    fallback_function: str,
) -> tuple[Finding, frozenset[str]]:
    """The finding, and the ids of everything it depends on (for incremental re-analysis)."""
    g = ctx.g
    lf, likelihood = _factors(entry.likelihood.base, library.likelihood_drivers(entry), ctx, "likelihood")
    imf, impact = _factors(entry.impact.base, library.impact_drivers(entry), ctx, "impact")
    likelihood, impact = clamp(likelihood), clamp(impact)
    mitigations, rl, ri = _mitigation_set(library, entry.id, ctx.ids, g.controls)
    rl += likelihood
    ri += impact
    why = rationale(ctx, entry.why)
    stake = business_impact(ctx, entry.business_impact, fallback_function, entry.family)
    deps = dependencies(ctx)
    fingerprint = hashlib.sha256(
        "\n".join([library.entry_digest(entry.id), ctx.subject, *map(path_texts.__getitem__, deps)]).encode("utf-8")
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
            "mitigations": mitigations,
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
