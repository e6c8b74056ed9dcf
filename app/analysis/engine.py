"""The analysis: match library entries to the model's facts, score, explain, order.

:func:`analyze` is pure: the same model and library give the same findings,
ids and order, byte for byte, however it got there.

Re-analysis is incremental. The last run's graph facts and findings are kept
(one snapshot, replaced whole under a lock, never mutated). When the next
model has the same *structure* (the element kinds and properties facts read,
the flows' ends and data, the boundaries), its facts are the last run's.
Otherwise the facts are recomputed and each is compared with the last run's
(:meth:`GraphFacts.adopt`): unchanged facts are kept. A finding is rebuilt
only when one of the elements or flows it depends on changed (compared by
identity: the editor's snapshots share untouched objects), a fact answer it
read changed, or its review record did. Tests check, over random edit
sequences with structural edits, that incremental and full runs agree.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import threading
from dataclasses import dataclass
from operator import attrgetter
from typing import Callable

from app.analysis.build import build_finding, fast, reads
from app.analysis.context import FindingContext
from app.analysis.fact_reads import FLOWS, ZONES
from app.analysis.facts import GraphFacts
from app.analysis.findings import AnalysisResult, Finding
from app.analysis.graph import ModelGraph
from app.knowledge import Library, ThreatEntry, load_library
from app.model.diagram import ThreatModel
from app.model.elements import PROPERTY_CLASSES, Flow
from app.model.types import ElementKind

# Element properties the graph facts read (tests check facts.py reads no other).
FACT_FIELDS = (
    "access", "human", "role", "physically_exposed", "corpus_writers", "source", "third_party", "sensitivity",
    "personal_data", "labeller_type", "origin", "fine_tunes_third_party", "model_type", "capabilities",
    "human_approval", "decision", "criticality", "store_type", "mode",
)


def analyze(model: ThreatModel, library: Library | None = None) -> AnalysisResult:
    """Analyse ``model`` with ``library`` (the bundled one when None).

    Findings come ordered by risk (highest first), then id. Thread-safe.
    """
    library = library if library is not None else load_library()
    # The run allocates many small objects that all live to its end; generational
    # GC would scan the whole (large) heap again and again for nothing. Pause it
    # for the run and restore the caller's setting after.
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _analyze(model, library)
    finally:
        if paused:
            gc.enable()


def _analyze(model: ThreatModel, library: Library) -> AnalysisResult:
    signature = _structure(model)
    with _state_lock:
        last = _state
    run = _Run(model, library, signature, last)
    findings = run.findings()
    findings.sort(key=_ID)  # then by risk, highest first; sorts are stable: equal risks stay in id order
    findings.sort(key=_RISK, reverse=True)
    ids = {f.id for f in findings}
    result = fast(
        AnalysisResult,
        {
            "findings": tuple(findings),
            "library_version": library.version,
            "orphan_reviews": tuple(k for k in model.reviews if k not in ids),
        },
    )
    _remember(run)
    return result


_ID, _RISK = attrgetter("id"), attrgetter("risk")


def finding_id(threat_id: str, subject: str) -> str:
    """Stable id: the threat and the element or flow it lands on (both stable ids)."""
    return f"{threat_id}@{subject}"


# ------------------------------------------------------------------ incremental state
# A built finding, the ids of every element and flow it read, the fact answers it read
# and the names of those facts (to skip the answers when none of them changed).
_Built = tuple[Finding, frozenset[str], tuple[tuple[str, str], ...], frozenset[str]]


_Key = tuple[str, str]  # (threat, subject)


@dataclass(frozen=True)
class _Snapshot:
    library_digest: str
    signature: tuple
    info_name: str
    facts: GraphFacts  # facts.g: the graph, with the elements and flows last analysed
    reviews: dict[str, object]
    built: dict[_Key, "_Built"]  # (threat, subject) -> finding, dependencies, fact reads, facts read


_state: _Snapshot | None = None
_state_lock = threading.Lock()
_sig_cache: dict[int, tuple[object, tuple]] = {}


def _remember(run: "_Run") -> None:
    global _state
    snap = _Snapshot(
        run.library.digest, run.signature, run.model.info.name, run.facts, dict(run.model.reviews),
        run.built,
    )
    with _state_lock:
        _state = snap


@functools.cache
def _fact_fields(cls: type) -> tuple[str, ...]:
    """The fact fields a properties class has, in ``FACT_FIELDS`` order."""
    return tuple(f for f in FACT_FIELDS if f in cls.model_fields)


@functools.cache
def _fact_values(cls: type) -> Callable[[object], tuple]:
    """Reads the fact fields a properties class has (asking for a missing one costs an exception)."""
    present = _fact_fields(cls)
    if len(present) > 1:
        return attrgetter(*present)
    return (lambda p: ()) if not present else (lambda p: (getattr(p, present[0]),))


def _element_signature(e) -> tuple:
    """What the graph facts read of one element, memoised by object identity."""
    hit = _sig_cache.get(id(e))
    if hit is not None and hit[0] is e:
        return hit[1]
    p = e.properties
    sig = (e.id, e.kind, _fact_values(type(p))(p))
    if len(_sig_cache) > 400_000:
        _sig_cache.clear()
    _sig_cache[id(e)] = (e, sig)  # holding e keeps its id from being reused
    return sig


def _edited(a: tuple, b: tuple) -> frozenset[str] | None:
    """What changed between two structure signatures, named as ``fact_reads.READS`` names it;
    None when elements were added, removed, reordered or re-kinded (every fact may change)."""
    ea, eb = a[0], b[0]
    if len(ea) != len(eb):
        return None
    out: set[str] = set()
    for x, y in zip(ea, eb) if ea is not eb else ():
        if x is y:
            continue
        if x[0] != y[0] or x[1] != y[1]:
            return None
        if x[2] != y[2]:
            names = _fact_fields(PROPERTY_CLASSES[ElementKind(x[1])])
            out.update(f"{x[1]}.{n}" for n, u, v in zip(names, x[2], y[2]) if u != v)
    if a[1] != b[1]:
        out.add(FLOWS)
    if a[2] != b[2]:
        out.add(ZONES)
    return frozenset(out)


_parts: dict[str, tuple[object, tuple]] = {}  # "elements" / "flows" -> (the model's tuple, its signature)


def _structure(model: ThreatModel) -> tuple:
    """What the graph facts read of the model. The editor's snapshots share untouched
    tuples: the signature of the very elements (or flows) of the last call is reused."""
    elements, flows = model.elements, model.flows
    hit = _parts.get("elements")
    if hit is not None and hit[0] is elements:
        e_sig = hit[1]
    else:
        e_sig = tuple(_element_signature(e) for e in elements)
        _parts["elements"] = (elements, e_sig)
    hit = _parts.get("flows")
    if hit is not None and hit[0] is flows:
        f_sig = hit[1]
    else:
        f_sig = tuple((f.id, f.source, f.target, f.carries) for f in flows)
        _parts["flows"] = (flows, f_sig)
    return e_sig, f_sig, model.boundaries


class _Run:
    """One analysis: full, or incremental on top of the last snapshot."""

    def __init__(self, model: ThreatModel, library: Library, signature: tuple, last: _Snapshot | None):
        self.model = model
        self.library = library
        self.signature = signature
        self.built: dict[tuple[str, str], _Built] = {}
        self._content = _Contents(self)  # id -> content digest
        self._path_texts = _PathTexts(self)  # path -> fingerprint text
        self._gained: dict[str, frozenset[str]] = {}
        self.changed_facts: frozenset[str] = frozenset()
        self.changed: set[str] = set()
        self.last = last if (
            last is not None and last.library_digest == library.digest and last.info_name == model.info.name
        ) else None
        last = self.last
        if last is None:  # a full run
            self.graph = ModelGraph(model)
            self.facts = GraphFacts(self.graph)
            return
        if last.signature == signature:  # same structure: the facts are the last run's
            self.graph = last.facts.g.rebind(model)
            self.facts = last.facts.rebind(self.graph)
        else:  # a structural edit: recompute the facts, keep those that came out the same
            self.graph = ModelGraph(model, last.facts.g)
            self.facts = GraphFacts(self.graph)
            self.changed_facts = self.facts.adopt(last.facts, _edited(last.signature, signature))
        g, old = self.graph, last.facts.g
        changed = self.changed
        if g.elements is not old.elements:
            changed |= _replaced(g.elements, old.elements)
        flows = g.flows_replaced_since(old.flows)  # known when the graph was built as an edit of old's
        changed |= flows if flows is not None else _replaced(g.flows, old.flows)
        if last.signature != signature:
            self._structural_changes(old)

    def _structural_changes(self, old) -> None:
        """Add what else a structural edit touched: elements whose trust zone (or its name)
        changed, and every flow with a changed end (flow entries read their ends' kinds)."""
        g, changed = self.graph, self.changed
        if self.model.boundaries is not old.model.boundaries or g.zone is not old.zone:
            old_b = {b.id: b for b in old.model.boundaries}
            new_b = {b.id: b for b in self.model.boundaries}
            renamed = {i for i in old_b.keys() | new_b.keys() if old_b.get(i) is not new_b.get(i)}
            for e, zone in g.zone.items():
                before = old.zone.get(e, zone)
                if zone != before or (zone is not None and zone in renamed):
                    changed.add(e)
        ends = []
        for graph in (g, old):
            for e in [i for i in changed if i in graph.elements]:
                ends += [f.id for f in graph.out[e]]
                ends += [f.id for f in graph.inc[e]]
        changed.update(ends)

    # -------------------------------------------------------------- findings
    def findings(self) -> list[Finding]:
        if self.last is None:
            out: list[Finding] = []
            for entry in self.library.threats:
                for subject, paths in _matches(entry, self.library, self.graph, self.facts):
                    out.append(self._build(entry, subject, paths))
            return out
        return self._incremental()

    def _incremental(self) -> list[Finding]:
        """Keep every finding no input of which changed; match the others again; match what is new.

        A finding's inputs are the elements and flows it read (compared by identity:
        the editor's snapshots share untouched objects), the fact answers it read
        and its review. A finding with a changed input is matched again (it may no
        longer apply) and rebuilt. New subjects are the changed elements and flows,
        and those a changed fact now holds for.
        """
        last = self.last
        assert last is not None
        changed, changed_facts = self.changed, self.changed_facts
        reviewed = self._changed_reviews()
        built: dict[_Key, _Built] = {}
        again: list[_Key] = []
        unsure: list[tuple[_Key, _Built]] = []  # read a fact that changed: kept if its answers did not
        for key, b in last.built.items():
            if not b[1].isdisjoint(changed) or key in reviewed:
                again.append(key)
            elif b[3].isdisjoint(changed_facts):
                built[key] = b
            else:
                unsure.append((key, b))
        if unsure:
            # each answer read is compared once, however many findings read it
            asked: dict[str, list[str]] = {}
            for fact, subject in set().union(*[b[2] for _, b in unsure]):
                if fact in changed_facts:
                    asked.setdefault(fact, []).append(subject)
            differ = {
                (fact, s) for fact, subjects in asked.items()
                for s in self.facts.changed_answers(last.facts, fact, subjects)
            }
            for key, b in unsure:
                if differ.isdisjoint(b[2]):
                    built[key] = b
                else:
                    again.append(key)
        library = self.library
        for key in again:
            entry = library.get(key[0])
            paths = _match_one(entry, library, self.graph, self.facts, key[1])
            if paths is not None:  # still applies: rebuild it
                self._build(entry, key[1], paths, built)
        for entry in library.threats:
            fresh = set(changed)
            for name in (*entry.applies.facts, *entry.applies.any_facts):
                if name in changed_facts:
                    fresh |= self._gained_by(name)
            for subject in sorted(fresh):
                key = (entry.id, subject)
                if key in last.built:  # kept or matched again above
                    continue
                paths = _match_one(entry, library, self.graph, self.facts, subject)
                if paths is not None:
                    self._build(entry, subject, paths, built)
        self.built = built
        return [b[0] for b in built.values()]

    def _changed_reviews(self) -> set[_Key]:
        """Findings whose review record is not the very one of the last run."""
        now, before = self.model.reviews, self.last.reviews  # type: ignore[union-attr]
        out: set[_Key] = set()
        for fid in (now.keys() | before.keys()) if now is not before else ():
            if now.get(fid) is not before.get(fid):
                threat, _, subject = fid.partition("@")
                out.add((threat, subject))
        return out

    def _gained_by(self, name: str) -> frozenset[str]:
        """Subjects fact ``name`` holds for now and did not hold for in the last run."""
        gained = self._gained.get(name)
        if gained is None:
            assert self.last is not None
            before = self.last.facts.get(name)
            gained = self._gained[name] = frozenset(s for s in self.facts.get(name) if s not in before)
        return gained

    def _build(self, entry: ThreatEntry, subject: str, paths: dict, into: dict | None = None) -> Finding:
        fid = finding_id(entry.id, subject)
        ctx = FindingContext(self.graph, self.facts, subject, entry.applies.to == "flow", paths)
        finding, deps = build_finding(
            entry, self.library, ctx, fid, self.model.reviews.get(fid), self._path_texts, self.model.info.name
        )
        read = reads(entry, ctx)
        (self.built if into is None else into)[(entry.id, subject)] = (
            finding, deps, read, frozenset(fact for fact, _ in read)
        )
        return finding

    # -------------------------------------------------------------- fingerprints
    def _content_digest(self, ident: str) -> str:
        """Digest of what an element or flow is (not its name, description or layout)."""
        g = self.graph
        obj = g.elements.get(ident) or g.flows[ident]
        d = _object_digest(obj)
        if ident in g.zone:  # an element's trust zone is part of what it is
            d += "|" + (g.zone[ident] or "")
        return d


class _PathTexts(dict):
    """The fingerprint text of each path, made on first use: its ids, then what each of them is.

    Not hashed here: a finding hashes its paths' texts once, together.
    """

    def __init__(self, run: _Run):
        super().__init__()
        self._content = run._content

    def __missing__(self, path: tuple[str, ...]) -> str:
        d = self[path] = "/".join(path) + "#" + "".join(map(self._content.__getitem__, path))
        return d


class _Contents(dict):
    """Content digests of one run's elements and flows, each computed on first use."""

    def __init__(self, run: _Run):
        super().__init__()
        self._run = run

    def __missing__(self, ident: str) -> str:
        d = self[ident] = self._run._content_digest(ident)
        return d


def _replaced(now: dict[str, object], then: dict[str, object]) -> set[str]:
    """Ids whose object is not the very one it was, or that are new or gone."""
    out = {i for i, obj in now.items() if then.get(i) is not obj}
    out.update(i for i in then if i not in now)
    return out


_digest_cache: dict[int, tuple[object, str]] = {}
_by_value: dict[tuple, str] = {}  # (kind, property values, controls) -> an element's digest; for a flow, its text after the ends


def _object_digest(obj) -> str:
    """Content digest of one element or flow, memoised by object identity across runs.

    Many objects have equal content (an element's digest does not include its
    id, and many flows carry the same data with the same properties): the text
    behind a digest is printed once per distinct value.
    """
    hit = _digest_cache.get(id(obj))
    if hit is not None and hit[0] is obj:
        return hit[1]
    if type(obj) is not Flow:  # an element (hasattr would raise and catch on every flow)
        p = obj.properties  # keyed by its values: pydantic's own equality is slow
        key = (obj.kind, type(p), tuple(p.__dict__.values()), obj.controls)
        d = _by_value.get(key)
        if d is None:
            d = _by_value[key] = _sha16(f"{obj.kind}|{_values(obj.properties)}|{obj.controls!r}")
    else:
        p = obj.properties
        key = (None, type(p), tuple(p.__dict__.values()), obj.carries, obj.controls)
        tail = _by_value.get(key)
        if tail is None:
            tail = _by_value[key] = f"|{_values(obj.properties)}|{[c.value for c in obj.carries]}|{obj.controls!r}"
        d = _sha16(f"{obj.source}>{obj.target}{tail}")
    if len(_digest_cache) > 400_000:
        _digest_cache.clear()
    if len(_by_value) > 100_000:
        _by_value.clear()
    _digest_cache[id(obj)] = (obj, d)  # holding obj keeps its id from being reused
    return d


def _sha16(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _values(obj) -> str:
    """A stable text of a frozen properties object's field values (enum values, not reprs)."""
    return repr([getattr(v, "value", v) if not isinstance(v, tuple) else [getattr(x, "value", x) for x in v]
                 for v in obj.__dict__.values()])


# ------------------------------------------------------------------ matching
def _matches(entry: ThreatEntry, library: Library, g: ModelGraph, facts: GraphFacts):
    """Yield ``(subject, {fact: witness path})`` for every subject the entry applies to."""
    applies = entry.applies
    required = [facts.get(f) for f in applies.facts]
    optional = [facts.get(name) for name in applies.any_facts]
    if required:
        candidates = list(required[0])
    elif optional:
        seen: dict[str, None] = {}
        for fact in optional:
            seen.update(dict.fromkeys(fact))
        candidates = list(seen)
    elif applies.to == "flow":
        candidates = list(g.flows)
    elif applies.kinds:
        candidates = [e for k in applies.kinds for e in g.of_kind(k)]
    else:
        candidates = list(g.elements)
    for subject in candidates:
        paths = _match_one(entry, library, g, facts, subject)
        if paths is not None:
            yield subject, paths


def _match_one(entry: ThreatEntry, library: Library, g: ModelGraph, facts: GraphFacts, subject: str) -> dict | None:
    """The entry's fact paths for ``subject``, or None when the entry does not apply to it."""
    applies = entry.applies
    compiled = library.compiled(entry.id)
    if applies.to == "flow":
        flow = g.flows.get(subject)
        if flow is None or not _flow_conditions(compiled, g, flow):
            return None
    else:
        if subject not in g.elements or (applies.kinds and g.kind[subject] not in applies.kinds):
            return None
        props = g.props[subject]
        for c in compiled.where:
            if not c.holds(getattr(props, c.key)):
                return None
        for c in compiled.unless:
            if c.holds(getattr(props, c.key)):
                return None
    paths: dict[str, tuple[str, ...]] = {}
    for name in applies.facts:
        fact = facts.get(name)
        if subject not in fact:
            return None
        paths[name] = fact.path(subject)
    if applies.any_facts:
        held = False
        for name in applies.any_facts:
            fact = facts.get(name)
            if subject in fact:
                held = True
                if name not in paths:
                    paths[name] = fact.path(subject)
        if not held:
            return None
    return paths


def _flow_value(g: ModelGraph, flow, key: str):
    if key == "carries":
        return flow.carries
    if key == "source_kind":
        return g.kind[flow.source]
    if key == "target_kind":
        return g.kind[flow.target]
    if key in ("source_role", "target_role"):
        end = flow.source if key == "source_role" else flow.target
        return g.props[end].role if g.kind[end] is ElementKind.PROCESS else None
    return getattr(flow.properties, key)


def _flow_conditions(compiled, g: ModelGraph, flow) -> bool:
    if not all(c.holds(_flow_value(g, flow, c.key)) for c in compiled.where):
        return False
    return not any(c.holds(_flow_value(g, flow, c.key)) for c in compiled.unless)
