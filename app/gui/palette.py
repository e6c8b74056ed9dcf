"""The palette: every element kind and the trust boundary, each with its symbol.

Three ways to add from it, so mouse and keyboard users are both served:
drag an entry onto the canvas; click an entry, then click on the canvas
(Shift-click places several); or select an entry and press Enter to place it
in the middle of the visible canvas.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import QAbstractItemView, QListView, QListWidget, QListWidgetItem

from app.canvas.operations import BOUNDARY_KIND
from app.canvas.symbols import kind_icon
from app.canvas.view import MIME_KIND
from app.gui.legend import boundary_icon
from app.model.types import ElementKind

KIND_HELP = {
    ElementKind.ACTOR: "A person or external system outside your control (customer, partner, attacker).",
    ElementKind.PROCESS: "Code you run: a service, application, agent orchestrator, sensor, gateway or client.",
    ElementKind.DATASTORE: "Where data rests: database, object store, vector store, model registry, logs …",
    ElementKind.DATASET: "Data used to train or evaluate a model, with where it comes from.",
    ElementKind.LABELLER: "Who or what labels training data: staff, crowd workers, user feedback, a model.",
    ElementKind.TRAINER: "The training or fine-tuning job that turns data into a model.",
    ElementKind.MODEL: "A trained model: classifier, regressor, generative (LLM) or embedding.",
    ElementKind.RETRIEVER: "Finds content for a model's context (RAG): what it searches and who can write there.",
    ElementKind.TOOL: "Something a model or agent can call to act: read, write, execute code, send, pay.",
}
BOUNDARY_HELP = "A trust boundary: drop elements inside it to make them members."


class Palette(QListWidget):
    """The list of things to add; emits ``place_requested(kind)`` and ``place_now_requested(kind)``."""

    place_requested = Signal(str)  # arm the place tool (click on the canvas next)
    place_now_requested = Signal(str)  # keyboard: place in the middle of the view

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("palette")
        self.setAccessibleName("Palette")
        self.setAccessibleDescription("Element kinds. Drag one onto the canvas, click it then click the canvas, or press Enter.")
        self.setViewMode(QListView.ViewMode.ListMode)
        self.setIconSize(QSize(32, 32))
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.populate()
        self.itemClicked.connect(self._on_item_clicked)

    def populate(self) -> None:
        """(Re)build the entries; called again when the palette switches light/dark."""
        self.clear()
        for kind in ElementKind:
            self._add(kind.value, kind.label.capitalize(), kind_icon(kind, 32), KIND_HELP[kind])
        self._add(BOUNDARY_KIND, "Trust boundary", boundary_icon(32), BOUNDARY_HELP)

    def _add(self, kind: str, text: str, icon, tip: str) -> None:
        item = QListWidgetItem(icon, text)
        item.setData(Qt.ItemDataRole.UserRole, kind)
        item.setToolTip(tip)
        item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, tip)
        self.addItem(item)

    def item_for(self, kind: str) -> QListWidgetItem | None:
        for i in range(self.count()):
            if self.item(i).data(Qt.ItemDataRole.UserRole) == kind:
                return self.item(i)
        return None

    def _on_item_clicked(self, item: QListWidgetItem) -> None:
        self.place_requested.emit(item.data(Qt.ItemDataRole.UserRole))

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem() is not None:
            self.place_now_requested.emit(self.currentItem().data(Qt.ItemDataRole.UserRole))
            event.accept()
            return
        super().keyPressEvent(event)

    def mimeData(self, items) -> QMimeData:
        data = QMimeData()
        if items:
            data.setData(MIME_KIND, QByteArray(items[0].data(Qt.ItemDataRole.UserRole).encode("ascii")))
        return data

    def mimeTypes(self) -> list[str]:
        return [MIME_KIND]

    def startDrag(self, actions) -> None:
        item = self.currentItem()
        if item is None:
            return
        drag = QDrag(self)
        drag.setMimeData(self.mimeData([item]))
        drag.setPixmap(item.icon().pixmap(48, 48))
        drag.exec(Qt.DropAction.CopyAction)
