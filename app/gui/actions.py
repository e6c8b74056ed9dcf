"""Every QAction of the main window, built in one place with its text, shortcut and help.

Shortcuts use the platform's standard keys (``QKeySequence.StandardKey``) and
add a fallback where a platform defines none (Save As, Redo, Quit, Delete on
some desktops). The main window connects the actions' ``triggered`` signals;
nothing here knows what they do.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

SK = QKeySequence.StandardKey


def _keys(standard: SK | None, *fallbacks: str) -> list[QKeySequence]:
    keys = list(QKeySequence.keyBindings(standard)) if standard is not None else []
    for text in fallbacks:
        seq = QKeySequence(text)
        if seq not in keys:
            keys.append(seq)
    return keys


class Actions(QObject):
    """The window's actions, as attributes (``actions.save``, ``actions.zoom_in`` …)."""

    def __init__(self, parent):
        super().__init__(parent)
        a = self._make
        # File
        self.new = a("&New", _keys(SK.New, "Ctrl+N"), "Start a new, empty model")
        self.new_window = a("New &Window", _keys(None, "Ctrl+Shift+N"), "Open another editor window")
        self.open = a("&Open…", _keys(SK.Open, "Ctrl+O"), "Open a model file")
        self.save = a("&Save", _keys(SK.Save, "Ctrl+S"), "Save the model")
        self.save_as = a("Save &As…", _keys(SK.SaveAs, "Ctrl+Shift+S"), "Save the model under a new name")
        self.export_png = a("Export Diagram as &PNG…", [], "Save the diagram as a PNG image")
        self.export_svg = a("Export Diagram as S&VG…", [], "Save the diagram as an SVG drawing")
        self.export_pdf = a("Export PDF &Report…", _keys(None, "Ctrl+Shift+E"),
                            "Build the PDF threat assessment of this model in the background")
        self.close = a("&Close Window", _keys(SK.Close, "Ctrl+W"), "Close this window")
        self.quit = a("&Quit", _keys(SK.Quit, "Ctrl+Q"), "Quit ThreatCanvas")
        # Edit
        self.undo = a("&Undo", _keys(SK.Undo, "Ctrl+Z"), "Undo the last edit")
        self.redo = a("&Redo", _keys(SK.Redo, "Ctrl+Shift+Z", "Ctrl+Y"), "Redo the edit undone last")
        self.cut = a("Cu&t", _keys(SK.Cut, "Ctrl+X"), "Cut the selection to the clipboard")
        self.copy = a("&Copy", _keys(SK.Copy, "Ctrl+C"), "Copy the selection to the clipboard")
        self.paste = a("&Paste", _keys(SK.Paste, "Ctrl+V"), "Paste from the clipboard")
        self.duplicate = a("D&uplicate", _keys(None, "Ctrl+D"), "Duplicate the selection")
        self.delete = a("&Delete", _keys(SK.Delete, "Del", "Backspace"), "Delete the selection (and flows of deleted elements)")
        self.select_all = a("Select &All", _keys(SK.SelectAll, "Ctrl+A"), "Select everything")
        self.rename = a("Re&name", _keys(None, "F2"), "Rename the selected item on the canvas")
        self.snap = a("Snap to &Grid", [], "Snap positions and sizes to the grid", checkable=True, checked=True)
        # Arrange
        self.align_left = a("Align &Left", [], "Align the selected items' left edges")
        self.align_hcenter = a("Align &Centres Horizontally", [], "Align the selected items on one vertical line")
        self.align_right = a("Align &Right", [], "Align the selected items' right edges")
        self.align_top = a("Align &Top", [], "Align the selected items' top edges")
        self.align_vcenter = a("Align Centres &Vertically", [], "Align the selected items on one horizontal line")
        self.align_bottom = a("Align &Bottom", [], "Align the selected items' bottom edges")
        self.distribute_h = a("Distribute &Horizontally", [], "Equal horizontal gaps between the selected items")
        self.distribute_v = a("Distribute V&ertically", [], "Equal vertical gaps between the selected items")
        # View
        self.zoom_in = a("Zoom &In", _keys(SK.ZoomIn, "Ctrl++", "Ctrl+="), "Zoom in")
        self.zoom_out = a("Zoom &Out", _keys(SK.ZoomOut, "Ctrl+-"), "Zoom out")
        self.zoom_fit = a("Zoom to &Fit", _keys(None, "Ctrl+Shift+H"), "Show the whole diagram")
        self.zoom_reset = a("&Actual Size (100 %)", _keys(None, "Ctrl+0"), "One diagram unit per screen pixel")
        self.annotations = a("Show &Analysis Badges", _keys(None, "Ctrl+Shift+B"),
                             "Show or hide the finding badges on the diagram", checkable=True, checked=True)
        self.grid = a("Show &Grid", [], "Show or hide the grid", checkable=True, checked=True)
        self.analyse = a("&Analyse Now", _keys(None, "F5"), "Run the threat analysis now")
        self.library = a("Threat &Library…", [], "Add your organisation's own threat entries and controls")
        # Help
        self.about = a("&About ThreatCanvas", [], "Version and licence")
        self.align_group = [self.align_left, self.align_hcenter, self.align_right,
                            self.align_top, self.align_vcenter, self.align_bottom]

    def _make(self, text: str, keys: list[QKeySequence], tip: str, checkable: bool = False,
              checked: bool = False) -> QAction:
        action = QAction(text, self.parent())
        if keys:
            action.setShortcuts(keys)
        action.setStatusTip(tip)
        action.setToolTip(f"{text.replace('&', '').rstrip('…')} ({keys[0].toString(QKeySequence.SequenceFormat.NativeText)})"
                          if keys else tip)
        action.setWhatsThis(tip)
        if checkable:
            action.setCheckable(True)
            action.setChecked(checked)
        return action
