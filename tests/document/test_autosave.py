"""Autosave and crash recovery, including a real crash: a child process killed with SIGKILL."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.document import AddElementCommand, Document, RenameCommand
from app.document.autosave import Autosave, find_recoveries
from app.model import ModelError, load_model, save_model

REPO = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    import hashlib, sys
    from PySide6.QtCore import QCoreApplication
    from app.document import AddElementCommand, Document, RenameCommand, SetPropertiesCommand
    from app.document.autosave import Autosave

    app = QCoreApplication(sys.argv)
    doc = Document()
    doc.open(sys.argv[1])
    autosave = Autosave(doc, interval_ms=100)

    def report(path):
        digest = hashlib.sha256(doc.model.model_dump_json().encode()).hexdigest()
        print("autosaved", path, digest, flush=True)

    autosave.autosaved.connect(report)
    doc.push(AddElementCommand.new(doc, "tool", (500, 300, 120, 60), name="Added before the crash"))
    doc.push(RenameCommand(doc, "e1", "Renamed before the crash"))
    doc.push(SetPropertiesCommand(doc, "e2", {"description": "edited before the crash"}))
    app.exec()  # runs until killed
    """
)


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A private THREATCANVAS_HOME: app.platform_paths puts the recovery folder under it."""
    root = tmp_path / "home"
    monkeypatch.setenv("THREATCANVAS_HOME", str(root))
    return root


def test_killed_process_work_is_found_and_restored(qtbot, tmp_path, home, sample_model):
    original = tmp_path / "work.tcm.json"
    save_model(sample_model, original)
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen", "THREATCANVAS_HOME": str(home)}
    child = subprocess.Popen([sys.executable, str(script), str(original)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = child.stdout.readline()  # blocks until the first autosave
        assert line.startswith("autosaved"), child.stderr.read() if child.poll() is not None else line
        _, recovery_file, child_digest = line.split()
        # the child is alive and holds its session: another window must not offer it
        assert find_recoveries() == []
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL

    # the next start: the crashed session is offered, with the file it belonged to
    recoveries = find_recoveries()
    assert len(recoveries) == 1
    rec = recoveries[0]
    assert str(rec.model_path) == recovery_file
    assert rec.original_path == str(original) and rec.name == sample_model.info.name
    assert str(original) in rec.describe()

    doc = Document()
    autosave = Autosave(doc)
    autosave.restore(rec)
    restored = doc.model
    assert hashlib.sha256(restored.model_dump_json().encode()).hexdigest() == child_digest
    assert restored.element_map()["e4"].name == "Added before the crash"
    assert restored.element_map()["e1"].name == "Renamed before the crash"
    assert doc.is_modified() and doc.file_path == str(original)
    assert doc.undo_stack.count() == 0
    # restored work is still protected until saved, then the recovery goes away
    assert rec.model_path.exists()
    doc.save()
    assert not rec.model_path.exists() and not rec.sidecar_path.exists()
    assert find_recoveries() == []
    doc.close()


def test_autosave_writes_after_the_interval_and_only_when_modified(qtbot, tmp_path, doc):
    autosave = Autosave(doc, folder=tmp_path / "rec", interval_ms=50)
    qtbot.wait(120)
    assert autosave.model_path is None  # nothing unsaved: nothing written
    with qtbot.waitSignal(autosave.autosaved, timeout=3000) as blocker:
        doc.push(RenameCommand(doc, "e1", "Changed"))
    path = Path(blocker.args[0])
    assert load_model(path) == doc.model
    assert not autosave.write_now()  # nothing new since
    doc.push(RenameCommand(doc, "e1", "Changed again"))
    assert autosave.write_now()
    assert "Changed again" in path.read_text(encoding="utf-8")


def test_recovery_removed_on_save_undo_to_clean_and_close(qtbot, tmp_path, doc):
    folder = tmp_path / "rec"
    autosave = Autosave(doc, folder=folder, interval_ms=10_000)
    doc.push(RenameCommand(doc, "e1", "X"))
    assert autosave.write_now()
    assert len(list(folder.glob("*"))) == 3  # model, sidecar, lock
    doc.undo_stack.undo()  # back to the opened state: nothing to recover
    assert list(folder.glob("*")) == []
    doc.undo_stack.redo()
    assert autosave.write_now()
    doc.save(tmp_path / "saved.tcm.json")
    assert list(folder.glob("*")) == []
    doc.push(RenameCommand(doc, "e1", "Y"))
    assert autosave.write_now()
    autosave.discard()  # clean close after the user chose "discard changes"
    assert list(folder.glob("*")) == []


def test_untitled_work_is_recoverable(qtbot, tmp_path):
    folder = tmp_path / "rec"
    doc = Document()
    autosave = Autosave(doc, folder=folder)
    doc.push(AddElementCommand.new(doc, "actor", (0, 0, 10, 10), name="Only copy"))
    assert autosave.write_now()
    for lock in folder.glob("*.lock"):
        lock.unlink()  # what a crash leaves behind: files without a live owner
    (rec,) = find_recoveries(folder)
    assert rec.original_path == "" and "never saved" in rec.describe()
    other = Document()
    Autosave(other, folder=folder).restore(rec)
    assert other.file_path == "" and other.model.elements[0].name == "Only copy"


def test_damaged_recovery_is_reported_and_keeps_the_open_model(qtbot, tmp_path, doc):
    folder = tmp_path / "rec"
    folder.mkdir()
    (folder / "s1.tcm.json").write_text("{ not json", encoding="utf-8")
    (folder / "s1.recovery.json").write_bytes(b"\xff\xfe garbage")
    (rec,) = find_recoveries(folder)
    assert rec.original_path == "" and rec.saved_at  # sidecar unreadable: falls back to the file time
    before = doc.model
    with pytest.raises(ModelError, match="invalid JSON"):
        Autosave(doc, folder=folder).restore(rec)
    assert doc.model is before
    rec.discard()
    assert list(folder.glob("*")) == []


def test_autosave_failure_is_reported_not_raised(qtbot, tmp_path, doc):
    blocker_file = tmp_path / "not-a-folder"
    blocker_file.write_text("x")
    autosave = Autosave(doc, folder=blocker_file / "rec", interval_ms=10_000)
    doc.push(RenameCommand(doc, "e1", "Z"))
    with qtbot.waitSignal(autosave.failed) as blocker:
        assert autosave.write_now() is False
    assert blocker.args[0].startswith("autosave failed")


def test_newest_recovery_first(tmp_path):
    folder = tmp_path / "rec"
    folder.mkdir()
    for session, when in (("a", "2025-01-01T00:00:00+00:00"), ("b", "2025-06-01T00:00:00+00:00")):
        (folder / f"{session}.tcm.json").write_text("{}")
        (folder / f"{session}.recovery.json").write_text(
            f'{{"format": "threatcanvas-recovery", "saved_at": "{when}", "name": "{session}"}}'
        )
    assert [r.name for r in find_recoveries(folder)] == ["b", "a"]
