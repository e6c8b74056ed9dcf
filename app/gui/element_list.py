"""The element list: every element, boundary and flow as an accessible tree.

Keyboard and screen-reader users work from here: arrows move through the
items, selecting one selects it on the canvas (and the inspector follows),
F2 renames on the canvas, Delete deletes (window actions). Each row's
accessible text says what it is, its name, and how many findings it carries.
The list rebuilds lazily (once per event-loop turn, and only while visible),
so a burst of edits on a large diagram costs one rebuild.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QTreeWidget, QTreeWidgetItem

from app.canvas.symbols import kind_icon

ID_ROLE = Qt.ItemDataRole.UserRole


class ElementList(QTreeWidget):
    """Elements, boundaries and flows by name; selection is shared with the canvas."""

    def __init__(self, document, selection, parent=None):
        super().__init__(parent)
        self.setObjectName("element-list")
        self.setAccessibleName("Element list")
        self.setHeaderLabels(["Name", "Kind", "Findings"])
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.document = document
        self.selection = selection
        self._items: dict[str, QTreeWidgetItem] = {}
        self._counts: dict[str, int] = {}
        self._dirty = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.rebuild)
        document.revision_changed.connect(self._schedule)
        selection.selection_changed.connect(self._on_selection_changed)
        self.itemSelectionChanged.connect(self._on_tree_selection_changed)
        self.rebuild(force=True)

    def set_finding_counts(self, counts: dict[str, int]) -> None:
        self._counts = dict(counts)
        self._schedule()

    def _schedule(self, *_args) -> None:
        self._dirty = True
        if self.isVisible():
            self._timer.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self._timer.start()

    def rebuild(self, force: bool = False) -> None:
        """Relist everything from the document (keeps expansion and the selection).

        While the list is hidden (a tab behind the palette) this only notes that
        it is out of date; showing it relists.
        """
        if not force and not self.isVisible():
            self._dirty = True
            return
        self._dirty = False
        model = self.document.model
        self.setUpdatesEnabled(False)  # one layout pass for thousands of rows, not one per row
        with QSignalBlocker(self):
            self.clear()
            self._items = {}
            groups = [
                ("Elements", [(e.id, e.name, e.element_kind.label, kind_icon(e.element_kind, 16)) for e in model.elements]),
                ("Boundaries", [(b.id, b.name, "trust boundary", None) for b in model.boundaries]),
                ("Flows", [(f.id, self._flow_name(f), "flow", None) for f in model.flows]),
            ]
            for title, rows in groups:
                group = QTreeWidgetItem([f"{title} ({len(rows)})"])
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.addTopLevelItem(group)
                children = []
                for ident, name, kind, icon in sorted(rows, key=lambda r: (r[1].lower(), r[0])):
                    count = self._counts.get(ident, 0)
                    item = QTreeWidgetItem([name, kind, str(count) if count else ""])
                    item.setData(0, ID_ROLE, ident)
                    item.setData(0, Qt.ItemDataRole.AccessibleTextRole,
                                 f"{kind} {name}, {count} finding{'s' if count != 1 else ''}")
                    if icon is not None:
                        item.setIcon(0, icon)
                    children.append(item)
                    self._items[ident] = item
                group.addChildren(children)
                group.setExpanded(True)
            self._show_selection(self.selection.ids())
        self.setUpdatesEnabled(True)
        self.resizeColumnToContents(1)

    def _flow_name(self, flow) -> str:
        src, dst = self.document.element(flow.source), self.document.element(flow.target)
        ends = f"{src.name if src else flow.source} → {dst.name if dst else flow.target}"
        return f"{flow.name} ({ends})" if flow.name else ends

    def _show_selection(self, ids) -> None:
        wanted = set(ids)
        for ident, item in self._items.items():
            item.setSelected(ident in wanted)
        current = self._items.get(self.selection.current())
        if current is not None:
            self.setCurrentItem(current, 0, self.selectionModel().SelectionFlag.NoUpdate)
            self.scrollToItem(current)

    def _on_selection_changed(self, ids: list) -> None:
        with QSignalBlocker(self):
            self._show_selection(ids)

    def _on_tree_selection_changed(self) -> None:
        ids = [i.data(0, ID_ROLE) for i in self.selectedItems() if i.data(0, ID_ROLE)]
        current = self.currentItem().data(0, ID_ROLE) if self.currentItem() is not None else None
        self.selection.set(ids, current=current if current in ids else None)
