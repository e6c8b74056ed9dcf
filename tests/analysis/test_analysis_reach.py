"""Levelled searches: results, and reuse of remembered searches only when nothing they saw changed."""

from __future__ import annotations

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
