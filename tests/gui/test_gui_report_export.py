"""File → Export PDF report: built on a worker thread from the real engine, cancellable, never freezing."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QFileDialog, QMessageBox

import app.report as report_pkg
from app.resources import examples_dir


def _open_example(window, name="rag-support-assistant.tcm.json"):
    window.document.open(str(examples_dir() / name))


def test_export_pdf_builds_the_report_off_the_gui_thread(make_window, qtbot, tmp_path, monkeypatch):
    window = make_window()
    _open_example(window)
    target = tmp_path / "assessment"  # no suffix: the export adds .pdf
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    seen = {}
    real_build = report_pkg.build_report

    def spy(*args, **kwargs):
        seen["thread"] = threading.get_ident()
        return real_build(*args, **kwargs)

    monkeypatch.setattr(report_pkg, "build_report", spy)
    export = window.report_export.export
    with qtbot.waitSignal(export.finished, timeout=60_000) as blocker:
        window.actions.export_pdf.trigger()
    path, summary = blocker.args
    assert path == str(target) + ".pdf"
    data = (tmp_path / "assessment.pdf").read_bytes()
    assert data.startswith(b"%PDF") and b"%%EOF" in data[-1024:]
    assert seen["thread"] != threading.get_ident(), "the report was built on the GUI thread"
    assert "findings" in summary and "Customer-support assistant" in summary
    assert not export.is_busy()


def test_cancelling_the_export_leaves_no_file(make_window, qtbot, tmp_path, monkeypatch):
    window = make_window()
    _open_example(window, "card-fraud-detection.tcm.json")
    target = tmp_path / "cancelled.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    export = window.report_export.export
    gate = threading.Event()
    real_build = report_pkg.build_report

    def slow_build(*args, **kwargs):
        gate.wait(10)  # hold the worker until the user has pressed Cancel
        return real_build(*args, **kwargs)

    monkeypatch.setattr(report_pkg, "build_report", slow_build)
    with qtbot.waitSignal(export.cancelled, timeout=60_000):
        window.actions.export_pdf.trigger()
        export.cancel()  # what the progress dialog's Cancel button is connected to
        gate.set()
    assert not target.exists()
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".cancelled*"))
    assert not export.is_busy()


def test_an_unwritable_target_is_reported_not_raised(make_window, qtbot, tmp_path, monkeypatch):
    window = make_window()
    _open_example(window)
    target = tmp_path / "missing-folder" / "x.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    with qtbot.waitSignal(window.report_export.export.failed, timeout=60_000):
        window.actions.export_pdf.trigger()
    qtbot.waitUntil(lambda: bool(warnings))
    assert "missing-folder" in warnings[0]
    assert window.document.model.elements  # the open model is untouched
