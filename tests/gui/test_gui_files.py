"""Files in the editor: open (good and bad), save, save failures, close prompts, recent files, disk changes, export."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from app.gui.files import recent_files
from app.model import dumps_model, load_model
from app.resources import examples_dir

RAG = examples_dir() / "rag-support-assistant.tcm.json"


@pytest.fixture
def boxes(monkeypatch):
    """Record message boxes instead of blocking on them."""
    shown = []

    def fake_exec(box):
        shown.append((box.text(), box.detailedText()))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return shown


def test_open_a_bad_file_keeps_the_open_model_and_says_what_is_wrong(window, tmp_path, boxes):
    assert window.open_path(str(RAG))
    before = dumps_model(window.document.model)
    bad = tmp_path / "bad.tcm.json"
    bad.write_text('{"format": "threatcanvas", "schema_version": 1, "elements": [{"id": "x", "kind": "robot"}]}')
    assert not window.files.open(str(bad))
    assert dumps_model(window.document.model) == before
    assert window.document.file_path == str(RAG)
    (text, details), = boxes
    assert "bad.tcm.json" in text and "robot" in details and "elements[0]" in details


def test_open_missing_file_is_refused_and_dropped_from_recent(window, tmp_path, boxes):
    copy = tmp_path / "gone.tcm.json"
    shutil.copy(RAG, copy)
    assert window.files.open(str(copy))
    assert recent_files()[0] == str(copy)
    window.files.new()
    copy.unlink()
    assert not window.files.open(str(copy))
    assert str(copy) not in recent_files()
    assert boxes and "gone.tcm.json" in boxes[0][0]


def test_recent_menu_lists_opened_files(window, tmp_path):
    paths = []
    for name in ("a", "b"):
        p = tmp_path / f"{name}.tcm.json"
        shutil.copy(RAG, p)
        assert window.files.open(str(p))
        paths.append(str(p))
    window.recent_menu.aboutToShow.emit()
    titles = [a.text() for a in window.recent_menu.actions()]
    assert titles[:2] == ["b.tcm.json", "a.tcm.json"]
    window.recent_menu.actions()[1].trigger()
    assert window.document.file_path == paths[0]


def test_save_as_writes_canonical_text_and_clears_modified(window, ui, tmp_path, monkeypatch):
    ui.place("actor", (100, 100))
    assert window.isWindowModified() and window.document.is_modified()
    target = tmp_path / "out"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.actions.save_as.trigger()
    saved = tmp_path / "out.tcm.json"  # the suffix is added
    assert saved.read_text(encoding="utf-8") == dumps_model(window.document.model)
    assert not window.document.is_modified() and not window.isWindowModified()
    assert "out.tcm.json" in window.windowTitle()


def test_failed_save_keeps_work_and_says_so(window, ui, tmp_path, monkeypatch, boxes):
    target = tmp_path / "m.tcm.json"
    target.mkdir()  # a folder where the file should go: the write fails, even for root
    ui.place("actor", (100, 100))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.actions.save.trigger()
    assert window.document.is_modified() and window.document.file_path == ""
    assert target.is_dir() and list(target.iterdir()) == []
    assert boxes and "could not be saved" in boxes[0][0]


def test_close_asks_about_unsaved_work(window, ui, monkeypatch):
    ui.place("actor", (100, 100))
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
    asked = []

    def fake_warning(*args, **kwargs):
        asked.append(args[2])
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "warning", fake_warning)
    window.close()
    assert window.isVisible() and len(asked) == 1 and "unsaved changes" in asked[0]
    window.close()
    assert not window.isVisible() and len(asked) == 2


def test_new_from_example_is_untitled(window):
    action = next(a for a in window.examples_menu.actions() if "card" in a.text().lower())
    action.trigger()
    doc = window.document
    assert doc.file_path == "" and len(doc.model.elements) > 5
    assert doc.model == load_model(examples_dir() / "card-fraud-detection.tcm.json")
    assert "(unsaved)" in window.windowTitle()


def test_change_on_disk_shows_a_notice_and_reload_reads_it(window, qtbot, tmp_path):
    path = tmp_path / "m.tcm.json"
    shutil.copy(RAG, path)
    assert window.open_path(str(path))
    changed = load_model(path).replace(info={"name": "Changed elsewhere"})
    path.write_text(dumps_model(changed), encoding="utf-8")
    qtbot.waitUntil(lambda: window.notice.isVisible(), timeout=5000)
    assert str(path) in window.notice.label.text()
    qtbot.mouseClick(window.notice.reload_button, Qt.MouseButton.LeftButton)
    assert window.document.model.info.name == "Changed elsewhere"
    assert not window.notice.isVisible()


def test_export_png_and_svg(window, tmp_path, monkeypatch):
    assert window.open_path(str(RAG))
    for fmt in ("png", "svg"):
        out = tmp_path / f"d.{fmt}"
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, out=out, **k: (str(out), ""))
        getattr(window.actions, f"export_{fmt}").trigger()
        assert out.exists() and out.stat().st_size > 1000
    image = QImage(str(tmp_path / "d.png"))
    assert not image.isNull() and image.width() > 1000
    svg = (tmp_path / "d.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "Support knowledge" in svg and "Crawler &amp; e-mail" in svg
    # the export hides the selection: a selected item looks like any other
    assert QApplication.instance() is not None
