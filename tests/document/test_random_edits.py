"""Property: any sequence of edits undoes exactly back to the start and redoes exactly to the end.

Hypothesis draws sequences of edits of every kind against the document's
current state (ids that exist, sometimes ids that do not). Refused edits must
raise ``CommandError`` and leave the history alone; accepted ones must keep the
model consistent (``check_model`` finds nothing). Then undoing everything must
give back the starting model byte for byte, and redoing everything the final
one.
"""

from __future__ import annotations

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.document import (
    AddBoundaryCommand,
    AddElementCommand,
    AddFlowCommand,
    CommandError,
    Document,
    MoveItemsCommand,
    PasteCommand,
    ReconnectFlowCommand,
    RemoveElementsCommand,
    RenameCommand,
    ReparentBoundaryCommand,
    ResizeBoundaryCommand,
    SetMembershipCommand,
    SetModelInfoCommand,
    SetPropertiesCommand,
    SetReviewCommand,
)
from app.model import ThreatModel, check_model, dumps_model
from app.model.types import DataKind, ElementKind, ReviewStatus

ACTIONS = (
    "add_element", "add_flow", "remove", "move", "nudge", "resize", "rename", "element_props", "flow_props",
    "add_boundary", "reparent", "membership", "reconnect", "review", "info", "paste",
)
coords = st.floats(min_value=-500, max_value=500, allow_nan=False).map(lambda v: round(v, 1))
sizes = st.floats(min_value=1, max_value=300, allow_nan=False).map(lambda v: round(v, 1))


def _pick(data, items, label):
    items = sorted(items)
    return data.draw(st.sampled_from(items), label=label) if items else None


def _subset(data, items, label, max_size=3):
    items = sorted(items)
    if not items:
        return []
    return data.draw(st.lists(st.sampled_from(items), min_size=1, max_size=max_size, unique=True), label=label)


def build_command(doc: Document, data, action: str):
    """A command for ``action`` drawn against the current state (may raise CommandError)."""
    elements = [e.id for e in doc.model.elements]
    flows = [f.id for f in doc.model.flows]
    boundaries = [b.id for b in doc.model.boundaries]
    if action == "add_element":
        kind = data.draw(st.sampled_from(list(ElementKind)), label="kind")
        rect = (data.draw(coords), data.draw(coords), data.draw(sizes), data.draw(sizes))
        into = data.draw(st.sampled_from([None, *sorted(boundaries)]), label="into")
        return AddElementCommand.new(doc, kind, rect, boundary=into)
    if action == "add_flow":
        if len(elements) < 2:
            return None
        source, target = data.draw(st.lists(st.sampled_from(sorted(elements)), min_size=2, max_size=2, unique=True))
        carries = data.draw(st.lists(st.sampled_from(list(DataKind)), max_size=2, unique=True), label="carries")
        return AddFlowCommand.new(doc, source, target, points=[(data.draw(coords), data.draw(coords))],
                                  carries=carries)
    if action == "remove":
        return RemoveElementsCommand(doc, _subset(data, elements + flows + boundaries, "ids")) if doc.model.all_ids() else None
    if action in ("move", "nudge"):
        ids = _subset(data, elements + boundaries + flows, "ids")
        return MoveItemsCommand.by_offset(doc, ids, data.draw(coords), data.draw(coords), nudge=action == "nudge") if ids else None
    if action == "resize":
        ident = _pick(data, elements + boundaries, "ident")
        return ResizeBoundaryCommand(doc, ident, (data.draw(coords), data.draw(coords), data.draw(sizes), data.draw(sizes))) if ident else None
    if action == "rename":
        ident = _pick(data, elements + flows + boundaries, "ident")
        name = data.draw(st.text(min_size=0, max_size=8), label="name")
        return RenameCommand(doc, ident, name) if ident else None
    if action == "element_props":
        ident = _pick(data, elements, "ident")
        if ident is None:
            return None
        changes = {"properties": {"personal_data": data.draw(st.booleans())},
                   "controls": data.draw(st.lists(st.sampled_from(["C1", "C2", "C3"]), unique=True, max_size=2))}
        return SetPropertiesCommand(doc, ident, changes)
    if action == "flow_props":
        ident = _pick(data, flows, "ident")
        if ident is None:
            return None
        changes = {"properties": {"encrypted": data.draw(st.booleans())},
                   "carries": data.draw(st.lists(st.sampled_from(list(DataKind)), unique=True, max_size=3))}
        return SetPropertiesCommand(doc, ident, changes)
    if action == "add_boundary":
        members = data.draw(st.lists(st.sampled_from(sorted(elements)), unique=True, max_size=3)) if elements else []
        parent = data.draw(st.sampled_from([None, *sorted(boundaries)]), label="parent")
        return AddBoundaryCommand.new(doc, (data.draw(coords), data.draw(coords), data.draw(sizes), data.draw(sizes)),
                                      parent=parent, members=members)
    if action == "reparent":
        ident = _pick(data, boundaries, "ident")
        parent = data.draw(st.sampled_from([None, *sorted(boundaries)]), label="parent")
        return ReparentBoundaryCommand(doc, ident, parent) if ident else None
    if action == "membership":
        ident = _pick(data, elements, "ident")
        where = data.draw(st.sampled_from([None, *sorted(boundaries)]), label="where")
        return SetMembershipCommand.assign(doc, {ident: where}) if ident else None
    if action == "reconnect":
        ident = _pick(data, flows, "ident")
        end = _pick(data, elements, "end")
        if ident is None:
            return None
        side = data.draw(st.sampled_from(["source", "target"]))
        return ReconnectFlowCommand(doc, ident, **{side: end})
    if action == "review":
        finding = data.draw(st.sampled_from(["T1:e1", "T2:f1", "T3:e2"]), label="finding")
        status = data.draw(st.sampled_from([None, *ReviewStatus]), label="status")
        return SetReviewCommand(doc, finding, None if status is None else {"status": status, "owner": "me"})
    if action == "info":
        return SetModelInfoCommand(doc, {"name": data.draw(st.text(min_size=1, max_size=6)), "version": "2"})
    if action == "paste":
        ids = _subset(data, elements + boundaries + flows, "ids", max_size=4)
        return PasteCommand(doc, doc.fragment(ids), offset=(data.draw(coords), data.draw(coords))) if ids else None
    raise AssertionError(action)


@settings(max_examples=220, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=st.data(), start_small=st.booleans())
def test_random_edit_sequences_undo_and_redo_exactly(qapp, sample_model, data, start_small):
    doc = Document(sample_model if start_small else ThreatModel())
    start_text = dumps_model(doc.model)
    steps = data.draw(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=10), label="actions")
    for action in steps:
        count = doc.undo_stack.count()
        try:
            command = build_command(doc, data, action)
        except CommandError:
            assert doc.undo_stack.count() == count  # a refused edit leaves no trace
            event(f"{action}: refused")
            continue
        if command is not None:
            event(f"{action}: {'pushed' if doc.push(command) else 'no change'}")
            assert check_model(doc.model) == [], action
            # the fast path that assembles the next model equals full validation of it
            revalidated = ThreatModel.model_validate(doc.model.model_dump())
            assert revalidated == doc.model, action
            assert dumps_model(revalidated) == dumps_model(doc.model), action
    end = doc.model
    end_text = dumps_model(end)
    steps_recorded = doc.undo_stack.index()
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert dumps_model(doc.model) == start_text
    assert not doc.is_modified()
    while doc.undo_stack.canRedo():
        doc.undo_stack.redo()
    assert doc.undo_stack.index() == steps_recorded
    assert dumps_model(doc.model) == end_text
    assert doc.model == end
    doc.close()
