"""Edits the canvas makes: each gesture or action becomes one undoable step.

:class:`CanvasEditor` is the one place where canvas gestures and canvas actions
(place, move, resize, connect, reconnect, rename, delete, paste, align,
distribute) turn into document commands. It works out what a gesture implies
before pushing anything: the content a moved boundary carries along, the
boundary membership that follows the new geometry, the waypoints that move
with both ends of a flow. Several commands from one gesture go in one
``document.macro`` so they undo together. A refused edit (``CommandError``)
changes nothing and is reported through :attr:`CanvasEditor.refused`.
"""

from __future__ import annotations

import math
from typing import Iterable, Optional

from PySide6.QtCore import QObject, QPointF, QRectF, Signal

from app.canvas.containment import enclosing_boundary, innermost_boundary, membership_after
from app.canvas.theme import BOUNDARY_H, BOUNDARY_W, GRID, NODE_H, NODE_W
from app.document.commands import (
    AddBoundaryCommand,
    AddElementCommand,
    AddFlowCommand,
    CommandError,
    MoveItemsCommand,
    PasteCommand,
    ReconnectFlowCommand,
    RemoveElementsCommand,
    RenameCommand,
    SetMembershipCommand,
    SetPropertiesCommand,
)
from app.model import ThreatModel
from app.model.types import ElementKind

BOUNDARY_KIND = "boundary"  # what the palette calls a trust boundary


def _rect_tuple(r: QRectF) -> tuple[float, float, float, float]:
    return (float(r.x()), float(r.y()), float(r.width()), float(r.height()))


class CanvasEditor(QObject):
    """Turns canvas gestures into document commands (one gesture, one undo step)."""

    refused = Signal(str)  # a readable reason an edit was not made
    placed = Signal(list)  # ids of items a place/paste/connect created (the GUI selects them)

    def __init__(self, document, scene, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.scene = scene
        self.snap_enabled = True

    # ------------------------------------------------------------ helpers
    def snap(self, value: float) -> float:
        return round(value / GRID) * GRID if self.snap_enabled else value

    def snap_point(self, p: QPointF) -> QPointF:
        return QPointF(self.snap(p.x()), self.snap(p.y()))

    def rect_of(self, ident: str) -> QRectF:
        return self.scene.model_rect(ident)

    def _push(self, command_factory, text: str | None = None) -> bool:
        try:
            command = command_factory()
        except CommandError as exc:
            self.refused.emit(str(exc))
            return False
        return self.document.push(command)

    def _membership_command(self, rects: dict[str, QRectF], check_all: bool = False):
        members, parents = membership_after(self.document, rects, self.rect_of, check_all)
        if members or parents:
            return SetMembershipCommand(self.document, members, parents, text="Update boundary membership")
        return None

    # ------------------------------------------------------------ placing
    def place_element(self, kind: str, centre: QPointF, name: str | None = None) -> Optional[str]:
        """Add an element of ``kind`` centred near ``centre`` (snapped); return its id."""
        if kind == BOUNDARY_KIND:
            return self.place_boundary(QRectF(centre.x() - BOUNDARY_W / 2, centre.y() - BOUNDARY_H / 2, BOUNDARY_W, BOUNDARY_H))
        try:
            kind_enum = ElementKind(kind)
        except ValueError:
            self.refused.emit(f"unknown element kind {kind!r}")
            return None
        top_left = self.snap_point(QPointF(centre.x() - NODE_W / 2, centre.y() - NODE_H / 2))
        rect = QRectF(top_left.x(), top_left.y(), NODE_W, NODE_H)
        boundary = innermost_boundary(rect, {b.id: self.rect_of(b.id) for b in self.document.model.boundaries})
        try:
            cmd = AddElementCommand.new(self.document, kind_enum, _rect_tuple(rect), name=name, boundary=boundary)
        except CommandError as exc:
            self.refused.emit(str(exc))
            return None
        self.document.push(cmd)
        self.placed.emit([cmd.element_id])
        return cmd.element_id

    def place_boundary(self, rect: QRectF, name: str = "Trust boundary") -> Optional[str]:
        """Add a boundary over ``rect``; what lies inside it becomes its content (one undo step)."""
        doc = self.document
        r = QRectF(self.snap(rect.x()), self.snap(rect.y()),
                   max(GRID * 4, self.snap(rect.width())), max(GRID * 4, self.snap(rect.height())))
        new = "\0new"  # stands for the boundary being added while we work out what it holds
        rects = {b.id: self.rect_of(b.id) for b in doc.model.boundaries}
        rects[new] = r
        parent = enclosing_boundary(new, r, rects)
        children = [b.id for b in doc.model.boundaries if enclosing_boundary(b.id, rects[b.id], rects) == new]
        members = [e.id for e in doc.model.elements if innermost_boundary(self.rect_of(e.id), rects) == new]
        try:
            cmd = AddBoundaryCommand.new(doc, _rect_tuple(r), name=name, parent=parent, members=members, children=children)
        except CommandError as exc:
            self.refused.emit(str(exc))
            return None
        doc.push(cmd)
        self.placed.emit([cmd.boundary_id])
        return cmd.boundary_id

    # ------------------------------------------------------------ moving and resizing
    def carried(self, ids: Iterable[str]) -> list[str]:
        """``ids`` plus everything inside the boundaries among them (it moves with them)."""
        doc = self.document
        out = list(dict.fromkeys(i for i in ids if doc.kind_of(i) in ("element", "boundary")))
        seen = set(out)
        queue = [i for i in out if doc.kind_of(i) == "boundary"]
        while queue:
            bid = queue.pop()
            b = doc.boundary(bid)
            for m in b.members:
                if m not in seen:
                    seen.add(m)
                    out.append(m)
            for child in doc.child_boundaries(bid):
                if child not in seen:
                    seen.add(child)
                    out.append(child)
                    queue.append(child)
        return out

    def move(self, ids: Iterable[str], dx: float, dy: float, nudge: bool = False) -> bool:
        """Move items (boundaries with their content) by ``(dx, dy)``; membership follows."""
        if dx == 0 and dy == 0:
            return False
        moving = self.carried(ids)
        rects = {i: self.rect_of(i).translated(dx, dy) for i in moving}
        return self.set_rects(rects, nudge=nudge)

    def set_rects(self, rects: dict[str, QRectF], nudge: bool = False, text: str | None = None) -> bool:
        """Give items new rectangles in one step, with the membership that follows."""
        doc = self.document
        moved = set(rects)
        points = {}
        for ident in moved:
            if doc.kind_of(ident) != "element":
                continue
            for f in doc.flows_of(ident):
                if f.id in points or not (f.source in moved and f.target in moved):
                    continue
                pts = doc.flow_points(f.id)
                if pts:
                    d = rects[f.source].topLeft() - self.rect_of(f.source).topLeft()
                    points[f.id] = [(p.x + d.x(), p.y + d.y()) for p in pts]
        try:
            members, parents = membership_after(doc, rects, self.rect_of)
            cmd = MoveItemsCommand(
                doc, {i: _rect_tuple(r) for i, r in rects.items()}, points, members or None, parents or None,
                nudge=nudge and not (members or parents), text=text,
            )
        except CommandError as exc:
            self.refused.emit(str(exc))
            self.scene.restore_geometry(rects)
            return False
        return doc.push(cmd)

    def resize(self, ident: str, rect: QRectF) -> bool:
        """Resize a boundary (or element) to ``rect``; membership follows."""
        r = rect.normalized()
        if r.width() < GRID * 4 or r.height() < GRID * 4:
            r.setSize(r.size().expandedTo(QRectF(0, 0, GRID * 4, GRID * 4).size()))
        item = self.document.item(ident)
        return self.set_rects({ident: r}, text=f"Resize “{getattr(item, 'name', ident)[:40]}”")

    # ------------------------------------------------------------ flows
    def connect(self, source: str, target: str, name: str = "") -> Optional[str]:
        """Add a flow ``source → target``; return its id."""
        try:
            cmd = AddFlowCommand.new(self.document, source, target, name=name)
        except CommandError as exc:
            self.refused.emit(str(exc))
            return None
        self.document.push(cmd)
        self.placed.emit([cmd.flow_id])
        return cmd.flow_id

    def reconnect(self, flow_id: str, end: str, element_id: str) -> bool:
        """Move the ``"source"`` or ``"target"`` end of a flow to another element."""
        kwargs = {end: element_id}
        return self._push(lambda: ReconnectFlowCommand(self.document, flow_id, **kwargs))

    # ------------------------------------------------------------ content edits
    def rename(self, ident: str, name: str) -> bool:
        item = self.document.item(ident)
        if item is None or getattr(item, "name", None) == name:
            return False
        return self._push(lambda: RenameCommand(self.document, ident, name))

    def set_fields(self, ident: str, changes: dict, text: str | None = None) -> bool:
        return self._push(lambda: SetPropertiesCommand(self.document, ident, changes, text))

    def delete(self, ids: Iterable[str]) -> bool:
        ids = [i for i in ids if self.document.kind_of(i) is not None]
        if not ids:
            return False
        return self._push(lambda: RemoveElementsCommand(self.document, ids))

    def paste(self, fragment: ThreatModel, offset: tuple[float, float]) -> list[str]:
        """Paste a fragment shifted by ``offset``; return the new ids (membership follows geometry)."""
        doc = self.document
        try:
            cmd = PasteCommand(doc, fragment, offset)
        except CommandError as exc:
            self.refused.emit(str(exc))
            return []
        with doc.macro(cmd.text()):
            doc.push(cmd)
            new_ids = list(cmd.id_map.values())
            rects = {i: self.rect_of(i) for i in new_ids if doc.kind_of(i) in ("element", "boundary")}
            try:
                follow = self._membership_command(rects)
            except CommandError:  # keep the paste; membership stays as pasted
                follow = None
            if follow is not None:
                doc.push(follow)
        self.placed.emit(new_ids)
        return new_ids

    # ------------------------------------------------------------ arranging
    def align(self, ids: Iterable[str], how: str) -> bool:
        """Align items' edges or centres: left, hcenter, right, top, vcenter, bottom."""
        ids = [i for i in ids if self.document.kind_of(i) in ("element", "boundary")]
        if len(ids) < 2:
            return False
        rects = {i: self.rect_of(i) for i in ids}
        if how == "left":
            ref = min(r.left() for r in rects.values())
            new = {i: r.translated(ref - r.left(), 0) for i, r in rects.items()}
        elif how == "right":
            ref = max(r.right() for r in rects.values())
            new = {i: r.translated(ref - r.right(), 0) for i, r in rects.items()}
        elif how == "hcenter":
            ref = sum(r.center().x() for r in rects.values()) / len(rects)
            new = {i: r.translated(ref - r.center().x(), 0) for i, r in rects.items()}
        elif how == "top":
            ref = min(r.top() for r in rects.values())
            new = {i: r.translated(0, ref - r.top()) for i, r in rects.items()}
        elif how == "bottom":
            ref = max(r.bottom() for r in rects.values())
            new = {i: r.translated(0, ref - r.bottom()) for i, r in rects.items()}
        elif how == "vcenter":
            ref = sum(r.center().y() for r in rects.values()) / len(rects)
            new = {i: r.translated(0, ref - r.center().y()) for i, r in rects.items()}
        else:
            raise ValueError(f"unknown alignment {how!r}")
        return self._arrange(new, f"Align {how}")

    def distribute(self, ids: Iterable[str], axis: str) -> bool:
        """Spread items evenly (equal gaps) along ``"horizontal"`` or ``"vertical"``."""
        ids = [i for i in ids if self.document.kind_of(i) in ("element", "boundary")]
        if len(ids) < 3:
            return False
        horizontal = axis == "horizontal"
        rects = {i: self.rect_of(i) for i in ids}
        order = sorted(ids, key=lambda i: (rects[i].left() if horizontal else rects[i].top(), i))
        first, last = rects[order[0]], rects[order[-1]]
        span = (last.right() - first.left()) if horizontal else (last.bottom() - first.top())
        total = sum(rects[i].width() if horizontal else rects[i].height() for i in order)
        gap = (span - total) / (len(order) - 1)
        pos = first.left() if horizontal else first.top()
        new = {}
        for i in order:
            r = rects[i]
            new[i] = r.translated(pos - r.left(), 0) if horizontal else r.translated(0, pos - r.top())
            pos += (r.width() if horizontal else r.height()) + gap
        return self._arrange(new, f"Distribute {axis}ly")

    def _arrange(self, new: dict[str, QRectF], text: str) -> bool:
        rects: dict[str, QRectF] = {}
        for ident, r in new.items():
            old = self.rect_of(ident)
            d = r.topLeft() - old.topLeft()
            if math.isclose(d.x(), 0, abs_tol=1e-9) and math.isclose(d.y(), 0, abs_tol=1e-9):
                continue
            for carried in self.carried([ident]):
                rects[carried] = self.rect_of(carried).translated(d.x(), d.y())
        if not rects:
            return False
        return self.set_rects(rects, text=text)
