"""Undo commands for trust boundaries: add, nest, and set membership.

Deleting a boundary is :class:`~app.document.commands.RemoveBoundaryCommand`
(a special case of deleting items). Membership is explicit in the model and,
in the editor, follows geometry: after a drop or resize the GUI works out what
is inside what and pushes :class:`SetMembershipCommand` (or passes
``members``/``parents`` to the move command so the move and the membership are
one undo step).
"""

from __future__ import annotations

from typing import Iterable, Mapping, Optional, Sequence

from app.document.command_base import CommandError, DocumentCommand, as_rect, check_room, label
from app.document.membership import assignment_members, membership_changes, validated
from app.document.patch import Patch
from app.model import Boundary, Rect


class SetMembershipCommand(DocumentCommand):
    """Say which elements are directly inside which boundaries, and which boundary sits in which.

    ``members``: boundary id → elements directly inside it from now on (an
    element given to one boundary leaves the one it was in). ``parents``:
    boundary id → enclosing boundary id, or ``None`` for the top level.
    """

    def __init__(self, document, members: Mapping[str, Iterable[str]] | None = None,
                 parents: Mapping[str, Optional[str]] | None = None, text: str | None = None):
        boundaries = membership_changes(document, members, parents)
        super().__init__(document, text or "Change boundary membership", Patch(boundaries=boundaries))

    @classmethod
    def assign(cls, document, assignment: Mapping[str, Optional[str]],
               parents: Mapping[str, Optional[str]] | None = None) -> "SetMembershipCommand":
        """Put each element in the boundary named (``None``: in no boundary)."""
        return cls(document, assignment_members(document, assignment), parents)


class ReparentBoundaryCommand(SetMembershipCommand):
    """Nest a boundary inside another (``parent=None``: move it to the top level)."""

    def __init__(self, document, ident: str, parent: Optional[str]):
        boundary = document.boundary(ident)
        if boundary is None:
            raise CommandError(f'no boundary with id "{ident}"')
        where = label(document.boundary(parent)) if parent and document.boundary(parent) else "the top level"
        super().__init__(document, None, {ident: parent}, f"Move boundary {label(boundary)} into {where}")


class AddBoundaryCommand(DocumentCommand):
    """Add a trust boundary with its rectangle.

    The boundary's own ``members`` and ``parent`` are taken as given (members
    leave the boundaries they were in). ``children``: existing boundaries that
    the new one now encloses (they are re-parented to it in the same step).
    """

    def __init__(self, document, boundary: Boundary, rect: Rect | Sequence[float],
                 children: Iterable[str] = ()):
        if document.item(boundary.id) is not None:
            raise CommandError(f'id "{boundary.id}" is already used')
        check_room(document, boundaries=1)
        parents = {boundary.id: boundary.parent, **{c: boundary.id for c in children}}
        changed = membership_changes(
            document, {boundary.id: boundary.members}, parents, new_boundaries={boundary.id: boundary}
        )
        changed[boundary.id] = changed.get(boundary.id, boundary)
        after = Patch(boundaries=changed, boundary_rects={boundary.id: as_rect(rect)})
        super().__init__(document, f"Add boundary {label(boundary)}", after)
        self.boundary_id = boundary.id

    @classmethod
    def new(cls, document, rect: Rect | Sequence[float], name: str = "Trust boundary", parent: str | None = None,
            members: Iterable[str] = (), children: Iterable[str] = ()) -> "AddBoundaryCommand":
        """Add a boundary with a fresh id."""
        data = {"id": document.next_id("boundary"), "name": name, "parent": parent, "members": list(members)}
        return cls(document, validated(Boundary, data, "new boundary"), rect, children)
