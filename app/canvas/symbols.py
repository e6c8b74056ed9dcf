"""The element symbols: one distinct silhouette and one pictogram per element kind.

Everything is drawn with QPainter from geometry (no image files), so symbols are
sharp at any zoom, on high-DPI screens, in PNG/SVG exports and in dark mode.

Silhouettes, chosen so that kinds stay apart even in greyscale and at a glance:

=========  ================================  ===========================
kind       silhouette                        pictogram
=========  ================================  ===========================
actor      square-cornered box (DFD entity)  person
process    stadium (rounded ends)            cog
datastore  cylinder                          table rows
dataset    stack of sheets, wavy bottom      grid
labeller   tag with a hole                   check mark
trainer    box with double side bars         learning curve
model      hexagon                           small neural network
retriever  parallelogram                     magnifying glass
tool       box with cut corners              wrench
=========  ================================  ===========================
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

from app.canvas.theme import Theme, current_theme
from app.model.types import ElementKind

GLYPH = 18.0  # size of the pictogram inside a node, scene units


def outline_path(kind: ElementKind, rect: QRectF) -> QPainterPath:
    """The silhouette of ``kind`` filling ``rect``: painted, hit-tested and used to clip flows."""
    x, y, w, h = rect.x(), rect.y(), rect.width(), rect.height()
    r, b, cy = x + w, y + h, y + h / 2
    path = QPainterPath()
    if kind is ElementKind.ACTOR:
        path.addRect(rect)
    elif kind is ElementKind.PROCESS:
        radius = min(h, w) / 2
        path.addRoundedRect(rect, radius, radius)
    elif kind is ElementKind.DATASTORE:
        ry = min(h * 0.14, 10.0)
        path.moveTo(x, y + ry)
        path.arcTo(QRectF(x, y, w, 2 * ry), 180, -180)
        path.lineTo(r, b - ry)
        path.arcTo(QRectF(x, b - 2 * ry, w, 2 * ry), 0, -180)
        path.closeSubpath()
    elif kind is ElementKind.DATASET:
        # the front sheet; the sheets behind it are decoration (see _decorate)
        path = _wavy_sheet(QRectF(x, y + 6, w - 6, h - 6))
    elif kind is ElementKind.LABELLER:
        tip = min(h * 0.42, w * 0.25)
        path.addPolygon(QPolygonF([QPointF(x + tip, y), QPointF(r, y), QPointF(r, b), QPointF(x + tip, b), QPointF(x, cy)]))
        path.closeSubpath()
    elif kind is ElementKind.TRAINER:
        path.addRoundedRect(rect, 3, 3)
    elif kind is ElementKind.MODEL:
        d = min(h * 0.32, w * 0.25)
        path.addPolygon(
            QPolygonF([QPointF(x + d, y), QPointF(r - d, y), QPointF(r, cy), QPointF(r - d, b), QPointF(x + d, b), QPointF(x, cy)])
        )
        path.closeSubpath()
    elif kind is ElementKind.RETRIEVER:
        s = min(h * 0.3, w * 0.2)
        path.addPolygon(QPolygonF([QPointF(x + s, y), QPointF(r, y), QPointF(r - s, b), QPointF(x, b)]))
        path.closeSubpath()
    elif kind is ElementKind.TOOL:
        c = min(12.0, h * 0.22, w * 0.22)
        path.addPolygon(
            QPolygonF(
                [
                    QPointF(x + c, y), QPointF(r - c, y), QPointF(r, y + c), QPointF(r, b - c),
                    QPointF(r - c, b), QPointF(x + c, b), QPointF(x, b - c), QPointF(x, y + c),
                ]
            )
        )
        path.closeSubpath()
    else:  # pragma: no cover - every kind is handled above
        path.addRect(rect)
    return path


def _wavy_sheet(rect: QRectF) -> QPainterPath:
    x, y, w, h = rect.x(), rect.y(), rect.width(), rect.height()
    amp = min(5.0, h * 0.08)
    path = QPainterPath(QPointF(x, y))
    path.lineTo(x + w, y)
    path.lineTo(x + w, y + h - amp)
    path.cubicTo(QPointF(x + w * 0.75, y + h - 3 * amp), QPointF(x + w * 0.5, y + h + amp), QPointF(x + w * 0.25, y + h))
    path.quadTo(QPointF(x + w * 0.1, y + h - amp), QPointF(x, y + h - amp))
    path.closeSubpath()
    return path


def content_insets(kind: ElementKind, rect: QRectF) -> tuple[float, float]:
    """Left and right insets that keep text and pictogram inside the silhouette."""
    h, w = rect.height(), rect.width()
    if kind is ElementKind.LABELLER:
        return min(h * 0.42, w * 0.25) + 2, 8
    if kind is ElementKind.MODEL:
        d = min(h * 0.32, w * 0.25)
        return d * 0.7 + 2, d * 0.7 + 2
    if kind is ElementKind.RETRIEVER:
        s = min(h * 0.3, w * 0.2)
        return s * 0.6 + 4, s * 0.6 + 4
    if kind is ElementKind.TRAINER:
        return 14, 14
    if kind is ElementKind.PROCESS:
        return min(h, w) * 0.22 + 4, min(h, w) * 0.22 + 4
    return 8, 8


def text_rect(kind: ElementKind, rect: QRectF) -> QRectF:
    """Where the element's name goes: right of the pictogram, inside the silhouette."""
    left, right = content_insets(kind, rect)
    top = 6.0 if kind is not ElementKind.DATASET else 10.0
    bottom = 6.0 if kind is not ElementKind.DATASTORE else 10.0
    if kind is ElementKind.DATASTORE:
        top = min(rect.height() * 0.28, 20.0)
    return QRectF(
        rect.x() + left + GLYPH + 6, rect.y() + top, max(10.0, rect.width() - left - right - GLYPH - 6), max(10.0, rect.height() - top - bottom)
    )


def glyph_rect(kind: ElementKind, rect: QRectF) -> QRectF:
    """Where the pictogram goes: vertically centred at the left of the content area."""
    left, _ = content_insets(kind, rect)
    t = text_rect(kind, rect)
    return QRectF(rect.x() + left + 2, t.center().y() - GLYPH / 2, GLYPH, GLYPH)


def paint_symbol(painter: QPainter, kind: ElementKind, rect: QRectF, theme: Theme, *, detail: bool = True, pen_width: float = 1.6) -> None:
    """Paint the full symbol of ``kind`` (silhouette, decorations and pictogram) in ``rect``."""
    outline = theme.kind_outline(kind)
    pen = QPen(outline, pen_width)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(QBrush(theme.kind_fill(kind)))
    if kind is ElementKind.DATASET and detail:
        for off in (6.0, 3.0):
            painter.drawPath(_wavy_sheet(QRectF(rect.x() + off, rect.y() + 6 - off, rect.width() - 6, rect.height() - 6)))
    painter.drawPath(outline_path(kind, rect))
    if not detail:
        return
    _decorate(painter, kind, rect)
    paint_glyph(painter, kind, glyph_rect(kind, rect), outline)


def _decorate(painter: QPainter, kind: ElementKind, rect: QRectF) -> None:
    x, y, w, h = rect.x(), rect.y(), rect.width(), rect.height()
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if kind is ElementKind.DATASTORE:
        ry = min(h * 0.14, 10.0)
        front = QPainterPath(QPointF(x, y + ry))
        front.arcTo(QRectF(x, y, w, 2 * ry), 180, 180)
        painter.drawPath(front)
    elif kind is ElementKind.TRAINER:
        painter.drawLine(QPointF(x + 7, y), QPointF(x + 7, y + h))
        painter.drawLine(QPointF(x + w - 7, y), QPointF(x + w - 7, y + h))
    elif kind is ElementKind.LABELLER:
        tip = min(h * 0.42, w * 0.25)
        painter.drawEllipse(QPointF(x + tip * 0.62, y + h / 2), 3.0, 3.0)
    elif kind is ElementKind.ACTOR:
        # a heavier border: the DFD convention for something outside the system
        pen = QPen(painter.pen())
        pen.setWidthF(pen.widthF() + 0.8)
        painter.setPen(pen)
        painter.drawRect(rect)


def paint_glyph(painter: QPainter, kind: ElementKind, r: QRectF, colour: QColor) -> None:
    """Paint the pictogram of ``kind`` inside the square ``r``."""
    painter.save()
    pen = QPen(colour, max(1.2, r.width() / 12))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    x, y, s = r.x(), r.y(), r.width()
    c = r.center()

    def p(fx: float, fy: float) -> QPointF:
        return QPointF(x + fx * s, y + fy * s)

    if kind is ElementKind.ACTOR:
        painter.drawEllipse(p(0.5, 0.28), s * 0.18, s * 0.18)
        body = QPainterPath(p(0.12, 0.95))
        body.cubicTo(p(0.14, 0.5), p(0.86, 0.5), p(0.88, 0.95))
        painter.drawPath(body)
    elif kind is ElementKind.PROCESS:
        painter.drawEllipse(c, s * 0.2, s * 0.2)
        for i in range(8):
            a = i * math.pi / 4
            painter.drawLine(
                QPointF(c.x() + math.cos(a) * s * 0.3, c.y() + math.sin(a) * s * 0.3),
                QPointF(c.x() + math.cos(a) * s * 0.45, c.y() + math.sin(a) * s * 0.45),
            )
    elif kind is ElementKind.DATASTORE:
        painter.drawEllipse(QRectF(p(0.12, 0.08), p(0.88, 0.32)))
        painter.drawLine(p(0.12, 0.2), p(0.12, 0.8))
        painter.drawLine(p(0.88, 0.2), p(0.88, 0.8))
        bottom = QPainterPath(p(0.12, 0.8))
        bottom.arcTo(QRectF(p(0.12, 0.68), p(0.88, 0.92)), 180, 180)
        painter.drawPath(bottom)
        mid = QPainterPath(p(0.12, 0.5))
        mid.arcTo(QRectF(p(0.12, 0.38), p(0.88, 0.62)), 180, 180)
        painter.drawPath(mid)
    elif kind is ElementKind.DATASET:
        painter.drawRect(QRectF(p(0.1, 0.12), p(0.9, 0.88)))
        for f in (0.38, 0.63):
            painter.drawLine(p(0.1, f), p(0.9, f))
        painter.drawLine(p(0.37, 0.12), p(0.37, 0.88))
        painter.drawLine(p(0.63, 0.12), p(0.63, 0.88))
    elif kind is ElementKind.LABELLER:
        check = QPainterPath(p(0.12, 0.55))
        check.lineTo(p(0.4, 0.82))
        check.lineTo(p(0.9, 0.18))
        painter.drawPath(check)
    elif kind is ElementKind.TRAINER:
        painter.drawLine(p(0.1, 0.08), p(0.1, 0.9))
        painter.drawLine(p(0.1, 0.9), p(0.95, 0.9))
        curve = QPainterPath(p(0.18, 0.8))
        curve.cubicTo(p(0.35, 0.2), p(0.55, 0.2), p(0.92, 0.16))
        painter.drawPath(curve)
    elif kind is ElementKind.MODEL:
        left = [p(0.15, 0.2), p(0.15, 0.5), p(0.15, 0.8)]
        right = [p(0.85, 0.33), p(0.85, 0.67)]
        thin = QPen(pen)
        thin.setWidthF(pen.widthF() * 0.6)
        painter.setPen(thin)
        for a in left:
            for b in right:
                painter.drawLine(a, b)
        painter.setPen(pen)
        painter.setBrush(colour)
        for q in left + right:
            painter.drawEllipse(q, s * 0.09, s * 0.09)
    elif kind is ElementKind.RETRIEVER:
        painter.drawEllipse(p(0.42, 0.42), s * 0.28, s * 0.28)
        thick = QPen(pen)
        thick.setWidthF(pen.widthF() * 1.6)
        painter.setPen(thick)
        painter.drawLine(p(0.63, 0.63), p(0.92, 0.92))
    elif kind is ElementKind.TOOL:
        thick = QPen(pen)
        thick.setWidthF(pen.widthF() * 1.7)
        painter.setPen(thick)
        painter.drawLine(p(0.2, 0.8), p(0.58, 0.42))
        painter.setPen(pen)
        head = QPainterPath()
        head.arcMoveTo(QRectF(p(0.48, 0.08), p(0.92, 0.52)), 110)
        head.arcTo(QRectF(p(0.48, 0.08), p(0.92, 0.52)), 110, 250)
        painter.drawPath(head)
    painter.restore()


_ICONS: dict[tuple, QIcon] = {}


def kind_icon(kind: ElementKind, size: int = 32, theme: Theme | None = None) -> QIcon:
    """An icon of ``kind``'s symbol for the palette, menus and element list (1× and 2× pixmaps).

    Cached per kind, size and light/dark: the element list shows thousands.
    """
    theme = theme or current_theme()
    key = (kind, size, theme.dark)
    cached = _ICONS.get(key)
    if cached is not None:
        return cached
    icon = _ICONS[key] = QIcon()
    for scale in (1, 2):
        pix = QPixmap(QSize(size * scale, size * scale))
        pix.setDevicePixelRatio(scale)
        pix.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pix)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(1.5, size * 0.2, size - 3, size * 0.6)
        outline = theme.kind_outline(kind)
        pen = QPen(outline, 1.4)
        painter.setPen(pen)
        painter.setBrush(theme.kind_fill(kind))
        painter.drawPath(outline_path(kind, rect))
        gl = size * 0.42
        paint_glyph(painter, kind, QRectF(rect.center().x() - gl / 2, rect.center().y() - gl / 2, gl, gl), outline)
        painter.end()
        icon.addPixmap(pix)
    return icon
