"""Desktop conventions: accessible names, keyboard-only editing, dark mode, standard shortcuts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QListWidget, QPlainTextEdit

from app.gui.actions import Actions


def test_panels_and_fields_have_accessible_names(window):
    for dock in window.docks.values():
        assert dock.accessibleName() and dock.widget().accessibleName(), dock.objectName()
    assert window.canvas.view.accessibleName() == "Diagram canvas"
    window.selection.set([])
    for cls in (QLineEdit, QComboBox, QPlainTextEdit, QListWidget):
        for widget in window.inspector.findChildren(cls):
            if widget.isVisibleTo(window.inspector) and widget.objectName().startswith("field-"):
                assert widget.accessibleName(), widget.objectName()
    for ed in window.inspector.editors.values():
        assert ed.widget.toolTip(), ed.field  # every model field explains itself


def test_every_action_has_help_and_shortcuts_do_not_clash(window):
    actions = [a for a in vars(window.actions).values() if hasattr(a, "shortcuts") and hasattr(a, "statusTip")]
    assert len(actions) > 30
    seen = {}
    for a in actions:
        assert a.statusTip(), a.text()
        for key in a.shortcuts():
            text = key.toString()
            assert text not in seen, f"{text} used by {seen.get(text)} and {a.text()}"
            seen[text] = a.text()
    assert isinstance(window.actions, Actions)


def test_keyboard_only_add_connect_rename(window):
    """Palette + Enter places; F2 renames; the element list selects; no mouse needed."""
    palette = window.palette_panel
    palette.setFocus()
    palette.setCurrentItem(palette.item_for("actor"))
    QTest.keyClick(palette, Qt.Key.Key_Return)
    palette.setCurrentItem(palette.item_for("model"))
    QTest.keyClick(palette, Qt.Key.Key_Return)
    elements = window.document.model.elements
    assert [e.element_kind.value for e in elements] == ["actor", "model"]
    window.canvas.view.setFocus()
    QTest.keyClick(window.canvas.view, Qt.Key.Key_F2)
    QTest.keyClicks(window.canvas.inline, "Scoring model")
    QTest.keyClick(window.canvas.inline, Qt.Key.Key_Return)
    assert window.document.element(elements[1].id).name == "Scoring model"
    # the element list follows the selection and drives it
    window.docks["elements"].raise_()
    lst = window.element_list
    QApplication.processEvents()
    index = lst.index_of(elements[0].id)
    lst.setFocus()
    QTest.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     lst.visualRect(index).center())
    assert window.selection.ids() == [elements[0].id]
    assert "actor" in index.data(Qt.ItemDataRole.AccessibleTextRole)
    # arrows walk the list and the canvas selection follows
    QTest.keyClick(lst, Qt.Key.Key_Down)
    assert window.selection.ids() == [elements[1].id]
    # the canvas selection shows in the list
    window.selection.set([elements[0].id])
    assert [i.data(Qt.ItemDataRole.UserRole) for i in lst.selectionModel().selectedRows(0)] == [elements[0].id]


def _canvas_pixel(window, x: int = 5, y: int = 5) -> QColor:
    """The colour the canvas shows at viewport point (x, y) (an empty corner by default)."""
    return window.canvas.view.viewport().grab().toImage().pixelColor(x, y)


def test_dark_palette_switches_the_canvas_theme(window, ui):
    a = ui.place("actor", (150, 150))
    app = QApplication.instance()
    old = app.palette()
    assert _canvas_pixel(window) == window.canvas.scene.theme.background
    try:
        dark = QPalette(QColor("#202124"))
        app.setPalette(dark)
        QApplication.processEvents()
        assert window.canvas.scene.theme.dark
        assert window.canvas.scene.nodes[a].theme.dark
        # the background (kept in a pixmap between frames) is painted again in the dark colour
        assert _canvas_pixel(window) == window.canvas.scene.theme.background
    finally:
        app.setPalette(old)
        QApplication.processEvents()
    assert not window.canvas.scene.theme.dark
    assert _canvas_pixel(window) == window.canvas.scene.theme.background


def test_show_grid_toggles_the_painted_grid(window):
    view = window.canvas.view
    view.zoom_reset()

    def grid_pixels() -> int:  # the diagram is empty: whatever is not background is grid
        image = view.viewport().grab().toImage()
        background = window.canvas.scene.theme.background
        return sum(image.pixelColor(x, y) != background for x in range(0, 300, 3) for y in range(0, 300, 3))

    assert grid_pixels() > 0
    window.actions.grid.trigger()  # View → Show Grid off
    assert not window.actions.grid.isChecked()
    assert grid_pixels() == 0
    window.actions.grid.trigger()
    assert grid_pixels() > 0


def test_undo_history_view_lists_steps(window, ui):
    ui.place("actor", (150, 150))
    ui.place("tool", (450, 150))
    history = window.history
    assert history.model().rowCount() == 3  # "<opened>" and two steps
    index = history.model().index(1, 0)
    history.setCurrentIndex(index)  # clicking a step jumps there
    assert len(window.document.model.elements) == 1
