"""Analysis → Threat Library…: an organisation's own entries, checked before use, kept, used everywhere."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

import app.report as report_pkg
from app.resources import examples_dir

LEFT = Qt.MouseButton.LeftButton

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "acme-library"
ENTRY = (SAMPLE / "acme.toml").read_text(encoding="utf-8")  # one own entry: refund fraud on a money tool
CONTROLS = (SAMPLE / "controls.toml").read_text(encoding="utf-8")


def _folder(tmp_path, entry=ENTRY, name="acme"):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "acme.toml").write_text(entry, encoding="utf-8")
    (folder / "controls.toml").write_text(CONTROLS, encoding="utf-8")
    return folder


def _window(make_window):
    w = make_window(analyze=None)  # the real engine
    w.open_path(str(examples_dir() / "rag-support-assistant.tcm.json"))
    return w


def _threats(window) -> set[str]:
    return {f.threat_id for f in window.result.findings}


def _dialog(qtbot, window):
    window.actions.library.trigger()  # Analysis → Threat Library…
    dialog = window.library_dialog
    qtbot.waitExposed(dialog)
    return dialog


def _add(dialog, folder) -> None:
    QTest.keyClicks(dialog.path_edit, str(folder))
    QTest.mouseClick(dialog.add_button, LEFT)


def test_an_own_library_is_checked_applied_and_kept(make_window, qtbot, tmp_path):
    from app.gui.library_settings import library_folders

    w = _window(make_window)
    other = _window(make_window)  # a second window follows the setting too
    assert "acme-refund-fraud" not in _threats(w)
    dialog = _dialog(qtbot, w)
    _add(dialog, _folder(tmp_path))
    check = dialog.status.toPlainText()
    assert "+1 threats" in check and "+1 controls" in check
    assert dialog.ok_button.isEnabled()
    QTest.mouseClick(dialog.ok_button, LEFT)

    for window in (w, other):
        found = [f for f in window.result.findings if f.threat_id == "acme-refund-fraud"]
        assert [f.anchor for f in found] == ["refund_tool"]
        assert "Refund tool" in found[0].rationale and found[0].rationale.endswith("We lost money this way before.")
        assert "acme-refund-cap" in {m.control_id for m in found[0].mitigations}
        assert "acme-refund-cap" in {c.id for c in window.inspector.controls}  # offered on elements
    assert library_folders() == [str(tmp_path / "acme")]

    later = _window(make_window)  # a window opened later starts with it
    assert "acme-refund-fraud" in _threats(later)


def test_a_broken_library_is_refused_naming_file_entry_and_field(make_window, qtbot, tmp_path):
    from app.gui.library_settings import library_folders

    w = _window(make_window)
    before = _threats(w)
    dialog = _dialog(qtbot, w)
    _add(dialog, _folder(tmp_path, ENTRY.replace('kinds = ["tool"]', 'kinds = ["robot"]')))
    check = dialog.status.toPlainText()
    assert "cannot be used" in check
    assert "acme.toml" in check and "threat[0] (acme-refund-fraud).applies.kinds[0]" in check and "robot" in check
    assert not dialog.ok_button.isEnabled()
    QTest.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Cancel), LEFT)
    assert library_folders() == [] and _threats(w) == before
    assert w.runner.state == "up to date"


def test_a_folder_that_broke_since_is_reported_and_can_be_removed(make_window, qtbot, tmp_path):
    from app.gui.library_settings import set_library_folders

    folder = _folder(tmp_path)
    w = _window(make_window)
    set_library_folders([str(folder)])
    (folder / "acme.toml").write_text("[[threat]]\nid = 'Bad Id'\n", encoding="utf-8")  # edited outside
    w2 = _window(make_window)
    text = w2.analysis_label.text()
    assert text.startswith("Analysis failed: threat library:") and "acme.toml" in text
    assert w2.result is None  # no findings from a library that did not load
    dialog = _dialog(qtbot, w2)
    assert "acme.toml" in dialog.status.toPlainText() and not dialog.ok_button.isEnabled()
    dialog.list.setCurrentRow(0)
    QTest.mouseClick(dialog.remove_button, LEFT)
    assert dialog.ok_button.isEnabled()
    QTest.mouseClick(dialog.ok_button, LEFT)
    assert w2.runner.state == "up to date" and w2.result.findings
    assert w.runner.state == "up to date"


def test_the_pdf_report_uses_the_editors_library(make_window, qtbot, tmp_path, monkeypatch):
    w = _window(make_window)
    dialog = _dialog(qtbot, w)
    _add(dialog, _folder(tmp_path))
    QTest.mouseClick(dialog.ok_button, LEFT)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "a.pdf"), ""))
    seen = {}
    real_build = report_pkg.build_report

    def spy(model, result, path, **kwargs):
        seen["threats"] = {f.threat_id for f in result.findings}
        seen["controls"] = {c.id for c in kwargs["controls"]}
        return real_build(model, result, path, **kwargs)

    monkeypatch.setattr(report_pkg, "build_report", spy)
    with qtbot.waitSignal(w.report_export.export.finished, timeout=60_000):
        w.actions.export_pdf.trigger()
    assert "acme-refund-fraud" in seen["threats"] and "acme-refund-cap" in seen["controls"]
