"""Copy, cut, paste and duplicate, within a window and between windows, through the system clipboard."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPointF
from PySide6.QtGui import QGuiApplication

from app.gui.clipboard import MIME_TYPE
from app.model import parse_model


def connect(window, ui, a, b):
    src, dst = window.canvas.scene.nodes[a], window.canvas.scene.nodes[b]
    ui.drag(src.scene_handle_center(), dst.scene_rect().center())


def test_copy_in_one_window_paste_in_another(make_window):
    from gui_support import UI

    first = make_window()
    ui1 = UI(None, first)
    a = ui1.place("actor", (150, 150))
    b = ui1.place("model", (450, 150))
    connect(first, ui1, a, b)
    ui1.drag((40, 60), (600, 260))  # rubber band: both elements and their flow
    assert len(first.selection.ids()) == 3
    ui1.shortcut("Ctrl+C")
    data = QGuiApplication.clipboard().mimeData()
    assert data.hasFormat(MIME_TYPE)
    fragment = parse_model(bytes(data.data(MIME_TYPE)))
    assert len(fragment.elements) == 2 and len(fragment.flows) == 1
    assert data.text().startswith("{")  # also readable as plain model JSON

    second = make_window()
    ui2 = UI(None, second)
    second.activateWindow()
    ui2.shortcut("Ctrl+V")
    model = second.document.model
    assert [e.element_kind.value for e in model.elements] == ["actor", "model"]
    (flow,) = model.flows
    assert {flow.source, flow.target} == {e.id for e in model.elements}
    assert sorted(second.selection.ids()) == sorted([*(e.id for e in model.elements), flow.id])
    assert second.document.undo_stack.count() == 1  # one paste, one step
    # the first window is untouched
    assert len(first.document.model.elements) == 2


def test_duplicate_and_cut(window, ui):
    a = ui.place("tool", (150, 150))
    ui.shortcut("Ctrl+D")
    ids = [e.id for e in window.document.model.elements]
    assert len(ids) == 2
    copy = next(i for i in ids if i != a)
    ra, rc = window.document.rect(a), window.document.rect(copy)
    assert (rc.x - ra.x, rc.y - ra.y) == (20.0, 20.0)
    assert window.selection.ids() == [copy]
    ui.shortcut("Ctrl+X")
    assert [e.id for e in window.document.model.elements] == [a]
    ui.shortcut("Ctrl+V")
    assert len(window.document.model.elements) == 2


def test_pasting_into_a_boundary_makes_members(window, ui):
    a = ui.place("actor", (150, 150))
    ui.palette_click("boundary")
    ui.drag((400, 50), (800, 400))
    window.selection.set([a])
    ui.shortcut("Ctrl+C")
    ids = window.clipboard.paste(QPointF(500, 150))  # what Ctrl+V does with the mouse over that point
    (bd,) = window.document.model.boundaries
    assert window.document.boundary(bd.id).members == tuple(ids)


def test_bad_clipboard_is_reported_and_changes_nothing(window, ui):
    data = QMimeData()
    data.setText('{"format": "threatcanvas", "schema_version": 1, "elements": [{"id": "x", "kind": "robot", "name": "R"}]}')
    QGuiApplication.clipboard().setMimeData(data)
    ui.shortcut("Ctrl+V")
    assert window.document.model.elements == ()
    assert "Cannot paste" in window.statusBar().currentMessage()
    QGuiApplication.clipboard().setText("just words")
    ui.shortcut("Ctrl+V")
    assert window.document.model.elements == ()
    assert "no ThreatCanvas items" in window.statusBar().currentMessage()
