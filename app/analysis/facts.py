"""Graph facts: what untrusted input reaches, where training data goes, what outputs drive.

Each fact is computed for the whole model at once with a levelled
multi-source BFS (:mod:`app.analysis.reach`) or from strongly connected
components, in O(V + E), and gives every subject it holds for one witness
path. Paths are built lazily: only subjects that end up in a finding pay for
theirs. The names and meanings are listed in :mod:`app.knowledge.vocabulary`;
``FACT_BUILDERS`` must implement exactly those.
"""

from __future__ import annotations

from functools import cached_property
from typing import Callable, Iterator

from app.analysis.graph import (
    CONTENT_KINDS,
    CONTEXT_KINDS,
    NON_INFERENCE_KINDS,
    PROMPT_KINDS,
    ModelGraph,
)
from app.analysis.reach import Trace, levelled_bfs, path_of, simple_cycle
from app.model.elements import Flow
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
)

A, P, DS, DT, LB, TR, M, RT, TL = (
    ElementKind.ACTOR,
    ElementKind.PROCESS,
    ElementKind.DATASTORE,
    ElementKind.DATASET,
    ElementKind.LABELLER,
    ElementKind.TRAINER,
    ElementKind.MODEL,
    ElementKind.RETRIEVER,
    ElementKind.TOOL,
)
UNTRUSTED_RANKS = (Access.ANONYMOUS.rank, Access.AUTHENTICATED.rank, Access.PARTNER.rank)
TRAINING_ENTRY = frozenset({DataKind.MODEL_WEIGHTS, DataKind.TRAINING_DATA, DataKind.LABELS, DataKind.FEEDBACK})
TRAINING_PIPELINE = frozenset({DT, LB, TR})
SIDE_EFFECTS = (ToolCapability.MOVE_MONEY, ToolCapability.EXECUTE_CODE, ToolCapability.WRITE, ToolCapability.SEND_MESSAGES)
# decision levels, worst first: (decision, criticality) pairs
DECISION_LEVELS = tuple(
    (d, c)
    for d in (Decision.AUTOMATED_AT_SCALE, Decision.AUTOMATED, Decision.HUMAN_REVIEWED, Decision.INFORMATIONAL)
    for c in (Criticality.CRITICAL, Criticality.HIGH, Criticality.MEDIUM, Criticality.LOW)
)


def carries_any(flow: Flow, kinds: frozenset) -> bool:
    """True when the flow carries one of ``kinds``, or declares nothing (unknown: assume it may)."""
    return not flow.carries or not kinds.isdisjoint(flow.carries)


def carries_strictly(flow: Flow, kinds: frozenset) -> bool:
    return not kinds.isdisjoint(flow.carries)


def inference_flow(flow: Flow) -> bool:
    """A flow that can carry a model's output onward (not only weights, training data, config)."""
    return not flow.carries or not set(flow.carries) <= NON_INFERENCE_KINDS


class Fact:
    """Subjects a fact holds for, with a witness path each (built on demand)."""

    def __init__(self, subjects: dict[str, Callable[[], tuple[str, ...]]], levels: dict[str, int] | None = None):
        self._subjects = subjects
        self._levels = levels or {}
        self._paths: dict[str, tuple[str, ...]] = {}

    def __contains__(self, subject: str) -> bool:
        return subject in self._subjects

    def __iter__(self) -> Iterator[str]:
        return iter(self._subjects)

    def __len__(self) -> int:
        return len(self._subjects)

    def path(self, subject: str) -> tuple[str, ...]:
        p = self._paths.get(subject)
        if p is None:
            p = self._paths[subject] = self._subjects[subject]()
        return p

    def level(self, subject: str) -> int:
        return self._levels.get(subject, 0)


def _from_traces(
    traces: dict[str, Trace],
    include: Callable[[str, Trace], bool],
    *,
    reverse: bool = False,
    prefix: Callable[[str], tuple[str, ...]] | None = None,
) -> Fact:
    subjects: dict[str, Callable[[], tuple[str, ...]]] = {}
    levels: dict[str, int] = {}
    for node, trace in traces.items():
        if include(node, trace):
            def build(node: str = node) -> tuple[str, ...]:
                p = path_of(traces, node, reverse=reverse)
                if prefix is not None:
                    head = prefix(p[0])
                    p = head + p if head else p
                return p

            subjects[node] = build
            levels[node] = trace.level
    return Fact(subjects, levels)


class GraphFacts:
    """Every fact of one model, computed on first use."""

    def __init__(self, graph: ModelGraph):
        self.g = graph

    def get(self, name: str) -> Fact:
        return getattr(self, name)

    # ------------------------------------------------------------ helpers
    def _untrusted_levels(self, element_seeds: Callable[[int], list[str]], actor_filter=None) -> list[list[str]]:
        """Per untrusted rank: non-human actors, human actors, then other seeds."""
        g = self.g
        levels: list[list[str]] = []
        for rank in UNTRUSTED_RANKS:
            actors = [a for a in g.of_kind(A) if g.access_rank(a) == rank and (actor_filter is None or actor_filter(a))]
            levels.append([a for a in actors if not g.is_human(a)])
            levels.append([a for a in actors if g.is_human(a)])
            levels.append(element_seeds(rank))
        return levels

    def _open_entry_points(self, rank: int) -> list[str]:
        """Non-actor elements of this access rank nobody is drawn sending to (public entry points)."""
        g = self.g
        return [e for e, k in g.kind.items() if k not in (A, M) and g.access_rank(e) == rank and not g.inc[e]]

    def _training_step(self, flow: Flow, u: str, v: str) -> bool:
        return self.g.kind[v] is not M or carries_strictly(flow, TRAINING_ENTRY)

    def _reverse_training_step(self, flow: Flow, frm: str, to: str) -> bool:
        return self.g.kind[frm] is not M or carries_strictly(flow, TRAINING_ENTRY)

    def _is_approval_point(self, node: str) -> bool:
        g = self.g
        k = g.kind[node]
        p = g.props[node]
        if k is A:
            return p.human
        if k is TL and p.human_approval:
            return True
        return p.decision is Decision.HUMAN_REVIEWED

    def _cycle_fact(self, roots_of: Callable[[set[str]], list[str]], subject_kinds=(M,)) -> Fact:
        """Models on a cycle through one of ``roots_of(component)``, with that cycle as witness."""
        g = self.g
        groups: dict[int, list[str]] = {}
        for node in g.elements:  # canonical order, so roots and members are chosen deterministically
            c = g.components.get(node)
            if c is not None:
                groups.setdefault(c, []).append(node)
        subjects: dict[str, Callable[[], tuple[str, ...]]] = {}
        for members in groups.values():
            comp = set(members)
            roots = roots_of(comp)
            targets = [m for m in members if g.kind[m] in subject_kinds and m not in roots[:1]]
            if not roots or not targets:
                continue
            root = roots[0]
            inside = lambda flow, u, v, comp=comp: v in comp  # noqa: E731
            holder: dict[str, dict[str, Trace]] = {}

            def traces(direction: str, root=root, inside=inside, holder=holder) -> dict[str, Trace]:
                if direction not in holder:
                    holder[direction] = levelled_bfs(g, [[root]], reverse=direction == "rev", step=inside)
                return holder[direction]

            for m in targets:
                def build(m=m, traces=traces) -> tuple[str, ...]:
                    to_root = path_of(traces("rev"), m, reverse=True)  # m … root
                    from_root = path_of(traces("fwd"), m)  # root … m
                    return simple_cycle(to_root + from_root[1:])

                subjects[m] = build
        return Fact(subjects)

    # ------------------------------------------------------------ inference-time facts
    @cached_property
    def untrusted_prompt(self) -> Fact:
        g = self.g
        levels = self._untrusted_levels(self._open_entry_points)
        relay = lambda n: g.kind[n] is P or (g.kind[n] is A and not g.is_human(n))  # noqa: E731
        traces = levelled_bfs(
            g,
            levels,
            step=lambda f, u, v: carries_strictly(f, PROMPT_KINDS) and (g.kind[v] is M or relay(v)),
            expand=relay,
        )
        return _from_traces(traces, lambda n, t: t.dist > 0 and g.kind[n] is M)

    @cached_property
    def untrusted_content(self) -> Fact:
        g = self.g

        def element_seeds(rank: int) -> list[str]:
            out = []
            for e, k in g.kind.items():
                p = g.props[e]
                if k is RT and p.corpus_writers.rank == rank:
                    out.append(e)
                elif k is DT and (
                    (rank == 0 and p.source in (DatasetSource.PUBLIC_WEB, DatasetSource.USER_GENERATED))
                    or (rank == 2 and p.source is DatasetSource.THIRD_PARTY)
                ):
                    out.append(e)
                elif k is TL and rank == 2 and p.third_party:
                    out.append(e)
                elif k in (DS, TL) and p.access.rank == rank:
                    out.append(e)  # a store or tool outsiders can write: a content source
            return out

        sends_content = lambda a: any(carries_strictly(f, CONTENT_KINDS) for f in g.out[a])  # noqa: E731
        levels = self._untrusted_levels(element_seeds, sends_content)
        actors = {a for lvl in levels for a in lvl if g.kind[a] is A}

        def step(f: Flow, u: str, v: str) -> bool:
            if u in actors and not carries_strictly(f, CONTENT_KINDS):
                return False
            if g.kind[v] is M:
                return carries_any(f, CONTEXT_KINDS)
            return not g.is_human(v)

        traces = levelled_bfs(g, levels, step=step, expand=lambda n: g.kind[n] not in (M, TR))
        return _from_traces(traces, lambda n, t: t.dist > 0 and g.kind[n] is M)

    @cached_property
    def physical_input(self) -> Fact:
        g = self.g
        sensors = [p for p in g.of_kind(P) if g.props[p].role is ProcessRole.SENSOR]
        levels = [[s for s in sensors if g.props[s].physically_exposed], sensors]
        kinds = frozenset({DataKind.SENSOR_DATA, DataKind.QUERIES})
        traces = levelled_bfs(
            g,
            levels,
            step=lambda f, u, v: carries_any(f, kinds) and g.kind[v] in (P, M),
            expand=lambda n: g.kind[n] is P,
        )

        def prefix(sensor: str) -> tuple[str, ...]:
            senders = [f for f in g.inc[sensor] if g.kind[f.source] is A]
            if not senders:
                return ()
            f = min(senders, key=lambda f: g.access_rank(f.source))  # stable: keeps canonical order on ties
            return (f.source, f.id)

        return _from_traces(traces, lambda n, t: t.dist > 0 and g.kind[n] is M, prefix=prefix)

    @cached_property
    def output_to_untrusted(self) -> Fact:
        g = self.g
        levels: list[list[str]] = []
        for rank in UNTRUSTED_RANKS:
            levels.append([a for a in g.of_kind(A) if g.access_rank(a) == rank and g.is_human(a)])
            levels.append([a for a in g.of_kind(A) if g.access_rank(a) == rank and not g.is_human(a)])
            levels.append(
                [p for p in g.of_kind(P) if g.access_rank(p) == rank and g.props[p].role is ProcessRole.CLIENT]
            )
        relay = lambda n: g.kind[n] in (P, TL, DS) or (g.kind[n] is A and not g.is_human(n))  # noqa: E731
        traces = levelled_bfs(g, levels, reverse=True, step=lambda f, frm, to: inference_flow(f), expand=relay)
        return _from_traces(traces, lambda n, t: t.dist > 0 and g.kind[n] is M, reverse=True)

    @cached_property
    def sensitive_context(self) -> Fact:
        g = self.g
        holders = [e for e, k in g.kind.items() if k in (DS, RT, TL)]
        levels = [
            [e for e in holders if g.props[e].sensitivity is Sensitivity.RESTRICTED],
            [e for e in holders if g.props[e].sensitivity is Sensitivity.CONFIDENTIAL],
            [e for e in holders if g.props[e].personal_data],
        ]

        def step(f: Flow, u: str, v: str) -> bool:
            if g.kind[v] is M:
                return carries_any(f, CONTEXT_KINDS)
            return inference_flow(f) and not g.is_human(v) and g.kind[v] not in TRAINING_PIPELINE

        traces = levelled_bfs(g, levels, step=step, expand=lambda n: g.kind[n] is not M)
        return _from_traces(traces, lambda n, t: t.dist > 0 and g.kind[n] is M)

    # ------------------------------------------------------------ training-time facts
    @cached_property
    def trained_on_sensitive(self) -> Fact:
        g = self.g
        holders = [e for e, k in g.kind.items() if k in (DT, DS)]
        levels = []
        for test in (
            lambda p: p.sensitivity is Sensitivity.RESTRICTED,
            lambda p: p.sensitivity is Sensitivity.CONFIDENTIAL,
            lambda p: p.personal_data,
        ):
            levels.append([e for e in holders if g.kind[e] is DT and test(g.props[e])])
            levels.append([e for e in holders if g.kind[e] is DS and test(g.props[e])])
        traces = levelled_bfs(g, levels, step=self._training_step)
        return _from_traces(traces, lambda n, t: t.dist > 0 and g.kind[n] is M)

    @cached_property
    def untrusted_training_data(self) -> Fact:
        g = self.g

        def element_seeds(rank: int) -> list[str]:
            out = []
            for e, k in g.kind.items():
                p = g.props[e]
                if k is DT and (
                    (rank == 0 and p.source in (DatasetSource.PUBLIC_WEB, DatasetSource.USER_GENERATED))
                    or (rank == 2 and p.source is DatasetSource.THIRD_PARTY)
                ):
                    out.append(e)
                elif k is LB and rank == 1 and p.labeller_type in (LabellerType.CROWD, LabellerType.END_USER_FEEDBACK):
                    out.append(e)
                elif k not in (A, M) and p.access.rank == rank:
                    out.append(e)
            return out

        traces = levelled_bfs(g, self._untrusted_levels(element_seeds), step=self._training_step)
        return _from_traces(traces, lambda n, t: t.dist > 0 and g.kind[n] is M)

    @cached_property
    def feeds_training(self) -> Fact:
        g = self.g
        decisions = self._decision_traces
        models = g.of_kind(M)
        levels = [[m for m in models if m in decisions and decisions[m].level == i] for i in range(len(DECISION_LEVELS))]
        levels.append([m for m in models if m not in decisions])
        traces = levelled_bfs(g, levels, reverse=True, step=self._reverse_training_step)
        # a model's own trainer path counts only through a flow that trains it (see the step)
        return _from_traces(traces, lambda n, t: t.dist > 0, reverse=True)

    @cached_property
    def third_party_lineage(self) -> Fact:
        g = self.g
        models = g.of_kind(M)
        weights = frozenset({DataKind.MODEL_WEIGHTS})
        untrusted_senders = [
            e for e in g.elements if g.kind[e] is not M and g.untrusted(e) and any(carries_strictly(f, weights) for f in g.out[e])
        ]
        levels = [
            [m for m in models if g.props[m].origin is ModelOrigin.THIRD_PARTY_WEIGHTS],
            untrusted_senders,
            [m for m in models if g.props[m].origin is ModelOrigin.FINE_TUNED],
            [t for t in g.of_kind(TR) if g.props[t].fine_tunes_third_party],
        ]
        traces = levelled_bfs(g, levels, step=lambda f, u, v: carries_strictly(f, weights))

        def deployed(m: str) -> bool:
            outs = g.out[m]
            return not outs or any(not f.carries or set(f.carries) != {DataKind.MODEL_WEIGHTS} for f in outs)

        return _from_traces(traces, lambda n, t: g.kind[n] is M and deployed(n))

    @cached_property
    def feedback_cycle(self) -> Fact:
        g = self.g
        return self._cycle_fact(lambda comp: [n for n in g.elements if n in comp and g.kind[n] is TR])

    @cached_property
    def agent_loop(self) -> Fact:
        g = self.g

        def roots(comp: set[str]) -> list[str]:
            return [
                n
                for n in g.elements
                if n in comp and (g.kind[n] is TL or (g.kind[n] is P and g.props[n].role is ProcessRole.AGENT))
            ]

        return self._cycle_fact(roots)

    # ------------------------------------------------------------ what outputs drive
    def _action_levels(self) -> list[list[str]]:
        g = self.g
        tools = [t for t in g.of_kind(TL) if not g.props[t].human_approval]
        by_cap = {c: [t for t in tools if c in g.props[t].capabilities] for c in SIDE_EFFECTS}
        deciders = lambda d: [e for e in g.elements if g.props[e].decision is d and g.kind[e] is not A]  # noqa: E731
        return [
            by_cap[ToolCapability.MOVE_MONEY],
            by_cap[ToolCapability.EXECUTE_CODE],
            deciders(Decision.AUTOMATED_AT_SCALE),
            by_cap[ToolCapability.WRITE],
            deciders(Decision.AUTOMATED),
            by_cap[ToolCapability.SEND_MESSAGES],
        ]

    def _unapproved_relay(self, node: str) -> bool:
        return not self._is_approval_point(node) and self.g.kind[node] not in TRAINING_PIPELINE

    @cached_property
    def action_traces(self) -> dict[str, Trace]:
        """For every element: the worst unapproved action its output reaches (reverse search)."""
        return levelled_bfs(
            self.g,
            self._action_levels(),
            reverse=True,
            step=lambda f, frm, to: inference_flow(f),
            expand=self._unapproved_relay,
        )

    @cached_property
    def output_drives_action(self) -> Fact:
        g = self.g
        return _from_traces(self.action_traces, lambda n, t: t.dist > 0 and g.kind[n] is M, reverse=True)

    @cached_property
    def unapproved_action(self) -> Fact:
        g = self.g
        actions = {a for lvl in self._action_levels() for a in lvl}
        models = g.of_kind(M)
        generative = [m for m in models if g.props[m].model_type is ModelType.GENERATIVE]
        traces = levelled_bfs(
            g,
            [generative, models],
            step=lambda f, u, v: inference_flow(f),
            expand=self._unapproved_relay,
        )
        return _from_traces(traces, lambda n, t: t.dist > 0 and n in actions)

    @cached_property
    def _output_traces(self) -> dict[str, Trace]:
        g = self.g
        models = g.of_kind(M)
        generative = [m for m in models if g.props[m].model_type is ModelType.GENERATIVE]
        return levelled_bfs(
            g,
            [generative, models],
            step=lambda f, u, v: inference_flow(f),
            expand=lambda n: g.kind[n] not in TRAINING_PIPELINE and not g.is_human(n),
        )

    @cached_property
    def model_output_reaches(self) -> Fact:
        return _from_traces(self._output_traces, lambda n, t: t.dist > 0)

    @cached_property
    def generative_output_reaches(self) -> Fact:
        return _from_traces(self._output_traces, lambda n, t: t.dist > 0 and t.level == 0)

    @cached_property
    def agent_memory_loop(self) -> Fact:
        g = self.g
        back = levelled_bfs(
            g,
            [g.of_kind(M)],
            reverse=True,
            step=lambda f, frm, to: carries_any(f, CONTEXT_KINDS) if g.kind[frm] is M else inference_flow(f),
            expand=lambda n: g.kind[n] not in (M, *TRAINING_PIPELINE) and not g.is_human(n),
        )
        out = self._output_traces
        subjects: dict[str, Callable[[], tuple[str, ...]]] = {}
        for store in g.of_kind(DS):
            if store in out and out[store].dist > 0 and store in back and back[store].dist > 0:
                def build(store=store) -> tuple[str, ...]:
                    return path_of(out, store) + path_of(back, store, reverse=True)[1:]

                subjects[store] = build
        return Fact(subjects)

    # ------------------------------------------------------------ exposure and decisions
    @cached_property
    def reachable_from_untrusted(self) -> Fact:
        g = self.g
        traces = levelled_bfs(g, self._untrusted_levels(lambda r: [e for e, k in g.kind.items() if k is not A and g.access_rank(e) == r]))
        return _from_traces(traces, lambda n, t: g.kind[n] is not A)

    @cached_property
    def exposed_to_untrusted(self) -> Fact:
        g = self.g
        subjects: dict[str, Callable[[], tuple[str, ...]]] = {}
        levels: dict[str, int] = {}
        for e, k in g.kind.items():
            if k is A:
                continue
            senders = [f for f in g.inc[e] if g.untrusted(f.source)]
            if senders:
                f = min(senders, key=lambda f: g.access_rank(f.source))
                subjects[e] = lambda f=f: (f.source, f.id, f.target)
                levels[e] = g.access_rank(f.source)
            elif g.untrusted(e):
                subjects[e] = lambda e=e: (e,)
                levels[e] = g.access_rank(e)
        return Fact(subjects, levels)

    @cached_property
    def holds_model_artifacts(self) -> Fact:
        g = self.g
        weights = frozenset({DataKind.MODEL_WEIGHTS})
        subjects: dict[str, Callable[[], tuple[str, ...]]] = {}
        for s in g.of_kind(DS):
            fin = next((f for f in g.inc[s] if carries_strictly(f, weights)), None)
            fout = next((f for f in g.out[s] if carries_strictly(f, weights)), None)
            if fin is not None:
                subjects[s] = lambda f=fin: (f.source, f.id, f.target)
            elif fout is not None:
                subjects[s] = lambda f=fout: (f.source, f.id, f.target)
            elif g.props[s].store_type is StoreType.MODEL_REGISTRY:
                subjects[s] = lambda s=s: (s,)
        return Fact(subjects)

    @cached_property
    def _decision_traces(self) -> dict[str, Trace]:
        g = self.g
        levels = [
            [e for e in g.elements if g.props[e].decision is d and g.props[e].criticality is c]
            for d, c in DECISION_LEVELS
        ]
        return levelled_bfs(g, levels, reverse=True)

    def decision_of(self, node: str) -> tuple[str, tuple[str, ...]] | None:
        """The most consequential decision point ``node`` influences, with the path to it."""
        t = self._decision_traces.get(node)
        if t is None:
            return None
        return t.origin, path_of(self._decision_traces, node, reverse=True)

    def action_of(self, node: str) -> tuple[str, tuple[str, ...]] | None:
        """The worst unapproved action ``node``'s output reaches, with the path to it."""
        t = self.action_traces.get(node)
        if t is None:
            return None
        return t.origin, path_of(self.action_traces, node, reverse=True)

    @cached_property
    def influences_decision(self) -> Fact:
        limit = 3 * len((Criticality.CRITICAL, Criticality.HIGH, Criticality.MEDIUM, Criticality.LOW))
        return _from_traces(self._decision_traces, lambda n, t: t.level < limit, reverse=True)

    # ------------------------------------------------------------ flow facts
    @cached_property
    def crosses_boundary(self) -> Fact:
        g = self.g
        return Fact({f.id: (lambda f=f: (f.source, f.id, f.target)) for f in g.flows.values() if g.crosses(f)})

    @cached_property
    def into_more_trusted(self) -> Fact:
        g = self.g
        subjects = {}
        for f in g.flows.values():
            if not g.crosses(f):
                continue
            src_out = g.zone[f.source] is None and g.zone[f.target] is not None
            if src_out or g.access_rank(f.source) < g.access_rank(f.target):
                subjects[f.id] = lambda f=f: (f.source, f.id, f.target)
        return Fact(subjects)


FACT_BUILDERS: tuple[str, ...] = (
    "untrusted_prompt",
    "untrusted_content",
    "physical_input",
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
