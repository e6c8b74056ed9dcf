"""Undo commands for the model as a whole: review decisions, model info, paste.

Review decisions are keyed by a finding's stable id (never a list index) so
they survive re-analysis; they are part of the model file and of the undo
history like any other edit.

Paste takes a *fragment* — a small, self-contained :class:`ThreatModel`
(see :meth:`Document.fragment`), which is also what goes on the clipboard as
canonical model text, so copy and paste work between windows and processes —
and adds a copy of it under fresh ids.
"""

from __future__ import annotations

from typing import Any, Mapping

from app.document.command_base import CommandError, DocumentCommand, as_rect, check_room, flow_layout
from app.document.ids import fresh_ids
from app.document.membership import validated
from app.document.patch import Patch
from app.model import ModelInfo, Point, ReviewRecord, ThreatModel, check_model

FRAGMENT_MIME_TYPE = "application/x-threatcanvas-fragment+json"


def _merged(current: Any, cls, value: Any, what: str):
    """``value`` as a ``cls`` instance: an instance as is, a mapping merged over ``current``'s fields."""
    if isinstance(value, cls):
        return value
    if not isinstance(value, Mapping):
        raise CommandError(f"{what}: expected a {cls.__name__} or a mapping of its fields")
    base = current.model_dump() if current is not None else {}
    return validated(cls, {**base, **value}, what)


class SetReviewCommand(DocumentCommand):
    """Record (or with ``None``, clear) the review decision on one finding.

    ``record`` may be a :class:`ReviewRecord` or a mapping of the fields that
    change (status, justification, owner, date, fingerprint).
    """

    def __init__(self, document, finding_id: str, record: ReviewRecord | Mapping[str, Any] | None):
        if not isinstance(finding_id, str) or not 0 < len(finding_id) <= 128:
            raise CommandError("a review needs the finding's id (1–128 characters)")
        current = document.model.reviews.get(finding_id)
        if current is None and record is not None:
            check_room(document, reviews=1)
        new = None if record is None else _merged(current or ReviewRecord(), ReviewRecord, record,
                                                  f'review of "{finding_id}"')
        text = f"Clear review of {finding_id}" if new is None else f"Review {finding_id}: {new.status.label}"
        super().__init__(document, text, Patch(reviews={finding_id: new}))


class SetModelInfoCommand(DocumentCommand):
    """Change the model's metadata (name, version, authors, scope …); a mapping merges over the current."""

    def __init__(self, document, info: ModelInfo | Mapping[str, Any]):
        new = _merged(document.model.info, ModelInfo, info, "model info")
        fields = ", ".join(sorted(info)) if isinstance(info, Mapping) else "model info"
        super().__init__(document, f"Edit {fields}", Patch(info=new))


class PasteCommand(DocumentCommand):
    """Add a copy of a fragment under fresh ids, shifted by ``offset`` (model units).

    Flows whose ends are not both in the fragment are dropped; nesting and
    membership are kept within the fragment. ``into``: an existing boundary
    the pasted top-level elements and boundaries go into. After construction
    ``id_map`` maps each fragment id to its new id (the GUI selects those).
    """

    def __init__(self, document, fragment: ThreatModel, offset: tuple[float, float] = (0.0, 0.0),
                 into: str | None = None):
        if not isinstance(fragment, ThreatModel):
            raise CommandError("nothing to paste: not a ThreatCanvas fragment")
        if into is not None and document.boundary(into) is None:
            raise CommandError(f'no boundary with id "{into}" to paste into')
        problems = check_model(fragment)
        if problems:  # a hand-made or damaged fragment: refuse it rather than paste half of it
            raise CommandError(f"cannot paste: {problems[0]}")
        check_room(document, elements=len(fragment.elements), flows=len(fragment.flows),
                   boundaries=len(fragment.boundaries))
        dx, dy = float(offset[0]), float(offset[1])
        used = set(document.model.all_ids())
        id_map: dict[str, str] = {}
        for section, kind in (("elements", "element"), ("boundaries", "boundary"), ("flows", "flow")):
            items = getattr(fragment, section)
            for old, new in zip((i.id for i in items), fresh_ids(kind, used, len(items))):
                id_map[old] = new
                used.add(new)

        def shifted(rect, what):
            return as_rect((rect.x + dx, rect.y + dy, rect.w, rect.h), what)

        layout = fragment.layout
        elements, element_rects = {}, {}
        for e in fragment.elements:
            new_id = id_map[e.id]
            elements[new_id] = validated(type(e), {**e.model_dump(), "id": new_id}, f'pasted "{e.name}"')
            if e.id in layout.elements:
                element_rects[new_id] = shifted(layout.elements[e.id], f'position of pasted "{e.name}"')
        element_ids = {e.id for e in fragment.elements}
        flows, flow_layouts = {}, {}
        for f in fragment.flows:
            if f.source not in element_ids or f.target not in element_ids or f.source == f.target:
                continue  # a flow needs both of its ends in the paste
            new_id = id_map[f.id]
            data = {**f.model_dump(), "id": new_id, "source": id_map[f.source], "target": id_map[f.target]}
            flows[new_id] = validated(type(f), data, "pasted flow")
            if f.id in layout.flows:
                pts = tuple(Point(x=p.x + dx, y=p.y + dy) for p in layout.flows[f.id].points)
                flow_layouts[new_id] = flow_layout(pts)
        boundary_ids = {b.id for b in fragment.boundaries}
        inside = {m for b in fragment.boundaries for m in b.members}
        boundaries, boundary_rects = {}, {}
        top_members = [id_map[e.id] for e in fragment.elements if e.id not in inside]
        for b in fragment.boundaries:
            new_id = id_map[b.id]
            parent = id_map[b.parent] if b.parent in boundary_ids else into
            members = [id_map[m] for m in b.members if m in element_ids]
            data = {**b.model_dump(), "id": new_id, "parent": parent, "members": members}
            boundaries[new_id] = validated(type(b), data, f'pasted boundary "{b.name}"')
            if b.id in layout.boundaries:
                boundary_rects[new_id] = shifted(layout.boundaries[b.id], f'position of pasted "{b.name}"')
        if into is not None and top_members:
            host = document.boundary(into)
            boundaries[into] = validated(type(host), {**host.model_dump(), "members": [*host.members, *top_members]},
                                         f'boundary "{into}"')
        after = Patch(elements=elements, flows=flows, boundaries=boundaries, element_rects=element_rects,
                      boundary_rects=boundary_rects, flow_layouts=flow_layouts)
        count = len(elements) + len(flows) + len(boundaries) - (1 if into is not None and top_members else 0)
        super().__init__(document, f"Paste {count} item{'s' if count != 1 else ''}", after)
        self.id_map = {old: new for old, new in id_map.items() if new in elements or new in flows or new in boundaries}

