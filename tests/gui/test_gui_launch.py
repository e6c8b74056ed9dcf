"""The editor's entry points: ``threatcanvas FILE --screenshot OUT.png``, bad arguments, live analysis off the GUI thread."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage

from app.resources import examples_dir

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args, home: Path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "THREATCANVAS_HOME": str(home), "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "app", *args], env=env, capture_output=True, text=True, timeout=180,
                          cwd=REPO)


def test_screenshot_opens_analyses_and_saves_the_window(tmp_path):
    out = tmp_path / "shot.png"
    result = run_cli(str(examples_dir() / "rag-support-assistant.tcm.json"), "--screenshot", str(out), home=tmp_path)
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1600, 1000)
    # a screenshot run leaves no recovery files behind
    assert not list((tmp_path).rglob("*.recovery.json"))


def test_screenshot_of_a_bad_file_fails_with_a_message(tmp_path):
    bad = tmp_path / "bad.tcm.json"
    bad.write_text("{ not json", encoding="utf-8")
    result = run_cli(str(bad), "--screenshot", str(tmp_path / "x.png"), home=tmp_path)
    assert result.returncode == 2
    assert "bad.tcm.json" in result.stderr and "line 1" in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_screenshot_needs_a_file(tmp_path):
    result = run_cli("--screenshot", str(tmp_path / "x.png"), home=tmp_path)
    assert result.returncode == 2 and "needs a FILE" in result.stderr


def test_the_editor_application_runs_without_qts_gui_thread_pool(tmp_path):
    """Handing short fills to Qt's thread pool costs more than the fills: the launcher turns it off."""
    env = {k: v for k, v in os.environ.items() if k != "QT_NO_GUI_THREADPOOL"}
    env.update(QT_QPA_PLATFORM="offscreen", THREATCANVAS_HOME=str(tmp_path), PYTHONPATH=str(REPO))
    code = "import os; from app.gui.launch import application; application(); print(os.environ['QT_NO_GUI_THREADPOOL'])"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                            cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"


def test_analysis_runs_off_the_gui_thread_and_the_newest_result_wins(make_window, qtbot):
    from gui_support import fake_analyze

    threads = []

    def slow_analyze(model, library):
        threads.append(threading.get_ident())
        time.sleep(0.05)  # long enough for edits to overtake a run
        return fake_analyze(model, library)

    window = make_window(analyze=slow_analyze, synchronous_analysis=False, analysis_delay_ms=0)
    editor = window.canvas.editor
    ids = [editor.place_element("process", QPointF(200 * i, 0)) for i in range(4)]
    for a, b in zip(ids, ids[1:]):
        editor.connect(a, b)
    qtbot.waitUntil(lambda: window.runner.is_up_to_date(), timeout=10000)
    assert threads and threading.get_ident() not in threads
    # the result on screen is the newest model's: every flow carries its badge
    assert window.result.findings and {f.anchor for f in window.result.findings} == {f.id for f in window.document.model.flows}
    assert all(item.badge is not None for item in window.canvas.scene.flows.values())
    assert window.analysis_label.text().startswith("Analysis: 3 findings")
