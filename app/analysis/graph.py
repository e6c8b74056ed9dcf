"""The diagram as a graph: adjacency, trust zones and per-element lookups.

Built once per analysis from a frozen :class:`~app.model.diagram.ThreatModel`.
Adjacency lists follow the model's canonical (natural id) order, so every
traversal, and therefore every witness path, is deterministic whatever order
the file had. The networkx view is built on demand for the algorithms that
need it (strongly connected components).
"""

from __future__ import annotations

from functools import cached_property

import networkx as nx

from app.model.diagram import ThreatModel
from app.model.elements import ElementBase, Flow
from app.model.types import Access, DataKind, ElementKind

INTERNAL_RANK = Access.INTERNAL.rank

PROMPT_KINDS = frozenset({DataKind.PROMPTS, DataKind.QUERIES, DataKind.SENSOR_DATA})
CONTENT_KINDS = frozenset(
    {DataKind.DOCUMENTS, DataKind.RETRIEVED_DOCUMENTS, DataKind.TOOL_RESULTS, DataKind.EMBEDDINGS}
)
CONTEXT_KINDS = PROMPT_KINDS | CONTENT_KINDS
# Flows that carry only these do not carry a model's output onward to an action or a reader.
NON_INFERENCE_KINDS = frozenset(
    {DataKind.MODEL_WEIGHTS, DataKind.TRAINING_DATA, DataKind.LABELS, DataKind.CONFIGURATION, DataKind.TELEMETRY}
)


class ModelGraph:
    """Read-only index of a model for the fact computations."""

    def __init__(self, model: ThreatModel):
        self.model = model
        self.elements: dict[str, ElementBase] = {e.id: e for e in model.elements}
        self.flows: dict[str, Flow] = {}
        self.out: dict[str, list[Flow]] = {eid: [] for eid in self.elements}
        self.inc: dict[str, list[Flow]] = {eid: [] for eid in self.elements}
        for f in model.flows:
            # a dangling flow (the editor's snapshot may be mid-edit) is ignored, not fatal
            if f.source in self.elements and f.target in self.elements and f.source != f.target:
                self.flows[f.id] = f
                self.out[f.source].append(f)
                self.inc[f.target].append(f)
        self.kind: dict[str, ElementKind] = {eid: ElementKind(e.kind) for eid, e in self.elements.items()}
        self.props = {eid: e.properties for eid, e in self.elements.items()}  # type: ignore[attr-defined]
        self.zone: dict[str, str | None] = self._zones()

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
        e = self.elements.get(ident)
        if e is not None:
            return e.name
        f = self.flows.get(ident)
        if f is not None:
            return f.name or f"{self.name(f.source)} → {self.name(f.target)}"
        b = next((b for b in self.model.boundaries if b.id == ident), None)
        return b.name if b is not None else ident

    def boundary_name(self, bid: str | None) -> str:
        if bid is None:
            return "outside every trust boundary"
        return self._boundary_names.get(bid, bid)

    @cached_property
    def _boundary_names(self) -> dict[str, str]:
        return {b.id: b.name for b in self.model.boundaries}

    def access_rank(self, ident: str) -> int:
        return self.props[ident].access.rank

    def untrusted(self, ident: str) -> bool:
        return self.props[ident].access.rank < INTERNAL_RANK

    def is_human(self, ident: str) -> bool:
        return self.kind[ident] is ElementKind.ACTOR and self.props[ident].human

    def of_kind(self, kind: ElementKind) -> list[str]:
        return self._by_kind.get(kind, [])

    @cached_property
    def _by_kind(self) -> dict[ElementKind, list[str]]:
        out: dict[ElementKind, list[str]] = {}
        for eid, k in self.kind.items():
            out.setdefault(k, []).append(eid)
        return out

    @cached_property
    def nx(self) -> nx.DiGraph:
        g = nx.DiGraph()
        g.add_nodes_from(self.elements)
        g.add_edges_from((f.source, f.target) for f in self.flows.values())
        return g

    @cached_property
    def components(self) -> dict[str, int]:
        """Strongly connected component index of every element in a cycle (absent: in none)."""
        comp: dict[str, int] = {}
        for i, members in enumerate(nx.strongly_connected_components(self.nx)):
            if len(members) > 1:
                for m in members:
                    comp[m] = i
        return comp
