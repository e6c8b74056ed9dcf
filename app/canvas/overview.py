"""The overview: how the canvas draws a large diagram when zoomed far out.

Below :data:`OVERVIEW_ZOOM` names and pictograms are unreadable, and asking
thousands of items to paint themselves one Python call at a time costs far
more than a frame. In overview mode the items keep their geometry (so clicks,
the rubber band and dragging still work) but paint nothing
(``ItemHasNoContents``); instead this module draws the whole diagram in a
handful of batched QPainter calls: boundaries, flow lines, element boxes
grouped by kind, then selection, highlight and badge marks. The primitives
are rebuilt lazily after the scene changes.
"""

from __future__ import annotations

from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QPainter, QPen

from app.canvas.theme import severity_colour

OVERVIEW_ZOOM = 0.3  # below this scale the canvas draws the overview


class Overview:
    """Batched drawing of a :class:`~app.canvas.scene.DiagramScene`'s items."""

    def __init__(self, scene):
        self.scene = scene
        self._dirty = True
        self._boundaries: list[tuple[int, QRectF]] = []
        self._lines: list[QLineF] = []
        self._nodes: dict = {}

    def invalidate(self) -> None:
        self._dirty = True

    def _rebuild(self) -> None:
        scene = self.scene
        self._boundaries = sorted(((b.depth, b.scene_rect()) for b in scene.boundaries.values()), key=lambda t: t[0])
        lines: list[QLineF] = []
        for flow in scene.flows.values():
            pts = flow.route.points
            lines.extend(QLineF(a, b) for a, b in zip(pts, pts[1:]))
        self._lines = lines
        by_kind: dict = {}
        for node in scene.nodes.values():
            by_kind.setdefault(node.kind, []).append(node.scene_rect())
        self._nodes = by_kind
        self._dirty = False

    def paint(self, painter: QPainter, exposed: QRectF, zoom: float) -> None:
        """Draw the diagram (scene coordinates; ``zoom`` sizes the marks to stay visible)."""
        if self._dirty:
            self._rebuild()
        scene = self.scene
        theme = scene.theme
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        pen = QPen(theme.boundary, 1.2, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setBrush(theme.boundary_fill)
        painter.drawRects([r for _, r in self._boundaries])
        line_pen = QPen(theme.flow, 1.0)
        line_pen.setCosmetic(True)
        painter.setPen(line_pen)
        painter.drawLines(self._lines)
        for kind, rects in self._nodes.items():
            outline = QPen(theme.kind_outline(kind), 1.0)
            outline.setCosmetic(True)
            painter.setPen(outline)
            painter.setBrush(theme.kind_fill(kind))
            painter.drawRects(rects)
        marks = [(ident, item) for ident, item in scene.all_items()]
        if scene.annotations_visible:
            size = 7.0 / max(zoom, 1e-6)  # badges stay about 7 pixels wide at any zoom
            painter.setPen(Qt.PenStyle.NoPen)
            for ident, item in marks:
                badge = item.badge
                if badge is None:
                    continue
                painter.setBrush(severity_colour(badge.severity))
                at = _mark_point(item)
                painter.drawRect(QRectF(at.x() - size / 2, at.y() - size / 2, size, size))
        highlight = QPen(theme.highlight, 4)
        highlight.setCosmetic(True)
        selected = QPen(theme.selection, 2)
        selected.setCosmetic(True)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for ident, item in marks:
            if item.highlighted or item.isSelected():
                painter.setPen(highlight if item.highlighted else selected)
                if hasattr(item, "route"):
                    pts = item.route.points
                    painter.drawLines([QLineF(a, b) for a, b in zip(pts, pts[1:])])
                else:
                    painter.drawRect(item.scene_rect())
        painter.restore()


def _mark_point(item):
    if hasattr(item, "route"):
        p, _ = item.route.point_at(0.5)
        return p
    r = item.scene_rect()
    return r.topRight()
