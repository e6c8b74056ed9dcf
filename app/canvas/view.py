"""The diagram view: zoom, pan, the grid, drops from the palette, and routing of input to tools.

Mouse input on the viewport goes to the current interaction tool
(``app.canvas.tools``) first; what the tool does not claim (a press on empty
canvas starts Qt's rubber band, hover feedback) goes to QGraphicsView.
Zoom: the wheel (around the cursor), :meth:`zoom_in`/:meth:`zoom_out`,
:meth:`zoom_to_fit`, :meth:`zoom_reset`. Pan: the middle button, or dragging
with the space bar held.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QFrame, QGraphicsView

from app.canvas.overview import OVERVIEW_ZOOM
from app.canvas.theme import GRID

MIME_KIND = "application/x-threatcanvas-kind"  # palette drags: the element kind (or "boundary")
MIN_ZOOM, MAX_ZOOM = 0.02, 8.0
ZOOM_STEP = 1.25


class DiagramView(QGraphicsView):
    """A QGraphicsView on a :class:`~app.canvas.scene.DiagramScene`, driven by tool objects."""

    zoom_changed = Signal(float)
    kind_dropped = Signal(str, QPointF)  # palette kind, scene position
    context_menu_requested = Signal(QPointF, object)  # global position, item id or None

    def __init__(self, scene, parent=None):
        super().__init__(scene, parent)
        self.setObjectName("canvas")
        self.setAccessibleName("Diagram canvas")
        self.setAccessibleDescription(
            "The data-flow diagram. Tab walks elements; arrows nudge; F2 renames; Delete deletes."
        )
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing, True)
        # every paint() sets the pen, brush and font it uses: no save/restore per item needed
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        # The grid (dozens of viewport-long antialiased lines, over a millisecond per frame at
        # 100 %) changes only with the zoom: keep it in a viewport-sized pixmap that Qt scrolls
        # and redraws only where newly exposed. Not in overview mode, which draws the whole
        # diagram as the background (see _update_overview).
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAcceptDrops(True)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.show_grid = True
        self.space_held = False
        self._tool = None
        self._default_tool_factory = None

    # ------------------------------------------------------------ tools
    @property
    def tool(self):
        return self._tool

    def set_tool(self, tool) -> None:
        """Make ``tool`` current; the previous one is cancelled."""
        if self._tool is not None and self._tool is not tool:
            self._tool.cancel()
        self._tool = tool
        if tool is not None:
            self.viewport().setCursor(tool.cursor())

    def set_default_tool_factory(self, factory) -> None:
        """``factory(view) -> Tool``: the tool to return to after a one-shot tool."""
        self._default_tool_factory = factory
        self.set_tool(factory(self))

    def reset_tool(self) -> None:
        if self._default_tool_factory is not None:
            self.set_tool(self._default_tool_factory(self))

    # ------------------------------------------------------------ zoom
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float, anchor: QPointF | None = None) -> None:
        """Set the scale to ``factor`` (clamped), keeping ``anchor`` (viewport point) in place."""
        factor = max(MIN_ZOOM, min(MAX_ZOOM, factor))
        current = self.zoom()
        if math.isclose(current, factor):
            return
        if anchor is not None:
            before = self.mapToScene(anchor.toPoint())
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.scale(factor / current, factor / current)
        if anchor is not None:
            after = self.mapToScene(anchor.toPoint())
            delta = after - before
            self.translate(delta.x(), delta.y())
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self._update_overview()
        self.zoom_changed.emit(self.zoom())

    def _update_overview(self) -> None:
        overview = self.zoom() < OVERVIEW_ZOOM
        self.scene().set_overview(overview)
        mode = QGraphicsView.CacheModeFlag.CacheNone if overview else QGraphicsView.CacheModeFlag.CacheBackground
        if self.cacheMode() != mode:
            self.setCacheMode(mode)

    def set_show_grid(self, on: bool) -> None:
        """Show or hide the grid behind the diagram."""
        if on != self.show_grid:
            self.show_grid = on
            self.resetCachedContent()
            self.viewport().update()

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom() * ZOOM_STEP, QPointF(self.viewport().rect().center()))

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom() / ZOOM_STEP, QPointF(self.viewport().rect().center()))

    def zoom_reset(self) -> None:
        """100 %: one scene unit per device-independent pixel."""
        self.set_zoom(1.0, QPointF(self.viewport().rect().center()))

    def zoom_to_fit(self, rect: QRectF | None = None, max_zoom: float = 1.0) -> None:
        """Fit ``rect`` (default: the whole diagram) in the viewport, never above ``max_zoom``."""
        rect = rect if rect is not None else self.scene().itemsBoundingRect()
        if rect.isEmpty():
            self.zoom_reset()
            return
        rect = rect.adjusted(-30, -30, 30, 30)
        vp = self.viewport().rect()
        factor = min(vp.width() / rect.width(), vp.height() / rect.height(), max_zoom)
        self.resetTransform()
        self.set_zoom(factor)
        self._update_overview()
        self.centerOn(rect.center())
        self.zoom_changed.emit(self.zoom())

    def wheelEvent(self, event) -> None:
        mods = event.modifiers()
        if mods & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier):
            super().wheelEvent(event)  # scroll
            return
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.set_zoom(self.zoom() * (ZOOM_STEP ** (steps * 0.5)), event.position())
            event.accept()
        else:
            super().wheelEvent(event)

    # ------------------------------------------------------------ panning
    def pan_by(self, dx: float, dy: float) -> None:
        self.horizontalScrollBar().setValue(round(self.horizontalScrollBar().value() - dx))
        self.verticalScrollBar().setValue(round(self.verticalScrollBar().value() - dy))

    # ------------------------------------------------------------ input → tools
    def mousePressEvent(self, event) -> None:
        if self._tool is not None and self._tool.mouse_press(event):
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._tool is not None and self._tool.mouse_move(event):
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._tool is not None and self._tool.mouse_release(event):
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        if self._tool is not None and self._tool.mouse_double_click(event):
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self.space_held = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        if self._tool is not None and self._tool.key_press(event):
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self.space_held = False
            if self._tool is not None:
                self.viewport().setCursor(self._tool.cursor())
            event.accept()
            return
        super().keyReleaseEvent(event)

    def focusOutEvent(self, event) -> None:
        self.space_held = False  # a release we never saw must not leave the view in pan mode
        super().focusOutEvent(event)

    def event(self, event) -> bool:
        # Tab walks the diagram's elements instead of leaving the canvas (Ctrl+Tab leaves).
        # Caught here, not in focusNextPrevChild: Qt also calls that when a focused child
        # (the inline name editor) hides, which must not move the selection.
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            backward = event.key() == Qt.Key.Key_Backtab or bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.focusNextPrevChild(not backward)  # Ctrl+Tab leaves the canvas
                event.accept()
                return True
            if self._tool is not None:
                if self._tool.walk(not backward):
                    event.accept()
                    return True
        return super().event(event)

    def contextMenuEvent(self, event) -> None:
        item = self.itemAt(event.pos())
        ident = getattr(item, "item_id", None)
        self.context_menu_requested.emit(QPointF(event.globalPos()), ident)
        event.accept()

    # ------------------------------------------------------------ drops from the palette
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasFormat(MIME_KIND):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        if event.mimeData().hasFormat(MIME_KIND):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        data = event.mimeData()
        if data.hasFormat(MIME_KIND):
            kind = bytes(data.data(MIME_KIND)).decode("ascii", "replace")
            self.kind_dropped.emit(kind, self.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()
            return
        super().dropEvent(event)

    # ------------------------------------------------------------ background
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        scene = self.scene()
        theme = scene.theme
        painter.fillRect(rect, theme.background)
        zoom = self.zoom()
        if scene.overview_mode:
            scene.overview.paint(painter, rect, zoom)
            return
        if not self.show_grid or zoom < 0.45:
            return
        step = GRID * (5 if zoom < 1.2 else 1)
        if step * zoom < 6:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)  # the background cache's painter has no hints
        painter.setPen(QPen(theme.grid, 0))
        left = math.floor(rect.left() / step) * step
        top = math.floor(rect.top() / step) * step
        x = left
        lines = []
        while x < rect.right():
            lines.append(QLineF(x, rect.top(), x, rect.bottom()))
            x += step
        y = top
        while y < rect.bottom():
            lines.append(QLineF(rect.left(), y, rect.right(), y))
            y += step
        painter.drawLines(lines)
