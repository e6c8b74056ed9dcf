"""Files for one window: new, open, recent files, save, save as, close prompts, disk changes.

Nothing here loses work: opening a bad file shows every problem found and
leaves the open model alone; a failed save says why and keeps the document
modified (the file on disk keeps its old content: saves are atomic); closing
or replacing a modified model asks first. Recent files and the last folder are
kept in the editor's settings (see :func:`settings`).
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.model import FILE_SUFFIX, ModelError
from app.platform_paths import config_dir

MAX_RECENT = 10
FILE_FILTER = f"ThreatCanvas models (*{FILE_SUFFIX});;JSON files (*.json);;All files (*)"
MAX_PROBLEMS_SHOWN = 15


def settings() -> QSettings:
    """The editor's settings file (in the per-user config folder; never beside the program)."""
    return QSettings(str(config_dir() / "editor.ini"), QSettings.Format.IniFormat)


def recent_files() -> list[str]:
    value = settings().value("recent_files", [])
    if isinstance(value, str):  # QSettings returns a lone entry as a string
        value = [value]
    return [str(v) for v in (value or []) if v]


def add_recent(path: str) -> None:
    path = os.path.abspath(path)
    items = [p for p in recent_files() if p != path]
    s = settings()
    s.setValue("recent_files", [path, *items][:MAX_RECENT])
    s.sync()


def remove_recent(path: str) -> None:
    s = settings()
    s.setValue("recent_files", [p for p in recent_files() if p != path])
    s.sync()


def problems_text(exc: ModelError) -> str:
    lines = [str(p) for p in exc.problems[:MAX_PROBLEMS_SHOWN]]
    more = len(exc.problems) - MAX_PROBLEMS_SHOWN
    if more > 0:
        lines.append(f"… and {more} more")
    return "\n".join(lines)


class FileController(QObject):
    """File operations of one main window."""

    recent_changed = Signal()
    status = Signal(str)

    def __init__(self, window, document):
        super().__init__(window)
        self.window = window
        self.document = document

    # ------------------------------------------------------------ asking
    def maybe_save(self) -> bool:
        """If there is unsaved work, ask Save / Discard / Cancel; True when it is safe to go on."""
        if not self.document.is_modified():
            return True
        name = Path(self.document.file_path).name if self.document.file_path else self.document.model.info.name
        answer = QMessageBox.warning(
            self.window,
            "Unsaved changes",
            f"“{name}” has unsaved changes. Save them first?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def _error(self, title: str, text: str, details: str = "") -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self.window)
        if details:
            box.setDetailedText(details)
            box.setInformativeText(details.splitlines()[0])
        box.exec()

    def start_dir(self) -> str:
        """Where file dialogs start: the open file's folder, else the last folder used."""
        if self.document.file_path:
            return str(Path(self.document.file_path).parent)
        return str(settings().value("last_dir", str(Path.home())))

    # ------------------------------------------------------------ new and open
    def new(self) -> bool:
        if not self.maybe_save():
            return False
        self.document.new()
        self.status.emit("New model")
        return True

    def new_from_example(self, path: str | os.PathLike) -> bool:
        if not self.maybe_save():
            return False
        try:
            self.document.new_from_example(path)
        except (ModelError, OSError) as exc:
            self._error("Cannot open example", f"The example {Path(path).name} could not be read.",
                        problems_text(exc) if isinstance(exc, ModelError) else str(exc))
            return False
        self.status.emit(f"New model from example {Path(path).name}")
        return True

    def open(self, path: str | os.PathLike | None = None, ask: bool = True) -> bool:
        """Open ``path`` (or ask for one); the open model stays when the file is bad."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self.window, "Open model", self.start_dir(), FILE_FILTER)
            if not path:
                return False
        if ask and not self.maybe_save():
            return False
        try:
            self.document.open(path)
        except ModelError as exc:
            if not os.path.exists(path):
                self._error("Cannot open model", f"{Path(path).name} does not exist (moved or deleted?).")
                remove_recent(os.path.abspath(path))
                self.recent_changed.emit()
                return False
            self._error("Cannot open model", f"{Path(path).name} is not a valid ThreatCanvas model.", problems_text(exc))
            return False
        except OSError as exc:
            self._error("Cannot open model", f"{Path(path).name} could not be read: {exc.strerror or exc}")
            if not os.path.exists(path):
                remove_recent(os.path.abspath(path))
                self.recent_changed.emit()
            return False
        self._remember(self.document.file_path)
        self.status.emit(f"Opened {self.document.file_path}")
        return True

    def _remember(self, path: str) -> None:
        add_recent(path)
        s = settings()
        s.setValue("last_dir", str(Path(path).parent))
        s.sync()
        self.recent_changed.emit()

    # ------------------------------------------------------------ saving
    def save(self) -> bool:
        if not self.document.file_path:
            return self.save_as()
        return self._save_to(None)

    def save_as(self) -> bool:
        suggested = self.document.file_path or str(
            Path(self.start_dir()) / (_safe_name(self.document.model.info.name) + FILE_SUFFIX)
        )
        path, _ = QFileDialog.getSaveFileName(self.window, "Save model as", suggested, FILE_FILTER)
        if not path:
            return False
        if not path.endswith(".json"):
            path += FILE_SUFFIX
        return self._save_to(path)

    def _save_to(self, path: str | None) -> bool:
        try:
            written = self.document.save(path)
        except OSError as exc:
            self._error("Save failed", f"The model could not be saved: {exc.strerror or exc}. "
                        "Your work is still open; the file on disk is unchanged.")
            return False
        self._remember(written)
        self.status.emit(f"Saved {written}")
        return True

    # ------------------------------------------------------------ changes on disk
    def reload(self) -> bool:
        """Re-read the open file from disk (asking first when there is unsaved work)."""
        path = self.document.file_path
        if not path:
            return False
        return self.open(path)


def _safe_name(name: str) -> str:
    keep = "".join(c if c.isalnum() or c in " -_." else "-" for c in name).strip(" .")
    return (keep or "model")[:80]
