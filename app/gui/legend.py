"""The legend: what the badge colours and the symbols mean.

Badges are coloured by the highest *residual* severity among the findings on
an element or flow (after the controls already in place); the number is how
many findings it carries.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from app.analysis.findings import SEVERITY_BANDS, Severity
from app.canvas.symbols import kind_icon
from app.canvas.theme import current_theme, severity_colour
from app.model.types import ElementKind


def boundary_icon(size: int = 32) -> QIcon:
    """A dashed rounded rectangle: the trust boundary's palette icon."""
    theme = current_theme()
    icon = QIcon()
    for scale in (1, 2):
        pix = QPixmap(QSize(size * scale, size * scale))
        pix.setDevicePixelRatio(scale)
        pix.fill(Qt.GlobalColor.transparent)
        p = QPainter(pix)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(theme.boundary, 1.6, Qt.PenStyle.DashLine))
        p.setBrush(theme.boundary_fill)
        p.drawRoundedRect(QRectF(2, size * 0.18, size - 4, size * 0.64), 4, 4)
        p.end()
        icon.addPixmap(pix)
    return icon


def swatch(severity: Severity, size: int = 14) -> QPixmap:
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(severity_colour(severity))
    p.drawEllipse(QRectF(1, 1, size - 2, size - 2))
    p.end()
    return pix


class Legend(QWidget):
    """Severity colours (with their risk bands) and the element symbols."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("legend")
        self.setAccessibleName("Legend")
        layout = QVBoxLayout(self)
        intro = QLabel("Badges: number of findings, coloured by the highest residual risk (after controls in place).")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid = QGridLayout()
        lower = 1
        for row, (upper, severity) in enumerate(SEVERITY_BANDS):
            icon = QLabel()
            icon.setPixmap(swatch(severity))
            text = QLabel(f"{severity.label} — risk {lower}–{upper}")
            text.setAccessibleName(f"{severity.label}: risk {lower} to {upper}")
            grid.addWidget(icon, row, 0)
            grid.addWidget(text, row, 1)
            lower = upper + 1
        layout.addLayout(grid)
        kinds = QGridLayout()
        for i, kind in enumerate(ElementKind):
            icon = QLabel()
            icon.setPixmap(kind_icon(kind, 24).pixmap(24, 24))
            kinds.addWidget(icon, i // 2, (i % 2) * 2)
            kinds.addWidget(QLabel(kind.label.capitalize()), i // 2, (i % 2) * 2 + 1)
        row = (len(ElementKind) + 1) // 2
        b = QLabel()
        b.setPixmap(boundary_icon(24).pixmap(24, 24))
        kinds.addWidget(b, row, 0)
        kinds.addWidget(QLabel("Trust boundary"), row, 1)
        layout.addLayout(kinds)
        layout.addStretch(1)
