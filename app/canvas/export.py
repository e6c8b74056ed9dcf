"""Export the diagram as PNG or SVG, drawn from the scene without the grid or selection.

Both formats render the scene itself (the same painters as the screen), with
the selection and the hover handles hidden, on the theme's background. SVG
goes through QtSvg's ``QSvgGenerator`` (part of PySide6-Essentials), so text
stays text and lines stay vectors.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsItem

MARGIN = 24.0
MAX_PIXELS = 16_000  # per side: keeps a huge diagram's PNG within memory


@contextmanager
def _clean_scene(scene):
    """Hide selection and hover decorations while exporting."""
    selected = scene.selectedItems()
    hovered = [n for n in scene.nodes.values() if n.hovered]
    overview = scene.overview_mode
    scene.blockSignals(True)  # the selection model must not see this
    try:
        scene.set_overview(False)  # exports are always drawn in full
        for n in _cached_items(scene):  # vectors and text, not the screen's cached pixmaps
            n.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        for item in selected:
            item.setSelected(False)
        for n in hovered:
            n.hovered = False
        yield
    finally:
        for item in selected:
            item.setSelected(True)
        for n in hovered:
            n.hovered = True
        for n in _cached_items(scene):
            n.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        scene.set_overview(overview)
        scene.blockSignals(False)


def _cached_items(scene):
    yield from scene.nodes.values()
    for flow in scene.flows.values():
        yield flow.label_item
    for boundary in scene.boundaries.values():
        yield boundary.title_item


def diagram_rect(scene) -> QRectF:
    """The area to export: every item, plus a margin (a small default for an empty diagram)."""
    rect = scene.itemsBoundingRect()
    if rect.isEmpty():
        rect = QRectF(0, 0, 200, 120)
    return rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)


def render_image(scene, scale: float = 2.0) -> QImage:
    """The diagram as an image at ``scale`` pixels per scene unit (reduced for huge diagrams)."""
    source = diagram_rect(scene)
    scale = min(scale, MAX_PIXELS / max(source.width(), source.height()))
    size = QSize(max(1, round(source.width() * scale)), max(1, round(source.height() * scale)))
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(scene.theme.background)
    with _clean_scene(scene):
        painter = QPainter(image)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        scene.render(painter, QRectF(0, 0, size.width(), size.height()), source, Qt.AspectRatioMode.KeepAspectRatio)
        painter.end()
    return image


def export_png(scene, path: str | os.PathLike, scale: float = 2.0) -> None:
    """Write the diagram to ``path`` as PNG; raise ``OSError`` when it cannot be written."""
    image = render_image(scene, scale)
    if not image.save(os.fspath(path), "PNG"):
        raise OSError(f"could not write PNG to {os.fspath(path)}")


def svg_bytes(scene, title: str = "ThreatCanvas diagram") -> bytes:
    """The diagram as SVG text (UTF-8)."""
    source = diagram_rect(scene)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    gen = QSvgGenerator()
    gen.setOutputDevice(buffer)
    gen.setSize(QSize(round(source.width()), round(source.height())))
    gen.setViewBox(QRectF(0, 0, source.width(), source.height()))
    gen.setTitle(title)
    gen.setDescription("Exported from ThreatCanvas")
    with _clean_scene(scene):
        painter = QPainter(gen)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        painter.fillRect(QRectF(0, 0, source.width(), source.height()), scene.theme.background)
        scene.render(painter, QRectF(0, 0, source.width(), source.height()), source)
        painter.end()
    buffer.close()
    return bytes(QByteArray(buffer.data()))


def export_svg(scene, path: str | os.PathLike, title: str = "ThreatCanvas diagram") -> None:
    """Write the diagram to ``path`` as SVG (atomically, like model files)."""
    from app.model.io import write_atomic

    write_atomic(path, svg_bytes(scene, title))
