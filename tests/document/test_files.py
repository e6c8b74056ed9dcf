"""Open, save, new-from-example, and noticing changes made on disk by other programs."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest

from app.document import Document, RenameCommand
from app.model import ModelError, ThreatModel, dumps_model, load_model, write_atomic
from app.resources import example_files


@pytest.fixture
def saved(tmp_path, sample_model) -> Path:
    path = tmp_path / "model.tcm.json"
    path.write_text(dumps_model(sample_model), encoding="utf-8")
    return path


def test_open_every_example(qapp):
    examples = example_files()
    assert len(examples) >= 3
    doc = Document()
    for path in examples:
        doc.open(path)
        assert doc.model == load_model(path)
        assert doc.file_path == str(path.resolve()) and not doc.is_modified()
    doc.close()


def test_open_replaces_model_and_history(qtbot, doc, saved, signals):
    doc.push(RenameCommand(doc, "e1", "Changed"))
    doc.open(saved)
    assert doc.undo_stack.count() == 0 and not doc.is_modified()
    assert doc.element("e1").name == "User"
    assert ("model_reset",) in signals.events and ("file_path_changed", str(saved)) in signals.events
    assert doc.flows_of("e2")  # lookups follow the new model


@pytest.mark.parametrize(
    "content,message",
    [
        (b"{ broken", "invalid JSON"),
        (b'{"format": "threatcanvas", "schema_version": 1, "elements": [{"id": "e1"}]}', r"elements\[0\]\.kind"),
        (b'{"format": "threatcanvas", "schema_version": 1, "flows": [{"id": "f1", "source": "a", "target": "b"}]}',
         'no element with id "a"'),
    ],
)
def test_open_bad_file_raises_and_keeps_the_open_model(doc, tmp_path, content, message):
    bad = tmp_path / "bad.tcm.json"
    bad.write_bytes(content)
    doc.push(RenameCommand(doc, "e1", "Unsaved work"))
    before, history = doc.model, doc.undo_stack.count()
    with pytest.raises(ModelError, match=message) as info:
        doc.open(bad)
    assert str(bad) in str(info.value)  # the message names the file
    assert doc.model is before and doc.undo_stack.count() == history and doc.is_modified()
    assert doc.file_path == ""


def test_open_pauses_garbage_collection_only_while_it_runs(doc, saved, tmp_path):
    """Opening builds objects that all live on: no automatic collection meanwhile, and it comes back after."""
    assert gc.isenabled()
    during = []
    doc.model_reset.connect(lambda: during.append(gc.isenabled()))
    doc.open(saved)
    assert during == [False] and gc.isenabled()
    bad = tmp_path / "bad.tcm.json"
    bad.write_bytes(b"{ broken")
    with pytest.raises(ModelError):
        doc.open(bad)
    assert gc.isenabled()


def test_open_missing_file(doc, tmp_path):
    with pytest.raises(ModelError, match="cannot read file"):
        doc.open(tmp_path / "nope.tcm.json")


def test_save_writes_canonical_text_and_marks_clean(qtbot, doc, tmp_path):
    doc.push(RenameCommand(doc, "e1", "Customer"))
    target = tmp_path / "out.tcm.json"
    with qtbot.waitSignals([doc.saved, doc.modified_changed, doc.file_path_changed]):
        assert doc.save(target) == str(target)
    assert target.read_text(encoding="utf-8") == dumps_model(doc.model)
    assert load_model(target) == doc.model
    assert not doc.is_modified() and doc.file_path == str(target)
    doc.push(RenameCommand(doc, "e1", "Again"))
    doc.save()  # to the same file
    assert load_model(target).element_map()["e1"].name == "Again"


def test_save_untitled_without_path_is_refused(doc):
    with pytest.raises(ValueError, match="no file yet"):
        doc.save()


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else False, reason="root ignores permissions")
def test_failed_save_keeps_the_old_file_and_the_modified_flag(doc, saved):
    doc.open(saved)
    doc.push(RenameCommand(doc, "e1", "Unsaved"))
    os.chmod(saved.parent, 0o500)
    try:
        with pytest.raises(OSError):
            doc.save()
    finally:
        os.chmod(saved.parent, 0o700)
    assert doc.is_modified()
    assert load_model(saved).element_map()["e1"].name == "User"


def test_failed_save_to_a_missing_folder(doc, tmp_path):
    doc.push(RenameCommand(doc, "e1", "Unsaved"))
    with pytest.raises(OSError):
        doc.save(tmp_path / "no" / "such" / "folder" / "m.tcm.json")
    assert doc.is_modified() and doc.file_path == ""


def test_new_from_example_is_untitled_and_new_is_empty(doc):
    example = example_files()[0]
    doc.new_from_example(example)
    assert doc.model == load_model(example)
    assert doc.file_path == "" and not doc.is_modified()
    doc.new()
    assert doc.model == ThreatModel() and doc.undo_stack.count() == 0


def test_another_program_changing_the_file_is_noticed(qtbot, doc, saved):
    doc.open(saved)
    with qtbot.waitSignal(doc.file_changed_on_disk, timeout=5000) as blocker:
        saved.write_text(saved.read_text(encoding="utf-8").replace('"User"', '"Edited elsewhere"'), encoding="utf-8")
    assert blocker.args == [str(saved)]


def test_an_atomic_replace_by_another_program_is_noticed_twice(qtbot, doc, saved):
    doc.open(saved)
    text = saved.read_text(encoding="utf-8")
    for name in ("First", "Second"):  # the watch survives the rename of the first replace
        with qtbot.waitSignal(doc.file_changed_on_disk, timeout=5000):
            write_atomic(saved, text.replace('"User"', f'"{name}"').encode("utf-8"))


def test_removal_is_noticed(qtbot, doc, saved):
    doc.open(saved)
    with qtbot.waitSignal(doc.file_changed_on_disk, timeout=5000):
        saved.unlink()


def test_our_own_saves_and_touches_are_silent(qtbot, doc, saved):
    doc.open(saved)
    with qtbot.assertNotEmitted(doc.file_changed_on_disk, wait=600):
        doc.push(RenameCommand(doc, "e1", "Mine"))
        doc.save()
        os.utime(saved)  # same content, new time
    # and the watch still works after our save
    with qtbot.waitSignal(doc.file_changed_on_disk, timeout=5000):
        saved.write_text(saved.read_text(encoding="utf-8").replace('"Mine"', '"Theirs"'), encoding="utf-8")


def test_a_failed_save_does_not_confuse_the_watcher(qtbot, doc, saved, monkeypatch):
    import app.document.document as document_module

    doc.open(saved)
    doc.push(RenameCommand(doc, "e1", "Unsaved"))

    def disk_full(model, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(document_module, "save_model", disk_full)
    with pytest.raises(OSError, match="No space"):
        doc.save()
    assert doc.is_modified()
    with qtbot.assertNotEmitted(doc.file_changed_on_disk, wait=400):
        os.utime(saved)  # same content as we know: silent
    with qtbot.waitSignal(doc.file_changed_on_disk, timeout=5000):
        saved.write_text(saved.read_text(encoding="utf-8").replace('"User"', '"Theirs"'), encoding="utf-8")
