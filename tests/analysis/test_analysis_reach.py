"""Levelled searches: results, and reuse of remembered searches only when nothing they saw changed."""

from __future__ import annotations

import random

import pytest

from app.analysis import reach
from app.analysis.graph import ModelGraph
from app.analysis.reach import levelled_bfs, path_of

from tests.analysis.analysis_builders import build, el


def _chain(extra_flows=(), extra_elements=()):
    """a -> b -> c, plus d (not reachable from a) and whatever the test adds."""
    elements = [el("a", "process"), el("b", "process"), el("c", "process"), el("d", "process"), *extra_elements]
    flows = [("f1", "a", "b"), ("f2", "b", "c"), *extra_flows]
    return ModelGraph(build(elements, flows))


def test_search_finds_shortest_witnesses_from_the_worst_level_first():
    g = ModelGraph(build(
        [el("x", "process"), el("y", "process"), el("m", "process"), el("z", "process")],
        [("f1", "x", "m"), ("f2", "y", "m"), ("f3", "m", "z")],
    ))
    traces = levelled_bfs(g, [["y"], ["x"]])
    assert path_of(traces, "z") == ("y", "f2", "m", "f3", "z")  # level 0 (y) claims m first
    assert traces["x"][0] == 1


def test_an_edit_the_search_never_saw_reuses_it():
    first = levelled_bfs(_chain(), [["a"]])
    # d gains a flow to a new element: nothing reached from a changed
    again = levelled_bfs(_chain([("f9", "d", "e")], [el("e", "process")]), [["a"]])
    assert again is first


def test_an_edit_on_the_searched_part_searches_again():
    first = levelled_bfs(_chain(), [["a"]])
    assert "d" not in first
    again = levelled_bfs(_chain([("f9", "c", "d")]), [["a"]])  # c was reached; it now leads on to d
    assert again is not first
    assert path_of(again, "d") == ("a", "f1", "b", "f2", "c", "f9", "d")


def test_allowed_flows_and_elements_are_part_of_what_a_search_is():
    g = _chain()
    everything = levelled_bfs(g, [["a"]])
    only_f1 = levelled_bfs(g, [["a"]], edges={"f1"})
    not_through_b = levelled_bfs(g, [["a"]], expand={"a", "c"})
    assert set(everything) == {"a", "b", "c"}
    assert set(only_f1) == {"a", "b"}
    assert set(not_through_b) == {"a", "b"}


def test_a_new_flow_to_something_found_earlier_reuses_the_search():
    first = levelled_bfs(_chain(), [["a"]])
    again = levelled_bfs(_chain([("f9", "c", "b")]), [["a"]])  # b was found before c: nothing new
    assert again is first


def test_a_new_flow_that_finds_something_sooner_searches_again():
    first = levelled_bfs(_chain(), [["a"]])
    again = levelled_bfs(_chain([("f9", "a", "c")]), [["a"]])  # c is now one flow from a
    assert again is not first
    assert path_of(again, "c") == ("a", "f9", "c")


def test_searches_stay_within_their_nodes():
    g = _chain()
    assert set(levelled_bfs(g, [["a"]], within={"a", "b"})) == {"a", "b"}


def _random_graph(rng: random.Random, nodes: list[str], flows: dict[str, tuple[str, str]]) -> ModelGraph:
    return ModelGraph(build([el(n, "process") for n in nodes], [(fid, s, t) for fid, (s, t) in flows.items()]))


@pytest.mark.parametrize("seed", range(8))
def test_remembered_searches_equal_fresh_searches_over_random_edits(seed):
    """Whatever a remembered search is reused for, it equals a search made from scratch."""
    rng = random.Random(seed)
    nodes = [f"n{i:02d}" for i in range(24)]
    flows: dict[str, tuple[str, str]] = {}
    serial = 0
    for _ in range(40):
        a, b = rng.sample(nodes, 2)
        flows[f"f{serial:03d}"] = (a, b)
        serial += 1
    queries = []
    for _ in range(6):
        levels = [rng.sample(nodes, rng.randrange(1, 3)) for _ in range(rng.randrange(1, 4))]
        queries.append((levels, rng.random() < 0.5, rng.random() < 0.5, rng.random() < 0.3, rng.random() < 0.3))
    reused, seen = 0, {}
    for _ in range(60):
        g = _random_graph(rng, nodes, flows)
        ids = sorted(g.flows)
        for levels, reverse, some_edges, some_expand, some_within in queries:
            edges = set(ids[::2]) | {i for i in ids if rng.random() < 0.7} if some_edges else None
            expand = set(nodes[::3]) if some_expand else None
            within = set(nodes[:18]) | set(levels[0]) if some_within else None
            got = levelled_bfs(g, levels, reverse=reverse, edges=edges, expand=expand, within=within)
            adjacency = g.in_adj if reverse else g.out_adj
            assert got == reach._search(adjacency, levels, edges, expand, within)
            reused += id(got) in seen  # a search returned for an earlier snapshot (each has its own graph)
            seen[id(got)] = got
        for _ in range(rng.randrange(1, 3)):  # the next snapshot: flows added, removed, rewired
            choice = rng.random()
            if choice < 0.5 or not flows:
                a, b = rng.sample(nodes, 2)
                flows[f"f{serial:03d}"] = (a, b)
                serial += 1
            elif choice < 0.8:
                del flows[rng.choice(sorted(flows))]
            else:
                fid = rng.choice(sorted(flows))
                flows[fid] = (flows[fid][0], rng.choice([n for n in nodes if n != flows[fid][0]]))
    assert reused, "no search was ever reused: the test would not notice a wrong reuse"


@pytest.mark.parametrize("seed", range(6))
def test_a_graph_built_after_an_edit_equals_a_fresh_one(seed):
    """A graph built from the last one shares what the edit did not touch, and keeps the last
    components only when they are still right: it always equals a graph built from scratch."""
    rng = random.Random(seed)
    nodes = [f"n{i:02d}" for i in range(20)]
    flows = {f"f{i:03d}": (*rng.sample(nodes, 2), ("prompts",)) for i in range(26)}
    serial, kept = len(flows), 0
    previous = None
    for _ in range(80):
        model = build([el(n, "process") for n in nodes], [(fid, *rest) for fid, rest in flows.items()])
        if previous is not None:  # share untouched flow objects, as the editor's snapshots do
            same = {f.id: f for f in previous.model.flows}
            model = model.model_copy(update={"flows": tuple(
                same[f.id] if f.id in same and same[f.id] == f else f for f in model.flows)})
        g = ModelGraph(model, previous=previous)
        scratch = ModelGraph(model)
        for name in ("flows", "fmask", "out", "inc", "out_adj", "in_adj"):
            assert getattr(g, name) == getattr(scratch, name), name
        assert all(a is b for n in g.out for a, b in zip(g.out[n], scratch.out[n]))  # the new objects
        fresh = scratch.components
        got = g.components
        kept += previous is not None and got is previous.components
        # the same partition (indices are only labels)
        assert {frozenset(n for n in got if got[n] == c) for c in got.values()} == \
               {frozenset(n for n in fresh if fresh[n] == c) for c in fresh.values()}
        previous = g
        choice = rng.random()
        if choice < 0.4 or not flows:
            flows[f"f{serial:03d}"] = (*rng.sample(nodes, 2), ("prompts",))
            serial += 1
        elif choice < 0.7:
            del flows[rng.choice(sorted(flows))]
        else:  # what a flow carries: the same ends, a new object
            fid = rng.choice(sorted(flows))
            flows[fid] = (*flows[fid][:2], rng.choice([("prompts",), ("documents",), ()]))
    assert kept, "components were never carried over: the test would not notice a wrong carry-over"
