"""Flow routing: where a flow's line starts, bends and ends, and where its label sits.

A flow runs from the centre of its source towards the centre of its target,
through the waypoints stored in the model's layout, clipped at the two
silhouettes so that the arrowhead touches the target's border. Flows sharing a
pair of elements (both directions, or several in one direction) are spread
apart in parallel lanes so each one stays visible and clickable.

Labels go at the middle of the visible line; :class:`LabelPlacer` then moves a
label along its line, or off to the side, when it would cover a node or an
already placed label. Pure geometry: no scene, no items.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QLineF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QPainterPath, QPolygonF

from app.model.geometry import clip_segment

LANE_GAP = 16.0  # distance between parallel flows of one pair of elements


def lane_offsets(count: int) -> list[float]:
    """Perpendicular offsets for ``count`` flows between one pair, centred on the axis."""
    return [(i - (count - 1) / 2) * LANE_GAP for i in range(count)]


def clip_to_outline(inside: QPointF, outside: QPointF, outline: QPolygonF, origin: QPointF | None = None,
                    box: bool = False) -> QPointF:
    """Where the segment ``inside → outside`` leaves the closed polygon ``outline``.

    ``origin``: where the polygon's own coordinates start in the scene (a
    node's position), so one polygon serves every node of the same shape.
    ``box=True`` says the polygon is its bounding rectangle (exact, no search).
    Returns ``inside`` unchanged when ``outside`` is inside the outline too
    (overlapping nodes).

    The exit is found where the segment leaves the outline's bounding box,
    then refined by bisection with the polygon's (C++) point test: a dozen
    calls instead of a Python loop over every edge of a curved outline.
    """
    ox, oy = (origin.x(), origin.y()) if origin is not None else (0.0, 0.0)
    x0, y0 = inside.x() - ox, inside.y() - oy
    dx, dy = outside.x() - inside.x(), outside.y() - inside.y()
    r = outline.boundingRect()
    t_exit = _box_exit(x0, y0, dx, dy, r)
    if t_exit is None or t_exit >= 1.0:
        return QPointF(inside)  # the far end is inside the box too
    if box:
        return QPointF(inside.x() + dx * t_exit, inside.y() + dy * t_exit)
    contains = _outline_path(outline).contains
    if not contains(QPointF(x0, y0)):
        return QPointF(inside.x() + dx * t_exit, inside.y() + dy * t_exit)
    lo, hi = 0.0, t_exit
    for _ in range(11):
        mid = (lo + hi) / 2
        if contains(QPointF(x0 + dx * mid, y0 + dy * mid)):
            lo = mid
        else:
            hi = mid
    return QPointF(inside.x() + dx * hi, inside.y() + dy * hi)


_PATHS: dict[int, tuple[QPolygonF, QPainterPath]] = {}


def _outline_path(outline: QPolygonF) -> QPainterPath:
    """``outline`` as a winding-filled path, whose point test is about twice as fast as the polygon's.

    Kept per polygon object (element items of one shape share one polygon); the
    cache holds the polygon itself, so its id cannot be reused while cached.
    """
    entry = _PATHS.get(id(outline))
    if entry is None or entry[0] is not outline:
        path = QPainterPath()
        path.addPolygon(outline)
        path.closeSubpath()
        path.setFillRule(Qt.FillRule.WindingFill)
        if len(_PATHS) >= 256:
            _PATHS.clear()
        entry = _PATHS[id(outline)] = (outline, path)
    return entry[1]


def _box_exit(x0: float, y0: float, dx: float, dy: float, r: QRectF) -> float | None:
    """Parameter at which the ray ``(x0, y0) + t·(dx, dy)`` leaves rectangle ``r`` (None: never)."""
    ts = []
    if dx > 0:
        ts.append((r.right() - x0) / dx)
    elif dx < 0:
        ts.append((r.left() - x0) / dx)
    if dy > 0:
        ts.append((r.bottom() - y0) / dy)
    elif dy < 0:
        ts.append((r.top() - y0) / dy)
    if not ts:
        return None
    return max(0.0, min(ts))


@dataclass(frozen=True)
class Route:
    """A routed flow: its polyline (first and last points on the borders)."""

    points: tuple[QPointF, ...]

    def __post_init__(self) -> None:
        # cumulative lengths, computed once: labels probe many points along a route
        run, cumulative = 0.0, [0.0]
        for a, b in zip(self.points, self.points[1:]):
            run += math.hypot(b.x() - a.x(), b.y() - a.y())
            cumulative.append(run)
        object.__setattr__(self, "_cumulative", tuple(cumulative))

    def length(self) -> float:
        return self._cumulative[-1]

    def point_at(self, fraction: float) -> tuple[QPointF, QPointF]:
        """The point at ``fraction`` (0..1) of the length, and the unit direction there."""
        x, y, ux, uy = self.point_xy(fraction)
        return QPointF(x, y), QPointF(ux, uy)

    def point_xy(self, fraction: float) -> tuple[float, float, float, float]:
        """:meth:`point_at` as plain numbers ``(x, y, ux, uy)``: label placement probes thousands."""
        total = self._cumulative[-1]
        pts = self.points
        if total == 0 or len(pts) < 2:
            p = pts[0] if pts else QPointF()
            return p.x(), p.y(), 1.0, 0.0
        want = max(0.0, min(1.0, fraction)) * total
        cum = self._cumulative
        i = 0
        while i < len(pts) - 2 and cum[i + 1] < want:
            i += 1
        a, b = pts[i], pts[i + 1]
        seg = cum[i + 1] - cum[i] or 1.0
        t = (want - cum[i]) / seg
        ax, ay = a.x(), a.y()
        dx, dy = b.x() - ax, b.y() - ay
        return ax + dx * t, ay + dy * t, dx / seg, dy / seg


def route(
    source_center: QPointF,
    source_outline: QPolygonF,
    target_center: QPointF,
    target_outline: QPolygonF,
    waypoints: list[QPointF] | tuple[QPointF, ...] = (),
    lane: float = 0.0,
    source_origin: QPointF | None = None,
    target_origin: QPointF | None = None,
    boxes: tuple[bool, bool] = (False, False),
) -> Route:
    """Route one flow; ``lane`` is its perpendicular offset (see :func:`lane_offsets`).

    The offset is applied to the straight line between the centres; with
    waypoints the user has routed the flow by hand, so no lane is applied.
    """
    if waypoints:
        first = clip_to_outline(source_center, waypoints[0], source_outline, source_origin, boxes[0])
        last = clip_to_outline(target_center, waypoints[-1], target_outline, target_origin, boxes[1])
        return Route((first, *[QPointF(p) for p in waypoints], last))
    s, t = QPointF(source_center), QPointF(target_center)
    if lane:
        axis = QLineF(s, t)
        length = axis.length() or 1.0
        nx, ny = -axis.dy() / length * lane, axis.dx() / length * lane
        s, t = QPointF(s.x() + nx, s.y() + ny), QPointF(t.x() + nx, t.y() + ny)
    first = clip_to_outline(s, t, source_outline, source_origin, boxes[0])
    last = clip_to_outline(t, s, target_outline, target_origin, boxes[1])
    return Route((first, last))


def arrow_head(tip: QPointF, towards_from: QPointF, size: float = 10.0) -> QPolygonF:
    """A filled triangle pointing at ``tip``, coming from ``towards_from``."""
    line = QLineF(tip, towards_from)
    length = line.length() or 1.0
    ux, uy = line.dx() / length, line.dy() / length
    base = QPointF(tip.x() + ux * size, tip.y() + uy * size)
    half = size * 0.45
    return QPolygonF([tip, QPointF(base.x() - uy * half, base.y() + ux * half), QPointF(base.x() + uy * half, base.y() - ux * half)])


class LabelPlacer:
    """Places flow labels where they cover no node and no other label, when it can.

    Obstacles are kept in a coarse uniform grid so that a placement looks only
    at its neighbourhood: placing every label of a 4,000-flow diagram stays
    linear.
    """

    CELL = 200.0
    # fractions along the line, then perpendicular shifts (in label heights), best first
    FRACTIONS = (0.5, 0.38, 0.62, 0.26, 0.74, 0.16, 0.84)
    SHIFTS = (0.0, 1.1, -1.1)
    # a first pass over a very large diagram tries fewer places per label (open stays fast)
    QUICK_FRACTIONS = (0.5, 0.36, 0.64)
    QUICK_SHIFTS = (0.0, 1.1)
    quick = False
    BADGE_ROOM = 12.0

    def __init__(self) -> None:
        # obstacles as plain (left, top, right, bottom) tuples: thousands of overlap tests per
        # diagram run in Python arithmetic instead of calls into Qt
        self._cells: dict[tuple[int, int], dict[str, tuple[float, float, float, float]]] = {}
        self._boxes: dict[str, tuple[float, float, float, float]] = {}

    def set_obstacle(self, key: str, rect: QRectF) -> None:
        """Add (or move) the obstacle ``key``: a node box or a placed label."""
        self.remove_obstacle(key)
        box = (rect.left(), rect.top(), rect.right(), rect.bottom())
        self._boxes[key] = box
        for cell in self._cells_of(box):
            self._cells.setdefault(cell, {})[key] = box

    def remove_obstacle(self, key: str) -> None:
        box = self._boxes.pop(key, None)
        if box is not None:
            for cell in self._cells_of(box):
                bucket = self._cells.get(cell)
                if bucket is not None:
                    bucket.pop(key, None)
                    if not bucket:
                        del self._cells[cell]

    def _cells_of(self, box: tuple[float, float, float, float]):
        c = self.CELL
        return [(i, j) for i in range(math.floor(box[0] / c), math.floor(box[2] / c) + 1)
                for j in range(math.floor(box[1] / c), math.floor(box[3] / c) + 1)]

    def _cost(self, box: tuple[float, float, float, float], me: str) -> float:
        """Total area of the obstacles (other than ``me``) that ``box`` overlaps."""
        left, top, right, bottom = box
        c = self.CELL
        i0, i1 = math.floor(left / c), math.floor(right / c)
        j0, j1 = math.floor(top / c), math.floor(bottom / c)
        cells = self._cells
        cost = 0.0
        # (comparisons, not min() and max(): on a large diagram this loop runs 200,000 times)
        if i0 == i1 and j0 == j1:  # the usual case: one cell, whose obstacles are distinct
            bucket = cells.get((i0, j0))
            if bucket:
                for key, (ol, ot, orr, ob) in bucket.items():
                    if orr > left and ol < right and ob > top and ot < bottom and key != me:
                        cost += (((right if right < orr else orr) - (left if left > ol else ol))
                                 * ((bottom if bottom < ob else ob) - (top if top > ot else ot)))
            return cost
        seen: set[str] = {me}  # an obstacle spanning several cells counts once
        for i in range(i0, i1 + 1):
            for j in range(j0, j1 + 1):
                bucket = cells.get((i, j))
                if not bucket:
                    continue
                for key, (ol, ot, orr, ob) in bucket.items():
                    if orr > left and ol < right and ob > top and ot < bottom and key not in seen:
                        seen.add(key)
                        cost += (((right if right < orr else orr) - (left if left > ol else ol))
                                 * ((bottom if bottom < ob else ob) - (top if top > ot else ot)))
        return cost

    def place(self, path: Route, size: QSizeF, key: str) -> QRectF:
        """The best free rectangle of ``size`` near ``path``; it becomes an obstacle too."""
        w, h = size.width(), size.height()
        best: tuple[float, float, float, float] | None = None
        best_cost = math.inf
        fractions, shifts = (self.QUICK_FRACTIONS, self.QUICK_SHIFTS) if self.quick else (self.FRACTIONS, self.SHIFTS)
        probes: list = [None] * len(fractions)  # points along the line, found when first tried
        for shift in shifts:
            off = shift * h
            for k, frac in enumerate(fractions):
                probe = probes[k]
                if probe is None:
                    probe = probes[k] = path.point_xy(frac)
                px, py, ux, uy = probe
                cx, cy = px - uy * off, py + ux * off
                box = (cx - w / 2 - self.BADGE_ROOM, cy - h / 2 - self.BADGE_ROOM / 2, cx + w / 2, cy + h / 2)
                cost = self._cost(box, key) + abs(frac - 0.5) * 40 + abs(shift) * 60
                if cost < best_cost:
                    best, best_cost = box, cost
                if cost == 0:
                    break
            if best_cost < 1:
                break
        assert best is not None
        rect = QRectF(best[0] + self.BADGE_ROOM, best[1] + self.BADGE_ROOM / 2, w, h)
        # the obstacle includes the badge pill drawn at the label's left end
        self.set_obstacle(key, rect.adjusted(-self.BADGE_ROOM, -self.BADGE_ROOM / 2, 0, 0))
        return rect


class NodeGrid:
    """Element boxes in a coarse grid, to find the ones a straight flow would cross."""

    CELL = 300.0
    CLEARANCE = 6.0  # a line passing this close to a box counts as crossing it

    def __init__(self) -> None:
        self._cells: dict[tuple[int, int], dict[str, tuple[QRectF, float, float, float, float]]] = {}
        self._rects: dict[str, QRectF] = {}

    def set(self, key: str, rect: QRectF) -> None:
        self.remove(key)
        self._rects[key] = QRectF(rect)
        c = self.CLEARANCE
        entry = (self._rects[key], rect.left() - c, rect.top() - c, rect.right() + c, rect.bottom() + c)
        for cell in self._keys(rect):
            self._cells.setdefault(cell, {})[key] = entry

    def rect(self, key: str) -> QRectF | None:
        return self._rects.get(key)

    def remove(self, key: str) -> None:
        rect = self._rects.pop(key, None)
        if rect is not None:
            for cell in self._keys(rect):
                bucket = self._cells.get(cell)
                if bucket is not None:
                    bucket.pop(key, None)

    def _keys(self, rect: QRectF):
        c = self.CELL
        for i in range(math.floor(rect.left() / c), math.floor(rect.right() / c) + 1):
            for j in range(math.floor(rect.top() / c), math.floor(rect.bottom() / c) + 1):
                yield (i, j)

    def crossed(self, a: QPointF, b: QPointF, skip: tuple[str, ...], first_only: bool = False) -> list[QRectF]:
        """Boxes (other than ``skip``) that the segment ``a → b`` passes through or near."""
        ax, ay, bx, by = a.x(), a.y(), b.x(), b.y()
        lo_x, hi_x, lo_y, hi_y = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
        c = self.CELL
        hits: dict[str, QRectF] = {}
        dx, dy = bx - ax, by - ay
        pad = self.CLEARANCE
        i0, i1 = math.floor(lo_x / c), math.floor(hi_x / c)
        j0, j1 = math.floor(lo_y / c), math.floor(hi_y / c)
        # a long diagonal line's bounding box spans many cells it never enters: skip those
        filter_cells = i1 > i0 and j1 > j0
        for i in range(i0, i1 + 1):
            for j in range(j0, j1 + 1):
                bucket = self._cells.get((i, j))
                if not bucket or (filter_cells and not _segment_hits_box(
                        ax, ay, dx, dy, i * c - pad, j * c - pad, (i + 1) * c + pad, (j + 1) * c + pad)):
                    continue
                for key, (rect, left, top, right, bottom) in bucket.items():
                    if key in hits or key in skip or right < lo_x or left > hi_x or bottom < lo_y or top > hi_y:
                        continue
                    if _segment_hits_box(ax, ay, dx, dy, left, top, right, bottom):
                        hits[key] = rect
                        if first_only:
                            return [rect]
        return list(hits.values())


def _segment_hits_box(x0: float, y0: float, dx: float, dy: float, left: float, top: float, right: float,
                      bottom: float) -> bool:
    return clip_segment(x0, y0, dx, dy, left, top, right, bottom) is not None


def segment_hits_rect(a: QPointF, b: QPointF, r: QRectF) -> bool:
    """Whether the segment ``a → b`` passes through rectangle ``r``."""
    return _segment_hits_box(a.x(), a.y(), b.x() - a.x(), b.y() - a.y(), r.left(), r.top(), r.right(), r.bottom())


def detour(a: QPointF, b: QPointF, grid: NodeGrid, ends: tuple[str, str]) -> list[QPointF]:
    """Bend points taking a flow from centre ``a`` to centre ``b`` around the boxes in its way.

    Empty when the straight line is clear (or when no simple detour is):
    tries the two elbow routes (horizontal then vertical, and the reverse),
    then lines passing just above/below (or beside) the boxes in the way.
    """
    blocking = grid.crossed(a, b, ends)
    if not blocking:
        return []
    candidates: list[list[QPointF]] = [[QPointF(b.x(), a.y())], [QPointF(a.x(), b.y())]]
    area = blocking[0]
    for r in blocking[1:]:
        area = area.united(r)
    margin = 24.0
    if abs(b.x() - a.x()) >= abs(b.y() - a.y()):  # mostly horizontal: go over or under
        for y in (area.top() - margin, area.bottom() + margin):
            candidates.append([QPointF(min(max(area.left(), min(a.x(), b.x())), max(a.x(), b.x())), y),
                               QPointF(max(min(area.right(), max(a.x(), b.x())), min(a.x(), b.x())), y)])
    else:  # mostly vertical: go left or right
        for x in (area.left() - margin, area.right() + margin):
            candidates.append([QPointF(x, min(max(area.top(), min(a.y(), b.y())), max(a.y(), b.y()))),
                               QPointF(x, max(min(area.bottom(), max(a.y(), b.y())), min(a.y(), b.y())))])
    best: list[QPointF] = []
    best_len = math.inf
    for bends in candidates:
        if bends and a.x() > b.x() and len(bends) == 2 and abs(b.x() - a.x()) >= abs(b.y() - a.y()):
            bends = bends[::-1]  # walk the detour in the flow's direction
        if bends and a.y() > b.y() and len(bends) == 2 and abs(b.x() - a.x()) < abs(b.y() - a.y()):
            bends = bends[::-1]
        pts = [a, *bends, b]
        if any(grid.crossed(p, q, ends, first_only=True) for p, q in zip(pts, pts[1:])):
            continue
        length = sum(QLineF(p, q).length() for p, q in zip(pts, pts[1:]))
        if length < best_len:
            best, best_len = bends, length
    return best
