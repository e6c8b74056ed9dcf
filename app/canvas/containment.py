"""Membership by geometry: which boundary an element or a boundary sits in, from rectangles.

The model stores membership explicitly; the editor derives it from where things
are drawn. An element belongs to the innermost (smallest) boundary containing
its centre; a boundary sits in the smallest other boundary that contains its
whole rectangle. The results are requests for
``SetMembershipCommand``/``MoveItemsCommand`` (``members`` and ``parents``),
computed *before* the command so that a move and the membership it causes are
one undo step.
"""

from __future__ import annotations

from typing import Mapping, Optional

from PySide6.QtCore import QRectF

from app.document.membership import assignment_members


def _area(r: QRectF) -> float:
    return r.width() * r.height()


def innermost_boundary(point_rect: QRectF, boundaries: Mapping[str, QRectF]) -> Optional[str]:
    """The smallest boundary whose rectangle contains the centre of ``point_rect``."""
    centre = point_rect.center()
    best, best_area = None, float("inf")
    for bid in sorted(boundaries):  # sorted: ties resolve the same way every time
        r = boundaries[bid]
        if r.contains(centre) and _area(r) < best_area:
            best, best_area = bid, _area(r)
    return best


def enclosing_boundary(ident: str, rect: QRectF, boundaries: Mapping[str, QRectF]) -> Optional[str]:
    """The smallest other boundary that wholly contains ``rect`` and is strictly bigger."""
    best, best_area = None, float("inf")
    for bid in sorted(boundaries):
        if bid == ident:
            continue
        r = boundaries[bid]
        if r.contains(rect) and _area(r) > _area(rect) and _area(r) < best_area:
            best, best_area = bid, _area(r)
    return best


def membership_after(
    document,
    rects: Mapping[str, QRectF],
    rect_of,
    check_all_elements: bool = False,
) -> tuple[dict[str, tuple[str, ...]], dict[str, Optional[str]]]:
    """``(members, parents)`` requests making membership follow geometry after a change.

    ``rects``: the new rectangles of the items that change (elements and
    boundaries); ``rect_of(id)`` gives the current rectangle of anything else.
    Elements in ``rects`` are re-assigned; when a boundary moves or resizes,
    every element is (``check_all_elements`` forces that too). Only changes
    are returned, so an unchanged membership yields two empty dicts.
    """
    model = document.model
    boundary_rects = {b.id: QRectF(rects.get(b.id) or rect_of(b.id)) for b in model.boundaries}
    boundary_moved = any(document.kind_of(i) == "boundary" for i in rects)
    parents: dict[str, Optional[str]] = {}
    for b in model.boundaries:
        if boundary_moved or b.id in rects:
            parent = enclosing_boundary(b.id, boundary_rects[b.id], boundary_rects)
            if parent != b.parent:
                parents[b.id] = parent
    if boundary_moved or check_all_elements:
        candidates = [e.id for e in model.elements]
    else:
        candidates = [i for i in rects if document.kind_of(i) == "element"]
    assignment: dict[str, Optional[str]] = {}
    for eid in candidates:
        rect = rects.get(eid) or rect_of(eid)
        inside = innermost_boundary(QRectF(rect), boundary_rects)
        if inside != document.boundary_of(eid):
            assignment[eid] = inside
    members = assignment_members(document, assignment) if assignment else {}
    return dict(members), parents
