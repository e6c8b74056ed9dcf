"""Graphics items for elements and trust boundaries.

Items are dumb: they draw what the scene tells them (kind, name, size, badge,
highlight) and answer geometry questions (where the connection handle and the
resize grips are). They never change the model; the interaction tools turn
gestures on them into commands. Qt's override names are kept exactly
(``boundingRect``, ``shape``, ``paint``, ``type``), and every geometry change
goes through ``prepareGeometryChange()``.

Level of detail: when zoomed far out the name, pictogram and badge are skipped
(unreadable at that scale anyway), which keeps a full-view repaint of a large
diagram fast.
"""

from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyle, QStyleOptionGraphicsItem

from app.canvas.badges import Badge, badge_rect, paint_badge
from app.canvas.symbols import outline_path, paint_symbol, text_rect
from app.canvas.theme import Theme, current_theme
from app.model.types import ElementKind

HANDLE_R = 6.0  # radius of the connection handle
GRIP = 9.0  # side of a resize grip
DETAIL_LOD = 0.35  # below this scale, draw silhouettes only
TEXT_LOD = 0.5


def name_font() -> QFont:
    font = QFont()
    font.setPointSizeF(9.0)
    return font


_BOX_KINDS = frozenset({ElementKind.ACTOR, ElementKind.TRAINER})
_POLYGONS: dict[tuple, QPolygonF] = {}


def outline_polygon(kind: ElementKind, w: float, h: float) -> QPolygonF:
    """The silhouette of ``kind`` at size ``w``×``h`` as a polygon, shared by every node of that shape."""
    key = (kind, w, h)
    poly = _POLYGONS.get(key)
    if poly is None:
        polys = outline_path(kind, QRectF(0, 0, w, h)).toSubpathPolygons()
        poly = polys[0] if polys else QPolygonF(QRectF(0, 0, w, h))
        if len(_POLYGONS) > 256:  # sizes are few in practice; never let a resize spree grow this
            _POLYGONS.clear()
        _POLYGONS[key] = poly
    return poly


class CanvasItemMixin:
    """State every canvas item shares: its model id, theme, highlight and annotation flags."""

    item_id: str
    theme: Theme
    highlighted: bool = False
    annotations_visible: bool = True
    badge: Badge | None = None

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()  # type: ignore[attr-defined]

    def set_highlighted(self, on: bool) -> None:
        if on != self.highlighted:
            self.highlighted = on
            self.update()  # type: ignore[attr-defined]

    def set_badge(self, badge: Badge | None) -> None:
        if badge != self.badge:
            self.badge = badge
            self.setToolTip(badge.tooltip if badge else "")  # type: ignore[attr-defined]
            self.update()  # type: ignore[attr-defined]

    def set_annotations_visible(self, on: bool) -> None:
        if on != self.annotations_visible:
            self.annotations_visible = on
            self.update()  # type: ignore[attr-defined]


class ResizeGrips:
    """Corner grips of a selected item (``_w`` × ``_h`` at ``pos()``), ``GRIP_OUT`` outside its rect."""

    GRIPS = ("top_left", "top_right", "bottom_left", "bottom_right")
    GRIP_OUT = 0.0
    _w: float
    _h: float

    def grip_rect(self, grip: str) -> QRectF:
        out = self.GRIP_OUT
        x = -out if "left" in grip else self._w + out
        y = -out if "top" in grip else self._h + out
        return QRectF(x - GRIP / 2, y - GRIP / 2, GRIP, GRIP)

    def grip_at(self, scene_pos: QPointF) -> str | None:
        """The resize grip under ``scene_pos`` (only a selected item has grips)."""
        if not self.isSelected():  # type: ignore[attr-defined]
            return None
        local = self.mapFromScene(scene_pos)  # type: ignore[attr-defined]
        for grip in self.GRIPS:
            if self.grip_rect(grip).adjusted(-3, -3, 3, 3).contains(local):
                return grip
        return None

    def paint_grips(self, painter: QPainter, theme) -> None:
        painter.setPen(QPen(theme.selection, 1))
        painter.setBrush(theme.node_fill)
        for grip in self.GRIPS:
            painter.drawRect(self.grip_rect(grip))


class NodeItem(ResizeGrips, CanvasItemMixin, QGraphicsItem):
    """An element: its kind's symbol, its name, a badge and a connection handle.

    ``pos()`` is the top-left corner of the element's layout rectangle.
    """

    Type = QGraphicsItem.UserType + 1
    GRIP_OUT = 4.0  # on the corners of the dashed selection frame

    def __init__(self, item_id: str, kind: ElementKind, name: str, rect: QRectF, theme: Theme | None = None):
        super().__init__()
        self.item_id = item_id
        self.kind = kind
        self.name = name
        self.theme = theme or current_theme()
        self._w, self._h = rect.width(), rect.height()
        self._x, self._y = rect.x(), rect.y()  # pos() as floats: routing reads them thousands of times
        self._outline: QPainterPath | None = None
        self._polygon: QPolygonF | None = None
        self.hovered = False
        self.setPos(rect.topLeft())
        self.setZValue(10)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        # a node's drawing (symbol, wrapped text) is costly and rarely changes: keep it as a
        # pixmap at screen resolution; update() and zoom changes redraw it
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    # -- Qt overrides
    def type(self) -> int:
        return self.Type

    def boundingRect(self) -> QRectF:
        m = self.GRIP_OUT + GRIP / 2 + 1  # the grips of a selected element reach this far out
        return QRectF(-m, -12, self._w + m + HANDLE_R * 2 + 18, self._h + 12 + m)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.WindingFill)  # overlapping parts must not cancel out
        path.addRect(self.local_rect())  # the whole box is grabbable, even a tag's notch
        path.addEllipse(self.handle_center(), HANDLE_R + 2, HANDLE_R + 2)
        if self.isSelected():
            for grip in self.GRIPS:
                path.addRect(self.grip_rect(grip))
        return path

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        theme = self.theme
        rect = self.local_rect()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if self.highlighted:
            painter.setPen(QPen(theme.highlight, 9, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(self.outline())
        detail = lod >= DETAIL_LOD
        paint_symbol(painter, self.kind, rect, theme, detail=detail)
        if lod >= TEXT_LOD:
            painter.setPen(theme.text)
            painter.setFont(name_font())
            painter.drawText(
                text_rect(self.kind, rect),
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap),
                self.name,
            )
        if selected:
            pen = QPen(theme.selection, 2.0, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(-4, -4, 4, 4))
            if detail:
                self.paint_grips(painter, theme)
        if (selected or self.hovered) and detail:
            painter.setPen(QPen(theme.selection, 1.5))
            painter.setBrush(theme.node_fill)
            c = self.handle_center()
            painter.drawEllipse(c, HANDLE_R, HANDLE_R)
            painter.drawLine(QPointF(c.x() - 3, c.y()), QPointF(c.x() + 3, c.y()))
            painter.drawLine(QPointF(c.x(), c.y() - 3), QPointF(c.x(), c.y() + 3))
        if self.badge is not None and self.annotations_visible and detail:
            paint_badge(painter, self.badge_center(), self.badge, theme.background)

    def hoverEnterEvent(self, event) -> None:
        self.hovered = True
        self.update()
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        self.hovered = False
        self.update()
        super().hoverLeaveEvent(event)

    # -- state set by the scene
    def set_element(self, kind: ElementKind, name: str) -> None:
        if kind != self.kind:
            self._outline = self._polygon = None
        self.kind, self.name = kind, name
        self.setToolTip(self.toolTip())
        self.update()

    def set_rect(self, rect: QRectF) -> None:
        """Move and resize to the scene rectangle ``rect``."""
        if rect.width() != self._w or rect.height() != self._h:
            self.prepareGeometryChange()
            self._w, self._h = rect.width(), rect.height()
            self._outline = self._polygon = None
        self._x, self._y = rect.x(), rect.y()
        self.setPos(rect.topLeft())

    # -- geometry questions
    def local_rect(self) -> QRectF:
        return QRectF(0, 0, self._w, self._h)

    def scene_rect(self) -> QRectF:
        return QRectF(self._x, self._y, self._w, self._h)

    def scene_center(self) -> QPointF:
        return QPointF(self._x + self._w / 2, self._y + self._h / 2)

    def outline(self) -> QPainterPath:
        if self._outline is None:
            self._outline = outline_path(self.kind, self.local_rect())
        return self._outline

    def outline_polygon(self) -> QPolygonF:
        """The silhouette as a polygon in local coordinates (flows clip against it)."""
        if self._polygon is None:
            self._polygon = outline_polygon(self.kind, self._w, self._h)
        return self._polygon

    def is_box(self) -> bool:
        """True when the silhouette is its rectangle (flows clip exactly, without a search)."""
        return self.kind in _BOX_KINDS

    def scene_outline_polygon(self) -> QPolygonF:
        return self.outline_polygon().translated(self.pos())

    def handle_center(self) -> QPointF:
        """Where a connection starts: just right of the middle of the right side."""
        # far enough out that it never sits on the end grip of a flow leaving this side
        return QPointF(self._w + HANDLE_R + 8, self._h / 2)

    def scene_handle_center(self) -> QPointF:
        return self.mapToScene(self.handle_center())

    def badge_center(self) -> QPointF:
        return QPointF(self._w - 4, 0)

    def badge_scene_rect(self) -> QRectF:
        if self.badge is None:
            return QRectF()
        return badge_rect(self.badge_center(), self.badge.count).translated(self.pos())


class BoundaryItem(ResizeGrips, CanvasItemMixin, QGraphicsItem):
    """A trust boundary: a dashed region with its name, grabbed by its border or title."""

    Type = QGraphicsItem.UserType + 2

    def __init__(self, item_id: str, name: str, rect: QRectF, depth: int = 0, theme: Theme | None = None):
        super().__init__()
        self.item_id = item_id
        self.name = name
        self.theme = theme or current_theme()
        self._w, self._h = rect.width(), rect.height()
        self.title_item = BoundaryTitleItem(self)  # the scene adds it beside this item
        self.setPos(rect.topLeft())
        self.set_depth(depth)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)  # paint() gets the exposed rect

    def type(self) -> int:
        return self.Type

    def set_depth(self, depth: int) -> None:
        # nested boundaries stack above their parents so their borders stay grabbable
        self.depth = depth
        self.setZValue(-100 + depth)

    def boundingRect(self) -> QRectF:
        m = GRIP + 2
        return QRectF(-m, -m, self._w + 2 * m, self._h + 2 * m)

    def shape(self) -> QPainterPath:
        border = QPainterPath()
        border.addRect(self.local_rect())
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        path = stroker.createStroke(border)
        path.setFillRule(Qt.FillRule.WindingFill)
        path.addRect(self.title_rect())
        if self.isSelected():
            for grip in self.GRIPS:
                path.addRect(self.grip_rect(grip))
        return path.simplified()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        theme = self.theme
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        rect = self.local_rect()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        exposed = option.exposedRect
        pen = QPen(theme.selection if selected else theme.boundary, 2.0 if selected else 1.6, Qt.PenStyle.DashLine)
        area = exposed.adjusted(-10, -10, 10, 10) if not exposed.isNull() else rect.adjusted(-10, -10, 10, 10)
        # A tinted band inside the border marks the inside. Not a full fill: blending a
        # translucent, screen-sized fill for every nested boundary is slow, and the band
        # reads the same at every zoom.
        band = min(12.0, rect.width() / 2, rect.height() / 2)
        for strip in (
            QRectF(rect.left(), rect.top(), rect.width(), band), QRectF(rect.left(), rect.bottom() - band, rect.width(), band),
            QRectF(rect.left(), rect.top() + band, band, rect.height() - 2 * band),
            QRectF(rect.right() - band, rect.top() + band, band, rect.height() - 2 * band),
        ):
            visible = strip.intersected(area)
            if not visible.isEmpty():
                painter.fillRect(visible, theme.boundary_fill)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if area.contains(rect):
            if self.highlighted:
                painter.setPen(QPen(theme.highlight, 7))
                painter.drawRoundedRect(rect, 8, 8)
            painter.setPen(pen)
            painter.drawRoundedRect(rect, 8, 8)
        else:
            # only part of a big boundary shows (zoomed in): dashing its whole outline
            # would cost more than the rest of the frame, so draw just the visible pieces
            edges = [
                QLineF(rect.topLeft(), rect.topRight()), QLineF(rect.topRight(), rect.bottomRight()),
                QLineF(rect.bottomRight(), rect.bottomLeft()), QLineF(rect.bottomLeft(), rect.topLeft()),
            ]
            for edge_pen in ([QPen(theme.highlight, 7)] if self.highlighted else []) + [pen]:
                painter.setPen(edge_pen)
                for edge in edges:
                    piece = _clip_line(edge, area)
                    if piece is not None:
                        painter.drawLine(piece)
        if selected:
            self.paint_grips(painter, theme)
        if self.badge is not None and self.annotations_visible and lod >= DETAIL_LOD:
            paint_badge(painter, QPointF(self._w - 4, 0), self.badge, theme.background)

    def set_name(self, name: str) -> None:
        self.name = name
        self.title_item.refresh()
        self.update()

    def set_rect(self, rect: QRectF) -> None:
        if rect.width() != self._w or rect.height() != self._h:
            self.prepareGeometryChange()
            self._w, self._h = rect.width(), rect.height()
        self.setPos(rect.topLeft())
        self.title_item.refresh()

    def update(self, *args) -> None:  # noqa: D401 - Qt's name; the title shows our state too
        super().update(*args)
        self.title_item.update()

    def local_rect(self) -> QRectF:
        return QRectF(0, 0, self._w, self._h)

    def scene_rect(self) -> QRectF:
        return QRectF(self.pos(), self.local_rect().size())

    def title_rect(self) -> QRectF:
        return QRectF(0, 0, max(40.0, self._w - 8), 22)


class BoundaryTitleItem(QGraphicsItem):
    """A boundary's name, on a small plate stacked above the flows so no line runs through it.

    Owned by its :class:`BoundaryItem` (a child item could not rise above the
    flows); clicks go through to the boundary.
    """

    Type = QGraphicsItem.UserType + 5

    def __init__(self, boundary: BoundaryItem):
        super().__init__()
        self.boundary = boundary
        self.item_id = boundary.item_id
        self._rect = QRectF()
        self._text = ""
        self.setZValue(15)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def type(self) -> int:
        return self.Type

    def refresh(self) -> None:
        """Follow the boundary's name, position and width."""
        b = self.boundary
        font = title_font()
        fm = QFontMetricsF(font)
        room = b._w - 16
        text = fm.elidedText(b.name, Qt.TextElideMode.ElideRight, max(20.0, room))
        self.prepareGeometryChange()
        self._text = text
        self._rect = QRectF(6, 3, fm.horizontalAdvance(text) + 6, fm.height() + 2)
        self.setPos(b.pos())
        self.update()

    def scene_rect(self) -> QRectF:
        return self._rect.translated(self.pos())

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        if option.levelOfDetailFromTransform(painter.worldTransform()) < TEXT_LOD or not self._text:
            return
        b = self.boundary
        theme = b.theme
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.label_fill)
        painter.drawRoundedRect(self._rect, 3, 3)
        painter.setFont(title_font())
        painter.setPen(theme.selection if b.isSelected() else theme.boundary)
        painter.drawText(self._rect, int(Qt.AlignmentFlag.AlignCenter), self._text)


def title_font() -> QFont:
    font = name_font()
    font.setBold(True)
    return font


def _clip_line(line: QLineF, rect: QRectF) -> QLineF | None:
    """The part of an axis-parallel ``line`` inside ``rect`` (None when it misses)."""
    x1, x2 = sorted((line.x1(), line.x2()))
    y1, y2 = sorted((line.y1(), line.y2()))
    x1, x2 = max(x1, rect.left()), min(x2, rect.right())
    y1, y2 = max(y1, rect.top()), min(y2, rect.bottom())
    if x1 > x2 or y1 > y2:
        return None
    return QLineF(x1, y1, x2, y2)
