"""The diagram as a graph: adjacency, trust zones and per-element lookups.

Built once per analysis from a frozen :class:`~app.model.diagram.ThreatModel`.
Adjacency lists follow the model's canonical (natural id) order, so every
traversal, and therefore every witness path, is deterministic whatever order
the file had. The networkx view is built on demand for the algorithms that
need it (strongly connected components).
"""

from __future__ import annotations

import networkx as nx

from app.analysis.lazy import lazy
from app.model.diagram import ThreatModel
from app.model.elements import ElementBase, Flow
from app.model.types import Access, DataKind, ElementKind

INTERNAL_RANK = Access.INTERNAL.rank

# Element kinds by short name, as the fact code reads them.
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

# What a flow carries, as a bit mask: set tests on thousands of flows become one integer AND.
BIT: dict[DataKind, int] = {k: 1 << i for i, k in enumerate(DataKind)}


def mask(kinds) -> int:
    out = 0
    for k in kinds:
        out |= BIT[k]
    return out


PROMPT_KINDS = mask({DataKind.PROMPTS, DataKind.QUERIES, DataKind.SENSOR_DATA})
CONTENT_KINDS = mask({DataKind.DOCUMENTS, DataKind.RETRIEVED_DOCUMENTS, DataKind.TOOL_RESULTS, DataKind.EMBEDDINGS})
CONTEXT_KINDS = PROMPT_KINDS | CONTENT_KINDS
# Flows that carry only these do not carry a model's output onward to an action or a reader.
NON_INFERENCE_KINDS = mask(
    {DataKind.MODEL_WEIGHTS, DataKind.TRAINING_DATA, DataKind.LABELS, DataKind.CONFIGURATION, DataKind.TELEMETRY}
)


_KINDS = {k.value: k for k in ElementKind}


class ModelGraph:
    """Read-only index of a model for the fact computations."""

    def __init__(self, model: ThreatModel, previous: "ModelGraph | None" = None):
        """``previous``: the graph of the model before an edit, if any. When both have the
        same elements, what the edit did not touch is shared (flow lists, adjacency and,
        when no flow changed ends, the adjacency and components themselves: equal searches
        then see the very same adjacency and are reused unchecked); components are also
        kept when the edit provably leaves every cycle as it was."""
        self.model = model
        self._previous: ModelGraph | None = None
        # an edit of the flows alone leaves the very same elements (and maybe boundaries): share their tables
        same = previous is not None and model.elements is previous.model.elements
        self.elements: dict[str, ElementBase] = previous.elements if same else {e.id: e for e in model.elements}
        self.flows: dict[str, Flow] = {}
        self.fmask: dict[str, int] = {}  # what each flow carries; 0: declares nothing
        if previous is not None and previous.elements.keys() == self.elements.keys():
            self._edit_of(previous)
        else:
            self.out: dict[str, list[Flow]] = {eid: [] for eid in self.elements}
            self.inc: dict[str, list[Flow]] = {eid: [] for eid in self.elements}
            self.out_adj: dict[str, list[tuple[str, str]]] = {eid: [] for eid in self.elements}
            self.in_adj: dict[str, list[tuple[str, str]]] = {eid: [] for eid in self.elements}
            for f in model.flows:
                # a dangling flow (the editor's snapshot may be mid-edit) is ignored, not fatal
                if f.source in self.elements and f.target in self.elements and f.source != f.target:
                    self.flows[f.id] = f
                    self.out[f.source].append(f)
                    self.inc[f.target].append(f)
                    self.out_adj[f.source].append((f.id, f.target))
                    self.in_adj[f.target].append((f.id, f.source))
                    self.fmask[f.id] = mask(f.carries)
        if same:
            self.kind, self.props, self.rank = previous.kind, previous.props, previous.rank
            if "_by_kind" in previous.__dict__:
                self.__dict__["_by_kind"] = previous.__dict__["_by_kind"]
        else:
            self.kind: dict[str, ElementKind] = {eid: _KINDS[e.kind] for eid, e in self.elements.items()}
            self.props = {eid: e.properties for eid, e in self.elements.items()}  # type: ignore[attr-defined]
            self.rank: dict[str, int] = {eid: p.access.rank for eid, p in self.props.items()}
        if same and model.boundaries is previous.model.boundaries:
            self.zone, self.boundary_depth = previous.zone, previous.boundary_depth
        else:
            self.zone: dict[str, str | None] = self._zones()

    def _edit_of(self, previous: "ModelGraph") -> None:
        """Flows and adjacency after an edit of ``previous``'s flows (same elements).

        Elements whose flows did not change keep ``previous``'s flow and adjacency
        lists (the very objects); :meth:`changed_since` names those whose adjacency
        changed, so a search remembered from ``previous`` checks only them.
        """
        elements, old, old_mask = self.elements, previous.flows, previous.fmask
        flows, fmask = self.flows, self.fmask
        touched_out: set[str] = set()  # elements whose lists of flows (objects) changed
        touched_in: set[str] = set()
        changed_out: set[str] = set()  # ... whose adjacency (flow ids and far ends) changed
        changed_in: set[str] = set()
        removed: list[tuple[str, str]] = []
        added: list[tuple[str, str]] = []
        replaced: set[str] = set()  # flows new, gone or not the very object they were
        for f in self.model.flows:
            if f.source in elements and f.target in elements and f.source != f.target:
                flows[f.id] = f
                before = old.get(f.id)
                if before is f:
                    fmask[f.id] = old_mask[f.id]
                    continue
                replaced.add(f.id)
                fmask[f.id] = mask(f.carries)
                touched_out.add(f.source)
                touched_in.add(f.target)
                if before is None or before.source != f.source or before.target != f.target:
                    changed_out.add(f.source)
                    changed_in.add(f.target)
                    added.append((f.source, f.target))
        for fid, f in old.items():
            now = flows.get(fid)
            if now is None:
                replaced.add(fid)
            if now is None or now.source != f.source or now.target != f.target:
                changed_out.add(f.source)
                changed_in.add(f.target)
                removed.append((f.source, f.target))
        self._rewired = (removed, added)  # flow ends gone and new: what may have changed cycles
        self._replaced = (old, frozenset(replaced))  # old: keeps its id from being reused
        touched_out |= changed_out
        touched_in |= changed_in
        self.out, self.inc = dict(previous.out), dict(previous.inc)
        for n in touched_out:
            self.out[n] = []
        for n in touched_in:
            self.inc[n] = []
        for f in flows.values():  # canonical order
            if f.source in touched_out:
                self.out[f.source].append(f)
            if f.target in touched_in:
                self.inc[f.target].append(f)
        if not changed_out and not changed_in:  # the same topology: share it whole
            self.out_adj, self.in_adj = previous.out_adj, previous.in_adj
            for shared in ("components", "cycles"):
                if shared in previous.__dict__:
                    self.__dict__[shared] = previous.__dict__[shared]
            return
        if "components" in previous.__dict__:
            self._previous = previous  # its components may still hold (see components)
        self.out_adj = dict(previous.out_adj)
        self.in_adj = dict(previous.in_adj)
        for n in changed_out:
            self.out_adj[n] = [(f.id, f.target) for f in self.out[n]]
        for n in changed_in:
            self.in_adj[n] = [(f.id, f.source) for f in self.inc[n]]
        self._changes = {id(previous.out_adj): changed_out, id(previous.in_adj): changed_in}
        self._changed_from = (previous.out_adj, previous.in_adj)  # keeps the ids above from being reused

    def flows_replaced_since(self, flows: dict) -> frozenset[str] | None:
        """Ids of the flows added, removed or replaced (another object) since the graph whose
        ``flows`` table this is, or None: not known (not built as an edit of that graph)."""
        replaced = self.__dict__.get("_replaced")
        return replaced[1] if replaced is not None and replaced[0] is flows else None

    def changed_since(self, adjacency: dict) -> set[str] | None:
        """Nodes whose adjacency differs from ``adjacency`` (the previous graph's), or None: not known."""
        changes = self.__dict__.get("_changes")
        return None if changes is None else changes.get(id(adjacency))

    def rebind(self, model: ThreatModel) -> "ModelGraph":
        """This graph for ``model``, which has the same structure (ids, kinds, flows, boundaries, fact inputs).

        Adjacency, zones and components are shared; elements, flows, properties and
        names are ``model``'s own. Used by incremental re-analysis.
        """
        new = ModelGraph.__new__(ModelGraph)
        new.__dict__.update(self.__dict__)
        for cached in ("_names", "_boundary_names", "controls", "_replaced"):  # read from the objects
            new.__dict__.pop(cached, None)
        new.model = model
        new.elements = {e.id: e for e in model.elements}
        new.flows = {f.id: f for f in model.flows if f.id in self.flows}
        new.props = {eid: e.properties for eid, e in new.elements.items()}  # type: ignore[attr-defined]
        return new

    # ------------------------------------------------------------ zones
    def _zones(self) -> dict[str, str | None]:
        """The innermost trust boundary of each element (None: outside every boundary)."""
        zone: dict[str, str | None] = {eid: None for eid in self.elements}
        depth: dict[str, int] = {}
        parents = {b.id: b.parent for b in self.model.boundaries}

        def depth_of(bid: str) -> int:
            # iterative, with a guard: a parent cycle (invalid, but the editor may hold one
            # mid-edit) must not hang or recurse forever
            chain = []
            cur: str | None = bid
            while cur is not None and cur not in depth and cur in parents and len(chain) <= len(parents):
                chain.append(cur)
                cur = parents[cur]
            base = depth.get(cur, 0) if cur is not None else 0
            for b in reversed(chain):
                base += 1
                depth[b] = base
            return depth.get(bid, 0)

        for b in self.model.boundaries:
            d = depth_of(b.id)
            for m in b.members:
                if m in zone:
                    cur = zone[m]
                    if cur is None or depth.get(cur, 0) < d:
                        zone[m] = b.id
        self.boundary_depth = depth
        return zone

    def crosses(self, flow: Flow) -> bool:
        return self.zone[flow.source] != self.zone[flow.target]

    # ------------------------------------------------------------ lookups
    def name(self, ident: str) -> str:
        n = self._names.get(ident)
        if n is not None:
            return n
        f = self.flows.get(ident)
        if f is not None:  # an unnamed flow reads as its two ends
            return f"{self.name(f.source)} → {self.name(f.target)}"
        return self._boundary_names.get(ident, ident)

    @lazy
    def controls(self) -> dict[str, tuple[str, ...]]:
        """The controls declared on each element and flow that declares any."""
        out = {eid: e.controls for eid, e in self.elements.items() if e.controls}
        out.update((fid, f.controls) for fid, f in self.flows.items() if f.controls)
        return out

    @lazy
    def _names(self) -> dict[str, str]:
        out = {eid: e.name for eid, e in self.elements.items()}
        out.update((fid, f.name) for fid, f in self.flows.items() if f.name)
        return out

    def boundary_name(self, bid: str | None) -> str:
        if bid is None:
            return "outside every trust boundary"
        return self._boundary_names.get(bid, bid)

    @lazy
    def _boundary_names(self) -> dict[str, str]:
        return {b.id: b.name for b in self.model.boundaries}

    def access_rank(self, ident: str) -> int:
        return self.rank[ident]

    def untrusted(self, ident: str) -> bool:
        return self.rank[ident] < INTERNAL_RANK

    def carries(self, flow_id: str, kinds: int, *, unknown: bool = False) -> bool:
        """Whether the flow carries one of ``kinds`` (a mask); ``unknown`` answers for flows declaring nothing."""
        m = self.fmask[flow_id]
        return bool(m & kinds) if m else unknown

    def inference(self, flow_id: str) -> bool:
        """A flow that can carry a model's output onward (not only weights, training data, config)."""
        m = self.fmask[flow_id]
        return not m or bool(m & ~NON_INFERENCE_KINDS)

    def is_human(self, ident: str) -> bool:
        return self.kind[ident] is ElementKind.ACTOR and self.props[ident].human

    def of_kind(self, kind: ElementKind) -> list[str]:
        return self._by_kind.get(kind, [])

    @lazy
    def _by_kind(self) -> dict[ElementKind, list[str]]:
        out: dict[ElementKind, list[str]] = {}
        for eid, k in self.kind.items():
            out.setdefault(k, []).append(eid)
        return out

    @lazy
    def nx(self) -> nx.DiGraph:
        g = nx.DiGraph()
        g.add_nodes_from(self.elements)
        g.add_edges_from((f.source, f.target) for f in self.flows.values())
        return g

    @lazy
    def components(self) -> dict[str, int]:
        """Strongly connected component index of every element in a cycle (absent: in none)."""
        previous, self._previous = self._previous, None
        if previous is not None and self._same_components(previous):
            if "cycles" in previous.__dict__:
                self.__dict__["cycles"] = previous.__dict__["cycles"]  # the same components: the same groups
            return previous.components
        comp: dict[str, int] = {}
        for i, members in enumerate(nx.strongly_connected_components(self.nx)):
            if len(members) > 1:
                for m in members:
                    comp[m] = i
        return comp

    @lazy
    def cycles(self) -> tuple[tuple[tuple[str, ...], frozenset[str]], ...]:
        """The members of each strongly connected component with a cycle (canonical order,
        components by their first member), each also as a set."""
        comp = self.components  # first: it may carry this over from the previous graph
        if "cycles" in self.__dict__:
            return self.__dict__["cycles"]
        groups: dict[int, list[str]] = {}
        for node in self.elements:
            c = comp.get(node)
            if c is not None:
                groups.setdefault(c, []).append(node)
        return tuple((tuple(m), frozenset(m)) for m in groups.values())

    def _same_components(self, previous: "ModelGraph") -> bool:
        """Whether this graph (built by :meth:`_edit_of` from ``previous``) has its strongly
        connected components.

        No removed flow inside a component (that may split it), and every new flow
        either lies inside one component or closes no cycle (its target cannot reach
        its source). One search per new flow at most.
        """
        comp = previous.components
        removed, added = self._rewired
        for source, target in removed:
            c = comp.get(source)
            if c is not None and c == comp.get(target):
                return False
        for source, target in added:
            c = comp.get(source)
            if (c is None or c != comp.get(target)) and self._reaches(target, source):
                return False
        return True

    def _reaches(self, start: str, goal: str) -> bool:
        seen = {start}
        stack = [start]
        adjacency = self.out_adj
        while stack:
            for _, nxt in adjacency[stack.pop()]:
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return start == goal
