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
from PySide6.QtGui import QPolygonF

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
    fill = Qt.FillRule.WindingFill
    contains = outline.containsPoint
    if not contains(QPointF(x0, y0), fill):
        return QPointF(inside.x() + dx * t_exit, inside.y() + dy * t_exit)
    lo, hi = 0.0, t_exit
    for _ in range(11):
        mid = (lo + hi) / 2
        if contains(QPointF(x0 + dx * mid, y0 + dy * mid), fill):
            lo = mid
        else:
            hi = mid
    return QPointF(inside.x() + dx * hi, inside.y() + dy * hi)


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

    def length(self) -> float:
        return sum(QLineF(a, b).length() for a, b in zip(self.points, self.points[1:]))

    def point_at(self, fraction: float) -> tuple[QPointF, QPointF]:
        """The point at ``fraction`` (0..1) of the length, and the unit direction there."""
        total = self.length()
        if total == 0 or len(self.points) < 2:
            p = self.points[0] if self.points else QPointF()
            return QPointF(p), QPointF(1, 0)
        want = max(0.0, min(1.0, fraction)) * total
        run = 0.0
        for a, b in zip(self.points, self.points[1:]):
            seg = QLineF(a, b).length()
            if seg > 0 and run + seg >= want:
                t = (want - run) / seg
                d = QPointF((b.x() - a.x()) / seg, (b.y() - a.y()) / seg)
                return QPointF(a.x() + (b.x() - a.x()) * t, a.y() + (b.y() - a.y()) * t), d
            run += seg
        a, b = self.points[-2], self.points[-1]
        seg = QLineF(a, b).length() or 1.0
        return QPointF(b), QPointF((b.x() - a.x()) / seg, (b.y() - a.y()) / seg)


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
    FRACTIONS = (0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78)
    SHIFTS = (0.0, 1.1, -1.1)

    def __init__(self) -> None:
        self._cells: dict[tuple[int, int], dict[str, QRectF]] = {}
        self._rects: dict[str, QRectF] = {}

    def set_obstacle(self, key: str, rect: QRectF) -> None:
        """Add (or move) the obstacle ``key``: a node box or a placed label."""
        self.remove_obstacle(key)
        self._rects[key] = QRectF(rect)
        for cell in self._keys(rect):
            self._cells.setdefault(cell, {})[key] = self._rects[key]

    def remove_obstacle(self, key: str) -> None:
        rect = self._rects.pop(key, None)
        if rect is not None:
            for cell in self._keys(rect):
                bucket = self._cells.get(cell)
                if bucket is not None:
                    bucket.pop(key, None)
                    if not bucket:
                        del self._cells[cell]

    def _keys(self, rect: QRectF):
        c = self.CELL
        for i in range(math.floor(rect.left() / c), math.floor(rect.right() / c) + 1):
            for j in range(math.floor(rect.top() / c), math.floor(rect.bottom() / c) + 1):
                yield (i, j)

    def _cost(self, rect: QRectF, me: str) -> float:
        seen: set[str] = {me}
        cost = 0.0
        for cell in self._keys(rect):
            for key, other in self._cells.get(cell, {}).items():
                if key in seen:
                    continue
                seen.add(key)
                if other.intersects(rect):
                    inter = other.intersected(rect)
                    cost += inter.width() * inter.height()
        return cost

    def place(self, path: Route, size: QSizeF, key: str) -> QRectF:
        """The best free rectangle of ``size`` near ``path``; it becomes an obstacle too."""
        best: QRectF | None = None
        best_cost = math.inf
        for shift in self.SHIFTS:
            for frac in self.FRACTIONS:
                p, d = path.point_at(frac)
                off = shift * size.height()
                centre = QPointF(p.x() - d.y() * off, p.y() + d.x() * off)
                rect = QRectF(centre.x() - size.width() / 2, centre.y() - size.height() / 2, size.width(), size.height())
                cost = self._cost(rect, key) + abs(frac - 0.5) * 40 + abs(shift) * 60
                if cost < best_cost:
                    best, best_cost = rect, cost
                if cost == 0:
                    break
            if best_cost < 1:
                break
        assert best is not None
        self.set_obstacle(key, best)
        return best
