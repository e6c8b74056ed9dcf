"""Analysis annotations on the canvas: badge data, badge painting and finding tooltips.

A badge shows how many findings annotate an element or flow, coloured by the
highest *residual* severity among them (after the controls in place). The
tooltip lists those findings. User and library text is escaped before it goes
into the tooltip, which Qt renders as rich text.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from app.analysis.findings import Finding, Severity
from app.canvas.theme import severity_colour

MAX_TOOLTIP_FINDINGS = 12


@dataclass(frozen=True)
class Badge:
    """What one element or flow shows: a count and the worst residual severity."""

    count: int
    severity: Severity
    tooltip: str
    # everything of its findings the badge and its tooltip show (see _shown): an unchanged key
    # means an unchanged badge
    key: tuple = field(default=(), compare=False, repr=False)


_RANK = {severity: rank for rank, severity in enumerate(Severity)}  # Severity.rank, without its list


def badges_from(findings_by_anchor: dict[str, list[Finding]], previous: dict[str, Badge] | None = None
                ) -> dict[str, Badge]:
    """One badge per anchor id that has findings.

    A badge in ``previous`` (the last result's) whose findings show the same is
    reused as it is: after an edit most anchors' findings are unchanged, and
    writing thousands of tooltips again would hold up the GUI thread.
    """
    previous = previous or {}
    out: dict[str, Badge] = {}
    for anchor, findings in findings_by_anchor.items():
        if findings:
            key = _shown(findings)
            old = previous.get(anchor)
            if old is not None and old.key == key:
                out[anchor] = old
                continue
            worst = max((f.residual.severity for f in findings), key=_RANK.__getitem__)
            out[anchor] = Badge(len(findings), worst, findings_tooltip(findings), key)
    return out


def _shown(findings: list[Finding]) -> tuple:
    """What a badge and its tooltip read from ``findings``."""
    return tuple((f.id, f.residual.risk, f.residual.severity, f.title, f.status) for f in findings)


def findings_tooltip(findings: list[Finding]) -> str:
    """Rich-text tooltip listing ``findings`` worst first; every text is escaped."""
    ordered = sorted(findings, key=lambda f: (-f.residual.risk, f.id))
    lines = []
    for f in ordered[:MAX_TOOLTIP_FINDINGS]:
        colour = severity_colour(f.residual.severity).name()
        lines.append(
            f'<b style="color:{colour}">{html.escape(f.residual.severity.label)}</b> '
            f"{html.escape(f.title)} <i>({html.escape(f.status.label)})</i>"
        )
    more = len(ordered) - MAX_TOOLTIP_FINDINGS
    if more > 0:
        lines.append(f"… and {more} more")
    noun = "finding" if len(findings) == 1 else "findings"
    return f"<p><b>{len(findings)} {noun}</b></p>" + "<br>".join(lines)


def badge_font() -> QFont:
    font = QFont()
    font.setPointSizeF(7.5)
    font.setBold(True)
    return font


def badge_rect(center: QPointF, count: int) -> QRectF:
    """The pill a badge occupies, centred on ``center`` (wider for two-digit counts)."""
    fm = QFontMetricsF(badge_font())
    h = 16.0
    w = max(h, fm.horizontalAdvance(str(count)) + 9)
    return QRectF(center.x() - w / 2, center.y() - h / 2, w, h)


def paint_badge(painter: QPainter, center: QPointF, badge: Badge, ring: QColor) -> None:
    """Paint ``badge`` as a coloured pill with its count, ringed in the background colour."""
    rect = badge_rect(center, badge.count)
    fill = severity_colour(badge.severity)
    painter.save()
    painter.setPen(QPen(ring, 1.5))
    painter.setBrush(fill)
    painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
    painter.setFont(badge_font())
    # dark digits on the lighter bands keep the contrast readable
    painter.setPen(QColor("#000000") if badge.severity is Severity.MEDIUM else QColor("#ffffff"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(badge.count))
    painter.restore()
