"""Which items are selected: a small model shared by the canvas, the panels and the actions.

Holds ids (elements, flows, boundaries), never items. The canvas pushes the
user's selection here and mirrors changes made elsewhere (the findings panel
selecting a finding's flow, the element list, undo deleting a selected item).
Ids that leave the document are dropped from the selection automatically.
"""

from __future__ import annotations

from typing import Iterable

from PySide6.QtCore import QObject, Signal

from app.model.types import natural_key


class SelectionModel(QObject):
    """The selected ids, in natural id order; emits ``selection_changed(list)`` when they change."""

    selection_changed = Signal(list)
    current_changed = Signal(str)  # the item the inspector shows ("" for none)

    def __init__(self, document=None, parent: QObject | None = None):
        super().__init__(parent)
        self._ids: tuple[str, ...] = ()
        self._current = ""
        self._document = document
        if document is not None:
            for signal in (document.element_removed, document.flow_removed, document.boundary_removed):
                signal.connect(self._on_document_item_removed)
            document.model_reset.connect(self.clear)

    def ids(self) -> list[str]:
        return list(self._ids)

    def current(self) -> str:
        """The most recently selected id (what the inspector shows), or ``""``."""
        return self._current

    def is_selected(self, ident: str) -> bool:
        return ident in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, ident: object) -> bool:
        return ident in self._ids

    def set(self, ids: Iterable[str], current: str | None = None) -> None:
        """Select exactly ``ids``; ``current`` defaults to the last id given."""
        given = list(dict.fromkeys(ids))
        new = tuple(sorted(given, key=natural_key))
        if current is None:
            current = given[-1] if given else ""
        self._update(new, current if current in new else (new[-1] if new else ""))

    def add(self, ids: Iterable[str]) -> None:
        given = list(ids)
        self.set([*self._ids, *given], current=given[-1] if given else self._current)

    def remove(self, ids: Iterable[str]) -> None:
        gone = set(ids)
        keep = [i for i in self._ids if i not in gone]
        self.set(keep, current=self._current if self._current in keep else None)

    def toggle(self, ident: str) -> None:
        if ident in self._ids:
            self.remove([ident])
        else:
            self.add([ident])

    def clear(self) -> None:
        self._update((), "")

    def _update(self, ids: tuple[str, ...], current: str) -> None:
        changed = ids != self._ids
        self._ids = ids
        if current != self._current:
            self._current = current
            self.current_changed.emit(current)
        if changed:
            self.selection_changed.emit(list(ids))

    def _on_document_item_removed(self, ident: str) -> None:
        if ident in self._ids:
            self.remove([ident])
