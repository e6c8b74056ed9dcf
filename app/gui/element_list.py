"""The element list: every element, boundary and flow as an accessible tree.

Keyboard and screen-reader users work from here: arrows move through the
items, selecting one selects it on the canvas (and the inspector follows),
F2 renames on the canvas, Delete deletes (window actions). Each row's
accessible text says what it is, its name, and how many findings it carries.

The rows come from a small item model that asks for names only for the rows
on screen, so a diagram of thousands of items relists in milliseconds; the
relisting itself is deferred to the next turn of the event loop (and skipped
while the list is hidden), so a burst of edits costs one.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QItemSelection, QItemSelectionModel, QModelIndex, QSignalBlocker, Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QTreeView

from app.canvas.symbols import kind_icon

ID_ROLE = Qt.ItemDataRole.UserRole
GROUPS = ("Elements", "Boundaries", "Flows")
COLUMNS = ("Name", "Kind", "Findings")


class ElementListModel(QAbstractItemModel):
    """Three groups (elements, boundaries, flows) of ``(id, name, kind, element kind)`` rows."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.groups: list[list[tuple]] = [[], [], []]
        self.counts: dict[str, int] = {}
        self.where: dict[str, tuple[int, int]] = {}

    def load(self, groups: list[list[tuple]], counts: dict[str, int]) -> None:
        self.beginResetModel()
        self.groups = groups
        self.counts = counts
        self.where = {row[0]: (g, r) for g, rows in enumerate(groups) for r, row in enumerate(rows)}
        self.endResetModel()

    def index_of(self, ident: str, column: int = 0) -> QModelIndex:
        at = self.where.get(ident)
        return self.index(at[1], column, self.index(at[0], 0)) if at else QModelIndex()

    # -- Qt model
    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        if not parent.isValid():
            return self.createIndex(row, column, _ROOT) if 0 <= row < len(GROUPS) else QModelIndex()
        group = parent.row()
        if 0 <= row < len(self.groups[group]):
            return self.createIndex(row, column, group + 1)
        return QModelIndex()

    def parent(self, index: QModelIndex) -> QModelIndex:  # noqa: D401 - Qt's name
        if not index.isValid() or index.internalId() == _ROOT:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _ROOT)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        if not parent.isValid():
            return len(GROUPS)
        if parent.internalId() == _ROOT and parent.column() == 0:
            return len(self.groups[parent.row()])
        return 0

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def flags(self, index: QModelIndex):
        if index.isValid() and index.internalId() == _ROOT:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if index.internalId() == _ROOT:
            if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
                return f"{GROUPS[index.row()]} ({len(self.groups[index.row()])})"
            return None
        ident, name, kind, element_kind = self.groups[index.internalId() - 1][index.row()]
        col = index.column()
        count = self.counts.get(ident, 0)
        if role == ID_ROLE:
            return ident
        if role == Qt.ItemDataRole.DisplayRole:
            return (name, kind, str(count) if count else "")[col]
        if role == Qt.ItemDataRole.DecorationRole and col == 0 and element_kind is not None:
            return kind_icon(element_kind, 16)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{kind} {name}, {count} finding{'s' if count != 1 else ''}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return ident
        return None


_ROOT = 0  # internalId of a group row; a member row of group g has internalId g + 1


class ElementList(QTreeView):
    """Elements, boundaries and flows by name; selection is shared with the canvas."""

    def __init__(self, document, selection, parent=None):
        super().__init__(parent)
        self.setObjectName("element-list")
        self.setAccessibleName("Element list")
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.document = document
        self.selection = selection
        self.list_model = ElementListModel(self)
        self.setModel(self.list_model)
        # fixed widths: sizing a column to its contents would read every row
        self.header().resizeSection(0, 220)
        self.header().resizeSection(1, 110)
        self._counts: dict[str, int] = {}
        self._dirty = True
        self._shown = True  # False while its dock is a tab behind another (see set_shown)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.rebuild)
        document.revision_changed.connect(self._schedule)
        selection.selection_changed.connect(self._on_selection_changed)
        self.selectionModel().selectionChanged.connect(self._on_view_selection_changed)
        self.rebuild(force=True)

    def set_finding_counts(self, counts: dict[str, int]) -> None:
        self._counts = dict(counts)
        self._schedule()

    def set_shown(self, shown: bool) -> None:
        """Whether the list can be seen (a dock's ``visibilityChanged``: a tab behind another is not)."""
        self._shown = shown
        if shown and self._dirty:
            self._timer.start()

    def _can_be_seen(self) -> bool:
        return self._shown and self.isVisible()

    def _schedule(self, *_args) -> None:
        self._dirty = True
        if self._can_be_seen():
            self._timer.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self._timer.start()

    def rebuild(self, force: bool = False) -> None:
        """Relist everything from the document (keeps the selection).

        While the list is hidden (a tab behind the palette) this only notes that
        it is out of date; showing it relists.
        """
        if not force and not self._can_be_seen():
            self._dirty = True
            return
        self._dirty = False
        doc = self.document
        model = doc.model
        elements = [(e.id, e.name, e.element_kind.label, e.element_kind) for e in model.elements]
        boundaries = [(b.id, b.name, "trust boundary", None) for b in model.boundaries]
        flows = [(f.id, self._flow_name(f), "flow", None) for f in model.flows]
        groups = [sorted(rows, key=lambda r: (r[1].lower(), r[0])) for rows in (elements, boundaries, flows)]
        with QSignalBlocker(self.selectionModel()):
            self.list_model.load(groups, self._counts)
            self.expandAll()
            self._show_selection(self.selection.ids())

    def _flow_name(self, flow) -> str:
        src, dst = self.document.element(flow.source), self.document.element(flow.target)
        ends = f"{src.name if src else flow.source} → {dst.name if dst else flow.target}"
        return f"{flow.name} ({ends})" if flow.name else ends

    def index_of(self, ident: str) -> QModelIndex:
        return self.list_model.index_of(ident)

    def _show_selection(self, ids) -> None:
        chosen = QItemSelection()
        last = self.list_model.columnCount() - 1
        for ident in ids:
            first = self.list_model.index_of(ident)
            if first.isValid():
                chosen.select(first, self.list_model.index_of(ident, last))
        sm = self.selectionModel()
        sm.select(chosen, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        current = self.list_model.index_of(self.selection.current())
        if current.isValid():
            sm.setCurrentIndex(current, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.scrollTo(current)

    def _on_selection_changed(self, ids: list) -> None:
        with QSignalBlocker(self.selectionModel()):
            self._show_selection(ids)
        self.viewport().update()

    def _on_view_selection_changed(self, *_args) -> None:
        rows = self.selectionModel().selectedRows(0)
        ids = [i.data(ID_ROLE) for i in rows if i.data(ID_ROLE)]
        current = self.currentIndex().data(ID_ROLE) if self.currentIndex().isValid() else None
        self.selection.set(ids, current=current if current in ids else None)
