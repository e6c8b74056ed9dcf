"""The graphics item of a flow: a routed line with an arrowhead, a label and a badge.

The scene computes the route and the label box (``app.canvas.routing``) and
hands them to the item; the item only draws them and answers hit tests. Its
shape is a wide stroke around the line plus the label, so a flow is easy to
click: thin edges that are hard to select are a known pain in other tools.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from app.canvas.badges import badge_rect, paint_badge
from app.canvas.nodes import DETAIL_LOD, TEXT_LOD, CanvasItemMixin
from app.canvas.routing import Route, arrow_head
from app.canvas.theme import Theme, current_theme
from app.model.geometry import clip_segment

END_GRIP = 6.0  # radius of the reconnect grips on a selected flow's ends
LABEL_MAX_W = 170.0


def label_font() -> QFont:
    font = QFont()
    font.setPointSizeF(8.0)
    return font


_metrics: QFontMetricsF | None = None
WRAP_AT = 110.0  # labels wider than this wrap onto two lines: tight gaps stay readable


def label_size(text: str, max_width: float = WRAP_AT) -> tuple[float, float, str]:
    """Width, height and shown text of a flow label box.

    The text wraps at word boundaries to lines of at most ``max_width`` (a
    short gap between two elements gets a narrow, taller label instead of one
    that covers their names), three lines at most; what does not fit is elided.
    """
    width = max(40.0, min(max_width, LABEL_MAX_W))
    key = (text, width)
    size = _SIZES.get(key)
    if size is None:
        if len(_SIZES) >= 4096:  # a diagram has few distinct names; never let renames grow this
            _SIZES.clear()
        size = _SIZES[key] = _label_size(text, width)
    return size


_SIZES: dict[tuple[str, float], tuple[float, float, str]] = {}  # flows share a few names ("prompts")


def _label_size(text: str, width: float) -> tuple[float, float, str]:
    global _metrics
    if _metrics is None:
        _metrics = QFontMetricsF(label_font())
    fm = _metrics
    text = " ".join(text.split())  # newlines and tabs in a name never break the box
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and fm.horizontalAdvance(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    lines.append(current)
    if len(lines) > 3:
        lines = lines[:2] + [" ".join(lines[2:])]
    if len(lines) == 2 and fm.horizontalAdvance(text) <= WRAP_AT and width >= WRAP_AT:
        lines = [text]  # a short name stays on one line
    lines = [fm.elidedText(line, Qt.TextElideMode.ElideRight, max(width, 40.0)) for line in lines]
    w = max(fm.horizontalAdvance(line) for line in lines)
    return w + 8, fm.height() * len(lines) + 2, "\n".join(lines)


_NO_ROUTE = Route((QPointF(), QPointF()))  # until the scene routes the flow


class _Pens:
    """The pens a flow paints with, made once per theme (a paint must not build objects)."""

    def __init__(self, theme: Theme):
        join, cap = Qt.PenJoinStyle.RoundJoin, Qt.PenCapStyle.FlatCap
        # A one-pixel cosmetic pen takes Qt's fast antialiased line path: about ten times
        # cheaper than stroking a wider line, which matters with hundreds of flows in view.
        self.line = QPen(theme.flow, 1.0, Qt.PenStyle.SolidLine, cap, join)
        self.line.setCosmetic(True)
        self.selected = QPen(theme.selection, 2.2, Qt.PenStyle.SolidLine, cap, join)
        self.selected.setCosmetic(True)
        self.highlight = QPen(theme.highlight, 8, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, join)
        self.grip = QPen(theme.selection, 1.5)
        self.label = QPen(theme.flow, 0.8)
        self.label_selected = QPen(theme.selection, 1.4)
        self.label_highlight = QPen(theme.highlight, 3)


_PENS: dict[int, _Pens] = {}


def pens_for(theme: Theme) -> _Pens:
    pens = _PENS.get(id(theme))
    if pens is None:
        _PENS.clear()  # one theme at a time: the old one's pens go
        pens = _PENS[id(theme)] = _Pens(theme)
        pens.theme = theme  # keeps id(theme) from being reused while cached
    return pens


class FlowLabelItem(QGraphicsItem):
    """A flow's label and badge, stacked above the elements so a tight gap never hides them.

    Owned by its :class:`FlowItem` (not a child item: a child cannot be drawn
    above the elements while its line stays below them). Clicking it selects
    the flow.
    """

    Type = QGraphicsItem.UserType + 4

    def __init__(self, flow: "FlowItem"):
        super().__init__()
        self.flow = flow
        self.item_id = flow.item_id
        self._rect = QRectF()
        self.setZValue(20)
        # a small picture that rarely changes: keep it as a pixmap (no Python paint per frame)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def type(self) -> int:
        return self.Type

    def set_rect(self, rect: QRectF) -> None:
        self.prepareGeometryChange()
        self._rect = QRectF(rect)

    def boundingRect(self) -> QRectF:
        if self._rect.isNull():
            if self.flow.badge is None:
                return QRectF()
            return self.flow.badge_scene_rect().adjusted(-2, -2, 2, 2)
        return self._rect.adjusted(-14, -12, 2, 2)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        if not self._rect.isNull():
            path.addRect(self._rect)
        return path

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        flow = self.flow
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if lod < DETAIL_LOD:
            return
        theme = flow.theme
        pens = pens_for(theme)
        selected = flow.isSelected()
        if flow._shown and lod >= TEXT_LOD and not self._rect.isNull():
            if flow.highlighted:
                painter.setPen(pens.label_highlight)
            else:
                painter.setPen(pens.label_selected if selected else pens.label)
            painter.setBrush(theme.label_fill)
            painter.drawRoundedRect(self._rect, 3, 3)
            painter.setFont(label_font())
            painter.setPen(theme.text)
            painter.drawText(self._rect, int(Qt.AlignmentFlag.AlignCenter), flow._shown)
        if flow.badge is not None and flow.annotations_visible:
            paint_badge(painter, flow.badge_center(), flow.badge, theme.background)


_FLOW_FLAGS = (QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
               | QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)


class FlowItem(CanvasItemMixin, QGraphicsItem):
    """A flow between two elements. Lives at the scene origin: its route is in scene coordinates."""

    Type = QGraphicsItem.UserType + 3

    def __init__(self, item_id: str, name: str, theme: Theme | None = None):
        super().__init__()
        self.item_id = item_id
        self.theme = theme or current_theme()
        self.name = name
        self._shown = ""
        self._route = _NO_ROUTE
        self._drawn: tuple[QPolygonF, QPolygonF | None] | None = None  # line and arrowhead, built when first painted
        self._label = QRectF()
        self._bounds = QRectF()
        self._shape: QPainterPath | None = None
        self._line: QPainterPath | None = None
        self.label_item = FlowLabelItem(self)  # the scene adds it beside this item
        self.setZValue(5)
        self.setFlags(_FLOW_FLAGS)  # selectable; paint() gets the exposed rect

    def type(self) -> int:
        return self.Type

    # -- state set by the scene
    def set_name(self, name: str) -> None:
        """Change the label text; the scene re-places the label afterwards."""
        self.name = name

    def set_route(self, route: Route, label: QRectF, shown: str) -> None:
        """New line and label box (scene coordinates)."""
        self.prepareGeometryChange()
        self._route = route
        self._label = QRectF(label)
        self._shown = shown
        self._shape = None
        self._line = None
        self._drawn = None
        pts = route.points
        xs = [p.x() for p in pts]
        ys = [p.y() for p in pts]
        bounds = QRectF(QPointF(min(xs), min(ys)), QPointF(max(xs), max(ys))).adjusted(-12, -12, 12, 12)
        self._bounds = bounds
        self.label_item.set_rect(label)

    @property
    def route(self) -> Route:
        return self._route

    def label_rect(self) -> QRectF:
        return QRectF(self._label)

    def endpoints(self) -> tuple[QPointF, QPointF]:
        return QPointF(self._route.points[0]), QPointF(self._route.points[-1])

    def end_at(self, scene_pos: QPointF, tolerance: float = END_GRIP + 2) -> str | None:
        """``"source"`` or ``"target"`` when ``scene_pos`` is on that end's grip of a selected flow."""
        if not self.isSelected():
            return None
        start, end = self.endpoints()
        for name, p in (("target", end), ("source", start)):
            d = p - scene_pos
            if d.x() * d.x() + d.y() * d.y() <= tolerance * tolerance:
                return name
        return None

    # -- Qt overrides
    def boundingRect(self) -> QRectF:
        return self._bounds

    def _line_path(self) -> QPainterPath:
        if self._line is None:
            pts = self._route.points
            path = QPainterPath(pts[0])
            for p in pts[1:]:
                path.lineTo(p)
            self._line = path
        return self._line

    def shape(self) -> QPainterPath:
        if self._shape is None:
            stroker = QPainterPathStroker()
            stroker.setWidth(12)
            path = stroker.createStroke(self._line_path())
            path.setFillRule(Qt.FillRule.WindingFill)
            self._shape = path
        if not self.isSelected():
            return self._shape
        path = QPainterPath(self._shape)  # a selected flow's end grips are grabbable too
        for p in self.endpoints():
            path.addEllipse(p, END_GRIP + 2, END_GRIP + 2)
        return path

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        pens = pens_for(self.theme)
        selected = self.isSelected()  # a C++ call: cheaper than testing option.state's Python enum flags
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if self._drawn is None:
            # drawn every frame, but most flows of a large diagram are never on screen: build the
            # polyline and the arrowhead once per route, when first painted
            pts = self._route.points
            arrow = arrow_head(pts[-1], pts[-2]) if len(pts) >= 2 and pts[0] != pts[-1] else None
            self._drawn = (QPolygonF(list(pts)), arrow)
        line, arrow = self._drawn
        if selected or self.highlighted:
            # Wider pens are stroked into polygons: a long flow mostly off-screen would cost more
            # than the whole frame, so stroke only its visible part. The usual one-pixel cosmetic
            # pen needs no help (Qt clips each segment to the device itself), and clipping in
            # Python would cost more than it saves with hundreds of flows in view.
            exposed = option.exposedRect
            if not exposed.isNull() and not exposed.contains(self._bounds):
                line = _clip_polyline(self._route.points, exposed.adjusted(-12, -12, 12, 12))
        if self.highlighted:
            painter.setPen(pens.highlight)
            painter.drawPolyline(line)
        painter.setPen(pens.selected if selected else pens.line)
        painter.drawPolyline(line)
        if arrow is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self.theme.selection if selected else self.theme.flow)
            painter.drawPolygon(arrow)
        if selected:
            painter.setPen(pens.grip)
            painter.setBrush(self.theme.node_fill)
            for p in self.endpoints():
                painter.drawEllipse(p, END_GRIP - 1, END_GRIP - 1)

    def set_badge(self, badge) -> None:
        if badge != self.badge:
            super().set_badge(badge)
            self.label_item.setToolTip(self.toolTip())  # hovering the label lists the findings too

    def update(self, *args) -> None:  # noqa: D401 - Qt's name; the label shows our state too
        super().update(*args)
        self.label_item.prepareGeometryChange()
        self.label_item.update()

    def badge_center(self) -> QPointF:
        """Left of the label (or the line's middle when there is no label)."""
        if not self._label.isNull():
            return QPointF(self._label.left() - 2, self._label.top() + 1)
        p, _ = self._route.point_at(0.5)
        return p

    def badge_scene_rect(self) -> QRectF:
        if self.badge is None:
            return QRectF()
        return badge_rect(self.badge_center(), self.badge.count)

    def polygon(self) -> QPolygonF:
        return QPolygonF(list(self._route.points))


def _clip_polyline(points, rect: QRectF) -> QPolygonF:
    """The polyline's pieces inside ``rect`` (Liang–Barsky per segment), as one polyline.

    Pieces that do not touch are joined by a jump the pen would draw, so
    each visible segment is returned on its own when the line leaves the
    rectangle and comes back; for the usual one or two segments that is rare.
    """
    out: list[QPointF] = []
    for a, b in zip(points, points[1:]):
        piece = _clip_segment(a, b, rect)
        if piece is None:
            continue
        p, q = piece
        if out and out[-1] != p:
            if len(out) >= 2:
                break  # a second, separate visible piece: keep the first (it is what fits the view)
            out = []
        if not out:
            out.append(p)
        out.append(q)
    return QPolygonF(out)


def _clip_segment(a: QPointF, b: QPointF, r: QRectF):
    x0, y0, dx, dy = a.x(), a.y(), b.x() - a.x(), b.y() - a.y()
    part = clip_segment(x0, y0, dx, dy, r.left(), r.top(), r.right(), r.bottom())
    if part is None:
        return None
    t0, t1 = part
    return QPointF(x0 + dx * t0, y0 + dy * t0), QPointF(x0 + dx * t1, y0 + dy * t1)
