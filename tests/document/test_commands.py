"""Every command type: apply, undo, redo round-trips exactly; cascades; refusals."""

from __future__ import annotations

import pytest

from app.document import (
    AddBoundaryCommand,
    AddElementCommand,
    AddFlowCommand,
    CommandError,
    MoveItemsCommand,
    PasteCommand,
    ReconnectFlowCommand,
    RemoveBoundaryCommand,
    RemoveElementsCommand,
    RenameCommand,
    ReparentBoundaryCommand,
    ResizeBoundaryCommand,
    SetMembershipCommand,
    SetModelInfoCommand,
    SetPropertiesCommand,
    SetReviewCommand,
)
from app.model import Flow, Rect, ThreatModel, check_model, dumps_model, make_element
from app.model.types import Access, DataKind, ModelType, ReviewStatus


def roundtrip(doc, command):
    """Push ``command``; check undo restores the start and redo the end, exactly."""
    start = doc.model
    count = doc.undo_stack.count()
    assert doc.push(command) is True
    end = doc.model
    assert end != start
    assert check_model(end) == []
    assert doc.undo_stack.count() == count + 1
    doc.undo_stack.undo()
    assert doc.model == start
    assert dumps_model(doc.model) == dumps_model(start)
    doc.undo_stack.redo()
    assert doc.model == end
    return end


def test_add_element(doc, signals):
    cmd = AddElementCommand.new(doc, "retriever", (10, 20, 120, 60), name="Search", properties={"corpus": "KB"})
    end = roundtrip(doc, cmd)
    e = doc.element(cmd.element_id)
    assert cmd.element_id == "e4" and e.kind == "retriever" and e.properties.corpus == "KB"
    assert end.layout.elements["e4"] == Rect(x=10.0, y=20.0, w=120.0, h=60.0)
    assert ("element_added", "e4") in signals.events and ("element_removed", "e4") in signals.events


def test_add_element_into_boundary(doc):
    cmd = AddElementCommand.new(doc, "datastore", (220, 10, 50, 30), boundary="b2")
    roundtrip(doc, cmd)
    assert doc.boundary("b2").members == ("e2", "e4")
    assert doc.boundary_of("e4") == "b2"


def test_add_element_refuses_bad_input(doc):
    with pytest.raises(CommandError, match="already used"):
        AddElementCommand(doc, make_element("actor", "e1", "Dup"), (0, 0, 10, 10))
    with pytest.raises(CommandError, match="unknown element kind"):
        AddElementCommand.new(doc, "spaceship", (0, 0, 10, 10))
    with pytest.raises(CommandError, match="no boundary"):
        AddElementCommand.new(doc, "actor", (0, 0, 10, 10), boundary="b99")
    with pytest.raises(CommandError, match="rectangle"):
        AddElementCommand.new(doc, "actor", (0, 0, -5, 10))  # sizes must be positive
    with pytest.raises(CommandError, match="properties"):
        AddElementCommand.new(doc, "actor", (0, 0, 5, 10), properties={"human": "yes"})
    assert doc.undo_stack.count() == 0


def test_delete_element_cascades_to_flows_and_membership(doc, signals):
    start = doc.model
    cmd = RemoveElementsCommand(doc, ["e2"])
    assert [type(c).__name__ for c in cmd.children] == ["RemoveFlowsCommand", "SetMembershipCommand"]
    end = roundtrip(doc, cmd)
    assert [e.id for e in end.elements] == ["e1", "e3"]
    assert end.flows == ()  # both flows touched e2
    assert "f1" not in end.layout.flows and "e2" not in end.layout.elements
    assert doc.boundary("b2").members == ()
    names = signals.names()
    # views see the flows go before their end, so a scene never holds a dangling edge
    first_delete = names[: names.index("revision_changed", names.index("element_removed"))]
    assert first_delete.index("flow_removed") < first_delete.index("element_removed")
    doc.undo_stack.undo()
    assert doc.model == start
    assert doc.flows_of("e2") == [doc.flow("f1"), doc.flow("f2")]


def test_delete_mixed_selection_counts_in_text(doc):
    cmd = RemoveElementsCommand(doc, ["e3", "f1", "b2"])
    roundtrip(doc, cmd)
    assert cmd.text() == "Delete 4 items"  # e3, f1, b2 and f2 (attached to e3)
    assert {f.id for f in doc.model.flows} == set()
    assert doc.boundary("b1").members == ("e1", "e2")  # b2's member moved up to b1


def test_delete_boundary_moves_contents_to_enclosing_boundary(doc):
    doc.push(AddBoundaryCommand.new(doc, (190, -5, 100, 60), name="Inner", parent="b2"))
    assert doc.boundary("b3").parent == "b2"
    cmd = RemoveBoundaryCommand(doc, "b2")
    roundtrip(doc, cmd)
    assert doc.boundary("b2") is None
    assert doc.boundary("b3").parent == "b1"  # nested boundary moved up
    assert doc.boundary("b1").members == ("e1", "e2")  # member moved up
    assert cmd.text().startswith("Delete boundary")


def test_delete_nested_boundaries_together(doc):
    roundtrip(doc, RemoveElementsCommand(doc, ["b1", "b2"]))
    assert doc.model.boundaries == ()
    assert doc.boundary_of("e1") is None and doc.boundary_of("e2") is None


def test_delete_unknown_id_refused(doc):
    with pytest.raises(CommandError, match='nothing with id "zz"'):
        RemoveElementsCommand(doc, ["e1", "zz"])


def test_move_items_one_step(doc, signals):
    cmd = MoveItemsCommand(doc, {"e1": (5, 6, 100, 50), "b1": Rect(x=-30.0, y=-20.0, w=340.0, h=100.0)},
                           points={"f1": [(1, 2), (3, 4)]})
    end = roundtrip(doc, cmd)
    assert end.layout.elements["e1"].x == 5.0
    assert [(p.x, p.y) for p in end.layout.flows["f1"].points] == [(1.0, 2.0), (3.0, 4.0)]
    layout_events = [e for e in signals.events if e[0] == "layout_changed"]
    assert sorted(layout_events[0][1]) == ["b1", "e1", "f1"]
    assert end.elements == doc.model.elements  # content untouched


def test_move_by_offset_carries_waypoints_of_flows_between_moved_nodes(doc):
    cmd = MoveItemsCommand.by_offset(doc, ["e1", "e2"], 10, -5)
    end = roundtrip(doc, cmd)
    assert end.layout.elements["e2"] == Rect(x=210.0, y=-5.0, w=100.0, h=50.0)
    assert end.layout.flows["f1"].points[0].x == 160.0


def test_move_with_membership_is_one_step(doc):
    # drag e3 into the DMZ: the move and the membership change undo together
    cmd = MoveItemsCommand(doc, {"e3": (220, 10, 50, 30)}, members={"b2": ["e2", "e3"]})
    roundtrip(doc, cmd)
    assert doc.boundary_of("e3") == "b2"
    doc.undo_stack.undo()
    assert doc.boundary_of("e3") is None and doc.rect("e3").x == 400.0


def test_move_refuses_flows_as_rects_and_bad_numbers(doc):
    with pytest.raises(CommandError, match="no element or boundary"):
        MoveItemsCommand(doc, {"f1": (0, 0, 1, 1)})
    with pytest.raises(CommandError):
        MoveItemsCommand(doc, {"e1": (float("nan"), 0, 1, 1)})


def test_resize_boundary_with_membership(doc):
    cmd = ResizeBoundaryCommand(doc, "b1", (-20, -20, 600, 100), members={"b1": ["e1", "e3"]})
    roundtrip(doc, cmd)
    assert doc.rect("b1").w == 600.0 and doc.boundary("b1").members == ("e1", "e3")
    assert cmd.text() == "Resize “Internet”"


@pytest.mark.parametrize("ident,name", [("e1", "Customer"), ("f1", "question"), ("b2", "Web tier")])
def test_rename(doc, ident, name):
    roundtrip(doc, RenameCommand(doc, ident, name))
    assert doc.item(ident).name == name


def test_rename_refuses_empty_element_name_but_allows_empty_flow_name(doc):
    with pytest.raises(CommandError, match="name"):
        RenameCommand(doc, "e1", "")
    doc.push(RenameCommand(doc, "f1", "x"))
    roundtrip(doc, RenameCommand(doc, "f1", ""))


def test_set_element_properties_merges_partial_properties(doc):
    cmd = SetPropertiesCommand(
        doc, "e3", {"properties": {"system_prompt_secrets": True}, "controls": ["C1"], "description": "hosted"}
    )
    roundtrip(doc, cmd)
    e3 = doc.element("e3")
    assert e3.properties.system_prompt_secrets is True
    assert e3.properties.model_type is ModelType.GENERATIVE  # untouched fields kept
    assert e3.controls == ("C1",) and e3.description == "hosted"


def test_set_flow_properties_and_carries(doc):
    cmd = SetPropertiesCommand(
        doc, "f2", {"carries": ["prompts", "retrieved_documents"], "protocol": "HTTPS",
                    "properties": {"encrypted": True}},
    )
    roundtrip(doc, cmd)
    f2 = doc.flow("f2")
    assert f2.carries == (DataKind.PROMPTS, DataKind.RETRIEVED_DOCUMENTS)
    assert f2.properties.encrypted and f2.protocol == "HTTPS"


def test_set_boundary_description(doc):
    roundtrip(doc, SetPropertiesCommand(doc, "b1", {"description": "public internet"}))


def test_set_properties_refusals(doc):
    with pytest.raises(CommandError, match="ReconnectFlowCommand"):
        SetPropertiesCommand(doc, "f1", {"target": "e3"})
    with pytest.raises(CommandError, match="SetMembershipCommand"):
        SetPropertiesCommand(doc, "b1", {"members": []})
    with pytest.raises(CommandError, match="unknown field"):
        SetPropertiesCommand(doc, "e1", {"properties": {"colour": "red"}})
    with pytest.raises(CommandError, match="access"):
        SetPropertiesCommand(doc, "e1", {"properties": {"access": "everyone"}})
    with pytest.raises(CommandError, match="controls"):
        SetPropertiesCommand(doc, "e1", {"controls": ["C1", "C1"]})


def test_unchanged_value_is_not_pushed(doc):
    assert doc.push(SetPropertiesCommand(doc, "e1", {"properties": {"access": Access.ANONYMOUS}})) is False
    assert doc.push(RenameCommand(doc, "e1", "User")) is False
    assert doc.undo_stack.count() == 0 and not doc.is_modified()


def test_add_flow(doc):
    cmd = AddFlowCommand.new(doc, "e3", "e1", points=[(250, 100)], carries=["predictions"], name="answer")
    end = roundtrip(doc, cmd)
    assert cmd.flow_id == "f3"
    assert end.layout.flows["f3"].points[0].x == 250.0
    assert [f.id for f in doc.flows_of("e1")] == ["f1", "f3"]


def test_add_flow_refusals(doc):
    with pytest.raises(CommandError, match="two different elements"):
        AddFlowCommand.new(doc, "e1", "e1")
    with pytest.raises(CommandError, match='no element with id "b1"'):
        AddFlowCommand.new(doc, "e1", "b1")
    with pytest.raises(CommandError, match="already used"):
        AddFlowCommand(doc, Flow(id="e2", source="e1", target="e3"))


def test_reconnect_flow(doc):
    roundtrip(doc, ReconnectFlowCommand(doc, "f1", target="e3"))
    assert doc.flow("f1").target == "e3" and doc.flow_points("f1")  # waypoints kept
    assert [f.id for f in doc.flows_of("e2")] == ["f2"]
    roundtrip(doc, ReconnectFlowCommand(doc, "f1", source="e2", points=[]))
    assert doc.flow_points("f1") == () and "f1" not in doc.model.layout.flows
    with pytest.raises(CommandError, match="two different"):
        ReconnectFlowCommand(doc, "f1", source="e3")


def test_add_boundary_takes_members_and_children(doc):
    cmd = AddBoundaryCommand.new(doc, (-100, -100, 800, 300), name="Company", members=["e3", "e1"],
                                 children=["b1"])
    roundtrip(doc, cmd)
    b3 = doc.boundary(cmd.boundary_id)
    assert b3.members == ("e1", "e3")
    assert doc.boundary("b1").members == ()  # e1 left b1 for the new boundary
    assert doc.boundary("b1").parent == "b3"
    assert doc.ancestors("b2") == ["b1", "b3"]


def test_reparent_boundary_and_cycle_refused(doc):
    roundtrip(doc, ReparentBoundaryCommand(doc, "b2", None))
    assert doc.boundary("b2").parent is None
    doc.undo_stack.undo()
    with pytest.raises(CommandError, match="inside itself"):
        ReparentBoundaryCommand(doc, "b1", "b2")
    with pytest.raises(CommandError, match="inside itself"):
        ReparentBoundaryCommand(doc, "b1", "b1")


def test_set_membership_assign(doc):
    cmd = SetMembershipCommand.assign(doc, {"e1": "b2", "e2": None, "e3": "b1"})
    roundtrip(doc, cmd)
    assert doc.boundary("b1").members == ("e3",)
    assert doc.boundary("b2").members == ("e1",)
    assert doc.boundary_of("e2") is None


def test_set_membership_refuses_element_in_two_boundaries(doc):
    with pytest.raises(CommandError, match="both"):
        SetMembershipCommand(doc, {"b1": ["e3"], "b2": ["e3"]})
    with pytest.raises(CommandError, match='no element with id "f1"'):
        SetMembershipCommand(doc, {"b1": ["f1"]})


def test_set_review(doc, signals):
    roundtrip(doc, SetReviewCommand(doc, "T-1:e1", {"status": "accepted", "justification": "low value", "owner": "Ann"}))
    assert doc.model.reviews["T-1:e1"].status is ReviewStatus.ACCEPTED
    assert "reviews_changed" in signals.names()
    roundtrip(doc, SetReviewCommand(doc, "T-1:e1", {"owner": "Bob"}))  # merges over the record
    assert doc.model.reviews["T-1:e1"].justification == "low value"
    roundtrip(doc, SetReviewCommand(doc, "T-1:e1", None))
    assert doc.model.reviews == {}
    with pytest.raises(CommandError, match="date"):
        SetReviewCommand(doc, "T-2", {"date": "soon"})


def test_set_model_info(doc, signals):
    roundtrip(doc, SetModelInfoCommand(doc, {"name": "Support bot", "authors": ["A", "B"]}))
    assert doc.model.info.name == "Support bot" and doc.model.info.authors == ("A", "B")
    assert "info_changed" in signals.names()
    with pytest.raises(CommandError, match="name"):
        SetModelInfoCommand(doc, {"name": ""})


def test_paste_adds_a_copy_with_fresh_ids(doc):
    fragment = doc.fragment(["b2", "e2", "e3", "f2", "f1"])
    assert [f.id for f in fragment.flows] == ["f2"]  # f1's source e1 is not copied
    assert fragment.boundaries[0].parent is None  # b1 is not copied
    cmd = PasteCommand(doc, fragment, offset=(30, 40))
    end = roundtrip(doc, cmd)
    assert cmd.id_map == {"e2": "e4", "e3": "e5", "b2": "b3", "f2": "f3"}
    assert doc.flow("f3").source == "e4" and doc.flow("f3").target == "e5"
    assert doc.boundary("b3").members == ("e4",)
    assert end.layout.elements["e5"].x == 430.0 and end.layout.elements["e5"].y == 40.0
    assert doc.element("e4").properties == doc.element("e2").properties


def test_paste_into_boundary_and_between_processes(doc):
    text = dumps_model(doc.fragment(["e3"]))
    fragment = ThreatModel.model_validate_json(text)  # what the clipboard carries between windows
    cmd = PasteCommand(doc, fragment, offset=(0, 100), into="b2")
    roundtrip(doc, cmd)
    assert doc.boundary("b2").members == ("e2", "e4")
    assert cmd.text() == "Paste 1 item"


def test_paste_refuses_inconsistent_fragment(doc):
    bad = ThreatModel.model_validate(
        {"elements": [make_element("actor", "x1", "A")], "flows": [Flow(id="g1", source="x1", target="nope")]}
    )
    with pytest.raises(CommandError, match="cannot paste"):
        PasteCommand(doc, bad)


def test_macro_is_one_undo_step(doc):
    start = doc.model
    with doc.macro("Add and connect"):
        add = AddElementCommand.new(doc, "tool", (0, 200, 80, 40), name="Email")
        doc.push(add)
        doc.push(AddFlowCommand.new(doc, "e3", add.element_id))
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert doc.model == start


def test_additions_past_the_file_format_limits_are_refused(doc, monkeypatch):
    import app.document.command_base as base

    monkeypatch.setattr(base, "MAX_ELEMENTS", 4)
    doc.push(AddElementCommand.new(doc, "actor", (0, 0, 10, 10)))  # the 4th: fine
    with pytest.raises(CommandError, match="at most 4 elements"):
        AddElementCommand.new(doc, "actor", (0, 0, 10, 10))
    with pytest.raises(CommandError, match="at most 4 elements"):
        PasteCommand(doc, doc.fragment(["e1"]))
