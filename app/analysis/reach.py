"""Levelled multi-source breadth-first search: reachability with one witness path.

Each fact is a reachability question ("which models can untrusted content
reach?"). Sources come in levels, worst first (anonymous before partner,
automated-at-scale before human-reviewed). One pass per level visits only
nodes no earlier level claimed, so the whole search is O(V + E) however many
levels there are, and each node ends up with the *worst* source that reaches
it and a shortest witness path from it. No path enumeration, ever.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from app.analysis.graph import ModelGraph
from app.model.elements import Flow

Step = Callable[[Flow, str, str], bool]  # (flow, from-node, to-node) -> may the search follow it?
Expand = Callable[[str], bool]  # may the search continue out of this (non-source) node?


@dataclass(frozen=True, slots=True)
class Trace:
    """How a node was reached: the source, the hop back toward it, the distance."""

    level: int
    origin: str
    parent: str | None  # neighbour toward the origin (None at the origin)
    via: str | None  # the flow between parent and this node
    dist: int


def levelled_bfs(
    graph: ModelGraph,
    levels: Sequence[Iterable[str]],
    *,
    reverse: bool = False,
    step: Step | None = None,
    expand: Expand | None = None,
) -> dict[str, Trace]:
    """Search from each level's sources in turn; ``reverse`` follows flows backwards.

    Returns a trace for every node reached (sources included, at distance 0).
    """
    traces: dict[str, Trace] = {}
    adjacency = graph.inc if reverse else graph.out
    for level, sources in enumerate(levels):
        queue: deque[str] = deque()
        for s in sources:
            if s not in traces:
                traces[s] = Trace(level, s, None, None, 0)
                queue.append(s)
        while queue:
            node = queue.popleft()
            trace = traces[node]
            if trace.dist and expand is not None and not expand(node):
                continue
            for flow in adjacency[node]:
                nxt = flow.source if reverse else flow.target
                if nxt in traces:
                    continue
                if step is not None and not step(flow, node, nxt):
                    continue
                traces[nxt] = Trace(level, trace.origin, node, flow.id, trace.dist + 1)
                queue.append(nxt)
    return traces


def path_of(traces: dict[str, Trace], node: str, *, reverse: bool = False) -> tuple[str, ...]:
    """The witness path of ``node``: element and flow ids alternating, in flow direction.

    Forward search: origin … node. Reverse search: node … origin (the sink).
    """
    out: list[str] = [node]
    cur = traces[node]
    while cur.parent is not None:
        out.append(cur.via)  # type: ignore[arg-type]
        out.append(cur.parent)
        cur = traces[cur.parent]
    if not reverse:
        out.reverse()
    return tuple(out)


def simple_cycle(walk: Sequence[str]) -> tuple[str, ...]:
    """Shorten a closed walk (first node == last node) to a simple cycle through its first node.

    The walk alternates element and flow ids. When an element repeats, the loop
    between its two visits is cut out; the first element is never cut.
    """
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(walk):
        if i % 2 == 0:  # an element
            if item in seen and not (i == len(walk) - 1 and item == walk[0]):
                del out[seen[item] + 1 :]
                seen = {k: v for k, v in seen.items() if v <= seen[item]}
                continue
            seen[item] = len(out)
        out.append(item)
    return tuple(out)
