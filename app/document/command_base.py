"""The base of every undo command, and the value helpers commands share.

See ``app.document.commands`` for the command catalogue and how they are used.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional, Sequence

from PySide6.QtGui import QUndoCommand

from app.document.membership import CommandError, validated
from app.document.patch import Patch
from app.model import FlowLayout, Point, Rect
from app.model.types import MAX_BOUNDARIES, MAX_ELEMENTS, MAX_FLOWS, MAX_REVIEWS

__all__ = [
    "CommandError", "DocumentCommand", "NUDGE_MERGE_ID", "as_rect", "as_points", "check_room", "flow_layout", "label",
]

NUDGE_MERGE_ID = 0x7C01  # all keyboard nudges of the same items merge into one undo step


# ------------------------------------------------------------------ value helpers
def as_rect(value: Rect | Sequence[float] | Mapping[str, float], what: str = "rectangle") -> Rect:
    """A :class:`Rect` from a Rect, ``(x, y, w, h)`` or a mapping; floats only, validated."""
    if isinstance(value, Rect):
        return value
    if isinstance(value, Mapping):
        data = {k: float(v) for k, v in value.items()}
    else:
        x, y, w, h = value
        data = {"x": float(x), "y": float(y), "w": float(w), "h": float(h)}
    return validated(Rect, data, what)


def as_points(values: Iterable[Point | Sequence[float]], what: str = "waypoints") -> tuple[Point, ...]:
    out = []
    for v in values:
        out.append(v if isinstance(v, Point) else validated(Point, {"x": float(v[0]), "y": float(v[1])}, what))
    return tuple(out)


def label(item: Any) -> str:
    name = getattr(item, "name", "") or getattr(item, "id", "")
    return f"“{name[:40]}”"


# ------------------------------------------------------------------ base
class DocumentCommand(QUndoCommand):
    """A command that runs its child commands, then applies its own :class:`Patch`; undo reverses both.

    Children are kept and run here rather than through ``QUndoCommand``'s own
    parent/child tree: PySide6 leaves a child created with a parent owned by
    its Python wrapper as well as by the C++ parent, so it is deleted twice
    when the stack goes away (a crash at exit). Keeping the children in
    Python gives the same order — redo children first, in order; undo them
    last, in reverse — without the double ownership.
    """

    merge_id = -1

    def __init__(self, document, text: str, after: Patch | None = None):
        super().__init__(text)
        self.document = document
        self._after = after if after is not None else Patch()
        self._before: Optional[Patch] = None
        self._children: list[DocumentCommand] = []

    @property
    def after(self) -> Patch:
        """The values this command sets (its own; children have theirs)."""
        return self._after

    @property
    def children(self) -> tuple["DocumentCommand", ...]:
        return tuple(self._children)

    def _set_after(self, patch: Patch) -> None:
        self._after = patch

    def add_child(self, command: "DocumentCommand") -> None:
        """Run ``command`` before this command's own change (and undo it after)."""
        self._children.append(command)

    def is_noop(self) -> bool:
        """True when running this command would change nothing (``Document.push`` skips it)."""
        return all(k.is_noop() for k in self._children) and self._after.matches(self.document)

    def redo(self) -> None:
        for child in self._children:
            child.redo()
        if self._before is None:  # captured on the first run, after the children ran
            self._before = self._after.capture(self.document)
        self.document.apply_patch(self._after)

    def undo(self) -> None:
        self.document.apply_patch(self._before)
        for child in reversed(self._children):
            child.undo()

    def id(self) -> int:  # noqa: A003 - Qt's name
        return self.merge_id


def flow_layout(points: tuple[Point, ...]) -> Optional[FlowLayout]:
    """The layout entry for these waypoints; none at all when there are none (keeps files small)."""
    return FlowLayout(points=points) if points else None


def check_room(document, elements: int = 0, flows: int = 0, boundaries: int = 0, reviews: int = 0) -> None:
    """Refuse an addition that would take the model past the file format's limits (it could not be reopened)."""
    model = document.model
    for what, have, adding, limit in (
        ("elements", len(model.elements), elements, MAX_ELEMENTS),
        ("flows", len(model.flows), flows, MAX_FLOWS),
        ("boundaries", len(model.boundaries), boundaries, MAX_BOUNDARIES),
        ("review records", len(model.reviews), reviews, MAX_REVIEWS),
    ):
        if adding and have + adding > limit:
            raise CommandError(f"a model holds at most {limit:,} {what}; this would make {have + adding:,}")
