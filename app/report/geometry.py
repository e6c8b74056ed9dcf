"""Where things are on the diagram, in model coordinates, ready for drawing.

The model keeps layout apart from content and may lack positions for some
elements (a model written by hand or a script). :func:`compute_geometry` gives
every element a rectangle (laying out the missing ones in a grid below the
rest), every boundary a rectangle (from the layout, or around its members and
nested boundaries), and every flow a polyline from the border of its source to
the border of its target through its waypoints. Parallel flows between the same
two elements are spread apart so their lines and numbers do not overlap.

Coordinates are the model's: x to the right, y downwards.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from app.model import ThreatModel
from app.model.geometry import clip_segment

Box = tuple[float, float, float, float]  # x, y, w, h
Pt = tuple[float, float]

DEFAULT_W, DEFAULT_H = 150.0, 70.0
GRID_GAP = 60.0
BOUNDARY_PAD = 24.0
PARALLEL_GAP = 14.0
ROUTE_LIMIT = 3_000  # elements: above this, no detours or badge placement (the overview is a sketch)


@dataclass
class FlowPath:
    flow_id: str
    number: int
    source: str
    target: str
    points: list[Pt]
    label_at: Pt  # where the number badge goes (the polyline's middle)
    crosses_boundary: bool = False


@dataclass
class Geometry:
    elements: dict[str, Box] = field(default_factory=dict)
    boundaries: dict[str, Box] = field(default_factory=dict)
    boundary_depth: dict[str, int] = field(default_factory=dict)
    flows: list[FlowPath] = field(default_factory=list)
    bbox: Box = (0.0, 0.0, 1.0, 1.0)


def _union(boxes: list[Box]) -> Box:
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return (x0, y0, x1 - x0, y1 - y0)


def _centre(b: Box) -> Pt:
    return (b[0] + b[2] / 2, b[1] + b[3] / 2)


def _border_point(b: Box, towards: Pt) -> Pt:
    """Where the ray from the centre of ``b`` towards ``towards`` leaves the box."""
    cx, cy = _centre(b)
    dx, dy = towards[0] - cx, towards[1] - cy
    if dx == 0 and dy == 0:
        return (cx, cy)
    hw, hh = b[2] / 2, b[3] / 2
    tx = hw / abs(dx) if dx else math.inf
    ty = hh / abs(dy) if dy else math.inf
    t = min(tx, ty)
    return (cx + dx * t, cy + dy * t)


class _BoxIndex:
    """Element boxes bucketed on a coarse grid, to find the ones a segment crosses quickly."""

    CELL = 400.0

    def __init__(self, rects: dict[str, Box]):
        self.rects = rects
        self.cells: dict[tuple[int, int], list[str]] = {}
        for eid, (x, y, w, h) in rects.items():
            for cx in range(int(x // self.CELL), int((x + w) // self.CELL) + 1):
                for cy in range(int(y // self.CELL), int((y + h) // self.CELL) + 1):
                    self.cells.setdefault((cx, cy), []).append(eid)

    def near(self, x0: float, y0: float, x1: float, y1: float) -> set[str]:
        found: set[str] = set()
        for cx in range(int(min(x0, x1) // self.CELL), int(max(x0, x1) // self.CELL) + 1):
            for cy in range(int(min(y0, y1) // self.CELL), int(max(y0, y1) // self.CELL) + 1):
                found.update(self.cells.get((cx, cy), ()))
        return found

    def crossed(self, a: Pt, b: Pt, ends: tuple[str, str], pad: float = 6.0) -> list[Box]:
        hits = []
        for eid in self.near(a[0], a[1], b[0], b[1]):
            if eid in ends:
                continue
            x, y, w, h = self.rects[eid]
            box = (x - pad, y - pad, w + 2 * pad, h + 2 * pad)
            if _segment_hits(a, b, box):
                hits.append(box)
        return hits

    def inside_any(self, p: Pt, pad: float = 4.0) -> bool:
        for eid in self.near(p[0], p[1], p[0], p[1]):
            x, y, w, h = self.rects[eid]
            if x - pad <= p[0] <= x + w + pad and y - pad <= p[1] <= y + h + pad:
                return True
        return False


def _segment_hits(a: Pt, b: Pt, box: Box) -> bool:
    """Does the segment a–b meet the rectangle?"""
    x, y, w, h = box
    return clip_segment(a[0], a[1], b[0] - a[0], b[1] - a[1], x, y, x + w, y + h) is not None


def _detour(a: Pt, b: Pt, index: _BoxIndex, ends: tuple[str, str]) -> list[Pt]:
    """Bend points taking a flow from centre ``a`` to centre ``b`` around boxes in its way ([] if clear)."""
    blocking = index.crossed(a, b, ends)
    if not blocking:
        return []
    x0, y0, w, h = _union(blocking)
    x1, y1 = x0 + w, y0 + h
    margin = 22.0
    candidates: list[list[Pt]] = [[(b[0], a[1])], [(a[0], b[1])]]
    lo_x, hi_x = sorted((a[0], b[0]))
    lo_y, hi_y = sorted((a[1], b[1]))
    if abs(b[0] - a[0]) >= abs(b[1] - a[1]):  # mostly horizontal: pass over or under
        for y in (y0 - margin, y1 + margin):
            bends = [(min(max(x0, lo_x), hi_x), y), (max(min(x1, hi_x), lo_x), y)]
            candidates.append(bends if a[0] <= b[0] else bends[::-1])
    else:  # mostly vertical: pass left or right
        for x in (x0 - margin, x1 + margin):
            bends = [(x, min(max(y0, lo_y), hi_y)), (x, max(min(y1, hi_y), lo_y))]
            candidates.append(bends if a[1] <= b[1] else bends[::-1])
    best: list[Pt] = []
    best_len = math.inf
    for bends in candidates:
        pts = [a, *bends, b]
        if any(index.crossed(p, q, ends) for p, q in zip(pts, pts[1:])):
            continue
        length = sum(math.dist(p, q) for p, q in zip(pts, pts[1:]))
        if length < best_len:
            best, best_len = bends, length
    return best


def _point_at(points: list[Pt], fraction: float) -> Pt:
    lengths = [math.dist(points[i], points[i + 1]) for i in range(len(points) - 1)]
    want = sum(lengths) * fraction
    for i, seg in enumerate(lengths):
        if want <= seg and seg > 0:
            t = want / seg
            (x0, y0), (x1, y1) = points[i], points[i + 1]
            return (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
        want -= seg
    return points[-1]


def _badge_spot(points: list[Pt], index: _BoxIndex | None, placed: dict[tuple[int, int], list[Pt]]) -> Pt:
    """A point along the flow for its number: the middle, or the nearest spot off every box and badge."""
    best = _midpoint(points)
    if index is None:
        return best
    for fraction in (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82):
        p = _point_at(points, fraction)
        if index.inside_any(p):
            continue
        key = (int(p[0] // 40), int(p[1] // 40))
        crowded = any(math.dist(p, q) < 16 for dx in (-1, 0, 1) for dy in (-1, 0, 1)
                      for q in placed.get((key[0] + dx, key[1] + dy), ()))
        if not crowded:
            best = p
            break
    key = (int(best[0] // 40), int(best[1] // 40))
    placed.setdefault(key, []).append(best)
    return best


def _midpoint(points: list[Pt]) -> Pt:
    lengths = [math.dist(points[i], points[i + 1]) for i in range(len(points) - 1)]
    half = sum(lengths) / 2
    for i, seg in enumerate(lengths):
        if half <= seg and seg > 0:
            t = half / seg
            (x0, y0), (x1, y1) = points[i], points[i + 1]
            return (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
        half -= seg
    return points[len(points) // 2]


def _place_missing(model: ThreatModel, rects: dict[str, Box]) -> None:
    missing = [e.id for e in model.elements if e.id not in rects]
    if not missing:
        return
    top = (max(b[1] + b[3] for b in rects.values()) + GRID_GAP * 2) if rects else 0.0
    left = min((b[0] for b in rects.values()), default=0.0)
    columns = max(1, math.ceil(math.sqrt(len(missing) * 2)))  # a wide grid suits a landscape page
    for i, element_id in enumerate(missing):
        row, col = divmod(i, columns)
        rects[element_id] = (left + col * (DEFAULT_W + GRID_GAP), top + row * (DEFAULT_H + GRID_GAP), DEFAULT_W, DEFAULT_H)


def _boundary_boxes(model: ThreatModel, rects: dict[str, Box]) -> tuple[dict[str, Box], dict[str, int]]:
    laid_out = model.layout.boundaries
    children: dict[str, list[str]] = {}
    by_id = model.boundary_map()
    for b in model.boundaries:
        if b.parent and b.parent in by_id:
            children.setdefault(b.parent, []).append(b.id)
    boxes: dict[str, Box] = {}
    visiting: set[str] = set()

    def box_of(bid: str) -> Box | None:
        if bid in boxes:
            return boxes[bid]
        if bid in visiting:  # a parent cycle (the validator refuses these; never loop)
            return None
        visiting.add(bid)
        if bid in laid_out:
            r = laid_out[bid]
            result: Box | None = (r.x, r.y, r.w, r.h)
        else:
            inner = [rects[m] for m in by_id[bid].members if m in rects]
            inner += [c for c in (box_of(k) for k in children.get(bid, ())) if c is not None]
            if inner:
                x, y, w, h = _union(inner)
                result = (x - BOUNDARY_PAD, y - BOUNDARY_PAD * 1.6, w + 2 * BOUNDARY_PAD, h + BOUNDARY_PAD * 2.6)
            else:
                result = None
        visiting.discard(bid)
        if result is not None:
            boxes[bid] = result
        return result

    for b in model.boundaries:
        box_of(b.id)
    depth: dict[str, int] = {}
    for b in model.boundaries:
        d, cur, seen = 0, b, set()
        while cur.parent and cur.parent in by_id and cur.parent not in seen:
            seen.add(cur.parent)
            cur = by_id[cur.parent]
            d += 1
        depth[b.id] = d
    return boxes, depth


def compute_geometry(model: ThreatModel) -> Geometry:
    """Rectangles and polylines for everything in ``model`` (see the module docstring)."""
    rects: dict[str, Box] = {eid: (r.x, r.y, r.w, r.h) for eid, r in model.layout.elements.items()}
    known = {e.id for e in model.elements}
    rects = {k: v for k, v in rects.items() if k in known}
    _place_missing(model, rects)
    boundaries, depth = _boundary_boxes(model, rects)

    membership: dict[str, frozenset[str]] = {}
    for b in model.boundaries:
        for m in b.members:
            membership[m] = membership.get(m, frozenset()) | {b.id}

    pair_count: dict[frozenset[str], int] = {}
    for f in model.flows:
        if not model.layout.flows.get(f.id, None) or not model.layout.flows[f.id].points:
            key = frozenset((f.source, f.target))
            pair_count[key] = pair_count.get(key, 0) + 1
    pair_seen: dict[frozenset[str], int] = {}
    # routing around boxes and badge placement cost little per flow, but on a diagram this big
    # the report draws an unlabelled overview: skip them there
    index = _BoxIndex(rects) if len(rects) <= ROUTE_LIMIT else None
    placed: dict[tuple[int, int], list[Pt]] = {}

    flows: list[FlowPath] = []
    for number, f in enumerate(model.flows, start=1):
        if f.source not in rects or f.target not in rects:
            continue
        src, dst = rects[f.source], rects[f.target]
        layout = model.layout.flows.get(f.id)
        waypoints = [(p.x, p.y) for p in layout.points] if layout else []
        crosses = membership.get(f.source, frozenset()) != membership.get(f.target, frozenset())
        if f.source == f.target and not waypoints:
            x, y, w, h = src  # a loop over the top-right corner
            points = [(x + w * 0.75, y), (x + w * 0.75, y - 28), (x + w + 28, y - 28), (x + w + 28, y + h * 0.25),
                      (x + w, y + h * 0.25)]
            flows.append(FlowPath(f.id, number, f.source, f.target, points, (x + w + 28, y - 28), crosses))
            continue
        if waypoints:
            start = _border_point(src, waypoints[0])
            end = _border_point(dst, waypoints[-1])
            points = [start, *waypoints, end]
        else:
            key = frozenset((f.source, f.target))
            k = pair_seen.get(key, 0)
            pair_seen[key] = k + 1
            offset = (k - (pair_count[key] - 1) / 2) * PARALLEL_GAP
            (sx, sy), (tx, ty) = _centre(src), _centre(dst)
            length = math.hypot(tx - sx, ty - sy) or 1.0
            # perpendicular of the canonical direction, so A→B and B→A spread to opposite sides
            a, b = sorted((f.source, f.target))
            sign = 1 if (f.source, f.target) == (a, b) else -1
            nx, ny = -(ty - sy) / length * sign, (tx - sx) / length * sign
            ox, oy = nx * offset, ny * offset
            s_c = (sx + ox, sy + oy)
            t_c = (tx + ox, ty + oy)
            bends = _detour(s_c, t_c, index, (f.source, f.target)) if index is not None else []
            start = _border_point((src[0] + ox, src[1] + oy, src[2], src[3]), bends[0] if bends else t_c)
            end = _border_point((dst[0] + ox, dst[1] + oy, dst[2], dst[3]), bends[-1] if bends else s_c)
            points = [start, *bends, end]
        flows.append(FlowPath(f.id, number, f.source, f.target, points, _badge_spot(points, index, placed), crosses))

    everything = list(rects.values()) + list(boundaries.values())
    for fp in flows:
        xs = [p[0] for p in fp.points]
        ys = [p[1] for p in fp.points]
        everything.append((min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))
    bbox = _union(everything) if everything else (0.0, 0.0, 1.0, 1.0)
    return Geometry(rects, boundaries, depth, flows, bbox)


def flow_numbers(model: ThreatModel) -> dict[str, int]:
    """The number each flow carries on the diagram and in the tables (model order, from 1)."""
    return {f.id: i for i, f in enumerate(model.flows, start=1)}
