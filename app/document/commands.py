"""Undo commands: one small ``QUndoCommand`` per kind of edit.

Every command is built against the document's current model, checks the edit
in its constructor (raising :class:`CommandError` with a readable message, so
a refused edit never reaches the undo stack), and records it as a
:class:`~app.document.patch.Patch` of frozen pydantic values keyed by id. The
values it replaces are captured the first time it runs. Commands never hold
canvas items, so undo and redo replay exactly, however the views have changed.

Changed objects are always built through ``model_validate`` (never
``model_copy(update=…)``, which skips validation), so a command cannot put an
invalid value into the model.

Cascades are child commands: deleting an element first removes its flows
(:class:`RemoveFlowsCommand`) and its boundary membership
(:class:`SetMembershipCommand`), then the element; children redo in order
and undo in reverse (see :class:`DocumentCommand` for why they are run in Python).
A gesture made of several commands goes in one
``document.macro(...)``; a drag is one :class:`MoveItemsCommand` pushed on
release; keyboard nudges merge into one step through ``id()``/``mergeWith``.

Typical use from the GUI::

    doc.push(AddElementCommand.new(doc, "process", Rect(x=0, y=0, w=120, h=60)))
    doc.push(MoveItemsCommand.by_offset(doc, ["e1"], 10, 0, nudge=True))
    doc.push(RemoveElementsCommand(doc, selection.ids()))
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional, Sequence

from PySide6.QtGui import QUndoCommand

from app.document.boundary_commands import (
    AddBoundaryCommand,
    ReparentBoundaryCommand,
    SetMembershipCommand,
)
from app.document.command_base import (
    NUDGE_MERGE_ID,
    CommandError,
    DocumentCommand,
    as_points,
    as_rect,
    check_room,
    flow_layout,
    label,
)
from app.document.membership import membership_changes, validated
from app.document.model_commands import PasteCommand, SetModelInfoCommand, SetReviewCommand
from app.document.patch import Patch
from app.model import ELEMENT_CLASSES, ElementBase, Flow, Point, Rect
from app.model.types import ElementKind

__all__ = [
    "CommandError", "DocumentCommand", "AddElementCommand", "RemoveElementsCommand", "RemoveFlowsCommand",
    "MoveItemsCommand", "ResizeBoundaryCommand", "RenameCommand", "SetPropertiesCommand", "AddFlowCommand",
    "ReconnectFlowCommand", "AddBoundaryCommand", "RemoveBoundaryCommand", "ReparentBoundaryCommand",
    "SetMembershipCommand", "SetReviewCommand", "SetModelInfoCommand", "PasteCommand", "RemoveItemsCommand",
    "NUDGE_MERGE_ID", "as_rect", "as_points",
]

# ------------------------------------------------------------------ elements
class AddElementCommand(DocumentCommand):
    """Add one element with its rectangle, optionally inside a boundary."""

    def __init__(self, document, element: ElementBase, rect: Rect | Sequence[float] | None = None,
                 boundary: str | None = None):
        if document.item(element.id) is not None:
            raise CommandError(f'id "{element.id}" is already used')
        check_room(document, elements=1)
        boundaries = {}
        if boundary is not None:
            if document.boundary(boundary) is None:
                raise CommandError(f'no boundary with id "{boundary}" to add into')
            members = {boundary: (*document.boundary(boundary).members, element.id)}
            boundaries = membership_changes(document, members, new_elements=[element.id])
        after = Patch(
            elements={element.id: element},
            element_rects={element.id: as_rect(rect)} if rect is not None else {},
            boundaries=boundaries,
        )
        super().__init__(document, f"Add {element.element_kind.label} {label(element)}", after)
        self.element_id = element.id

    @classmethod
    def new(cls, document, kind: ElementKind | str, rect: Rect | Sequence[float], name: str | None = None,
            boundary: str | None = None, **fields) -> "AddElementCommand":
        """Add a fresh element of ``kind`` (a new id; default name: the kind, e.g. "Process")."""
        try:
            kind = ElementKind(kind)
        except ValueError:
            raise CommandError(f"unknown element kind {kind!r}") from None
        ident = document.next_id("element")
        data = {"id": ident, "name": name or kind.label.capitalize(), **fields}
        element = validated(ELEMENT_CLASSES[kind], data, f"new {kind.label}")
        return cls(document, element, rect, boundary)


class RemoveFlowsCommand(DocumentCommand):
    """Remove flows and their waypoints."""

    def __init__(self, document, ids: Iterable[str]):
        ids = list(dict.fromkeys(ids))
        for ident in ids:
            if document.flow(ident) is None:
                raise CommandError(f'no flow with id "{ident}"')
        after = Patch(flows={i: None for i in ids}, flow_layouts={i: None for i in ids})
        super().__init__(document, f"Delete {len(ids)} flow{'s' if len(ids) != 1 else ''}", after)


class RemoveElementsCommand(DocumentCommand):
    """Delete elements, flows and boundaries (any mix of ids), with everything that hangs on them.

    Cascades (as child commands): flows touching a deleted element go first;
    deleted elements leave their boundaries; the members and nested
    boundaries of a deleted boundary move up to its nearest surviving
    enclosing boundary (or the top level), because geometrically that is
    where they still are.
    """

    def __init__(self, document, ids: Iterable[str]):
        ids = list(dict.fromkeys(ids))
        elements, flows, boundaries = [], [], []
        for ident in ids:
            kind = document.kind_of(ident)
            if kind is None:
                raise CommandError(f'nothing with id "{ident}" to delete')
            {"element": elements, "flow": flows, "boundary": boundaries}[kind].append(ident)
        gone_elements, gone_boundaries = set(elements), set(boundaries)
        cascade = list(flows)
        for eid in elements:
            cascade.extend(f.id for f in document.flows_of(eid))
        cascade = list(dict.fromkeys(cascade))

        def surviving(bid: Optional[str]) -> Optional[str]:
            while bid is not None and bid in gone_boundaries:
                bid = document.boundary(bid).parent
            return bid

        members: dict[str, list[str]] = {}
        parents: dict[str, Optional[str]] = {}
        for b in document.model.boundaries:
            if b.id in gone_boundaries:
                heir = surviving(b.parent)
                moving = [m for m in b.members if m not in gone_elements]
                if heir is not None and moving:
                    members.setdefault(heir, [m for m in document.boundary(heir).members if m not in gone_elements])
                    members[heir].extend(moving)
            else:
                if b.parent in gone_boundaries:
                    parents[b.id] = surviving(b.parent)
                if any(m in gone_elements for m in b.members):
                    members.setdefault(b.id, [m for m in b.members if m not in gone_elements])
        count = len(ids) + len(set(cascade) - set(flows))
        super().__init__(document, f"Delete {count} item{'s' if count != 1 else ''}", None)
        if cascade:
            self.add_child(RemoveFlowsCommand(document, cascade))
        if members or parents:
            self.add_child(SetMembershipCommand(document, members, parents))
        self._set_after(
            Patch(
                elements={e: None for e in elements},
                element_rects={e: None for e in elements},
                boundaries={b: None for b in boundaries},
                boundary_rects={b: None for b in boundaries},
            )
        )
        self.removed_ids = ids


RemoveItemsCommand = RemoveElementsCommand


class RenameCommand(DocumentCommand):
    """Rename an element, boundary or flow (a flow's name may be empty; the others' may not)."""

    def __init__(self, document, ident: str, name: str):
        item = document.item(ident)
        if item is None:
            raise CommandError(f'nothing with id "{ident}" to rename')
        data = item.model_dump()
        data["name"] = name
        new = validated(type(item), data, f"name of {label(item)}")
        section = {"element": "elements", "flow": "flows", "boundary": "boundaries"}[document.kind_of(ident)]
        super().__init__(document, f"Rename {label(item)} to {label(new)}", Patch(**{section: {ident: new}}))


_FIXED_FIELDS = {
    "element": {"id": "an element's id cannot change", "kind": "an element's kind cannot change here"},
    "flow": {
        "id": "a flow's id cannot change",
        "source": "use ReconnectFlowCommand to move a flow's ends",
        "target": "use ReconnectFlowCommand to move a flow's ends",
    },
    "boundary": {
        "id": "a boundary's id cannot change",
        "parent": "use ReparentBoundaryCommand or SetMembershipCommand for nesting",
        "members": "use SetMembershipCommand for membership",
    },
}


class SetPropertiesCommand(DocumentCommand):
    """Change fields of an element, flow or boundary: properties, carries, controls, description, protocol…

    ``changes`` maps field names to new values. ``properties`` may be a
    mapping of just the property fields that change (merged into the current
    ones) or a whole properties object.
    """

    def __init__(self, document, ident: str, changes: Mapping[str, Any], text: str | None = None):
        item = document.item(ident)
        kind = document.kind_of(ident)
        if item is None:
            raise CommandError(f'nothing with id "{ident}" to edit')
        for key in changes:
            if key in _FIXED_FIELDS[kind]:
                raise CommandError(f"{label(item)}: {_FIXED_FIELDS[kind][key]}")
        data = item.model_dump()
        for key, value in changes.items():
            if key == "properties" and isinstance(value, Mapping) and isinstance(data.get("properties"), dict):
                data["properties"] = {**data["properties"], **value}
            elif hasattr(value, "model_dump"):
                data[key] = value.model_dump()
            else:
                data[key] = value
        new = validated(type(item), data, label(item))
        section = {"element": "elements", "flow": "flows", "boundary": "boundaries"}[kind]
        fields = ", ".join(sorted(changes))
        super().__init__(document, text or f"Edit {fields} of {label(item)}", Patch(**{section: {ident: new}}))


# ------------------------------------------------------------------ geometry
class MoveItemsCommand(DocumentCommand):
    """Set the rectangles of elements/boundaries and the waypoints of flows: one drag, one step.

    ``rects``: id → new rectangle (elements or boundaries). ``points``: flow id
    → new waypoints. ``members``/``parents``: the membership the move leads to
    (see :class:`SetMembershipCommand`), recorded in the same step.
    ``nudge=True`` marks a keyboard nudge: consecutive nudges of the same
    items merge into one undo step.
    """

    def __init__(self, document, rects: Mapping[str, Rect | Sequence[float]],
                 points: Mapping[str, Iterable[Point | Sequence[float]]] | None = None,
                 members: Mapping[str, Iterable[str]] | None = None,
                 parents: Mapping[str, Optional[str]] | None = None,
                 nudge: bool = False, text: str | None = None):
        element_rects, boundary_rects, flow_layouts = {}, {}, {}
        for ident, rect in rects.items():
            kind = document.kind_of(ident)
            if kind == "element":
                element_rects[ident] = as_rect(rect, f'rectangle of "{ident}"')
            elif kind == "boundary":
                boundary_rects[ident] = as_rect(rect, f'rectangle of "{ident}"')
            else:
                raise CommandError(f'no element or boundary with id "{ident}" to move')
        for ident, pts in (points or {}).items():
            if document.flow(ident) is None:
                raise CommandError(f'no flow with id "{ident}" to move')
            flow_layouts[ident] = flow_layout(as_points(pts, f'waypoints of "{ident}"'))
        boundaries = membership_changes(document, members, parents) if (members or parents) else {}
        after = Patch(element_rects=element_rects, boundary_rects=boundary_rects, flow_layouts=flow_layouts,
                      boundaries=boundaries)
        count = len(rects) + len(points or {})
        default = "Nudge" if nudge else f"Move {count} item{'s' if count != 1 else ''}"
        super().__init__(document, text or default, after)
        self.nudge = nudge
        self._moved = frozenset(rects) | frozenset(points or {})
        if nudge:
            self.merge_id = NUDGE_MERGE_ID

    @classmethod
    def by_offset(cls, document, ids: Iterable[str], dx: float, dy: float, nudge: bool = False,
                  members=None, parents=None) -> "MoveItemsCommand":
        """Move the given elements/boundaries (and flows' waypoints) by ``(dx, dy)``.

        Waypoints of a flow move too when the flow is named or both its ends move.
        """
        ids = list(dict.fromkeys(ids))
        rects, points = {}, {}
        for ident in ids:
            kind = document.kind_of(ident)
            if kind in ("element", "boundary"):
                r = document.rect(ident)
                if r is not None:
                    rects[ident] = Rect(x=r.x + dx, y=r.y + dy, w=r.w, h=r.h).model_dump()
        moved = set(rects)
        for f in document.model.flows:
            if f.id in ids or (f.source in moved and f.target in moved):
                pts = document.flow_points(f.id)
                if pts:
                    points[f.id] = [(p.x + dx, p.y + dy) for p in pts]
        return cls(document, rects, points, members, parents, nudge=nudge)

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, MoveItemsCommand) or not (self.nudge and other.nudge):
            return False
        if other._moved != self._moved or other.children or self.children:
            return False
        # keep our "before", add theirs for keys we did not touch; their "after" wins
        self._before = other._before.then(self._before)
        self._after = self._after.then(other._after)
        if self._after == self._before:
            self.setObsolete(True)  # nudged back to where it started: nothing to undo
        return True


class ResizeBoundaryCommand(MoveItemsCommand):
    """Give a boundary (or an element) a new rectangle, with the membership that follows."""

    def __init__(self, document, ident: str, rect: Rect | Sequence[float], members=None, parents=None):
        item = document.item(ident)
        super().__init__(document, {ident: rect}, None, members, parents,
                         text=f"Resize {label(item)}" if item is not None else None)


# ------------------------------------------------------------------ flows
def _check_ends(document, source: str, target: str) -> None:
    for end, ident in (("source", source), ("target", target)):
        if document.element(ident) is None:
            raise CommandError(f'flow {end}: no element with id "{ident}"')
    if source == target:
        raise CommandError("a flow must connect two different elements")


class AddFlowCommand(DocumentCommand):
    """Add a flow between two existing elements, with optional waypoints."""

    def __init__(self, document, flow: Flow, points: Iterable[Point | Sequence[float]] = ()):
        if document.item(flow.id) is not None:
            raise CommandError(f'id "{flow.id}" is already used')
        check_room(document, flows=1)
        _check_ends(document, flow.source, flow.target)
        pts = as_points(points)
        after = Patch(flows={flow.id: flow}, flow_layouts={flow.id: flow_layout(pts)} if pts else {})
        src, dst = document.element(flow.source), document.element(flow.target)
        super().__init__(document, f"Connect {label(src)} → {label(dst)}", after)
        self.flow_id = flow.id

    @classmethod
    def new(cls, document, source: str, target: str, points=(), **fields) -> "AddFlowCommand":
        """Connect ``source`` to ``target`` with a fresh flow id."""
        flow = validated(Flow, {"id": document.next_id("flow"), "source": source, "target": target, **fields}, "new flow")
        return cls(document, flow, points)


class ReconnectFlowCommand(DocumentCommand):
    """Move one or both ends of a flow to other elements (waypoints kept unless given)."""

    def __init__(self, document, ident: str, source: str | None = None, target: str | None = None,
                 points: Iterable[Point | Sequence[float]] | None = None):
        flow = document.flow(ident)
        if flow is None:
            raise CommandError(f'no flow with id "{ident}" to reconnect')
        data = flow.model_dump()
        data["source"] = source if source is not None else flow.source
        data["target"] = target if target is not None else flow.target
        _check_ends(document, data["source"], data["target"])
        after = Patch(
            flows={ident: validated(Flow, data, f'flow "{ident}"')},
            flow_layouts={ident: flow_layout(as_points(points))} if points is not None else {},
        )
        super().__init__(document, f"Reconnect {label(flow)}", after)


class RemoveBoundaryCommand(RemoveElementsCommand):
    """Delete one boundary; its members and nested boundaries move to the boundary around it."""

    def __init__(self, document, ident: str):
        if document.boundary(ident) is None:
            raise CommandError(f'no boundary with id "{ident}" to delete')
        super().__init__(document, [ident])
        self.setText(f"Delete boundary {label(document.boundary(ident))}")
