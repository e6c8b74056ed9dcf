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
from typing import Collection, Iterable, Sequence

from app.analysis.graph import ModelGraph

Trace = tuple  # (level, origin, parent | None, via flow id | None, dist)
LEVEL, ORIGIN, PARENT, VIA, DIST = range(5)


# Searches of recent runs: (reverse, levels, expand, within) -> [(adjacency, edges, traces), ...],
# most recent first. A search is decided by its inputs and by what the nodes it expanded
# can follow, so after an edit elsewhere (an access level, a name, a far-away flow) or one
# that provably cannot change it (see ``_still_valid``) the remembered traces are reused.
_Entry = tuple  # (adjacency, edges | None, traces)
_memo: dict[tuple, list[_Entry]] = {}
_MEMO_SIZE = 256  # search keys
_PER_KEY = 4  # remembered variants (adjacency, allowed flows) per key
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
    within: Collection[str] | None = None,
) -> dict[str, Trace]:
    """Search from each level's sources in turn; ``reverse`` follows flows backwards.

    ``edges``: ids of the flows the search may follow (None: all). ``expand``:
    nodes the search may continue out of once reached (None: all; sources
    always). ``within``: the only nodes it may reach (None: all). Returns a
    trace for every node reached, sources at distance 0. The result must not
    be modified (equal searches share it).
    """
    adjacency = graph.in_adj if reverse else graph.out_adj
    allowed = None if edges is None else frozenset(edges)
    key = (
        reverse,
        tuple(tuple(level) for level in levels),
        None if expand is None else frozenset(expand),
        None if within is None else frozenset(within),
    )
    for entry in _memo.get(key, ()):
        if _still_valid(entry, graph, adjacency, allowed, key):
            if entry[0] is not adjacency or not _same_set(entry[1], allowed):
                _remember(key, (adjacency, allowed, entry[2]), 0)  # the next run checks against this graph
            return entry[2]
    traces = _search(adjacency, key[1], allowed, key[2], key[3])
    _remember(key, (adjacency, allowed, traces), len(traces))
    return traces


def _remember(key: tuple, entry: _Entry, added: int) -> None:
    global _memo_nodes
    with _memo_lock:
        entries = _memo.pop(key, [])  # re-inserted last: eviction takes the least recently stored
        traces = entry[2]
        fresh = [entry, *(e for e in entries if e[2] is not traces)][:_PER_KEY]
        kept = {id(e[2]) for e in fresh}
        gone = {id(e[2]): len(e[2]) for e in entries if id(e[2]) not in kept}  # traces may be shared
        _memo_nodes += added - sum(gone.values())
        while _memo and (len(_memo) >= _MEMO_SIZE or _memo_nodes > _MEMO_NODES):
            oldest = _memo.pop(next(iter(_memo)))
            _memo_nodes -= sum(len(t) for t in {id(e[2]): e[2] for e in oldest}.values())
        _memo[key] = fresh


def _same_set(a: frozenset | None, b: frozenset | None) -> bool:
    """Equal flow sets; the very same set (an unchanged ``edge_set``) without comparing members."""
    return a is b or a == b


def _follows(adjacency, node: str, allowed, within) -> list[tuple[str, str]]:
    """The flows a search may follow out of ``node``, in order."""
    return [e for e in adjacency[node] if (allowed is None or e[0] in allowed) and (within is None or e[1] in within)]


def _still_valid(entry: _Entry, graph: ModelGraph, adjacency, allowed, key: tuple) -> bool:
    """Whether a search with these inputs gives exactly ``entry``'s traces.

    Only nodes the search expanded read their flows. At each of them, the flows
    it may now follow must differ from before only by flows that discovered
    nothing (their far end was found earlier: removing them changes nothing) and
    by new flows to nodes found strictly earlier in search order (level, then
    distance: following them finds nothing new), with the rest in the same
    order. By induction over the order nodes leave the queue, the search then
    claims every node from the same parent through the same flow.
    """
    before, old_allowed, traces = entry
    same_allowed = _same_set(old_allowed, allowed)
    if before is adjacency and same_allowed:
        return True
    reverse, _, expand, within = key
    suspects: list[str] = []
    if before is not adjacency:
        changed = graph.changed_since(before)
        if changed is not None:  # the graph knows what its edit changed
            suspects = [n for n in changed if n in traces]
        else:
            get = adjacency.get
            suspects = [
                n for n, now, then in zip(traces, map(get, traces), map(before.__getitem__, traces))
                if now is not then and now != then
            ]
    if not same_allowed:
        if old_allowed is None or allowed is None:
            return False
        flows = graph.flows
        for fid in old_allowed ^ allowed:  # a flow removed from the graph shows in its owner's adjacency
            f = flows.get(fid)
            if f is not None:
                owner = f.target if reverse else f.source
                if owner in traces:
                    suspects.append(owner)
    for n in dict.fromkeys(suspects):
        tn = traces[n]
        if tn[DIST] and expand is not None and n not in expand:
            continue  # never expanded: its flows were not read
        if n not in adjacency:
            return False  # an element the search reached is gone
        then = _follows(before, n, old_allowed, within)
        now = _follows(adjacency, n, allowed, within)
        if then == now:
            continue
        then_set, now_set = set(then), set(now)
        if [e for e in then if e in now_set] != [e for e in now if e in then_set]:
            return False  # the flows it still follows come in another order
        for fid, nxt in then:
            if (fid, nxt) not in now_set:
                t = traces[nxt]
                if t[PARENT] == n and t[VIA] == fid:
                    return False  # it found something through a flow it can no longer follow
        order = (tn[LEVEL], tn[DIST] + 1)
        for fid, nxt in now:
            if (fid, nxt) not in then_set:
                t = traces.get(nxt)
                if t is None or (t[LEVEL], t[DIST]) >= order:
                    return False  # a new flow reaches something new, or as early: it may claim it
    return True


def _search(
    adjacency: dict[str, list[tuple[str, str]]],
    levels: Sequence[Iterable[str]],
    edges: Collection[str] | None,
    expand: Collection[str] | None,
    within: Collection[str] | None = None,
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
                if nxt in traces or (edges is not None and fid not in edges) or (within is not None and nxt not in within):
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
