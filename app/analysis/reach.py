"""Levelled multi-source breadth-first search: reachability with one witness path.

Each fact is a reachability question ("which models can untrusted content
reach?"). Sources come in levels, worst first (anonymous before partner,
automated-at-scale before human-reviewed). One pass per level visits only
nodes no earlier level claimed, so the whole search is O(V + E) however many
levels there are, and each node ends up with the *worst* source that reaches
it and a shortest witness path from it. No path enumeration, ever.

Traces are plain tuples ``(level, origin, parent, via, dist)``: a search over
a 10,000-element model creates thousands of them, and tuples cost a tenth of
an object each.
"""

from __future__ import annotations

import threading
from collections import deque
from operator import eq
from typing import Collection, Iterable, Sequence

from app.analysis.graph import ModelGraph

Trace = tuple  # (level, origin, parent | None, via flow id | None, dist)
LEVEL, ORIGIN, PARENT, VIA, DIST = range(5)


# Searches of recent runs: (reverse, levels, edges, expand) -> (adjacency, traces). A search
# is decided by its inputs and the adjacency of the nodes it reached, so a re-analysis after
# an edit elsewhere (an access level, a name, a far-away flow) reuses it after checking those.
_memo: dict[tuple, tuple[dict, dict[str, Trace]]] = {}
_MEMO_SIZE = 256  # searches
_MEMO_NODES = 400_000  # traces kept in all (a 10,000-element model's run needs about 150,000)
_memo_nodes = 0
_memo_lock = threading.Lock()


def levelled_bfs(
    graph: ModelGraph,
    levels: Sequence[Iterable[str]],
    *,
    reverse: bool = False,
    edges: Collection[str] | None = None,
    expand: Collection[str] | None = None,
) -> dict[str, Trace]:
    """Search from each level's sources in turn; ``reverse`` follows flows backwards.

    ``edges``: ids of the flows the search may follow (None: all). ``expand``:
    nodes the search may continue out of once reached (None: all; sources
    always). Returns a trace for every node reached, sources at distance 0.
    The result must not be modified (equal searches share it).
    """
    adjacency = graph.in_adj if reverse else graph.out_adj
    key = (
        reverse,
        tuple(tuple(level) for level in levels),
        None if edges is None else frozenset(edges),
        None if expand is None else frozenset(expand),
    )
    hit = _memo.get(key)
    if hit is not None:
        before, traces = hit
        if before is adjacency or all(map(eq, map(adjacency.get, traces), map(before.__getitem__, traces))):
            return traces
    traces = _search(adjacency, key[1], edges, expand)
    global _memo_nodes
    with _memo_lock:
        while _memo and (len(_memo) >= _MEMO_SIZE or _memo_nodes + len(traces) > _MEMO_NODES):
            _memo_nodes -= len(_memo.pop(next(iter(_memo)))[1])  # oldest first
        old = _memo.pop(key, None)
        if old is not None:
            _memo_nodes -= len(old[1])
        _memo[key] = (adjacency, traces)
        _memo_nodes += len(traces)
    return traces


def _search(
    adjacency: dict[str, list[tuple[str, str]]],
    levels: Sequence[Iterable[str]],
    edges: Collection[str] | None,
    expand: Collection[str] | None,
) -> dict[str, Trace]:
    traces: dict[str, Trace] = {}
    for level, sources in enumerate(levels):
        queue: deque[str] = deque()
        for s in sources:
            if s not in traces:
                traces[s] = (level, s, None, None, 0)
                queue.append(s)
        while queue:
            node = queue.popleft()
            trace = traces[node]
            dist = trace[DIST]
            if dist and expand is not None and node not in expand:
                continue
            origin = trace[ORIGIN]
            for fid, nxt in adjacency[node]:
                if nxt in traces or (edges is not None and fid not in edges):
                    continue
                traces[nxt] = (level, origin, node, fid, dist + 1)
                queue.append(nxt)
    return traces


def path_of(traces: dict[str, Trace], node: str, *, reverse: bool = False) -> tuple[str, ...]:
    """The witness path of ``node``: element and flow ids alternating, in flow direction.

    Forward search: origin … node. Reverse search: node … origin (the sink).
    """
    out: list[str] = [node]
    cur = traces[node]
    while cur[PARENT] is not None:
        out.append(cur[VIA])
        out.append(cur[PARENT])
        cur = traces[cur[PARENT]]
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
    last = len(walk) - 1
    for i, item in enumerate(walk):
        if i % 2 == 0:  # an element
            if item in seen and not (i == last and item == walk[0]):
                cut = seen[item]
                del out[cut + 1 :]
                seen = {k: v for k, v in seen.items() if v <= cut}
                continue
            seen[item] = len(out)
        out.append(item)
    return tuple(out)
