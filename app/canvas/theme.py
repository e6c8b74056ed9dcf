"""Colours and metrics of the canvas, derived from the application palette.

The canvas follows the system's light or dark palette: :func:`current_theme`
reads ``QGuiApplication.palette()`` each time a scene is (re)built or the
palette changes, so dark mode needs no switch of its own. Severity colours are
fixed (they carry meaning and appear in the legend, the findings panel and the
exported images) and chosen to stay distinguishable on both backgrounds.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QGuiApplication, QPalette

from app.analysis.findings import Severity
from app.model.types import ElementKind

GRID = 10.0  # snap step, scene units
NODE_W = 150.0
NODE_H = 70.0
BOUNDARY_W = 360.0
BOUNDARY_H = 240.0

SEVERITY_COLOURS: dict[Severity, str] = {
    Severity.LOW: "#2e8b57",
    Severity.MEDIUM: "#c99a06",
    Severity.HIGH: "#e0620d",
    Severity.CRITICAL: "#c62828",
}

# One hue per kind: the fill tint and the outline of the symbol.
_KIND_HUES: dict[ElementKind, str] = {
    ElementKind.ACTOR: "#5c6bc0",
    ElementKind.PROCESS: "#1e88e5",
    ElementKind.DATASTORE: "#00897b",
    ElementKind.DATASET: "#43a047",
    ElementKind.LABELLER: "#d81b60",
    ElementKind.TRAINER: "#f4511e",
    ElementKind.MODEL: "#8e24aa",
    ElementKind.RETRIEVER: "#9e9d24",
    ElementKind.TOOL: "#6d4c41",
}


def severity_colour(severity: Severity | None) -> QColor:
    """The colour of a severity band (grey for none)."""
    return QColor(SEVERITY_COLOURS[severity]) if severity is not None else QColor("#9e9e9e")


@dataclass(frozen=True)
class Theme:
    """Everything a painter needs to know about colours, for one palette."""

    dark: bool
    background: QColor
    grid: QColor
    text: QColor
    muted_text: QColor
    node_fill: QColor
    flow: QColor
    label_fill: QColor
    boundary: QColor
    boundary_fill: QColor
    selection: QColor
    highlight: QColor

    def kind_outline(self, kind: ElementKind) -> QColor:
        colour = QColor(_KIND_HUES[kind])
        return colour.lighter(135) if self.dark else colour

    def kind_fill(self, kind: ElementKind) -> QColor:
        hue = QColor(_KIND_HUES[kind])
        base = self.node_fill
        mix = 0.22 if self.dark else 0.12
        return QColor(
            round(base.red() * (1 - mix) + hue.red() * mix),
            round(base.green() * (1 - mix) + hue.green() * mix),
            round(base.blue() * (1 - mix) + hue.blue() * mix),
        )


def is_dark(palette: QPalette) -> bool:
    """True when the palette's window colour is dark (the system is in dark mode)."""
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def theme_for(palette: QPalette) -> Theme:
    """The canvas theme matching ``palette``."""
    dark = is_dark(palette)
    if dark:
        return Theme(
            dark=True,
            background=QColor("#1e1f22"),
            grid=QColor("#2b2d31"),
            text=QColor("#e8e8e8"),
            muted_text=QColor("#a8a8a8"),
            node_fill=QColor("#2a2c31"),
            flow=QColor("#b8bcc4"),
            label_fill=QColor(30, 31, 34, 225),
            boundary=QColor("#ef5350"),
            boundary_fill=QColor(239, 83, 80, 26),
            selection=QColor("#64b5f6"),
            highlight=QColor("#ffb300"),
        )
    return Theme(
        dark=False,
        background=QColor("#ffffff"),
        grid=QColor("#eef0f3"),
        text=QColor("#1b1d21"),
        muted_text=QColor("#5f6368"),
        node_fill=QColor("#ffffff"),
        flow=QColor("#4a4f57"),
        label_fill=QColor(255, 255, 255, 230),
        boundary=QColor("#c62828"),
        boundary_fill=QColor(198, 40, 40, 16),
        selection=QColor("#1565c0"),
        highlight=QColor("#ff8f00"),
    )


def current_theme() -> Theme:
    """The theme for the application's current palette (light when there is no app)."""
    app = QGuiApplication.instance()
    return theme_for(app.palette() if app is not None else QPalette())
