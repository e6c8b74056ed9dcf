"""Undo history behaviour: nudges merge, drags do not, the modified flag follows the clean state."""

from __future__ import annotations

from app.document import AddElementCommand, MoveItemsCommand, RenameCommand, SelectionModel
from app.model import Rect, dumps_model


def test_keyboard_nudges_merge_into_one_step(doc):
    start = doc.model
    for _ in range(5):
        doc.push(MoveItemsCommand.by_offset(doc, ["e1", "e2"], 1, 0, nudge=True))
    doc.push(MoveItemsCommand.by_offset(doc, ["e1", "e2"], 0, 2, nudge=True))
    assert doc.undo_stack.count() == 1
    assert doc.rect("e1") == Rect(x=5.0, y=2.0, w=100.0, h=50.0)
    assert doc.model.layout.flows["f1"].points[0].x == 155.0
    doc.undo_stack.undo()
    assert doc.model == start
    doc.undo_stack.redo()
    assert doc.rect("e2") == Rect(x=205.0, y=2.0, w=100.0, h=50.0)


def test_nudges_of_a_different_selection_do_not_merge(doc):
    doc.push(MoveItemsCommand.by_offset(doc, ["e1"], 1, 0, nudge=True))
    doc.push(MoveItemsCommand.by_offset(doc, ["e3"], 1, 0, nudge=True))
    doc.push(MoveItemsCommand.by_offset(doc, ["e3"], 1, 0, nudge=True))
    assert doc.undo_stack.count() == 2
    doc.undo_stack.undo()
    assert doc.rect("e3").x == 400.0 and doc.rect("e1").x == 1.0


def test_drags_do_not_merge(doc):
    doc.push(MoveItemsCommand.by_offset(doc, ["e1"], 10, 0))
    doc.push(MoveItemsCommand.by_offset(doc, ["e1"], 10, 0))
    assert doc.undo_stack.count() == 2


def test_nudging_back_to_the_start_leaves_nothing_to_undo(doc):
    doc.push(MoveItemsCommand.by_offset(doc, ["e1"], 1, 0, nudge=True))
    doc.push(MoveItemsCommand.by_offset(doc, ["e1"], -1, 0, nudge=True))
    assert doc.undo_stack.count() == 0
    assert not doc.is_modified()


def test_modified_follows_the_clean_state(doc, qtbot, tmp_path):
    seen = []
    doc.modified_changed.connect(seen.append)
    assert not doc.is_modified()
    with qtbot.waitSignal(doc.modified_changed) as blocker:
        doc.push(RenameCommand(doc, "e1", "Customer"))
    assert blocker.args == [True] and doc.is_modified()
    doc.undo_stack.undo()
    assert not doc.is_modified()
    doc.undo_stack.redo()
    doc.save(tmp_path / "m.tcm.json")
    assert not doc.is_modified()
    doc.undo_stack.undo()  # back past the saved state: modified again
    assert doc.is_modified()
    doc.undo_stack.redo()
    assert not doc.is_modified()
    doc.undo_stack.undo()
    doc.push(RenameCommand(doc, "e2", "Other"))  # the saved state is now unreachable
    assert doc.is_modified()
    assert seen == [True, False, True, False, True, False, True]


def test_signals_fire_after_the_model_changed(doc, signals):
    doc.push(AddElementCommand.new(doc, "tool", (0, 0, 10, 10)))
    index = signals.names().index("element_added")
    assert signals.models[index].element_map().get("e4") is not None
    doc.undo_stack.undo()
    index = signals.names().index("element_removed")
    assert "e4" not in signals.models[index].element_map()


def test_revision_increases_on_every_change_and_only_then(doc, signals):
    r0 = doc.revision
    doc.push(RenameCommand(doc, "e1", "A"))
    doc.undo_stack.undo()
    doc.undo_stack.redo()
    assert doc.revision == r0 + 3
    assert [e[1] for e in signals.events if e[0] == "revision_changed"] == [r0 + 1, r0 + 2, r0 + 3]
    doc.push(RenameCommand(doc, "e1", "A"))  # no change: no revision
    assert doc.revision == r0 + 3


def test_selection_drops_deleted_ids(doc, qtbot):
    from app.document import RemoveElementsCommand

    selection = SelectionModel(doc)
    selection.set(["e2", "f1", "e1"])
    assert selection.ids() == ["e1", "e2", "f1"] and selection.current() == "e1"
    seen = []
    selection.selection_changed.connect(seen.append)
    doc.push(RemoveElementsCommand(doc, ["e2"]))  # takes f1 with it
    assert seen == [["e1", "e2"], ["e1"]]  # f1 goes first, then e2
    assert selection.ids() == ["e1"]
    selection.toggle("e3")
    assert selection.ids() == ["e1", "e3"] and selection.current() == "e3"
    doc.set_model(doc.model)
    assert selection.ids() == []


def test_dumped_text_identical_after_undo_of_everything(doc):
    text = dumps_model(doc.model)
    doc.push(MoveItemsCommand.by_offset(doc, ["b1"], 3, 3))
    doc.push(RenameCommand(doc, "b1", "Net"))
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert dumps_model(doc.model) == text
