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

from PySide6.QtCore import QLineF, QPointF, QRectF, QSizeF
from PySide6.QtGui import QPolygonF

LANE_GAP = 16.0  # distance between parallel flows of one pair of elements


def lane_offsets(count: int) -> list[float]:
    """Perpendicular offsets for ``count`` flows between one pair, centred on the axis."""
    return [(i - (count - 1) / 2) * LANE_GAP for i in range(count)]


def clip_to_outline(inside: QPointF, outside: QPointF, outline: QPolygonF) -> QPointF:
    """Where the segment ``inside → outside`` leaves the closed polygon ``outline``.

    Returns ``inside`` unchanged when the segment never crosses it (the other
    end lies inside too: overlapping nodes).
    """
    seg = QLineF(inside, outside)
    best: QPointF | None = None
    best_t = -1.0
    n = outline.size()
    for i in range(n):
        a = outline.at(i)
        b = outline.at((i + 1) % n)
        kind, hit = seg.intersects(QLineF(a, b))
        if kind == QLineF.IntersectionType.BoundedIntersection:
            t = _param(seg, hit)
            if t > best_t:  # the last crossing: leaves concave outlines cleanly
                best_t, best = t, hit
    return best if best is not None else QPointF(inside)


def _param(seg: QLineF, p: QPointF) -> float:
    dx, dy = seg.dx(), seg.dy()
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return 0.0
    return ((p.x() - seg.x1()) * dx + (p.y() - seg.y1()) * dy) / length2


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
) -> Route:
    """Route one flow; ``lane`` is its perpendicular offset (see :func:`lane_offsets`).

    The offset is applied to the straight line between the centres; with
    waypoints the user has routed the flow by hand, so no lane is applied.
    """
    if waypoints:
        first = clip_to_outline(source_center, waypoints[0], source_outline)
        last = clip_to_outline(target_center, waypoints[-1], target_outline)
        return Route((first, *[QPointF(p) for p in waypoints], last))
    s, t = QPointF(source_center), QPointF(target_center)
    if lane:
        axis = QLineF(s, t)
        length = axis.length() or 1.0
        nx, ny = -axis.dy() / length * lane, axis.dx() / length * lane
        s, t = QPointF(s.x() + nx, s.y() + ny), QPointF(t.x() + nx, t.y() + ny)
    first = clip_to_outline(s, t, source_outline)
    last = clip_to_outline(t, s, target_outline)
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
