"""File → Export PDF report: analyse and render the assessment off the GUI thread.

The export works on the frozen model snapshot taken when the user asked for it,
so the window stays usable (and editable) while the report is built. Progress
arrives through queued signals; Cancel stops the build at its next progress
step and leaves no file behind (``build_report`` writes atomically).

The engine and the report run on one worker thread. Like the analysis runner,
the export holds a :class:`~app.document.runner.GcPause` token while it runs,
so Python's cyclic collector never runs on the worker and frees Qt objects
there (see docs/architecture.md, "Live analysis").
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from app.analysis.digest import model_digest
from app.document.runner import GcPause, default_analyze
from app.model import ModelError, ThreatModel


class ReportExport(QObject):
    """Builds one PDF at a time on a worker thread and reports back on the GUI thread."""

    progressed = Signal(float, str)  # fraction 0–1, what is being done
    finished = Signal(str, str)  # path written, one-line summary
    failed = Signal(str)  # a message for people
    cancelled = Signal()

    def __init__(self, analyze=None, parent: QObject | None = None, library=None):
        super().__init__(parent)
        self._analyze = analyze or default_analyze
        self._library = library  # () -> the Library the editor analyses with; None: the bundled one
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="threatcanvas-report")
        self._cancel = threading.Event()
        self._busy = False
        self.worker_thread_id: int | None = None  # for tests and diagnostics
        for signal in (self.finished, self.failed, self.cancelled):
            signal.connect(self._on_done, Qt.ConnectionType.QueuedConnection)

    def is_busy(self) -> bool:
        return self._busy

    def start(self, model: ThreatModel, path: str | Path) -> bool:
        """Start building the report of ``model`` into ``path``; False if one is already running."""
        if self._busy:
            return False
        self._busy = True
        self._cancel.clear()
        token = GcPause.enter()
        self._executor.submit(self._work, model, str(path), token)
        return True

    def cancel(self) -> None:
        self._cancel.set()

    def shutdown(self) -> None:
        """Cancel a running build and wait for the worker (window closing)."""
        self._cancel.set()
        self._executor.shutdown(wait=True)

    # -- worker thread
    def _work(self, model: ThreatModel, path: str, token: int) -> None:
        from app.knowledge import load_library
        from app.report import ReportCancelled, build_report, summary_line

        self.worker_thread_id = threading.get_ident()

        def progress(fraction: float, message: str = "") -> None:
            if self._cancel.is_set():
                raise ReportCancelled()
            self.progressed.emit(float(fraction), str(message))

        try:
            progress(0.0, "Analysing the model…")
            library = self._library() if self._library is not None else load_library()
            result = self._analyze(model, library)
            progress(0.05, "Laying out the report…")
            build_report(model, result, path, model_sha256=model_digest(model), library_version=library.version,
                         controls=library.controls, progress=progress)
            self.finished.emit(path, summary_line(model, result))
        except ReportCancelled:
            self.cancelled.emit()
        except ModelError as exc:
            self.failed.emit(f"The threat library could not be loaded:\n{exc}")
        except OSError as exc:
            self.failed.emit(f"The report could not be written to {path}: {exc.strerror or exc}")
        except Exception as exc:  # noqa: BLE001 - a report bug must not take the editor down
            self.failed.emit(f"The report could not be built: {type(exc).__name__}: {exc}")
        finally:
            GcPause.bridge.released.emit(token)

    # -- GUI thread
    def _on_done(self, *_args) -> None:
        self._busy = False


class ReportExportController(QObject):
    """The dialog side of the export: asks for a path, shows progress, reports the outcome."""

    def __init__(self, window: QWidget, document, status, start_dir, analyze=None, library=None):
        super().__init__(window)
        self._window, self._document, self._status, self._start_dir = window, document, status, start_dir
        self.export = ReportExport(analyze=analyze, parent=self, library=library)
        self._dialog: QProgressDialog | None = None
        self.export.progressed.connect(self._on_export_progressed)
        self.export.finished.connect(self._on_export_finished)
        self.export.failed.connect(self._on_export_failed)
        self.export.cancelled.connect(self._on_export_cancelled)

    def ask_and_start(self) -> None:
        if self.export.is_busy():
            self._status("A PDF report is already being built")
            return
        path = self._document.file_path
        base = Path(path).name.removesuffix(".tcm.json") if path else "assessment"
        start = str(Path(self._start_dir()) / f"{base}.pdf")
        target, _ = QFileDialog.getSaveFileName(self._window, "Export PDF report", start, "PDF files (*.pdf)")
        if not target:
            return
        if not target.lower().endswith(".pdf"):
            target += ".pdf"
        self._dialog = QProgressDialog("Analysing the model…", "Cancel", 0, 1000, self._window)
        self._dialog.setWindowTitle("Export PDF report")
        self._dialog.setAccessibleName("PDF export progress")
        self._dialog.setWindowModality(Qt.WindowModality.NonModal)  # the editor stays usable
        self._dialog.setMinimumDuration(400)
        self._dialog.setAutoClose(False)
        self._dialog.setAutoReset(False)
        self._dialog.canceled.connect(self.export.cancel)
        self.export.start(self._document.model, target)
        self._status(f"Building PDF report {target}…")

    def _close_dialog(self) -> None:
        if self._dialog is not None:
            self._dialog.canceled.disconnect(self.export.cancel)
            self._dialog.close()
            self._dialog.deleteLater()
            self._dialog = None

    def _on_export_progressed(self, fraction: float, message: str) -> None:
        if self._dialog is not None:
            self._dialog.setValue(int(max(0.0, min(1.0, fraction)) * 1000))
            if message:
                self._dialog.setLabelText(message)

    def _on_export_finished(self, path: str, summary: str) -> None:
        self._close_dialog()
        self._status(f"Exported PDF report {path} — {summary}")

    def _on_export_failed(self, message: str) -> None:
        self._close_dialog()
        self._status("PDF export failed")
        QMessageBox.warning(self._window, "Export PDF report", message)

    def _on_export_cancelled(self) -> None:
        self._close_dialog()
        self._status("PDF export cancelled")
