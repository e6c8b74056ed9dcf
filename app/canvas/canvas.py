"""The canvas as one unit: scene, view, editor, tools and inline renaming, wired together.

The main window creates one :class:`Canvas` per document and puts
:attr:`Canvas.view` in the middle; menus and panels talk to the canvas through
the methods here (place, rename, zoom, export) and through the shared
:class:`~app.document.selection.SelectionModel`.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF

from app.canvas.inline_edit import InlineNameEditor
from app.canvas.operations import CanvasEditor
from app.canvas.scene import DiagramScene
from app.canvas.tools import PlaceTool, SelectTool
from app.canvas.view import DiagramView


class Canvas(QObject):
    """Scene + view + editor for one document."""

    def __init__(self, document, selection, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.selection = selection
        self.scene = DiagramScene(document, self)
        self.scene.bind_selection(selection)
        self.view = DiagramView(self.scene)
        self.editor = CanvasEditor(document, self.scene, self)
        self.inline = InlineNameEditor(self.view)
        self.inline.committed.connect(self._on_inline_committed)
        self.view.set_default_tool_factory(lambda view: SelectTool(view, self.editor, selection, self.rename))
        self.view.kind_dropped.connect(self._on_view_kind_dropped)

    # ------------------------------------------------------------ actions
    def start_placing(self, kind: str) -> None:
        """Arm the place tool: the next click on the canvas puts a ``kind`` there."""
        self.view.set_tool(PlaceTool(self.view, self.editor, self.selection, kind))
        self.view.setFocus()

    def place_at_centre(self, kind: str) -> str | None:
        """Place ``kind`` in the middle of the visible area (keyboard users' way to add)."""
        centre = self.view.mapToScene(self.view.viewport().rect().center())
        ident = self.editor.place_element(kind, centre)
        if ident:
            self.selection.set([ident])
        return ident

    def rename(self, ident: str | None = None) -> bool:
        """Open the inline name editor on ``ident`` (default: the current selection)."""
        ident = ident or self.selection.current()
        return bool(ident) and self.inline.open(ident)

    def _on_inline_committed(self, ident: str, text: str) -> None:
        self.editor.rename(ident, text)

    def _on_view_kind_dropped(self, kind: str, pos: QPointF) -> None:
        ident = self.editor.place_element(kind, pos)
        if ident:
            self.selection.set([ident])
            self.view.setFocus()
