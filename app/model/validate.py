"""Semantic checks that a schema cannot express: references, uniqueness, nesting.

``check_model`` never raises on bad content; it returns every problem, each
with a JSON path that points into the file as written.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

from app.model.diagram import ThreatModel
from app.model.problems import Problem

MAX_BOUNDARY_DEPTH = 64


Positions = Mapping[tuple[str, str], "int | Sequence[int]"]


def file_positions(raw: dict) -> dict[tuple[str, str], tuple[int, ...]]:
    """Where each id stood in the file as written: ``{("flows", "f3"): (3,)}``.

    The model keeps its lists in canonical order; these positions let problem
    locations point into the file the user actually has. An id used twice in a
    section has two positions, in file order (canonical sorting is stable, so
    the n-th item with that id in the model is the n-th in the file).
    """
    positions: dict[tuple[str, str], list[int]] = {}
    for section in ("elements", "boundaries", "flows"):
        items = raw.get(section)
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    positions.setdefault((section, item["id"]), []).append(i)
    return {key: tuple(value) for key, value in positions.items()}


def _position(positions: Positions, section: str, ident: str, canonical_index: int, occurrence: int = 0) -> int:
    found = positions.get((section, ident))
    if found is None:
        return canonical_index
    if isinstance(found, int):  # callers may pass plain first positions
        return found
    return found[occurrence] if occurrence < len(found) else canonical_index


def check_model(
    model: ThreatModel,
    file: str = "",
    known_controls: Iterable[str] | None = None,
    positions: Positions | None = None,
) -> list[Problem]:
    """Return the semantic problems of ``model`` (empty when it is consistent).

    ``known_controls``: ids of the controls catalogue; when given, unknown
    control ids on elements and flows are problems. ``positions``: see
    :func:`file_positions`; without it locations use the canonical order.
    """
    problems: list[Problem] = []
    where_in_file = positions or {}

    def at(section: str, canonical_index: int, ident: str, occurrence: int = 0) -> str:
        return f"{section}[{_position(where_in_file, section, ident, canonical_index, occurrence)}]"

    def bad(location: str, message: str) -> None:
        problems.append(Problem(file, location, message))

    # ids are one namespace across elements, boundaries and flows
    first_seen: dict[str, str] = {}
    for section, items in (("elements", model.elements), ("boundaries", model.boundaries), ("flows", model.flows)):
        occurrences: dict[str, int] = {}
        for i, item in enumerate(items):
            occurrence = occurrences.get(item.id, 0)
            occurrences[item.id] = occurrence + 1
            where = f"{at(section, i, item.id, occurrence)}.id"
            if item.id in first_seen:
                bad(where, f'duplicate id "{item.id}" (also used at {first_seen[item.id]})')
            else:
                first_seen[item.id] = where

    elements = {e.id for e in model.elements}
    boundaries = {b.id: b for b in model.boundaries}
    flows = {f.id for f in model.flows}

    for i, flow in enumerate(model.flows):
        for end in ("source", "target"):
            ref = getattr(flow, end)
            if ref not in elements:
                bad(f"{at('flows', i, flow.id)}.{end}", f'no element with id "{ref}"')
        if flow.source == flow.target and flow.source in elements:
            bad(at("flows", i, flow.id), f'flow "{flow.id}" starts and ends at the same element "{flow.source}"')

    member_of: dict[str, str] = {}
    for i, boundary in enumerate(model.boundaries):
        if boundary.parent is not None and boundary.parent not in boundaries:
            bad(f"{at('boundaries', i, boundary.id)}.parent", f'no boundary with id "{boundary.parent}"')
        for j, member in enumerate(boundary.members):
            if member not in elements:
                bad(f"{at('boundaries', i, boundary.id)}.members[{j}]", f'no element with id "{member}"')
            elif member in member_of:
                bad(
                    f"{at('boundaries', i, boundary.id)}.members[{j}]",
                    f'element "{member}" is already a direct member of boundary "{member_of[member]}"',
                )
            else:
                member_of[member] = boundary.id

    problems.extend(_nesting_problems(model, file, where_in_file))

    if known_controls is not None:
        catalogue = set(known_controls)
        for section, items in (("elements", model.elements), ("flows", model.flows)):
            for i, item in enumerate(items):
                for j, control in enumerate(item.controls):
                    if control not in catalogue:
                        bad(f"{at(section, i, item.id)}.controls[{j}]", f'unknown control id "{control}"')

    for section, known in (("elements", elements), ("boundaries", set(boundaries)), ("flows", flows)):
        for key in getattr(model.layout, section):
            if key not in known:
                singular = {"elements": "element", "boundaries": "boundary", "flows": "flow"}[section]
                bad(f"layout.{section}.{key}", f'no {singular} with id "{key}"')
    return problems


def _nesting_problems(model: ThreatModel, file: str, positions: Positions) -> list[Problem]:
    """Cycles and excessive depth in boundary nesting, found in linear time."""
    index: dict[str, int] = {}
    for i, b in enumerate(model.boundaries):
        index.setdefault(b.id, _position(positions, "boundaries", b.id, i))
    parent = {b.id: b.parent for b in model.boundaries if b.parent in index}
    state: dict[str, int] = {}  # 1 = on the current walk, 2 = done
    depth: dict[str, int] = {}
    problems: list[Problem] = []
    for start in sorted(index):
        walk: list[str] = []
        node: str | None = start
        while node is not None and node not in state:
            state[node] = 1
            walk.append(node)
            node = parent.get(node)
        if node is not None and state[node] == 1:  # the walk ran into itself
            k = walk.index(node)
            cycle = walk[k:] + [node]
            problems.append(
                Problem(file, f"boundaries[{index[node]}].parent", "boundary nesting cycle: " + " → ".join(cycle))
            )
            for b in walk[k:]:
                depth[b] = 0
            tail, node_depth = walk[:k], 0
        else:
            tail, node_depth = walk, (depth[node] if node is not None else -1)
        for b in reversed(tail):
            node_depth += 1
            depth[b] = node_depth
        for b in walk:
            state[b] = 2
    # one problem for the whole chain, at the first boundary past the limit
    too_deep = [(d, index[b]) for b, d in depth.items() if d >= MAX_BOUNDARY_DEPTH]
    if too_deep:
        _, at = min(too_deep)
        problems.append(Problem(file, f"boundaries[{at}].parent", f"boundaries nested deeper than {MAX_BOUNDARY_DEPTH} levels"))
    return problems
