"""The main window: wiring only.

It creates one document with its selection, canvas, analysis runner and
autosave, puts the panels in docks around the canvas, builds the menus and
toolbar from :class:`~app.gui.actions.Actions`, and connects signals to slots.
Behaviour lives in the parts it wires: the canvas (drawing), the panels
(editing), :class:`~app.gui.files.FileController` (files) and
:class:`~app.gui.clipboard.ClipboardController` (clipboard).
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QEvent, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QToolBar,
    QUndoView,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.canvas.canvas import Canvas
from app.canvas.export import export_png, export_svg
from app.document import Document, SelectionModel
from app.document.autosave import Autosave
from app.document.runner import AnalysisRunner
from app.gui.actions import Actions
from app.gui.clipboard import ClipboardController
from app.gui.dialogs import NoticeBar
from app.gui.element_list import ElementList
from app.gui.files import FileController, recent_files, settings
from app.gui.findings_panel import FindingsPanel
from app.gui.inspector import Inspector
from app.gui.icons import icon
from app.gui.legend import Legend
from app.gui.library_settings import LibraryDialog, apply, library_changes, library_folders, load_configured_library
from app.gui.palette import Palette
from app.gui.report_export import ReportExportController
from app.resources import example_files


def _configured_library():
    """The configured library, loaded once per window for its analysis and its inspector's controls;
    None when it does not load (the runner then loads it itself, and reports why it fails)."""
    try:
        return load_configured_library()
    except Exception:  # noqa: BLE001 - reported by the analysis, which tries again on every run
        return None


def _load_controls(library):
    """The controls the inspector offers: the library's, else the bundled catalogue's."""
    if library is not None:
        return list(library.controls)
    try:
        from app.knowledge.controls import load_controls

        return list(load_controls())
    except Exception:  # noqa: BLE001 - a broken catalogue must not stop the editor; the list is just empty
        return []


class MainWindow(QMainWindow):
    """One editor window for one document."""

    new_window_requested = Signal()
    closed = Signal()

    def __init__(self, *, analyze=None, synchronous_analysis: bool = False, autosave_ms: int | None = None,
                 analysis_delay_ms: int = 300, remember_state: bool = True, parent=None):
        super().__init__(parent)
        self.setObjectName("main-window")
        self.setAccessibleName("ThreatCanvas")
        self.document = Document(parent=self)
        self.selection = SelectionModel(self.document, self)
        self.canvas = Canvas(self.document, self.selection, self)
        library = _configured_library()
        self.runner = AnalysisRunner(self.document, analyze=analyze, synchronous=synchronous_analysis, library=library,
                                     load_library=load_configured_library, delay_ms=analysis_delay_ms, parent=self)
        if autosave_ms is None:
            autosave_ms = int(os.environ.get("THREATCANVAS_AUTOSAVE_MS", "30000"))
        self.autosave = Autosave(self.document, interval_ms=autosave_ms, parent=self)
        self.files = FileController(self, self.document)
        self.clipboard = ClipboardController(self.document, self.canvas, self.selection, self._status)
        self.report_export = ReportExportController(self, self.document, self._status, self.files.start_dir,
                                                    library=self.runner.library)
        self.actions = Actions(self)
        self.result = None
        self.remember_state = remember_state  # off for screenshots and tests: same layout every time

        # -- central area: notice bar above the canvas
        self.notice = NoticeBar()
        central = QWidget()
        box = QVBoxLayout(central)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.notice)
        box.addWidget(self.canvas.view, 1)
        self.setCentralWidget(central)

        # -- panels
        self.palette_panel = Palette()
        self.element_list = ElementList(self.document, self.selection)
        self.inspector = Inspector(self.document, self.selection, self.canvas.editor, _load_controls(library))
        self.findings = FindingsPanel(self.document)
        self.history = QUndoView(self.document.undo_stack)
        self.history.setObjectName("history")
        self.history.setAccessibleName("Undo history")
        self.history.setEmptyLabel("<opened>")
        self.legend = Legend()
        self.docks = {
            "palette": self._dock("Palette", self.palette_panel, Qt.DockWidgetArea.LeftDockWidgetArea),
            "elements": self._dock("Elements", self.element_list, Qt.DockWidgetArea.LeftDockWidgetArea),
            "inspector": self._dock("Inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea),
            "history": self._dock("History", self.history, Qt.DockWidgetArea.RightDockWidgetArea),
            "legend": self._dock("Legend", self.legend, Qt.DockWidgetArea.RightDockWidgetArea),
            "findings": self._dock("Findings", self.findings, Qt.DockWidgetArea.BottomDockWidgetArea),
        }
        self.docks["elements"].visibilityChanged.connect(self.element_list.set_shown)
        self.tabifyDockWidget(self.docks["palette"], self.docks["elements"])
        self.docks["palette"].raise_()
        self.tabifyDockWidget(self.docks["inspector"], self.docks["history"])
        self.tabifyDockWidget(self.docks["history"], self.docks["legend"])
        self.docks["inspector"].raise_()
        self.resizeDocks([self.docks["palette"], self.docks["inspector"]], [190, 320], Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["findings"]], [230], Qt.Orientation.Vertical)

        # -- status bar
        self.counts_label = QLabel()
        self.counts_label.setObjectName("status-counts")
        self.analysis_label = QLabel()
        self.analysis_label.setObjectName("status-analysis")
        self.zoom_label = QLabel()
        self.zoom_label.setObjectName("status-zoom")
        for w in (self.counts_label, self.analysis_label, self.zoom_label):
            self.statusBar().addPermanentWidget(w)

        self._build_menus()
        self._connect()
        self._update_title()
        self._update_counts()
        self._on_runner_state_changed(self.runner.state)
        self._on_view_zoom_changed(self.canvas.view.zoom())
        self._on_selection_changed(self.selection.ids())
        self.resize(1400, 900)
        if remember_state:
            self._restore_window_state()
        self.runner.request()

    # ------------------------------------------------------------ building
    def _dock(self, title: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title.lower()}")
        dock.setWidget(widget)
        dock.setAccessibleName(title)
        self.addDockWidget(area, dock)
        return dock

    def _build_menus(self) -> None:
        a = self.actions
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(a.new)
        self.examples_menu = file_menu.addMenu("New from &Example")
        for path in example_files():
            act = self.examples_menu.addAction(path.name.removesuffix(".tcm.json").replace("-", " ").capitalize())
            act.setData(str(path))
            act.triggered.connect(lambda _=False, p=str(path): self.files.new_from_example(p))
        file_menu.addAction(a.new_window)
        file_menu.addAction(a.open)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()
        file_menu.addSeparator()
        file_menu.addAction(a.save)
        file_menu.addAction(a.save_as)
        file_menu.addSeparator()
        file_menu.addAction(a.export_png)
        file_menu.addAction(a.export_svg)
        file_menu.addAction(a.export_pdf)
        file_menu.addSeparator()
        file_menu.addAction(a.close)
        file_menu.addAction(a.quit)

        edit = bar.addMenu("&Edit")
        for act in (a.undo, a.redo, None, a.cut, a.copy, a.paste, a.duplicate, a.delete, None, a.select_all,
                    a.rename, None, a.snap):
            edit.addSeparator() if act is None else edit.addAction(act)

        arrange = bar.addMenu("&Arrange")
        for act in a.align_group:
            arrange.addAction(act)
        arrange.addSeparator()
        arrange.addAction(a.distribute_h)
        arrange.addAction(a.distribute_v)

        view = bar.addMenu("&View")
        for act in (a.zoom_in, a.zoom_out, a.zoom_fit, a.zoom_reset, None, a.annotations, a.grid):
            view.addSeparator() if act is None else view.addAction(act)
        view.addSeparator()
        panels = view.addMenu("&Panels")
        for dock in self.docks.values():
            panels.addAction(dock.toggleViewAction())

        analysis = bar.addMenu("A&nalysis")
        analysis.addAction(a.analyse)
        analysis.addSeparator()
        analysis.addAction(a.library)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(a.about)

        for act, name in ((a.new, "new"), (a.open, "open"), (a.save, "save"), (a.undo, "undo"), (a.redo, "redo"),
                          (a.delete, "delete"), (a.zoom_in, "zoom-in"), (a.zoom_out, "zoom-out"),
                          (a.zoom_fit, "zoom-fit"), (a.annotations, "badges"), (a.analyse, "analyse")):
            act.setIcon(icon(name))
        tools = QToolBar("Main")
        tools.setObjectName("toolbar-main")
        tools.setAccessibleName("Main toolbar")
        for act in (a.new, a.open, a.save, None, a.undo, a.redo, None, a.delete, None,
                    a.zoom_out, a.zoom_in, a.zoom_fit, None, a.annotations):
            tools.addSeparator() if act is None else tools.addAction(act)
        self.addToolBar(tools)
        self.toolbar = tools

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = recent_files()
        for path in paths:
            act = self.recent_menu.addAction(Path(path).name)
            act.setToolTip(path)
            act.setStatusTip(path)
            act.triggered.connect(lambda _=False, p=path: self.files.open(p))
        self.recent_menu.setEnabled(bool(paths))

    def _connect(self) -> None:
        a, doc, canvas = self.actions, self.document, self.canvas
        stack = doc.undo_stack
        a.new.triggered.connect(self.files.new)
        a.new_window.triggered.connect(self.new_window_requested)
        a.open.triggered.connect(lambda: self.files.open())
        a.save.triggered.connect(self.files.save)
        a.save_as.triggered.connect(self.files.save_as)
        a.export_png.triggered.connect(lambda: self._export("png"))
        a.export_svg.triggered.connect(lambda: self._export("svg"))
        a.export_pdf.triggered.connect(self.report_export.ask_and_start)
        a.close.triggered.connect(self.close)
        a.quit.triggered.connect(self._on_quit_triggered)
        a.undo.triggered.connect(stack.undo)
        a.redo.triggered.connect(stack.redo)
        stack.canUndoChanged.connect(a.undo.setEnabled)
        stack.canRedoChanged.connect(a.redo.setEnabled)
        stack.undoTextChanged.connect(lambda t: a.undo.setText(f"&Undo {t}" if t else "&Undo"))
        stack.redoTextChanged.connect(lambda t: a.redo.setText(f"&Redo {t}" if t else "&Redo"))
        a.undo.setEnabled(stack.canUndo())
        a.redo.setEnabled(stack.canRedo())
        a.cut.triggered.connect(self.clipboard.cut)
        a.copy.triggered.connect(self.clipboard.copy)
        a.paste.triggered.connect(self._on_paste_triggered)
        a.duplicate.triggered.connect(self.clipboard.duplicate)
        a.delete.triggered.connect(lambda: canvas.editor.delete(self.selection.ids()))
        a.select_all.triggered.connect(self._on_select_all_triggered)
        a.rename.triggered.connect(lambda: canvas.rename())
        a.snap.toggled.connect(lambda on: setattr(canvas.editor, "snap_enabled", on))
        for act, how in zip(a.align_group, ("left", "hcenter", "right", "top", "vcenter", "bottom")):
            act.triggered.connect(lambda _=False, how=how: canvas.editor.align(self.selection.ids(), how))
        a.distribute_h.triggered.connect(lambda: canvas.editor.distribute(self.selection.ids(), "horizontal"))
        a.distribute_v.triggered.connect(lambda: canvas.editor.distribute(self.selection.ids(), "vertical"))
        a.zoom_in.triggered.connect(canvas.view.zoom_in)
        a.zoom_out.triggered.connect(canvas.view.zoom_out)
        a.zoom_fit.triggered.connect(lambda: canvas.view.zoom_to_fit())
        a.zoom_reset.triggered.connect(canvas.view.zoom_reset)
        a.annotations.toggled.connect(canvas.scene.set_annotations_visible)
        a.grid.toggled.connect(self._on_grid_toggled)
        a.analyse.triggered.connect(self.runner.run_now)
        a.library.triggered.connect(self._on_library_triggered)
        library_changes().changed.connect(self._on_library_changed)
        a.about.triggered.connect(self._on_about_triggered)

        self.palette_panel.place_requested.connect(canvas.start_placing)
        self.palette_panel.place_now_requested.connect(canvas.place_at_centre)
        canvas.view.zoom_changed.connect(self._on_view_zoom_changed)
        canvas.view.context_menu_requested.connect(self._on_view_context_menu_requested)
        canvas.editor.refused.connect(lambda msg: self._status(f"Not done: {msg}"))
        self.inspector.refused.connect(lambda msg: self._status(f"Not done: {msg}"))
        self.findings.refused.connect(lambda msg: self._status(f"Not done: {msg}"))
        self.findings.finding_selected.connect(self._on_findings_finding_selected)
        self.files.status.connect(self._status)
        self.selection.selection_changed.connect(self._on_selection_changed)
        doc.modified_changed.connect(self.setWindowModified)
        doc.file_path_changed.connect(lambda _p: self._update_title())
        doc.info_changed.connect(self._update_title)
        doc.model_reset.connect(self._on_document_model_reset)
        doc.revision_changed.connect(lambda _r: self._update_counts())
        doc.file_changed_on_disk.connect(self._on_document_file_changed_on_disk)
        self.notice.reload_requested.connect(self.files.reload)
        self.runner.result_ready.connect(self._on_runner_result_ready)
        self.runner.state_changed.connect(self._on_runner_state_changed)
        self.autosave.failed.connect(self._status)

    # ------------------------------------------------------------ public
    def open_path(self, path: str) -> bool:
        """Open a model file (the command line's ``threatcanvas FILE``)."""
        return self.files.open(path, ask=False)

    def _status(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    # ------------------------------------------------------------ slots
    def _update_title(self) -> None:
        path = self.document.file_path
        name = Path(path).name if path else f"{self.document.model.info.name} (unsaved)"
        self.setWindowTitle(f"{name}[*] — ThreatCanvas")
        self.setWindowModified(self.document.is_modified())

    def _update_counts(self) -> None:
        m = self.document.model
        self.counts_label.setText(
            f"{len(m.elements)} elements · {len(m.flows)} flows · {len(m.boundaries)} boundaries"
        )

    def _on_document_model_reset(self) -> None:
        self._update_title()
        self.notice.hide()
        self.canvas.scene.set_highlight(())
        QTimer.singleShot(0, lambda: self.canvas.view.zoom_to_fit())

    def _on_document_file_changed_on_disk(self, path: str) -> None:
        self.notice.show_file_changed(path, os.path.exists(path), self.document.is_modified())

    def _on_runner_result_ready(self, result, _revision: int) -> None:
        self.result = result
        self._on_runner_state_changed(self.runner.state)
        self.canvas.scene.set_analysis(result)
        self.findings.set_result(result)
        self.element_list.set_finding_counts({k: len(v) for k, v in result.by_anchor().items()})

    def _on_runner_state_changed(self, state: str) -> None:
        if state == "up to date" and self.result is not None:
            worst = {}
            for f in self.result.findings:
                worst[f.residual.severity] = worst.get(f.residual.severity, 0) + 1
            parts = [f"{n} {s.value}" for s, n in sorted(worst.items(), key=lambda kv: -kv[0].rank)]
            text = f"Analysis: {len(self.result.findings)} findings" + (f" ({', '.join(parts)})" if parts else "")
        elif state.startswith("error"):
            text = f"Analysis failed: {state.removeprefix('error: ')}"
        else:
            text = f"Analysis: {state}"
        self.analysis_label.setText(text)
        self.analysis_label.setToolTip(text)

    def _on_view_zoom_changed(self, zoom: float) -> None:
        self.zoom_label.setText(f"{zoom * 100:.0f} %")

    def _on_selection_changed(self, ids: list) -> None:
        a = self.actions
        some = bool(ids)
        for act in (a.cut, a.copy, a.duplicate, a.delete, a.rename):
            act.setEnabled(some)
        movable = [i for i in ids if self.document.kind_of(i) in ("element", "boundary")]
        for act in a.align_group:
            act.setEnabled(len(movable) >= 2)
        a.distribute_h.setEnabled(len(movable) >= 3)
        a.distribute_v.setEnabled(len(movable) >= 3)
        if not ids:
            self.canvas.scene.set_highlight(())

    def _on_findings_finding_selected(self, finding) -> None:
        scene = self.canvas.scene
        if finding is None:
            scene.set_highlight(())
            return
        scene.set_highlight({finding.anchor, *finding.path})
        if self.document.item(finding.anchor) is not None:
            self.selection.set([finding.anchor])
            item = scene.item_for(finding.anchor)
            if item is not None:
                self.canvas.view.ensureVisible(item.sceneBoundingRect(), 60, 60)

    def _on_select_all_triggered(self) -> None:
        m = self.document.model
        self.selection.set([e.id for e in m.elements] + [b.id for b in m.boundaries] + [f.id for f in m.flows])

    def _on_paste_triggered(self) -> None:
        view = self.canvas.view
        pos = view.viewport().mapFromGlobal(QCursor.pos())
        at = view.mapToScene(pos) if view.viewport().rect().contains(pos) else None
        self.clipboard.paste(QPointF(at) if at is not None else None)

    def _on_grid_toggled(self, on: bool) -> None:
        self.canvas.view.set_show_grid(on)

    def _on_view_context_menu_requested(self, global_pos: QPointF, ident) -> None:
        if ident and not self.selection.is_selected(ident):
            self.selection.set([ident])
        a = self.actions
        menu = QMenu(self)
        for act in (a.rename, a.duplicate, a.delete, None, a.cut, a.copy, a.paste):
            menu.addSeparator() if act is None else menu.addAction(act)
        menu.popup(global_pos.toPoint())

    def _export(self, fmt: str) -> None:
        base = Path(self.document.file_path).name.removesuffix(".tcm.json") if self.document.file_path else "diagram"
        start = str(Path(self.files.start_dir()) / f"{base}.{fmt}")
        path, _ = QFileDialog.getSaveFileName(self, f"Export diagram as {fmt.upper()}", start,
                                              f"{fmt.upper()} files (*.{fmt})")
        if not path:
            return
        if not path.lower().endswith(f".{fmt}"):
            path += f".{fmt}"
        try:
            if fmt == "png":
                export_png(self.canvas.scene, path)
            else:
                export_svg(self.canvas.scene, path, self.document.model.info.name)
        except OSError as exc:
            QMessageBox.warning(self, "Export failed", f"The diagram could not be written: {exc.strerror or exc}")
            return
        self._status(f"Exported {path}")

    def _on_library_triggered(self) -> None:
        dialog = LibraryDialog(library_folders(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.applied.connect(apply)
        self.library_dialog = dialog  # for tests and for raising it again
        dialog.open()

    def _on_library_changed(self, library) -> None:
        """The threat-library setting changed (in this window or another): analyse with it now."""
        self.inspector.set_controls(list(library.controls))
        self.runner.set_library(library)
        self._status(f"Threat library: {len(library.threats)} threats, {len(library.controls)} controls")

    def _on_about_triggered(self) -> None:
        QMessageBox.about(
            self, "About ThreatCanvas",
            f"ThreatCanvas {__version__}\nThreat modelling for AI systems. Works fully offline.",
        )

    def _on_quit_triggered(self) -> None:
        from PySide6.QtWidgets import QApplication

        QApplication.instance().closeAllWindows()

    # ------------------------------------------------------------ window life
    def _restore_window_state(self) -> None:
        s = settings()
        geometry = s.value("window/geometry")
        state = s.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event) -> None:
        if not self.files.maybe_save():
            event.ignore()
            return
        if self.remember_state:
            s = settings()
            s.setValue("window/geometry", self.saveGeometry())
            s.setValue("window/state", self.saveState())
            s.sync()
        try:
            library_changes().changed.disconnect(self._on_library_changed)
        except (RuntimeError, TypeError):  # already disconnected (closed twice)
            pass
        self.runner.shutdown()
        self.report_export.export.shutdown()
        self.autosave.discard()
        self.document.close()
        event.accept()
        self.closed.emit()

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            # the system switched between light and dark: repaint with the new theme
            self.canvas.scene.apply_theme()
            self.canvas.view.viewport().update()
            self.palette_panel.populate()
        super().changeEvent(event)
