"""Toolbar and menu icons: the desktop theme's when it has them, otherwise drawn here.

Nothing is downloaded or shipped as image files: the platform icon theme
(``QIcon.fromTheme``) is asked first, then Qt's built-in style icons, and the
few icons neither has (zoom, fit, badges) are painted with QPainter in the
palette's text colour, so they follow light and dark mode and stay sharp on
high-DPI screens.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QStyle

_THEMED = {
    "new": ("document-new", QStyle.StandardPixmap.SP_FileIcon),
    "open": ("document-open", QStyle.StandardPixmap.SP_DialogOpenButton),
    "save": ("document-save", QStyle.StandardPixmap.SP_DialogSaveButton),
    "undo": ("edit-undo", QStyle.StandardPixmap.SP_ArrowBack),
    "redo": ("edit-redo", QStyle.StandardPixmap.SP_ArrowForward),
    "delete": ("edit-delete", QStyle.StandardPixmap.SP_TrashIcon),
    "analyse": ("view-refresh", QStyle.StandardPixmap.SP_BrowserReload),
}


def icon(name: str) -> QIcon:
    """The icon called ``name`` (see ``_THEMED`` and ``_DRAWN``)."""
    if name in _THEMED:
        theme_name, standard = _THEMED[name]
        themed = QIcon.fromTheme(theme_name)
        if not themed.isNull():
            return themed
        return QApplication.style().standardIcon(standard)
    return _drawn(name)


def _drawn(name: str, size: int = 24) -> QIcon:
    colour = QGuiApplication.palette().color(QPalette.ColorRole.WindowText)
    result = QIcon()
    for scale in (1, 2):
        pix = QPixmap(QSize(size * scale, size * scale))
        pix.setDevicePixelRatio(scale)
        pix.fill(Qt.GlobalColor.transparent)
        p = QPainter(pix)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(colour, 2.0)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        _DRAWN[name](p, float(size))
        p.end()
        result.addPixmap(pix)
    return result


def _lens(p: QPainter, s: float) -> None:
    p.drawEllipse(QPointF(s * 0.42, s * 0.42), s * 0.28, s * 0.28)
    p.drawLine(QPointF(s * 0.63, s * 0.63), QPointF(s * 0.9, s * 0.9))


def _zoom_in(p: QPainter, s: float) -> None:
    _lens(p, s)
    p.drawLine(QPointF(s * 0.3, s * 0.42), QPointF(s * 0.54, s * 0.42))
    p.drawLine(QPointF(s * 0.42, s * 0.3), QPointF(s * 0.42, s * 0.54))


def _zoom_out(p: QPainter, s: float) -> None:
    _lens(p, s)
    p.drawLine(QPointF(s * 0.3, s * 0.42), QPointF(s * 0.54, s * 0.42))


def _zoom_fit(p: QPainter, s: float) -> None:
    m, c = s * 0.12, s * 0.3
    for x, y, dx, dy in ((m, m, 1, 1), (s - m, m, -1, 1), (m, s - m, 1, -1), (s - m, s - m, -1, -1)):
        p.drawLine(QPointF(x, y), QPointF(x + dx * c, y))
        p.drawLine(QPointF(x, y), QPointF(x, y + dy * c))
    p.drawRect(QRectF(s * 0.36, s * 0.36, s * 0.28, s * 0.28))


def _badges(p: QPainter, s: float) -> None:
    p.drawRoundedRect(QRectF(s * 0.1, s * 0.3, s * 0.6, s * 0.5), 3, 3)
    p.setBrush(p.pen().color())
    p.drawEllipse(QPointF(s * 0.72, s * 0.3), s * 0.16, s * 0.16)


_DRAWN = {"zoom-in": _zoom_in, "zoom-out": _zoom_out, "zoom-fit": _zoom_fit, "badges": _badges}
