"""Inline renaming on the canvas (double-click or F2).

A line edit appears over the item's name. Enter or leaving the field commits
(one rename command, only when the text changed); Escape cancels. The edit is
a child of the viewport, so it follows the view's zoom only when reopened,
which is what other diagram editors do too.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QLineEdit

from app.canvas.flows import FlowItem
from app.canvas.nodes import BoundaryItem, NodeItem
from app.canvas.symbols import text_rect


class InlineNameEditor(QLineEdit):
    """The floating name field; emits ``committed(id, text)`` once, or nothing on cancel."""

    committed = Signal(str, str)

    def __init__(self, view):
        super().__init__(view.viewport())
        self.view = view
        self.setObjectName("inline-name-editor")
        self.setAccessibleName("Name")
        self.ident = ""
        self._done = True
        self.hide()
        self.editingFinished.connect(self._commit)

    def open(self, ident: str) -> bool:
        """Start editing the name of ``ident``; False when it has no item on the canvas."""
        scene = self.view.scene()
        item = scene.item_for(ident)
        if item is None:
            return False
        if isinstance(item, NodeItem):
            area = text_rect(item.kind, item.local_rect()).translated(item.pos())
            text = item.name
        elif isinstance(item, BoundaryItem):
            area = item.title_rect().translated(item.pos())
            text = item.name
        elif isinstance(item, FlowItem):
            label = item.label_rect()
            if label.isNull():
                p, _ = item.route.point_at(0.5)
                label = QRectF(p.x() - 60, p.y() - 10, 120, 20)
            area = label
            text = item.name
        else:
            return False
        self.view.ensureVisible(area, 20, 20)
        top_left = self.view.mapFromScene(area.topLeft())
        bottom_right = self.view.mapFromScene(area.bottomRight())
        width = max(140, bottom_right.x() - top_left.x())
        self.setGeometry(top_left.x(), top_left.y() + (bottom_right.y() - top_left.y()) // 2 - 12, width, 24)
        self.ident = ident
        self._done = False
        self.setText(text)
        self.selectAll()
        self.show()
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self._done = True
            self.view.setFocus()  # before hiding: Qt would otherwise pass focus along itself
            self.hide()
            event.accept()
            return
        super().keyPressEvent(event)

    def _commit(self) -> None:
        if self._done:
            return
        self._done = True
        ident, text = self.ident, self.text()
        self.view.setFocus()
        self.hide()
        self.committed.emit(ident, text)
