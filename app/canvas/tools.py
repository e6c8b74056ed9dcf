"""Interaction tools: objects that turn mouse and keyboard input on the view into edits.

The view hands every mouse event to its current tool first. :class:`SelectTool`
is the default: it selects (click, Shift/Ctrl-click, rubber band via Qt), and
starts *gestures* — short-lived objects with ``move``/``release``/``cancel`` —
for dragging items, resizing a boundary, connecting two elements from a
node's handle, reconnecting a flow's end and panning. :class:`PlaceTool` puts
one element (or a boundary) where the user clicks, then hands back to the
select tool. A gesture previews on the scene while the mouse moves and pushes
exactly one command (through :class:`~app.canvas.operations.CanvasEditor`) on
release; Escape cancels it and the scene goes back to what the model says.
"""

from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QPainterPath, QPen
from PySide6.QtWidgets import QApplication, QGraphicsPathItem, QGraphicsRectItem

from app.canvas.flows import FlowItem, FlowLabelItem
from app.canvas.nodes import HANDLE_R, BoundaryItem, NodeItem
from app.canvas.operations import BOUNDARY_KIND
from app.canvas.theme import GRID
from app.model.types import natural_key

LEFT = Qt.MouseButton.LeftButton
MIDDLE = Qt.MouseButton.MiddleButton
TOGGLE_MODS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier


class Tool:
    """Base of the interaction tools; every handler returns True when it used the event."""

    def __init__(self, view, editor, selection):
        self.view = view
        self.editor = editor
        self.selection = selection

    @property
    def scene(self):
        return self.view.scene()

    def scene_pos(self, event) -> QPointF:
        return self.view.mapToScene(event.position().toPoint())

    def cursor(self) -> Qt.CursorShape:
        return Qt.CursorShape.ArrowCursor

    def mouse_press(self, event) -> bool:
        return False

    def mouse_move(self, event) -> bool:
        return False

    def mouse_release(self, event) -> bool:
        return False

    def mouse_double_click(self, event) -> bool:
        return False

    def key_press(self, event) -> bool:
        return False

    def walk(self, forward: bool) -> bool:
        return False

    def cancel(self) -> None:
        pass


# ---------------------------------------------------------------- gestures
class Gesture:
    """One drag in progress: previews while moving, commits once on release."""

    def __init__(self, tool: "SelectTool", start: QPointF):
        self.tool = tool
        self.start = start

    def move(self, pos: QPointF, event) -> None:
        pass

    def release(self, pos: QPointF, event) -> None:
        pass

    def cancel(self) -> None:
        pass


class PanGesture(Gesture):
    def __init__(self, tool, start, viewport_pos: QPointF):
        super().__init__(tool, start)
        self.last = viewport_pos
        tool.view.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)

    def move(self, pos, event) -> None:
        now = event.position()
        self.tool.view.pan_by(now.x() - self.last.x(), now.y() - self.last.y())
        self.last = now

    def release(self, pos, event) -> None:
        self.cancel()

    def cancel(self) -> None:
        view = self.tool.view
        view.viewport().setCursor(Qt.CursorShape.OpenHandCursor if view.space_held else self.tool.cursor())


class MoveGesture(Gesture):
    """Drag the selected elements and boundaries (boundaries carry their content)."""

    def __init__(self, tool, start, ids: list[str], anchor: str):
        super().__init__(tool, start)
        editor = tool.editor
        self.moving = editor.carried(ids)
        self.origin = {i: editor.rect_of(i) for i in self.moving}
        self.anchor = editor.rect_of(anchor).topLeft()
        self.started = False
        self.delta = QPointF()

    def move(self, pos, event) -> None:
        d = pos - self.start
        if not self.started:
            if (self.tool.view.mapFromScene(pos) - self.tool.view.mapFromScene(self.start)).manhattanLength() < QApplication.startDragDistance():
                return
            self.started = True
        editor = self.tool.editor
        # snap the grabbed item's corner to the grid; everything else keeps its offset
        target = editor.snap_point(self.anchor + d)
        self.delta = target - self.anchor
        self.tool.scene.preview_rects({i: r.translated(self.delta) for i, r in self.origin.items()})

    def release(self, pos, event) -> None:
        if self.started and (self.delta.x() or self.delta.y()):
            if not self.tool.editor.move(list(self.origin), self.delta.x(), self.delta.y()):
                self.tool.scene.restore_geometry(self.moving)

    def cancel(self) -> None:
        self.tool.scene.restore_geometry(self.moving)


class ResizeGesture(Gesture):
    """Drag a selected boundary's or element's corner grip (the opposite corner stays put)."""

    def __init__(self, tool, start, ident: str, grip: str):
        super().__init__(tool, start)
        self.ident = ident
        self.grip = grip
        self.origin = tool.editor.rect_of(ident)
        self.rect = QRectF(self.origin)

    def move(self, pos, event) -> None:
        p = self.tool.editor.snap_point(pos)
        r = QRectF(self.origin)
        min_size = GRID * 4  # what the editor's resize enforces too
        if "left" in self.grip:
            r.setLeft(min(p.x(), r.right() - min_size))
        else:
            r.setRight(max(p.x(), r.left() + min_size))
        if "top" in self.grip:
            r.setTop(min(p.y(), r.bottom() - min_size))
        else:
            r.setBottom(max(p.y(), r.top() + min_size))
        self.rect = r
        self.tool.scene.preview_rects({self.ident: r})

    def release(self, pos, event) -> None:
        if self.rect != self.origin:
            if not self.tool.editor.resize(self.ident, self.rect):
                self.cancel()

    def cancel(self) -> None:
        self.tool.scene.restore_geometry([self.ident])


class _RubberLine:
    """The dashed line that follows the mouse while connecting or reconnecting."""

    def __init__(self, scene, start: QPointF):
        self.start = start
        self.item = QGraphicsPathItem()
        pen = QPen(scene.theme.selection, 1.6, Qt.PenStyle.DashLine)
        self.item.setPen(pen)
        self.item.setZValue(1000)
        scene.addItem(self.item)
        self.target: NodeItem | None = None

    def update(self, pos: QPointF, target: NodeItem | None) -> None:
        path = QPainterPath(self.start)
        path.lineTo(target.scene_rect().center() if target is not None else pos)
        self.item.setPath(path)
        if target is not self.target:
            if self.target is not None:
                self.target.set_highlighted(False)
            if target is not None:
                target.set_highlighted(True)
            self.target = target

    def remove(self) -> None:
        if self.target is not None:
            self.target.set_highlighted(False)
        scene = self.item.scene()
        if scene is not None:
            scene.removeItem(self.item)


class ConnectGesture(Gesture):
    """Drag from a node's handle to another node: a new flow."""

    def __init__(self, tool, start, source: str):
        super().__init__(tool, start)
        self.source = source
        node = tool.scene.nodes[source]
        self.line = _RubberLine(tool.scene, node.scene_rect().center())

    def move(self, pos, event) -> None:
        self.line.update(pos, self.tool.scene.node_at(pos, exclude=[self.source]))

    def release(self, pos, event) -> None:
        target = self.tool.scene.node_at(pos, exclude=[self.source])
        self.line.remove()
        if target is not None:
            fid = self.tool.editor.connect(self.source, target.item_id)
            if fid:
                self.tool.selection.set([fid])

    def cancel(self) -> None:
        self.line.remove()


class ReconnectGesture(Gesture):
    """Drag a selected flow's end onto another node."""

    def __init__(self, tool, start, flow_id: str, end: str):
        super().__init__(tool, start)
        self.flow_id, self.end = flow_id, end
        flow = tool.editor.document.flow(flow_id)
        fixed = flow.target if end == "source" else flow.source
        self.fixed = fixed
        self.line = _RubberLine(tool.scene, tool.scene.nodes[fixed].scene_rect().center())

    def move(self, pos, event) -> None:
        self.line.update(pos, self.tool.scene.node_at(pos, exclude=[self.fixed]))

    def release(self, pos, event) -> None:
        target = self.tool.scene.node_at(pos, exclude=[self.fixed])
        self.line.remove()
        if target is not None:
            self.tool.editor.reconnect(self.flow_id, self.end, target.item_id)

    def cancel(self) -> None:
        self.line.remove()


# ---------------------------------------------------------------- tools
class SelectTool(Tool):
    """Select, move, resize, connect, reconnect, pan, rename, nudge, walk."""

    def __init__(self, view, editor, selection, rename_callback=None):
        super().__init__(view, editor, selection)
        self.gesture: Gesture | None = None
        self.rename_callback = rename_callback  # (ident) -> None: opens the inline editor

    def mouse_press(self, event) -> bool:
        pos = self.scene_pos(event)
        button = event.button()
        if button == MIDDLE or (button == LEFT and self.view.space_held):
            self.gesture = PanGesture(self, pos, event.position())
            return True
        if button != LEFT:
            return False
        scene = self.scene
        for item in scene.selectedItems():
            if isinstance(item, (BoundaryItem, NodeItem)):
                grip = item.grip_at(pos)
                if grip:
                    self.gesture = ResizeGesture(self, pos, item.item_id, grip)
                    return True
            elif isinstance(item, FlowItem):
                end = item.end_at(pos)
                if end:
                    self.gesture = ReconnectGesture(self, pos, item.item_id, end)
                    return True
        handle = self._handle_at(pos)
        if handle is not None:
            self.gesture = ConnectGesture(self, pos, handle)
            return True
        item = self._item_at(event)
        if item is None:
            return False  # empty canvas: Qt's rubber band (and clearing the selection)
        ident = item.item_id
        if event.modifiers() & TOGGLE_MODS:
            self.selection.toggle(ident)
            return True
        if not self.selection.is_selected(ident):
            self.selection.set([ident])
        else:
            self.selection.set(self.selection.ids(), current=ident)
        movable = [i for i in self.selection.ids() if i in scene.nodes or i in scene.boundaries]
        if ident in scene.nodes or ident in scene.boundaries:
            self.gesture = MoveGesture(self, pos, movable, ident)
        return True

    def mouse_move(self, event) -> bool:
        if self.gesture is None:
            if not event.buttons() and not self.view.space_held:
                self._hover_cursor(self.scene_pos(event))
            return False
        self.gesture.move(self.scene_pos(event), event)
        return True

    _GRIP_CURSORS = {
        "top_left": Qt.CursorShape.SizeFDiagCursor, "bottom_right": Qt.CursorShape.SizeFDiagCursor,
        "top_right": Qt.CursorShape.SizeBDiagCursor, "bottom_left": Qt.CursorShape.SizeBDiagCursor,
    }

    def _hover_cursor(self, pos: QPointF) -> None:
        """A diagonal resize cursor over a selected item's corner grip, the tool's own elsewhere."""
        shape = self.cursor()
        selected = self.scene.selectedItems()
        if len(selected) <= 64:  # a huge selection is moved, not resized: skip the per-move scan
            for item in selected:
                grip = item.grip_at(pos) if isinstance(item, (BoundaryItem, NodeItem)) else None
                if grip:
                    shape = self._GRIP_CURSORS[grip]
                    break
        if self.view.viewport().cursor().shape() != shape:
            self.view.viewport().setCursor(shape)

    def mouse_release(self, event) -> bool:
        if self.gesture is None:
            return False
        gesture, self.gesture = self.gesture, None
        gesture.release(self.scene_pos(event), event)
        return True

    def mouse_double_click(self, event) -> bool:
        item = self._item_at(event)
        if item is None or event.button() != LEFT:
            return False
        self.selection.set([item.item_id])
        if self.rename_callback is not None:
            self.rename_callback(item.item_id)
        return True

    def key_press(self, event) -> bool:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            if self.gesture is not None:
                self.cancel()
            else:
                self.selection.clear()
            return True
        steps = {
            Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1),
        }
        if key in steps and self.gesture is None:
            ids = [i for i in self.selection.ids() if i in self.scene.nodes or i in self.scene.boundaries]
            if not ids:
                return False
            # arrows move by one grid step, Shift+arrows by five, Alt+arrows by one unit
            step = GRID * 5 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else GRID
            if event.modifiers() & Qt.KeyboardModifier.AltModifier:
                step = 1.0
            dx, dy = steps[key]
            self.editor.move(ids, dx * step, dy * step, nudge=True)
            return True
        if key == Qt.Key.Key_F2 and self.rename_callback is not None:
            current = self.selection.current()
            if current:
                self.rename_callback(current)
                return True
        return False

    def walk(self, forward: bool) -> bool:
        """Select the next (or previous) element in id order and bring it into view."""
        ids = sorted(self.scene.nodes, key=natural_key)
        if not ids:
            return False
        current = self.selection.current()
        if current in ids:
            i = ids.index(current) + (1 if forward else -1)
            target = ids[i % len(ids)]
        else:
            target = ids[0] if forward else ids[-1]
        self.selection.set([target])
        self.view.ensureVisible(self.scene.nodes[target].sceneBoundingRect(), 40, 40)
        return True

    def cancel(self) -> None:
        if self.gesture is not None:
            gesture, self.gesture = self.gesture, None
            gesture.cancel()

    # -- hit testing
    def _handle_at(self, pos: QPointF) -> str | None:
        reach = HANDLE_R + 3
        for item in self.scene.items(QRectF(pos.x() - reach, pos.y() - reach, 2 * reach, 2 * reach)):
            if isinstance(item, NodeItem) and QLineF(item.scene_handle_center(), pos).length() <= reach:
                if not item.scene_rect().contains(pos):
                    return item.item_id
        return None

    def _item_at(self, event):
        for item in self.view.items(event.position().toPoint()):
            if isinstance(item, FlowLabelItem):
                return item.flow
            if isinstance(item, (NodeItem, BoundaryItem, FlowItem)):
                return item
        return None


class PlaceTool(Tool):
    """Click to place one element of ``kind``; for a boundary, click or drag out its rectangle."""

    def __init__(self, view, editor, selection, kind: str):
        super().__init__(view, editor, selection)
        self.kind = kind
        self._start: QPointF | None = None
        self._rubber: QGraphicsRectItem | None = None

    def cursor(self) -> Qt.CursorShape:
        return Qt.CursorShape.CrossCursor

    def mouse_press(self, event) -> bool:
        if event.button() != LEFT:
            self.view.reset_tool()
            return event.button() != MIDDLE
        self._start = self.scene_pos(event)
        if self.kind == BOUNDARY_KIND:
            self._rubber = QGraphicsRectItem(QRectF(self._start, self._start))
            self._rubber.setPen(QPen(self.scene.theme.boundary, 1.5, Qt.PenStyle.DashLine))
            self._rubber.setZValue(1000)
            self.scene.addItem(self._rubber)
        return True

    def mouse_move(self, event) -> bool:
        if self._rubber is not None and self._start is not None:
            self._rubber.setRect(QRectF(self._start, self.scene_pos(event)).normalized())
            return True
        return self._start is not None

    def mouse_release(self, event) -> bool:
        if self._start is None:
            return False
        start, self._start = self._start, None
        end = self.scene_pos(event)
        self._drop_rubber()
        if self.kind == BOUNDARY_KIND and QLineF(start, end).length() > GRID * 2:
            ident = self.editor.place_boundary(QRectF(start, end).normalized())
        else:
            ident = self.editor.place_element(self.kind, end)
        if ident:
            self.selection.set([ident])
        # Shift keeps the tool for placing several of a kind, as in other diagram editors
        if not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.view.reset_tool()
        return True

    def key_press(self, event) -> bool:
        if event.key() == Qt.Key.Key_Escape:
            self.view.reset_tool()
            return True
        return False

    def cancel(self) -> None:
        self._start = None
        self._drop_rubber()

    def _drop_rubber(self) -> None:
        if self._rubber is not None:
            self.scene.removeItem(self._rubber)
            self._rubber = None
