"""Fixtures for editor tests: a main window, a deterministic fake analysis, and real-gesture helpers.

The helpers send real input events (QTest mouse and keyboard events on the
canvas viewport and on the panels' widgets); they never call the canvas's
private methods. Mouse moves with a button held are sent as QMouseEvents that
carry the button state, because QGraphicsView's rubber band checks it.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QLineEdit, QListWidget, QPlainTextEdit

from app.analysis.findings import AnalysisResult, Factor, Finding, Score, severity_of

LEFT = Qt.MouseButton.LeftButton
NO_MOD = Qt.KeyboardModifier.NoModifier


def fake_analyze(model, library):
    """One finding per flow, risk from the flow's position: deterministic and instant."""
    findings = []
    for i, flow in enumerate(model.flows):
        risk = (i * 7) % 25 + 1
        sev = severity_of(risk)
        residual_risk = max(1, risk - 4)
        findings.append(
            Finding(
                id=f"TEST-{flow.id}", threat_id="TEST", title=f"Test threat on {flow.name or flow.id}",
                family=("prompt_injection", "poisoning", "leakage")[i % 3], description="<b>not markup</b>",
                anchor=flow.id, element_ids=(flow.id, flow.source, flow.target),
                path=(flow.source, flow.id, flow.target), likelihood=3, impact=3, risk=risk, severity=sev,
                likelihood_factors=(Factor(name="x", delta=1, reason="because"),), impact_factors=(),
                rationale="why", business_impact="impact", atlas=("AML.T0051",) if i % 2 else (),
                owasp=("LLM01",) if i % 3 == 0 else ("ML02",), stride=("T",), mitigations=(),
                residual=Score(likelihood=3, impact=3, risk=residual_risk, severity=severity_of(residual_risk)),
                fingerprint="ab" * 8,
            )
        )
    findings.sort(key=lambda f: (-f.risk, f.id))
    return AnalysisResult(findings=tuple(findings), library_version="test")


@pytest.fixture
def make_window(qtbot, tmp_path, monkeypatch):
    """Build main windows with synchronous fake analysis and no remembered layout."""
    monkeypatch.setenv("THREATCANVAS_HOME", str(tmp_path / "home"))  # settings and recovery files stay here
    from app.gui.main_window import MainWindow

    def make(**options):
        opts = dict(analyze=fake_analyze, synchronous_analysis=True, autosave_ms=10**9, remember_state=False)
        opts.update(options)
        w = MainWindow(**opts)
        qtbot.addWidget(w, before_close_func=_forget_changes)
        w.resize(1500, 1000)
        w.show()
        qtbot.waitExposed(w)
        w.activateWindow()  # focus (and so "leaving a field commits it") needs an active window
        qtbot.waitActive(w)
        return w

    return make


def _forget_changes(w) -> None:
    """Before pytest-qt closes a window: no unsaved work, so no modal save prompt."""
    if w.document.is_modified():
        w.document.set_model(w.document.model)


@pytest.fixture
def window(make_window):
    return make_window()


class UI:
    """Real-input helpers for one main window."""

    def __init__(self, qtbot, window):
        self.qtbot = qtbot
        self.w = window

    # -- canvas coordinates
    @property
    def view(self):
        return self.w.canvas.view

    @property
    def vp(self):
        return self.w.canvas.view.viewport()

    def at(self, scene_point) -> QPoint:
        p = scene_point if isinstance(scene_point, QPointF) else QPointF(*scene_point)
        return self.view.mapFromScene(p)

    # -- mouse on the canvas
    def click(self, scene_point, modifiers=NO_MOD, button=LEFT) -> None:
        QTest.mouseClick(self.vp, button, modifiers, self.at(scene_point))

    def double_click(self, scene_point) -> None:
        QTest.mouseDClick(self.vp, LEFT, NO_MOD, self.at(scene_point))

    def drag(self, a, b, steps: int = 6, modifiers=NO_MOD, button=LEFT) -> None:
        """Press at scene point ``a``, move in steps with the button held, release at ``b``."""
        pa, pb = self.at(a), self.at(b)
        QTest.mousePress(self.vp, button, modifiers, pa)
        for i in range(1, steps + 1):
            p = QPointF(pa.x() + (pb.x() - pa.x()) * i / steps, pa.y() + (pb.y() - pa.y()) * i / steps)
            ev = QMouseEvent(QEvent.Type.MouseMove, p, self.vp.mapToGlobal(p), Qt.MouseButton.NoButton, button, modifiers)
            QApplication.sendEvent(self.vp, ev)
        QTest.mouseRelease(self.vp, button, modifiers, pb)

    def key(self, key, modifiers=NO_MOD, widget=None) -> None:
        QTest.keyClick(widget or self.view, key, modifiers)

    def shortcut(self, sequence: str) -> None:
        """Trigger a window shortcut the way a user would (keys to the focused canvas)."""
        from PySide6.QtGui import QKeySequence

        if not self.w.isActiveWindow():  # window shortcuts only fire in the active window
            self.w.activateWindow()
            QTest.qWaitForWindowActive(self.w)
        self.view.setFocus()
        combo = QKeySequence(sequence)[0]
        QTest.keyClick(self.view, combo.key(), combo.keyboardModifiers())

    # -- palette
    def palette_click(self, kind: str) -> None:
        pal = self.w.palette_panel
        self.w.docks["palette"].raise_()
        item = pal.item_for(kind)
        pal.scrollToItem(item)
        QTest.mouseClick(pal.viewport(), LEFT, NO_MOD, pal.visualItemRect(item).center())

    def place(self, kind: str, centre) -> str:
        """Click the palette entry, then click the canvas: returns the new item's id."""
        self.palette_click(kind)
        self.click(centre)
        return self.w.selection.current()

    # -- inspector
    def set_field(self, name: str, value) -> None:
        """Give the inspector field ``name`` a value with the keyboard or mouse, as a user would."""
        widget = self.w.inspector.editors[name].widget
        self.w.inspector.ensureWidgetVisible(widget)
        if isinstance(widget, QCheckBox):
            if widget.isChecked() != bool(value):  # click the box itself, not the empty row beside it
                QTest.mouseClick(widget, LEFT, NO_MOD, QPoint(8, widget.height() // 2))
        elif isinstance(widget, QComboBox):
            target = widget.findData(value)
            assert target >= 0, f"{value!r} not offered by {name}"
            widget.setFocus()
            QTest.keyClick(widget, Qt.Key.Key_Home)
            for _ in range(target):
                QTest.keyClick(widget, Qt.Key.Key_Down)
        elif isinstance(widget, QListWidget):
            wanted = set(value)
            for i in range(widget.count()):
                item = widget.item(i)
                on = item.data(Qt.ItemDataRole.UserRole) in wanted
                if (item.checkState() == Qt.CheckState.Checked) != on:
                    widget.scrollToItem(item)
                    QTest.mouseClick(widget.viewport(), LEFT, NO_MOD, widget.visualItemRect(item).center())
                    QTest.keyClick(widget.viewport(), Qt.Key.Key_Space)
        elif isinstance(widget, QLineEdit):
            text = ", ".join(value) if isinstance(value, tuple) else str(value)
            QTest.mouseClick(widget, LEFT, NO_MOD, widget.rect().center())
            QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
            QTest.keyClick(widget, Qt.Key.Key_Delete)
            QTest.keyClicks(widget, text)
            QTest.keyClick(widget, Qt.Key.Key_Return)
        elif isinstance(widget, QPlainTextEdit):
            QTest.mouseClick(widget.viewport(), LEFT, NO_MOD, widget.viewport().rect().center())
            QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
            QTest.keyClick(widget, Qt.Key.Key_Delete)
            QTest.keyClicks(widget, str(value))
            QTest.keyClick(widget, Qt.Key.Key_Tab)  # leaving the field commits it
        else:  # pragma: no cover - every editor kind is handled above
            raise AssertionError(f"no gesture for {type(widget).__name__}")

    def rename_inline(self, scene_point, text: str) -> None:
        """Double-click the item at ``scene_point`` and type a new name."""
        self.double_click(scene_point)
        inline = self.w.canvas.inline
        assert inline.isVisible(), "double-click did not open the name editor"
        QTest.keyClick(inline, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClicks(inline, text)
        QTest.keyClick(inline, Qt.Key.Key_Return)


@pytest.fixture
def ui(qtbot, window):
    return UI(qtbot, window)
