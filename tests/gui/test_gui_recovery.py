"""Autosave recovery: an editor process killed with SIGKILL leaves its edits; the next start offers them back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.resources import examples_dir

REPO = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QPointF
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from app.gui.main_window import MainWindow
    w = MainWindow(autosave_ms=50, remember_state=False, analysis_delay_ms=10**6)
    w.show()
    assert w.open_path(sys.argv[1])
    ident = w.canvas.editor.place_element("tool", QPointF(900, 700), name="Added before the crash")
    w.canvas.editor.rename("kb", "Knowledge base (renamed)")
    w.autosave.autosaved.connect(lambda path: (print("AUTOSAVED", ident, flush=True)))
    app.exec()
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_editor_is_offered_back_and_restored(make_window, qtbot, tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("THREATCANVAS_HOME", str(home))
    model = tmp_path / "rag.tcm.json"
    model.write_bytes((examples_dir() / "rag-support-assistant.tcm.json").read_bytes())
    env = {**os.environ, "THREATCANVAS_HOME": str(home), "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(model)], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, cwd=REPO)
    try:
        deadline = time.monotonic() + 60
        line = ""
        while time.monotonic() < deadline and not line.startswith("AUTOSAVED"):
            line = child.stdout.readline()
            if not line and child.poll() is not None:
                pytest.fail(f"editor child exited early: {child.stderr.read()}")
        assert line.startswith("AUTOSAVED"), "no autosave within 60 s"
        added = line.split()[1]
    finally:
        child.send_signal(signal.SIGKILL)  # no clean shutdown: the recovery files stay
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    from app.gui.launch import WindowManager

    manager = WindowManager(remember_state=False, autosave_ms=10**9, synchronous_analysis=True,
                            analyze=__import__("gui_support").fake_analyze)
    window = manager.new_window()
    qtbot.addWidget(window, before_close_func=lambda w: w.document.set_model(w.document.model))
    window.show()
    dialog = manager.offer_recoveries(window)
    assert dialog is not None and dialog.isVisible()
    assert dialog.list.count() == 1 and str(model) in dialog.list.item(0).text()
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    doc = window.document
    assert doc.element(added).name == "Added before the crash"
    assert doc.element("kb").name == "Knowledge base (renamed)"
    assert doc.is_modified() and window.isWindowModified()
    assert doc.file_path == str(model)  # saving goes back to the file the work came from
    assert not dialog.isVisible()
    assert model.read_bytes() == (examples_dir() / "rag-support-assistant.tcm.json").read_bytes()


def test_no_offer_without_recoveries(make_window):
    from app.gui.launch import WindowManager

    window = make_window()
    assert WindowManager().offer_recoveries(window) is None
