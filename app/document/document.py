"""The open threat model: the one object that changes it, and tells everyone what changed.

Edits flow one way: gesture → command (``app.document.commands``) →
:meth:`Document.push` → the command's patch → :class:`Document` swaps in the
next frozen :class:`ThreatModel` → past-tense signals → views update. Views
and panels never assign model state themselves; they read ``document.model``
(or the O(1) lookups here) from their slots.

Signals carry ids only. When a signal fires, ``document.model`` already holds
the new state. Within one change they fire in an order that lets a scene
mirror the model without dangling references: flows removed, elements removed,
boundaries removed (innermost first), boundaries added (outermost first),
elements added, flows added, then ``*_changed``, ``layout_changed``,
``info_changed``, ``reviews_changed`` and finally ``revision_changed``.

Opening, "new" and restoring a recovery file replace the whole model: they
emit ``model_reset`` (views rebuild from scratch) and clear the undo history.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import Iterable, Iterator, Optional

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from app.document.filewatch import FileWatcher
from app.document.ids import fresh_ids
from app.document.patch import Changes, Patch, apply_patch, diff_patch
from app.document.runner import gc_paused
from app.model import (
    Boundary,
    ElementBase,
    Flow,
    Point,
    Rect,
    ThreatModel,
    dumps_model,
    load_model,
    save_model,
)
from app.model.types import natural_key

ItemKind = str  # "element" | "flow" | "boundary"


def digest(data: bytes) -> str:
    """SHA-256 of file bytes: how we recognise our own saves on disk."""
    return hashlib.sha256(data).hexdigest()


class Document(QObject):
    """The open model, its undo history, its file, and the signals views listen to.

    ``model`` is always a valid, frozen :class:`ThreatModel`. The only ways to
    change it are :meth:`push` (an undoable command), the undo stack itself,
    and the whole-model operations :meth:`new`, :meth:`open`,
    :meth:`new_from_example` and :meth:`set_model`.
    """

    element_added = Signal(str)
    element_removed = Signal(str)
    element_changed = Signal(str)
    flow_added = Signal(str)
    flow_removed = Signal(str)
    flow_changed = Signal(str)
    boundary_added = Signal(str)
    boundary_removed = Signal(str)
    boundary_changed = Signal(str)
    layout_changed = Signal(list)  # ids of elements, boundaries and flows whose geometry changed
    model_reset = Signal()
    info_changed = Signal()
    reviews_changed = Signal()
    modified_changed = Signal(bool)
    file_path_changed = Signal(str)
    revision_changed = Signal(int)
    saved = Signal(str)  # path written by save(); autosave drops its recovery file on it
    file_changed_on_disk = Signal(str)  # another program changed (or removed) the open file

    def __init__(self, model: ThreatModel | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._model = model if model is not None else ThreatModel()
        self._index()
        self._file_path = ""
        self._revision = 0
        self._forced_modified = False  # modified with no undo history (restored recovery file)
        self._last_modified = False
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_undo_stack_clean_changed)
        self._watcher = FileWatcher(self)
        self._watcher.changed.connect(self.file_changed_on_disk)

    # ------------------------------------------------------------ state
    @property
    def model(self) -> ThreatModel:
        """The current model (frozen; safe to hand to another thread)."""
        return self._model

    @property
    def file_path(self) -> str:
        """The file this document was opened from or saved to; ``""`` when untitled."""
        return self._file_path

    @property
    def revision(self) -> int:
        """Increases by one on every change of ``model`` (including undo and redo)."""
        return self._revision

    def is_modified(self) -> bool:
        """True when the model differs from what was last opened or saved."""
        return self._forced_modified or not self.undo_stack.isClean()

    @property
    def modified(self) -> bool:
        return self.is_modified()

    # ------------------------------------------------------------ lookups (O(1))
    def element(self, ident: str) -> Optional[ElementBase]:
        return self._elements.get(ident)

    def flow(self, ident: str) -> Optional[Flow]:
        return self._flows.get(ident)

    def boundary(self, ident: str) -> Optional[Boundary]:
        return self._boundaries.get(ident)

    def item(self, ident: str) -> ElementBase | Flow | Boundary | None:
        """The element, flow or boundary with this id, if any."""
        return self._elements.get(ident) or self._flows.get(ident) or self._boundaries.get(ident)

    def kind_of(self, ident: str) -> Optional[ItemKind]:
        """``"element"``, ``"flow"``, ``"boundary"``, or ``None`` for an unknown id."""
        if ident in self._elements:
            return "element"
        if ident in self._flows:
            return "flow"
        if ident in self._boundaries:
            return "boundary"
        return None

    def rect(self, ident: str) -> Optional[Rect]:
        """Layout rectangle of an element or boundary (model coordinates), if it has one."""
        layout = self._model.layout
        return layout.elements.get(ident) or layout.boundaries.get(ident)

    def flow_points(self, ident: str) -> tuple[Point, ...]:
        """Waypoints of a flow between its two ends (may be empty)."""
        fl = self._model.layout.flows.get(ident)
        return fl.points if fl is not None else ()

    def flows_of(self, element_id: str) -> list[Flow]:
        """Flows that start or end at the element, in id order."""
        return [self._flows[f] for f in sorted(self._flows_at.get(element_id, ()), key=_natural)]

    def boundary_of(self, element_id: str) -> Optional[str]:
        """Id of the boundary the element is a direct member of, if any."""
        return self._member_of.get(element_id)

    def child_boundaries(self, boundary_id: str | None) -> list[str]:
        """Ids of the boundaries directly inside ``boundary_id`` (``None``: the top level)."""
        return [b.id for b in self._model.boundaries if b.parent == boundary_id]

    def ancestors(self, boundary_id: str) -> list[str]:
        """Enclosing boundaries of ``boundary_id``, innermost first."""
        out: list[str] = []
        node = self._boundaries.get(boundary_id)
        while node is not None and node.parent is not None and node.parent not in out:
            out.append(node.parent)
            node = self._boundaries.get(node.parent)
        return out

    def next_id(self, kind: str) -> str:
        """A fresh id for an ``"element"``, ``"flow"`` or ``"boundary"``: ``e12``, ``f7``, ``b3``."""
        return fresh_ids(kind, self._all_ids())[0]

    def next_ids(self, kind: str, count: int) -> list[str]:
        """``count`` distinct fresh ids of ``kind`` (for a batch, e.g. a paste)."""
        return fresh_ids(kind, self._all_ids(), count)

    def _all_ids(self) -> Iterable[str]:
        return [*self._elements, *self._flows, *self._boundaries]

    # ------------------------------------------------------------ editing
    def push(self, command: QUndoCommand) -> bool:
        """Run ``command`` and record it for undo; False (and nothing recorded) if it changes nothing.

        Commands validate in their constructor and raise ``CommandError`` there,
        so a refused edit never reaches the stack.
        """
        noop = getattr(command, "is_noop", None)
        if noop is not None and noop():
            return False
        self.undo_stack.push(command)
        return True

    @contextlib.contextmanager
    def macro(self, text: str) -> Iterator[None]:
        """Group the commands pushed inside the ``with`` block into one undo step."""
        self.undo_stack.beginMacro(text)
        try:
            yield
        finally:
            self.undo_stack.endMacro()

    def apply_patch(self, patch: Patch) -> None:
        """Swap in the model with ``patch`` applied and emit what changed.

        For commands only (their redo/undo); anything else must push a command.
        """
        changes = diff_patch(self._model, self, patch)
        # innermost first, measured while the removed boundaries are still indexed
        changes.removed["boundaries"].sort(key=lambda b: len(self.ancestors(b)), reverse=True)
        new_model = apply_patch(self._model, patch)
        self._model = new_model
        self._update_index(patch)
        if changes.any():
            self._emit(changes)

    # ------------------------------------------------------------ whole-model operations
    def new(self) -> None:
        """Replace the document with an empty, untitled model."""
        self.set_model(ThreatModel(), "")

    def new_from_example(self, path: str | os.PathLike) -> None:
        """Start an untitled document from a copy of an example (saving asks for a new name)."""
        model = load_model(path)  # ModelError propagates; the open model is untouched
        self.set_model(model, "")

    def open(self, path: str | os.PathLike) -> None:
        """Open a model file. On ``ModelError`` or ``OSError`` the current model stays open."""
        path = os.path.abspath(os.fspath(path))
        with gc_paused():  # reading and mirroring the model only builds objects that live on
            model = load_model(path)
            self.set_model(model, path)

    def save(self, path: str | os.PathLike | None = None) -> str:
        """Write the model atomically to ``path`` (default: the current file); return the path.

        Raises ``ValueError`` for an untitled document without a path and
        ``OSError`` when writing fails (the document then stays modified and
        the file on disk keeps its old content).
        """
        target = os.path.abspath(os.fspath(path)) if path is not None else self._file_path
        if not target:
            raise ValueError("this document has no file yet: choose where to save it")
        data = dumps_model(self._model).encode("utf-8")
        known = self._watcher.expect(target, digest(data))  # our own write must not look like someone else's
        try:
            save_model(self._model, target)
        except BaseException:
            self._watcher.expect(target, known)  # the file still holds what it held
            raise
        self._watcher.watch(target, data)
        self._set_file_path(target)
        self._forced_modified = False
        self.undo_stack.setClean()
        self._notify_modified()
        self.saved.emit(target)
        return target

    def set_model(self, model: ThreatModel, path: str = "", modified: bool = False) -> None:
        """Replace the whole model (clears undo history; emits ``model_reset``).

        ``modified=True`` marks the document as holding unsaved work although
        there is no history to undo (a restored recovery file).
        """
        self._model = model
        self._index()
        self.undo_stack.clear()
        self._forced_modified = modified
        path = os.path.abspath(path) if path else ""
        if path:
            try:
                self._watcher.watch(path, Path(path).read_bytes())
            except OSError:  # a recovered model whose file has gone: nothing to watch
                self._watcher.stop()
        else:
            self._watcher.stop()
        self._set_file_path(path)
        self._revision += 1
        self.model_reset.emit()
        self._notify_modified()
        self.revision_changed.emit(self._revision)

    def close(self) -> None:
        """Forget the file (stop watching it); the caller has dealt with unsaved work."""
        self._watcher.stop()

    # ------------------------------------------------------------ clipboard
    def fragment(self, ids: Iterable[str]) -> ThreatModel:
        """A self-contained model holding the given items, for copy and paste.

        Contains the elements and boundaries named, their layout, and every
        flow running between two copied elements (whether or not it was named,
        as in other diagram editors). A flow with an end outside the copy is
        left out; membership and nesting are kept only within the copy.
        """
        wanted = set(ids)
        elements = [e for e in self._model.elements if e.id in wanted]
        element_ids = {e.id for e in elements}
        boundary_ids = {b.id for b in self._model.boundaries if b.id in wanted}
        # a flow between two copied elements comes along, as in other diagram editors
        flows = [f for f in self._model.flows if f.source in element_ids and f.target in element_ids]
        boundaries = [
            Boundary.model_validate(
                {
                    **b.model_dump(),
                    "parent": b.parent if b.parent in boundary_ids else None,
                    "members": [m for m in b.members if m in element_ids],
                }
            )
            for b in self._model.boundaries
            if b.id in boundary_ids
        ]
        layout = self._model.layout
        return ThreatModel.model_validate(
            {
                "elements": elements,
                "boundaries": boundaries,
                "flows": flows,
                "layout": {
                    "elements": {k: layout.elements[k] for k in element_ids if k in layout.elements},
                    "boundaries": {k: layout.boundaries[k] for k in boundary_ids if k in layout.boundaries},
                    "flows": {f.id: layout.flows[f.id] for f in flows if f.id in layout.flows},
                },
            }
        )

    # ------------------------------------------------------------ internals
    def _index(self) -> None:
        m = self._model
        self._elements: dict[str, ElementBase] = {e.id: e for e in m.elements}
        self._flows: dict[str, Flow] = {f.id: f for f in m.flows}
        self._boundaries: dict[str, Boundary] = {b.id: b for b in m.boundaries}
        self._flows_at: dict[str, set[str]] = {}
        for f in m.flows:
            self._flows_at.setdefault(f.source, set()).add(f.id)
            self._flows_at.setdefault(f.target, set()).add(f.id)
        self._member_of: dict[str, str] = {}
        for b in m.boundaries:
            for member in b.members:
                self._member_of.setdefault(member, b.id)

    def _update_index(self, patch: Patch) -> None:
        for ident, element in patch.elements.items():
            if element is None:
                self._elements.pop(ident, None)
            else:
                self._elements[ident] = element
        for ident, flow in patch.flows.items():
            old = self._flows.pop(ident, None)
            if old is not None:
                for end in (old.source, old.target):
                    self._flows_at.get(end, set()).discard(ident)
            if flow is not None:
                self._flows[ident] = flow
                self._flows_at.setdefault(flow.source, set()).add(ident)
                self._flows_at.setdefault(flow.target, set()).add(ident)
        for ident, boundary in patch.boundaries.items():
            old = self._boundaries.pop(ident, None)
            if old is not None:
                for member in old.members:
                    if self._member_of.get(member) == ident:
                        del self._member_of[member]
            if boundary is not None:
                self._boundaries[ident] = boundary
        for ident, boundary in patch.boundaries.items():
            if boundary is not None:
                for member in boundary.members:
                    self._member_of[member] = ident

    def _emit(self, changes: Changes) -> None:
        self._revision += 1
        for ident in changes.removed["flows"]:
            self.flow_removed.emit(ident)
        for ident in changes.removed["elements"]:
            self.element_removed.emit(ident)
        for ident in changes.removed["boundaries"]:
            self.boundary_removed.emit(ident)
        for ident in sorted(changes.added["boundaries"], key=lambda b: len(self.ancestors(b))):
            self.boundary_added.emit(ident)
        for ident in changes.added["elements"]:
            self.element_added.emit(ident)
        for ident in changes.added["flows"]:
            self.flow_added.emit(ident)
        for ident in changes.changed["boundaries"]:
            self.boundary_changed.emit(ident)
        for ident in changes.changed["elements"]:
            self.element_changed.emit(ident)
        for ident in changes.changed["flows"]:
            self.flow_changed.emit(ident)
        if changes.layout:
            self.layout_changed.emit(list(changes.layout))
        if changes.info:
            self.info_changed.emit()
        if changes.reviews:
            self.reviews_changed.emit()
        self.revision_changed.emit(self._revision)

    def _set_file_path(self, path: str) -> None:
        if path != self._file_path:
            self._file_path = path
            self.file_path_changed.emit(path)

    def _on_undo_stack_clean_changed(self, _clean: bool) -> None:
        self._notify_modified()

    def _notify_modified(self) -> None:
        now = self.is_modified()
        if now != self._last_modified:
            self._last_modified = now
            self.modified_changed.emit(now)


def _natural(ident: str) -> tuple:
    return natural_key(ident)
