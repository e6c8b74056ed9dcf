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

from typing import Callable, Iterable, Iterator

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
from app.analysis.fact_reads import EDGE_SETS, FLOWS, INPUTS, READS
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
        table: dict[str, tuple[str, ...]] | None = None,
    ):
        self._levels = levels
        self._build = build
        self._key = key
        # the paths built so far; a fact given its paths outright (``table``) starts with them all
        self._paths: dict[str, tuple[str, ...]] = {} if table is None else table
        self.table = table
        # a fact whose paths are trace chains (behind a prefix per origin): answers compare chain by chain
        self.traces = traces
        self.prefixes = prefixes
        # or: what a subject's path is built from, ``(key, traces, ...)``: equal keys and the
        # subject's chains equal in each pair of traces give the same path
        self.witness = witness

    @classmethod
    def of_paths(cls, levels: dict[str, int], paths: dict[str, tuple[str, ...]]) -> "Fact":
        """A fact whose witness path of each subject is given outright."""
        return cls(levels, paths.__getitem__, paths, table=paths)

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


class edge_set:  # noqa: N801 - reads like the ``lazy`` decorator it extends
    """A lazy set of flow ids, chosen one flow at a time by ``test(facts, flow)``.

    ``test`` may read the flow and element properties, never other flows: then,
    after an edit of the flows alone, the set is the last run's with only the
    added, removed and replaced flows looked at again (``GraphFacts.adopt``
    hands the last run's sets over in ``_prior_sets``). When no flow changed
    sides, the result is the last run's very object, so searches given it
    compare by identity.
    """

    def __init__(self, test: Callable[["GraphFacts", object], bool]):
        self.test = test
        self.name = test.__name__
        self.__doc__ = test.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        g, test = obj.g, self.test
        prior, replaced = obj._prior_sets.get(self.name, (None, None))
        if prior is None:
            value = frozenset([fid for fid, f in g.flows.items() if test(obj, f)])
        else:
            flows = g.flows
            gone = prior.intersection(replaced)
            new = {fid for fid in replaced if fid in flows and test(obj, flows[fid])}
            value = prior if new == gone else prior.difference(gone).union(new)
        obj.__dict__[self.name] = value
        return value


class GraphFacts:
    """Every fact of one model, each computed on first use."""

    _prior_sets: dict[str, tuple[frozenset[str], frozenset[str]]] = {}  # see edge_set

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
        new.__dict__.pop("_prior_sets", None)  # relative to another graph: computed afresh here
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

        if edited is not None:  # the same elements: inputs the edit did not touch are the old ones
            for name in INPUTS:
                if name in theirs and untouched(name):
                    mine[name] = theirs[name]
            replaced = self.g.flows_replaced_since(old.g.flows)
            if replaced is not None:  # flow sets only need their changed flows looked at again
                self._prior_sets = {
                    name: (theirs[name], replaced) for name in EDGE_SETS
                    if name in theirs and name not in mine and (READS[name] - {FLOWS}).isdisjoint(edited)
                }
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

    def changed_answers(self, old: "GraphFacts", name: str, subjects: Iterable[str]) -> list[str]:
        """Of ``subjects``, those for which a finding that read ``name`` would read something
        else here than in ``old``: the fact's witness path and level (or that it does not hold),
        or the decision / action the subject drives (``DECISION``, ``ACTION``).

        Trace-built answers are compared trace by trace along the witness chain,
        memoised per pair of searches, so a search that changed in one corner
        costs one pass, not one path per subject.
        """
        same_chain = self._same_chain
        if name == DECISION or name == ACTION:
            attr = "_decision_traces" if name == DECISION else "action_traces"
            a, b = old.__dict__[attr], getattr(self, attr)
            return [s for s in subjects if not same_chain(a, b, s)]
        fa, fb = old.get(name), self.get(name)
        la, lb = fa._levels, fb._levels
        out = []
        for s in subjects:
            level = la.get(s)
            if level != lb.get(s):
                out.append(s)  # holds in one only, or at another level
            elif level is not None and not self._same_path(fa, fb, s):
                out.append(s)
        return out

    def _same_path(self, a: Fact, b: Fact, subject: str) -> bool:
        """``subject``'s witness path is the same in ``a`` (last run's) and ``b``; it is in both."""
        if a.table is not None and b.table is not None:
            return a.table[subject] == b.table[subject]
        if a.witness is not None and b.witness is not None:
            wa, wb = a.witness(subject), b.witness(subject)
            if wa[0] == wb[0] and len(wa) == len(wb) and all(
                x is y or self._same_chain(x, y, subject) for x, y in zip(wa[1:], wb[1:])
            ):
                return True
            return a.path(subject) == b.path(subject)
        if a.traces is None or b.traces is None:
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

    # Inputs: which flows a search may follow, which elements start or carry it. Element
    # inputs read no flows, so an edit of the flows alone keeps them (``INPUTS``); flow sets
    # are ``edge_set``s, updated flow by flow.
    @edge_set
    def _inference_edges(self, f) -> bool:
        return self.g.inference(f.id)

    @edge_set
    def _training_edges(self, f) -> bool:
        """Flows training influence follows: anything, but into a model only as weights, data or labels."""
        return f.target not in self.model_set or bool(self.g.fmask[f.id] & TRAINING_ENTRY)

    @edge_set
    def _weight_edges(self, f) -> bool:
        return bool(self.g.fmask[f.id] & WEIGHTS)

    @lazy
    def _not_training_or_human(self) -> frozenset[str]:
        g = self.g
        return frozenset(e for e, k in g.kind.items() if k not in TRAINING_PIPELINE and e not in self.humans)

    @lazy
    def _untrusted_actors(self) -> dict[int, tuple[list[str], list[str]]]:
        """Per untrusted rank: its non-human actors, then its human ones."""
        g, humans = self.g, self.humans
        out: dict[int, tuple[list[str], list[str]]] = {r: ([], []) for r in UNTRUSTED_RANKS}
        for a in g.of_kind(A):
            lists = out.get(g.rank[a])
            if lists is not None:
                lists[a in humans].append(a)
        return out

    def _untrusted_levels(self, seeds: dict[int, list[str]], actor_filter=None) -> list[list[str]]:
        """Per untrusted rank: non-human actors, human actors, then ``seeds`` of that rank."""
        levels: list[list[str]] = []
        for rank in UNTRUSTED_RANKS:
            machines, people = self._untrusted_actors[rank]
            if actor_filter is not None:
                machines = [a for a in machines if actor_filter(a)]
                people = [a for a in people if actor_filter(a)]
            levels += (machines, people, seeds.get(rank, []))
        return levels

    def _by_rank(self, ranks_of: Callable[[str, ElementKind], tuple]) -> dict[int, list[str]]:
        """Per untrusted rank: the elements ``ranks_of(element, kind)`` places there, in canonical order."""
        out: dict[int, list[str]] = {r: [] for r in UNTRUSTED_RANKS}
        for e, k in self.g.kind.items():
            for r in dict.fromkeys(ranks_of(e, k)):
                if r in out:
                    out[r].append(e)
        return out

    @lazy
    def _open_entry_points(self) -> dict[int, list[str]]:
        """Per untrusted rank: non-actor elements nobody is drawn sending to (public entry points)."""
        g = self.g
        return self._by_rank(lambda e, k: (g.rank[e],) if k is not A and k is not M and not g.inc[e] else ())

    @lazy
    def _untrusted_elements(self) -> dict[int, list[str]]:
        """Per untrusted rank: the elements other than actors."""
        g = self.g
        return self._by_rank(lambda e, k: (g.rank[e],) if k is not A else ())

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
        levels: dict[str, int] = {}
        root_of: dict[str, tuple[str, frozenset]] = {}
        for members, comp in g.cycles:  # canonical order: roots and members are chosen deterministically
            root = next((n for n in members if is_root(n)), None)
            if root is None:
                continue
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
    def _prompt_relays(self) -> frozenset[str]:
        g = self.g
        return frozenset(e for e, k in g.kind.items() if k is P or (k is A and e not in self.humans))

    @edge_set
    def _prompt_edges(self, f) -> bool:
        t = f.target
        return bool(self.g.fmask[f.id] & PROMPT_KINDS) and (t in self._prompt_relays or t in self.model_set)

    @lazy
    def untrusted_prompt(self) -> Fact:
        g = self.g
        levels = self._untrusted_levels(self._open_entry_points)
        traces = levelled_bfs(g, levels, edges=self._prompt_edges, expand=self._prompt_relays)
        return _from_traces(traces, self._subjects(traces, self.models))

    @lazy
    def _content_sources(self) -> dict[int, list[str]]:
        """Per untrusted rank: retrievers, datasets, stores and tools outsiders' content enters by."""
        g = self.g

        def ranks(e: str, k: ElementKind) -> tuple:
            if k is RT:
                return (g.props[e].corpus_writers.rank,)
            if k is DT:
                return (self._dataset_rank(e),)
            if k is DS:
                return (g.rank[e],)  # a store or tool outsiders can write: a content source
            if k is TL:
                return (g.rank[e], 2) if g.props[e].third_party else (g.rank[e],)
            return ()

        return self._by_rank(ranks)

    @edge_set
    def _content_edges(self, f) -> bool:
        """Flows outsiders' content may follow (an outsider's own flows are narrowed further)."""
        if f.target in self.model_set:
            return self.g.carries(f.id, CONTEXT_KINDS, unknown=True)
        return f.target not in self.humans

    @lazy
    def _content_expand(self) -> frozenset[str]:
        return frozenset(e for e, k in self.g.kind.items() if k is not M and k is not TR)

    @lazy
    def untrusted_content(self) -> Fact:
        g = self.g
        sends_content = lambda a: any(g.fmask[f.id] & CONTENT_KINDS for f in g.out[a])  # noqa: E731
        levels = self._untrusted_levels(self._content_sources, sends_content)
        # an outsider's own prompts are direct injection, not content: its flows carrying none are out
        prompts = [f.id for lvl in levels for a in lvl if g.kind[a] is A for f in g.out[a]
                   if not g.fmask[f.id] & CONTENT_KINDS]
        edges = self._content_edges
        if prompts and not edges.isdisjoint(prompts):
            edges = edges.difference(prompts)
        traces = levelled_bfs(g, levels, edges=edges, expand=self._content_expand)
        return _from_traces(traces, self._subjects(traces, self.models))

    @lazy
    def physical_input(self) -> Fact:
        g = self.g
        sensors = [p for p in g.of_kind(P) if g.props[p].role is ProcessRole.SENSOR]
        if not sensors:
            return Fact({}, lambda n: (n,))
        levels = [[s for s in sensors if g.props[s].physically_exposed], sensors]
        traces = levelled_bfs(g, levels, edges=self._sensor_edges, expand=self._processes)

        def prefix(sensor: str) -> tuple[str, ...]:
            senders = [f for f in g.inc[sensor] if g.kind[f.source] is A]
            if not senders:
                return ()
            f = min(senders, key=lambda f: g.rank[f.source])  # stable: keeps canonical order on ties
            return (f.source, f.id)

        return _from_traces(traces, self._subjects(traces, self.models), prefix=prefix)

    @lazy
    def _processes(self) -> frozenset[str]:
        return frozenset(self.g.of_kind(P))

    @edge_set
    def _sensor_edges(self, f) -> bool:
        """Flows that may carry captured input (or declare nothing) into a process or model."""
        return self.g.carries(f.id, CAPTURE, unknown=True) and (f.target in self._processes or f.target in self.model_set)

    @edge_set
    def _capture_edges(self, f) -> bool:
        """Flows that carry captured input into a process or model."""
        return bool(self.g.fmask[f.id] & CAPTURE) and (f.target in self._processes or f.target in self.model_set)

    @lazy
    def untrusted_capture(self) -> Fact:
        g = self.g
        devices = [
            p for p in g.of_kind(P)
            if g.props[p].role in (ProcessRole.SENSOR, ProcessRole.CLIENT) and g.rank[p] <= Access.AUTHENTICATED.rank
        ]
        levels = [[d for d in devices if g.rank[d] == r] for r in (0, 1)]
        traces = levelled_bfs(g, levels, edges=self._capture_edges, expand=self._processes)
        return _from_traces(traces, self._subjects(traces, self.models))

    @edge_set
    def _context_edges(self, f) -> bool:
        """Flows into a model that may feed its context; elsewhere, flows that can carry outputs on."""
        if f.target in self.model_set:
            return self.g.carries(f.id, CONTEXT_KINDS, unknown=True)
        return self.g.inference(f.id)

    @lazy
    def _context_relays(self) -> frozenset[str]:
        return self._not_training_or_human - self.model_set

    @lazy
    def _context_back(self) -> dict[str, Trace]:
        """Reverse search from models over what can reach their context at inference time."""
        return levelled_bfs(self.g, [self.models], reverse=True, edges=self._context_edges, expand=self._context_relays)

    @lazy
    def feeds_model_context(self) -> Fact:
        t = self._context_back
        return _from_traces(t, [n for n, x in t.items() if x[DIST] > 0], reverse=True)

    @lazy
    def automated_retraining(self) -> Fact:
        g = self.g
        trainers = [t for t in g.of_kind(TR) if g.props[t].mode in (TrainerMode.SCHEDULED, TrainerMode.ONLINE, TrainerMode.FEDERATED)]
        traces = levelled_bfs(g, [trainers], edges=self._weight_edges)
        return _from_traces(traces, self._subjects(traces, self.models))

    @lazy
    def _readers(self) -> tuple[list[list[str]], frozenset[str]]:
        """Per untrusted rank: human actors, other actors, client processes; and what passes outputs on."""
        g, humans = self.g, self.humans
        levels: list[list[str]] = []
        for rank in UNTRUSTED_RANKS:
            machines, people = self._untrusted_actors[rank]
            levels += (people, machines, [p for p in g.of_kind(P) if g.rank[p] == rank and g.props[p].role is ProcessRole.CLIENT])
        relays = frozenset(e for e, k in g.kind.items() if k in (P, TL, DS) or (k is A and e not in humans))
        return levels, relays

    @lazy
    def output_to_untrusted(self) -> Fact:
        levels, relays = self._readers
        traces = levelled_bfs(self.g, levels, reverse=True, edges=self._inference_edges, expand=relays)
        return _from_traces(traces, self._subjects(traces, self.models), reverse=True)

    @lazy
    def _sensitive_holders(self) -> list[list[str]]:
        """Stores, retrievers and tools holding restricted, confidential, then personal data."""
        g = self.g
        holders = [e for e, k in g.kind.items() if k is DS or k is RT or k is TL]
        return [
            [e for e in holders if g.props[e].sensitivity is Sensitivity.RESTRICTED],
            [e for e in holders if g.props[e].sensitivity is Sensitivity.CONFIDENTIAL],
            [e for e in holders if g.props[e].personal_data],
        ]

    @edge_set
    def _sensitive_edges(self, f) -> bool:
        if f.target in self.model_set:
            return self.g.carries(f.id, CONTEXT_KINDS, unknown=True)
        return f.target in self._not_training_or_human and self.g.inference(f.id)

    @lazy
    def _non_models(self) -> frozenset[str]:
        return frozenset(self.g.elements.keys() - self.model_set)

    @lazy
    def sensitive_context(self) -> Fact:
        traces = levelled_bfs(self.g, self._sensitive_holders, edges=self._sensitive_edges, expand=self._non_models)
        return _from_traces(traces, self._subjects(traces, self.models))

    # ------------------------------------------------------------ training-time facts
    @lazy
    def _training_sensitive(self) -> list[list[str]]:
        """Datasets, then stores, holding restricted, confidential, then personal data."""
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
        return levels

    @lazy
    def trained_on_sensitive(self) -> Fact:
        traces = levelled_bfs(self.g, self._training_sensitive, edges=self._training_edges)
        return _from_traces(traces, self._subjects(traces, self.models))

    @lazy
    def _training_sources(self) -> dict[int, list[str]]:
        """Per untrusted rank: datasets, labellers and other non-actor, non-model elements
        training data from outsiders enters by."""
        g = self.g
        crowd = (LabellerType.CROWD, LabellerType.END_USER_FEEDBACK)

        def ranks(e: str, k: ElementKind) -> tuple:
            if k is DT:
                return (self._dataset_rank(e), g.rank[e])
            if k is LB:
                return (g.rank[e], 1) if g.props[e].labeller_type in crowd else (g.rank[e],)
            return (g.rank[e],) if k is not A and k is not M else ()

        return self._by_rank(ranks)

    @lazy
    def untrusted_training_data(self) -> Fact:
        traces = levelled_bfs(self.g, self._untrusted_levels(self._training_sources), edges=self._training_edges)
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
        weight_edges = self._weight_edges
        sources = {g.flows[fid].source for fid in weight_edges}
        senders = [e for e in g.elements if e in sources and e not in self.model_set and g.untrusted(e)]
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
    def _unapproved_relays(self) -> frozenset[str]:
        """Elements a model's output passes through with no person approving it."""
        g = self.g
        out = []
        for e, k in g.kind.items():
            p = g.props[e]
            if k in TRAINING_PIPELINE or e in self.humans or p.decision is Decision.HUMAN_REVIEWED:
                continue
            if k is TL and p.human_approval:
                continue
            out.append(e)
        return frozenset(out)

    @lazy
    def _generative(self) -> list[list[str]]:
        """Generative models, then every model: where model outputs start."""
        g = self.g
        return [[m for m in self.models if g.props[m].model_type is ModelType.GENERATIVE], self.models]

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
        traces = levelled_bfs(g, self._generative, edges=self._inference_edges, expand=self._unapproved_relays)
        return _from_traces(traces, self._subjects(traces, dict.fromkeys(actions)))

    @lazy
    def _output_traces(self) -> dict[str, Trace]:
        return levelled_bfs(self.g, self._generative, edges=self._inference_edges, expand=self._not_training_or_human)

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
        traces = levelled_bfs(g, self._untrusted_levels(self._untrusted_elements))
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
        return Fact.of_paths(levels, via)

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
        return Fact.of_paths(dict.fromkeys(via, 0), via)

    @lazy
    def _decision_points(self) -> list[list[str]]:
        """Decision points by level, worst first (``DECISION_LEVELS``)."""
        index = {dc: i for i, dc in enumerate(DECISION_LEVELS)}
        levels: list[list[str]] = [[] for _ in DECISION_LEVELS]
        for e, p in self.g.props.items():
            i = index.get((p.decision, p.criticality))
            if i is not None:
                levels[i].append(e)
        return levels

    @lazy
    def _decision_traces(self) -> dict[str, Trace]:
        return levelled_bfs(self.g, self._decision_points, reverse=True)

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
        return Fact.of_paths(dict.fromkeys(via, 0), via)

    @lazy
    def into_more_trusted(self) -> Fact:
        g = self.g
        via = {}
        for f in g.flows.values():
            zs, zt = g.zone[f.source], g.zone[f.target]
            if zs != zt and ((zs is None and zt is not None) or g.rank[f.source] < g.rank[f.target]):
                via[f.id] = (f.source, f.id, f.target)
        return Fact.of_paths(dict.fromkeys(via, 0), via)


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

