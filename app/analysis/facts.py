"""Graph facts: what untrusted input reaches, where training data goes, what outputs drive.

Each fact is computed for the whole model at once with a levelled
multi-source BFS (:mod:`app.analysis.reach`) or from strongly connected
components, in O(V + E), and gives every subject it holds for one witness
path. Which flows a search may follow and which elements it may pass
through are computed up front as sets, so the search itself is a tight loop.
Paths are built lazily: only subjects that end up in a finding pay for theirs.

The names and meanings are listed in :mod:`app.knowledge.vocabulary`;
``FACT_BUILDERS`` must implement exactly those.
"""

from __future__ import annotations

import operator
from typing import Callable, Iterator

from app.analysis.graph import (
    CONTENT_KINDS,
    CONTEXT_KINDS,
    DS,
    DT,
    LB,
    PROMPT_KINDS,
    RT,
    TL,
    TR,
    A,
    M,
    ModelGraph,
    P,
    mask,
)
from app.analysis.fact_reads import READS
from app.analysis.lazy import lazy
from app.analysis.reach import DIST, LEVEL, ORIGIN, PARENT, Trace, levelled_bfs, path_of, simple_cycle
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
    ProcessRole,
    Sensitivity,
    StoreType,
    ToolCapability,
    TrainerMode,
)

UNTRUSTED_RANKS = (Access.ANONYMOUS.rank, Access.AUTHENTICATED.rank, Access.PARTNER.rank)
TRAINING_ENTRY = mask({DataKind.MODEL_WEIGHTS, DataKind.TRAINING_DATA, DataKind.LABELS, DataKind.FEEDBACK})
WEIGHTS = mask({DataKind.MODEL_WEIGHTS})
CAPTURE = mask({DataKind.SENSOR_DATA, DataKind.QUERIES})
TRAINING_PIPELINE = frozenset({DT, LB, TR})
# decision levels, worst first: (decision, criticality) pairs
DECISION_LEVELS = tuple(
    (d, c)
    for d in (Decision.AUTOMATED_AT_SCALE, Decision.AUTOMATED, Decision.HUMAN_REVIEWED, Decision.INFORMATIONAL)
    for c in (Criticality.CRITICAL, Criticality.HIGH, Criticality.MEDIUM, Criticality.LOW)
)
REVIEWED_LEVELS = 12  # levels below this are human-reviewed or more consequential
# Names for what findings read besides the facts: the decision / the action an element drives.
DECISION, ACTION = "@decision", "@action"


class Fact:
    """Subjects a fact holds for, with a witness path each (built on demand).

    ``key`` is everything the paths are built from (traces, a ``via`` table):
    two facts with equal levels and equal keys give every subject the same
    path, which is how re-analysis after a structural edit keeps a fact that
    did not change, paths built so far included.
    """

    def __init__(
        self,
        levels: dict[str, int],
        build: Callable[[str], tuple[str, ...]],
        key: object = None,
        traces: dict[str, Trace] | None = None,
        prefixes: dict[str, tuple[str, ...]] | None = None,
        witness: Callable[[str], tuple] | None = None,
    ):
        self._levels = levels
        self._build = build
        self._key = key
        self._paths: dict[str, tuple[str, ...]] = {}
        # a fact whose paths are trace chains (behind a prefix per origin): answers compare chain by chain
        self.traces = traces
        self.prefixes = prefixes
        # or: what a subject's path is built from; the same objects give the same path
        self.witness = witness

    def same_as(self, other: "Fact") -> bool:
        """Holds for the same subjects, at the same levels, with the same witness paths."""
        return self._levels == other._levels and self._key == other._key

    def __contains__(self, subject: str) -> bool:
        return subject in self._levels

    def __iter__(self) -> Iterator[str]:
        return iter(self._levels)

    def __len__(self) -> int:
        return len(self._levels)

    def path(self, subject: str) -> tuple[str, ...]:
        p = self._paths.get(subject)
        if p is None:
            p = self._paths[subject] = self._build(subject)
        return p

    def level(self, subject: str) -> int:
        return self._levels[subject]


def _from_traces(traces: dict[str, Trace], subjects, *, reverse: bool = False, prefix=None) -> Fact:
    """A fact holding for ``subjects`` (nodes of ``traces``), witnessed by the traces' paths."""
    levels = {n: traces[n][LEVEL] for n in subjects}
    if prefix is not None:  # prefixes read the graph: fix them now, so the key decides every path
        prefixes = {traces[n][ORIGIN]: None for n in subjects}
        prefixes = {o: prefix(o) for o in prefixes}

        def build(node: str) -> tuple[str, ...]:
            p = path_of(traces, node, reverse=reverse)
            return prefixes[p[0]] + p

        return Fact(levels, build, (traces, reverse, prefixes), traces, prefixes)

    def build_plain(node: str) -> tuple[str, ...]:
        return path_of(traces, node, reverse=reverse)

    return Fact(levels, build_plain, (traces, reverse), traces)


class GraphFacts:
    """Every fact of one model, each computed on first use."""

    def __init__(self, graph: ModelGraph):
        self.g = graph
        g = graph
        self.models = [m for m in g.of_kind(M)]
        self.model_set = frozenset(self.models)

    @lazy
    def humans(self) -> frozenset[str]:
        g = self.g
        return frozenset(a for a in g.of_kind(A) if g.props[a].human)

    def get(self, name: str) -> Fact:
        return getattr(self, name)

    @lazy
    def sentences(self) -> dict:
        """Memo of fact sentences for one run (names may differ between runs: not shared by rebind)."""
        return {}

    def rebind(self, graph: ModelGraph) -> "GraphFacts":
        """These facts for another model of the same structure (same ids, kinds, fact inputs, flows).

        Everything computed so far is shared: facts are ids and paths, which the
        structure alone decides. Names and properties are read from ``graph``.
        """
        new = GraphFacts.__new__(GraphFacts)
        new.__dict__.update(self.__dict__)
        new.__dict__.pop("sentences", None)  # sentences hold names, which may have changed
        new.__dict__.pop("_chains", None)
        new.g = graph
        return new

    def adopt(self, old: "GraphFacts", edited: frozenset[str] | None = None) -> frozenset[str]:
        """Compute every fact ``old`` computed; keep old's where nothing changed. Returns what changed.

        For re-analysis after a structural edit: a fact with the same subjects,
        levels and witness data is replaced by the old object (its built paths
        come with it), so findings that read only unchanged facts can be kept.
        ``edited``: what the edit changed, as :data:`READS` names it (None:
        elements were added, removed or re-kinded); a fact that reads none of it
        is taken over without being computed again.
        ``DECISION`` and ``ACTION`` stand for :meth:`decision_of` and :meth:`action_of`.
        """
        changed: set[str] = set()
        mine, theirs = self.__dict__, old.__dict__

        def untouched(name: str) -> bool:
            return edited is not None and READS[name].isdisjoint(edited)

        for name in FACT_BUILDERS:
            before = theirs.get(name)
            if before is None:  # never computed, so nothing read it
                continue
            if untouched(name) or getattr(self, name).same_as(before):
                mine[name] = before
            else:
                changed.add(name)
        for label, traces, seen in ((DECISION, "_decision_traces", "_decisions_seen"),
                                    (ACTION, "action_traces", "_actions_seen")):
            if traces not in theirs:
                continue
            if untouched(traces) or getattr(self, traces) == theirs[traces]:
                mine[traces] = theirs[traces]
                if seen in theirs:
                    mine[seen] = theirs[seen]  # ids and paths only: valid for equal traces
            else:
                changed.add(label)
        return frozenset(changed)

    def same_answer(self, old: "GraphFacts", name: str, subject: str) -> bool:
        """Whether a finding that read ``name`` for ``subject`` would read the same here as in
        ``old``: the fact's witness path (or that it does not hold), or the decision / action
        ``subject`` drives (``DECISION``, ``ACTION``).

        Trace-built answers are compared trace by trace along the witness chain,
        memoised per pair of searches, so a search that changed in one corner
        costs one pass, not one path per subject.
        """
        if name == DECISION or name == ACTION:
            attr = "_decision_traces" if name == DECISION else "action_traces"
            return self._same_chain(old.__dict__[attr], getattr(self, attr), subject)
        a, b = old.get(name), self.get(name)
        held = subject in b
        if (subject in a) is not held:
            return False
        if not held:
            return True
        if a.witness is not None and b.witness is not None:
            wa, wb = a.witness(subject), b.witness(subject)
            if len(wa) == len(wb) and all(map(operator.is_, wa, wb)):
                return True
        if a.traces is None or b.traces is None or a.level(subject) != b.level(subject):
            return a.path(subject) == b.path(subject)
        if a.prefixes is not None or b.prefixes is not None:
            origin = b.traces[subject][ORIGIN]
            if a.prefixes is None or b.prefixes is None or a.prefixes.get(origin) != b.prefixes.get(origin):
                return a.path(subject) == b.path(subject)
        return self._same_chain(a.traces, b.traces, subject)

    def _same_chain(self, a: dict[str, Trace], b: dict[str, Trace], node: str) -> bool:
        """``node`` is in both searches, or in neither, with equal traces all along its chain."""
        if a is b:
            return True
        memo = self._chains.setdefault((id(a), id(b)), {})
        walked = []
        while True:
            same = memo.get(node)
            if same is not None:
                break
            ta, tb = a.get(node), b.get(node)
            walked.append(node)
            if ta != tb:
                same = False
                break
            if ta is None or ta[PARENT] is None:
                same = True
                break
            node = ta[PARENT]
        for n in walked:
            memo[n] = same
        return same

    @lazy
    def _chains(self) -> dict[tuple[int, int], dict[str, bool]]:
        """Memo of :meth:`_same_chain`: (searches) -> node -> same chain (one run's, not shared by rebind)."""
        return {}

    # ------------------------------------------------------------ shared sets
    def _subjects(self, traces: dict[str, Trace], among) -> list[str]:
        """Nodes of ``among`` reached at distance > 0."""
        return [n for n in among if n in traces and traces[n][DIST] > 0]

    @lazy
    def _inference_edges(self) -> set[str]:
        g = self.g
        return {fid for fid in g.flows if g.inference(fid)}

    @lazy
    def _training_edges(self) -> set[str]:
        """Flows training influence follows: anything, but into a model only as weights, data or labels."""
        g, models = self.g, self.model_set
        return {fid for fid, f in g.flows.items() if f.target not in models or g.fmask[fid] & TRAINING_ENTRY}

    @lazy
    def _not_training_or_human(self) -> set[str]:
        g = self.g
        return {e for e, k in g.kind.items() if k not in TRAINING_PIPELINE and e not in self.humans}

    def _untrusted_levels(self, element_seeds: Callable[[int], list[str]], actor_filter=None) -> list[list[str]]:
        """Per untrusted rank: non-human actors, human actors, then other seeds."""
        g = self.g
        levels: list[list[str]] = []
        for rank in UNTRUSTED_RANKS:
            actors = [a for a in g.of_kind(A) if g.rank[a] == rank and (actor_filter is None or actor_filter(a))]
            levels.append([a for a in actors if a not in self.humans])
            levels.append([a for a in actors if a in self.humans])
            levels.append(element_seeds(rank))
        return levels

    def _open_entry_points(self, rank: int) -> list[str]:
        """Non-actor elements of this access rank nobody is drawn sending to (public entry points)."""
        g = self.g
        return [e for e, k in g.kind.items() if k is not A and k is not M and g.rank[e] == rank and not g.inc[e]]

    def _dataset_rank(self, e: str) -> int | None:
        """The untrusted rank a dataset's source implies (None: internal)."""
        src = self.g.props[e].source
        if src in (DatasetSource.PUBLIC_WEB, DatasetSource.USER_GENERATED):
            return 0
        return 2 if src is DatasetSource.THIRD_PARTY else None

    def _cycle_fact(self, is_root: Callable[[str], bool]) -> Fact:
        """Models on a cycle through a root element, with that cycle as witness.

        One forward and one reverse search per strongly connected component
        (restricted to it), from its first root: linear overall.
        """
        g = self.g
        groups: dict[int, list[str]] = {}
        for node in g.elements:  # canonical order: roots and members are chosen deterministically
            c = g.components.get(node)
            if c is not None:
                groups.setdefault(c, []).append(node)
        levels: dict[str, int] = {}
        root_of: dict[str, tuple[str, frozenset]] = {}
        for members in groups.values():
            root = next((n for n in members if is_root(n)), None)
            if root is None:
                continue
            comp = frozenset(members)
            for m in members:
                if m in self.model_set and m != root:
                    levels[m] = 0
                    root_of[m] = (root, comp)
        # both searches of every component with a root, now: with the roots they are
        # everything the witness cycles are built from (the fact's key)
        searches: dict[str, tuple[dict[str, Trace], dict[str, Trace]]] = {}
        for root, comp in root_of.values():
            if root not in searches:
                searches[root] = (
                    levelled_bfs(g, [[root]], reverse=True, within=comp),
                    levelled_bfs(g, [[root]], within=comp),
                )

        def build(m: str) -> tuple[str, ...]:
            back, forth = searches[root_of[m][0]]
            to_root = path_of(back, m, reverse=True)  # m … root
            from_root = path_of(forth, m)  # root … m
            return simple_cycle(to_root + from_root[1:])

        def witness(m: str) -> tuple:
            root = root_of[m][0]
            return (root, *searches[root])  # the root is an interned id: equal roots are one object

        return Fact(levels, build, ({m: r for m, (r, _) in root_of.items()}, searches), witness=witness)

    # ------------------------------------------------------------ inference-time facts
    @lazy
    def untrusted_prompt(self) -> Fact:
        g = self.g
        relays = {e for e, k in g.kind.items() if k is P or (k is A and e not in self.humans)}
        enter = relays | self.model_set
        edges = {fid for fid, f in g.flows.items() if g.fmask[fid] & PROMPT_KINDS and f.target in enter}
        traces = levelled_bfs(g, self._untrusted_levels(self._open_entry_points), edges=edges, expand=relays)
        return _from_traces(traces, self._subjects(traces, self.models))

    @lazy
    def untrusted_content(self) -> Fact:
        g = self.g

        def element_seeds(rank: int) -> list[str]:
            out = []
            for e, k in g.kind.items():
                p = g.props[e]
                if k is RT and p.corpus_writers.rank == rank:
                    out.append(e)
                elif k is DT and self._dataset_rank(e) == rank:
                    out.append(e)
                elif k is TL and rank == 2 and p.third_party:
                    out.append(e)
                elif (k is DS or k is TL) and g.rank[e] == rank:
                    out.append(e)  # a store or tool outsiders can write: a content source
            return out

        sends_content = lambda a: any(g.fmask[f.id] & CONTENT_KINDS for f in g.out[a])  # noqa: E731
        levels = self._untrusted_levels(element_seeds, sends_content)
        seed_actors = {a for lvl in levels for a in lvl if g.kind[a] is A}
        models, humans = self.model_set, self.humans

        def ok(s: str, t: str, fid: str) -> bool:
            if s in seed_actors and not g.fmask[fid] & CONTENT_KINDS:
                return False  # an outsider's own prompts are direct injection, not content
            if t in models:
                return g.carries(fid, CONTEXT_KINDS, unknown=True)
            return t not in humans

        expand = {e for e, k in g.kind.items() if k is not M and k is not TR}
        traces = levelled_bfs(g, levels, edges=g.flows_where(ok), expand=expand)
        return _from_traces(traces, self._subjects(traces, self.models))

    @lazy
    def physical_input(self) -> Fact:
        g = self.g
        sensors = [p for p in g.of_kind(P) if g.props[p].role is ProcessRole.SENSOR]
        if not sensors:
            return Fact({}, lambda n: (n,))
        levels = [[s for s in sensors if g.props[s].physically_exposed], sensors]
        enter = set(g.of_kind(P)) | self.model_set
        edges = {fid for fid, f in g.flows.items() if g.carries(fid, CAPTURE, unknown=True) and f.target in enter}
        traces = levelled_bfs(g, levels, edges=edges, expand=set(g.of_kind(P)))

        def prefix(sensor: str) -> tuple[str, ...]:
            senders = [f for f in g.inc[sensor] if g.kind[f.source] is A]
            if not senders:
                return ()
            f = min(senders, key=lambda f: g.rank[f.source])  # stable: keeps canonical order on ties
            return (f.source, f.id)

        return _from_traces(traces, self._subjects(traces, self.models), prefix=prefix)

    @lazy
    def untrusted_capture(self) -> Fact:
        g = self.g
        devices = [
            p for p in g.of_kind(P)
            if g.props[p].role in (ProcessRole.SENSOR, ProcessRole.CLIENT) and g.rank[p] <= Access.AUTHENTICATED.rank
        ]
        levels = [[d for d in devices if g.rank[d] == r] for r in (0, 1)]
        enter = set(g.of_kind(P)) | self.model_set
        edges = {fid for fid, f in g.flows.items() if g.fmask[fid] & CAPTURE and f.target in enter}
        traces = levelled_bfs(g, levels, edges=edges, expand=set(g.of_kind(P)))
        return _from_traces(traces, self._subjects(traces, self.models))

    @lazy
    def _context_back(self) -> dict[str, Trace]:
        """Reverse search from models over what can reach their context at inference time."""
        g = self.g
        models = self.model_set

        def ok(s: str, t: str, fid: str) -> bool:
            return g.carries(fid, CONTEXT_KINDS, unknown=True) if t in models else g.inference(fid)

        return levelled_bfs(
            g, [self.models], reverse=True, edges=g.flows_where(ok), expand=self._not_training_or_human - models
        )

    @lazy
    def feeds_model_context(self) -> Fact:
        t = self._context_back
        return _from_traces(t, [n for n, x in t.items() if x[DIST] > 0], reverse=True)

    @lazy
    def automated_retraining(self) -> Fact:
        g = self.g
        trainers = [t for t in g.of_kind(TR) if g.props[t].mode in (TrainerMode.SCHEDULED, TrainerMode.ONLINE, TrainerMode.FEDERATED)]
        edges = {fid for fid in g.flows if g.fmask[fid] & WEIGHTS}
        traces = levelled_bfs(g, [trainers], edges=edges)
        return _from_traces(traces, self._subjects(traces, self.models))

    @lazy
    def output_to_untrusted(self) -> Fact:
        g = self.g
        levels: list[list[str]] = []
        for rank in UNTRUSTED_RANKS:
            actors = [a for a in g.of_kind(A) if g.rank[a] == rank]
            levels.append([a for a in actors if a in self.humans])
            levels.append([a for a in actors if a not in self.humans])
            levels.append([p for p in g.of_kind(P) if g.rank[p] == rank and g.props[p].role is ProcessRole.CLIENT])
        relays = {e for e, k in g.kind.items() if k in (P, TL, DS) or (k is A and e not in self.humans)}
        traces = levelled_bfs(g, levels, reverse=True, edges=self._inference_edges, expand=relays)
        return _from_traces(traces, self._subjects(traces, self.models), reverse=True)

    @lazy
    def sensitive_context(self) -> Fact:
        g = self.g
        holders = [e for e, k in g.kind.items() if k is DS or k is RT or k is TL]
        levels = [
            [e for e in holders if g.props[e].sensitivity is Sensitivity.RESTRICTED],
            [e for e in holders if g.props[e].sensitivity is Sensitivity.CONFIDENTIAL],
            [e for e in holders if g.props[e].personal_data],
        ]
        models, passable = self.model_set, self._not_training_or_human

        def ok(s: str, t: str, fid: str) -> bool:
            if t in models:
                return g.carries(fid, CONTEXT_KINDS, unknown=True)
            return t in passable and g.inference(fid)

        traces = levelled_bfs(g, levels, edges=g.flows_where(ok), expand=set(g.elements) - models)
        return _from_traces(traces, self._subjects(traces, self.models))

    # ------------------------------------------------------------ training-time facts
    @lazy
    def trained_on_sensitive(self) -> Fact:
        g = self.g
        holders = [e for e, k in g.kind.items() if k is DT or k is DS]
        levels = []
        for test in (
            lambda p: p.sensitivity is Sensitivity.RESTRICTED,
            lambda p: p.sensitivity is Sensitivity.CONFIDENTIAL,
            lambda p: p.personal_data,
        ):
            levels.append([e for e in holders if g.kind[e] is DT and test(g.props[e])])
            levels.append([e for e in holders if g.kind[e] is DS and test(g.props[e])])
        traces = levelled_bfs(g, levels, edges=self._training_edges)
        return _from_traces(traces, self._subjects(traces, self.models))

    @lazy
    def untrusted_training_data(self) -> Fact:
        g = self.g

        def element_seeds(rank: int) -> list[str]:
            out = []
            for e, k in g.kind.items():
                if k is DT and self._dataset_rank(e) == rank:
                    out.append(e)
                elif k is LB and rank == 1 and g.props[e].labeller_type in (LabellerType.CROWD, LabellerType.END_USER_FEEDBACK):
                    out.append(e)
                elif k is not A and k is not M and g.rank[e] == rank:
                    out.append(e)
            return out

        traces = levelled_bfs(g, self._untrusted_levels(element_seeds), edges=self._training_edges)
        return _from_traces(traces, self._subjects(traces, self.models))

    @lazy
    def feeds_training(self) -> Fact:
        g = self.g
        decisions = self._decision_traces
        levels: list[list[str]] = [[] for _ in range(len(DECISION_LEVELS) + 1)]
        for m in self.models:  # models whose outputs decide the most come first
            levels[decisions[m][LEVEL] if m in decisions else -1].append(m)
        traces = levelled_bfs(g, levels, reverse=True, edges=self._training_edges)
        return _from_traces(traces, [n for n, t in traces.items() if t[DIST] > 0], reverse=True)

    @lazy
    def third_party_lineage(self) -> Fact:
        g = self.g
        weight_edges = {fid for fid in g.flows if g.fmask[fid] & WEIGHTS}
        senders = [
            e for e in g.elements
            if e not in self.model_set and g.untrusted(e) and any(f.id in weight_edges for f in g.out[e])
        ]
        levels = [
            [m for m in self.models if g.props[m].origin is ModelOrigin.THIRD_PARTY_WEIGHTS],
            senders,
            [m for m in self.models if g.props[m].origin is ModelOrigin.FINE_TUNED],
            [t for t in g.of_kind(TR) if g.props[t].fine_tunes_third_party],
        ]
        traces = levelled_bfs(g, levels, edges=weight_edges)

        def deployed(m: str) -> bool:
            """Not a pure upstream artefact (whose only outputs are weights for another model)."""
            outs = g.out[m]
            return not outs or any(g.fmask[f.id] != WEIGHTS for f in outs)

        return _from_traces(traces, [m for m in self.models if m in traces and deployed(m)])

    @lazy
    def feedback_cycle(self) -> Fact:
        g = self.g
        return self._cycle_fact(lambda n: g.kind[n] is TR)

    @lazy
    def agent_loop(self) -> Fact:
        g = self.g
        return self._cycle_fact(lambda n: g.kind[n] is TL or (g.kind[n] is P and g.props[n].role is ProcessRole.AGENT))

    # ------------------------------------------------------------ what outputs drive
    @lazy
    def _action_levels(self) -> list[list[str]]:
        g = self.g
        tools = [t for t in g.of_kind(TL) if not g.props[t].human_approval]
        by_cap = {c: [t for t in tools if c in g.props[t].capabilities] for c in ToolCapability}
        deciders: dict[Decision, list[str]] = {Decision.AUTOMATED_AT_SCALE: [], Decision.AUTOMATED: []}
        for e, p in g.props.items():
            if g.kind[e] is not A and p.decision in deciders:
                deciders[p.decision].append(e)
        return [
            by_cap[ToolCapability.MOVE_MONEY],
            by_cap[ToolCapability.EXECUTE_CODE],
            deciders[Decision.AUTOMATED_AT_SCALE],
            by_cap[ToolCapability.WRITE],
            deciders[Decision.AUTOMATED],
            by_cap[ToolCapability.SEND_MESSAGES],
        ]

    @lazy
    def _unapproved_relays(self) -> set[str]:
        """Elements a model's output passes through with no person approving it."""
        g = self.g
        out = set()
        for e, k in g.kind.items():
            p = g.props[e]
            if k in TRAINING_PIPELINE or e in self.humans or p.decision is Decision.HUMAN_REVIEWED:
                continue
            if k is TL and p.human_approval:
                continue
            out.add(e)
        return out

    @lazy
    def action_traces(self) -> dict[str, Trace]:
        """For every element: the worst unapproved action its output reaches (reverse search)."""
        return levelled_bfs(
            self.g, self._action_levels, reverse=True, edges=self._inference_edges, expand=self._unapproved_relays
        )

    @lazy
    def output_drives_action(self) -> Fact:
        traces = self.action_traces
        return _from_traces(traces, self._subjects(traces, self.models), reverse=True)

    @lazy
    def unapproved_action(self) -> Fact:
        g = self.g
        actions = [a for lvl in self._action_levels for a in lvl]
        generative = [m for m in self.models if g.props[m].model_type is ModelType.GENERATIVE]
        traces = levelled_bfs(g, [generative, self.models], edges=self._inference_edges, expand=self._unapproved_relays)
        return _from_traces(traces, self._subjects(traces, dict.fromkeys(actions)))

    @lazy
    def _output_traces(self) -> dict[str, Trace]:
        g = self.g
        generative = [m for m in self.models if g.props[m].model_type is ModelType.GENERATIVE]
        return levelled_bfs(g, [generative, self.models], edges=self._inference_edges, expand=self._not_training_or_human)

    @lazy
    def model_output_reaches(self) -> Fact:
        t = self._output_traces
        return _from_traces(t, [n for n, x in t.items() if x[DIST] > 0])

    @lazy
    def generative_output_reaches(self) -> Fact:
        t = self._output_traces
        return _from_traces(t, [n for n, x in t.items() if x[DIST] > 0 and x[LEVEL] == 0])

    @lazy
    def agent_memory_loop(self) -> Fact:
        g = self.g
        back = self._context_back
        out = self._output_traces
        stores = [s for s in g.of_kind(DS) if s in out and out[s][DIST] > 0 and s in back and back[s][DIST] > 0]

        def build(store: str) -> tuple[str, ...]:
            return path_of(out, store) + path_of(back, store, reverse=True)[1:]

        return Fact(dict.fromkeys(stores, 0), build, (out, back))

    # ------------------------------------------------------------ exposure and decisions
    @lazy
    def reachable_from_untrusted(self) -> Fact:
        g = self.g
        traces = levelled_bfs(
            g, self._untrusted_levels(lambda r: [e for e, k in g.kind.items() if k is not A and g.rank[e] == r])
        )
        return _from_traces(traces, [n for n in traces if g.kind[n] is not A])

    @lazy
    def exposed_to_untrusted(self) -> Fact:
        g = self.g
        levels: dict[str, int] = {}
        via: dict[str, tuple[str, ...]] = {}
        for e, k in g.kind.items():
            if k is A:
                continue
            senders = [f for f in g.inc[e] if g.untrusted(f.source)]
            if senders:
                f = min(senders, key=lambda f: g.rank[f.source])
                via[e] = (f.source, f.id, f.target)
                levels[e] = g.rank[f.source]
            elif g.untrusted(e):
                via[e] = (e,)
                levels[e] = g.rank[e]
        return Fact(levels, via.__getitem__, via)

    @lazy
    def holds_model_artifacts(self) -> Fact:
        g = self.g
        via: dict[str, tuple[str, ...]] = {}
        for s in g.of_kind(DS):
            f = next((f for f in g.inc[s] if g.fmask[f.id] & WEIGHTS), None) or next(
                (f for f in g.out[s] if g.fmask[f.id] & WEIGHTS), None
            )
            if f is not None:
                via[s] = (f.source, f.id, f.target)
            elif g.props[s].store_type is StoreType.MODEL_REGISTRY:
                via[s] = (s,)
        return Fact(dict.fromkeys(via, 0), via.__getitem__, via)

    @lazy
    def _decision_traces(self) -> dict[str, Trace]:
        g = self.g
        index = {dc: i for i, dc in enumerate(DECISION_LEVELS)}
        levels: list[list[str]] = [[] for _ in DECISION_LEVELS]
        for e, p in g.props.items():
            i = index.get((p.decision, p.criticality))
            if i is not None:
                levels[i].append(e)
        return levelled_bfs(g, levels, reverse=True)

    def decision_of(self, node: str) -> tuple[str, tuple[str, ...]] | None:
        """The most consequential decision point ``node`` influences, with the path to it."""
        return self._downstream(node, self._decision_traces, self._decisions_seen)

    def action_of(self, node: str) -> tuple[str, tuple[str, ...]] | None:
        """The worst unapproved action ``node``'s output reaches, with the path to it."""
        return self._downstream(node, self.action_traces, self._actions_seen)

    @lazy
    def _decisions_seen(self) -> dict:
        return {}

    @lazy
    def _actions_seen(self) -> dict:
        return {}

    @staticmethod
    def _downstream(node: str, traces: dict[str, Trace], seen: dict):
        # many findings share a subject: build each path once (ids only, valid for rebound facts too)
        if node in seen:
            return seen[node]
        t = traces.get(node)
        out = None if t is None else (t[ORIGIN], path_of(traces, node, reverse=True))
        seen[node] = out
        return out

    @lazy
    def influences_decision(self) -> Fact:
        t = self._decision_traces
        return _from_traces(t, [n for n, x in t.items() if x[LEVEL] < REVIEWED_LEVELS], reverse=True)

    # ------------------------------------------------------------ flow facts
    @lazy
    def crosses_boundary(self) -> Fact:
        g = self.g
        via = {f.id: (f.source, f.id, f.target) for f in g.flows.values() if g.zone[f.source] != g.zone[f.target]}
        return Fact(dict.fromkeys(via, 0), via.__getitem__, via)

    @lazy
    def into_more_trusted(self) -> Fact:
        g = self.g
        via = {}
        for f in g.flows.values():
            zs, zt = g.zone[f.source], g.zone[f.target]
            if zs != zt and ((zs is None and zt is not None) or g.rank[f.source] < g.rank[f.target]):
                via[f.id] = (f.source, f.id, f.target)
        return Fact(dict.fromkeys(via, 0), via.__getitem__, via)


FACT_BUILDERS: tuple[str, ...] = (
    "untrusted_prompt",
    "untrusted_content",
    "physical_input",
    "untrusted_capture",
    "feeds_model_context",
    "automated_retraining",
    "output_to_untrusted",
    "trained_on_sensitive",
    "untrusted_training_data",
    "feeds_training",
    "third_party_lineage",
    "feedback_cycle",
    "output_drives_action",
    "unapproved_action",
    "model_output_reaches",
    "generative_output_reaches",
    "agent_memory_loop",
    "sensitive_context",
    "reachable_from_untrusted",
    "exposed_to_untrusted",
    "holds_model_artifacts",
    "agent_loop",
    "influences_decision",
    "crosses_boundary",
    "into_more_trusted",
)

