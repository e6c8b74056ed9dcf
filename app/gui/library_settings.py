"""The editor's threat-library setting: folders with an organisation's own entries and controls.

The bundled library is always loaded; the folders chosen here are loaded after
it, exactly as ``threatcanvas analyze --library DIR`` loads them, so the editor,
its PDF export and the command line agree. The choice is kept in the editor's
settings and applies to every open window. A set of folders is checked before
it is used: :class:`LibraryDialog` refuses one that does not load, naming the
file, the entry and the field, and the analysis keeps the library it had.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from app.gui.files import problems_text, settings
from app.model import ModelError

SETTING = "threat_library/folders"


def library_folders() -> list[str]:
    """The folders the editor loads after the bundled library, in order."""
    value = settings().value(SETTING, [])
    if isinstance(value, str):  # QSettings returns a lone entry as a string
        value = [value]
    return [str(v) for v in (value or []) if v]


def set_library_folders(folders: list[str]) -> None:
    s = settings()
    s.setValue(SETTING, list(folders))
    s.sync()


def load_for(folders: list[str]):
    """The bundled library plus ``folders``; raises :class:`ModelError` naming what is wrong."""
    from app.knowledge import load_library

    return load_library(folders)


class LibraryLoadError(Exception):
    """The configured folders do not load; the message says which and how to fix it."""


def load_configured_library():
    """The library the settings name (the analysis runner's loader)."""
    folders = library_folders()
    try:
        return load_for(folders)
    except ModelError as exc:
        first = str(exc.problems[0]) if exc.problems else str(exc)
        more = f" (and {len(exc.problems) - 1} more problems)" if len(exc.problems) > 1 else ""
        raise LibraryLoadError(
            f"the folders set in Analysis → Threat Library… do not load: {first}{more}. "
            "Fix the files or change the folders."
        ) from exc


class LibraryChanges(QObject):
    """Announces a new library to every open window (one instance per process)."""

    changed = Signal(object)  # the Library


_changes: LibraryChanges | None = None


def library_changes() -> LibraryChanges:
    global _changes
    if _changes is None:
        _changes = LibraryChanges()
    return _changes


def describe(library, folders: list[str]) -> str:
    """What a loaded library holds, for people."""
    from app.knowledge import load_library

    bundled = load_library()
    own = len(library.threats) - len(bundled.threats)
    own_controls = len(library.controls) - len(bundled.controls)
    if not folders:
        return (f"The bundled library alone (version {library.version}): {len(library.threats)} threats, "
                f"{len(library.controls)} controls.")
    return (
        f"Loads: {len(library.threats)} threats and {len(library.controls)} controls "
        f"(bundled library version {bundled.version}, {own:+d} threats and {own_controls:+d} controls "
        f"from {len(folders)} folder{'s' if len(folders) != 1 else ''})."
    )


class LibraryDialog(QDialog):
    """Choose the folders of your own threat library; a set that does not load cannot be applied.

    Non-modal-friendly: opened with ``open()``, it emits ``applied(folders, library)`` on OK.
    """

    applied = Signal(list, object)

    def __init__(self, folders: list[str], parent=None):
        super().__init__(parent)
        self.setObjectName("library-dialog")
        self.setWindowTitle("Threat Library")
        self.setAccessibleName("Threat Library")
        self.library = None
        intro = QLabel(
            "The bundled threat library is always used. Add folders that hold your organisation's "
            "own threat entries (TOML files) and controls (controls.toml); they are loaded after it, "
            "in this order, as the command line's --library loads them. Each set is checked before it is used."
        )
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("library-folders")
        self.list.setAccessibleName("Library folders")
        self.list.addItems(folders)
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("library-folder-path")
        self.path_edit.setAccessibleName("Folder to add")
        self.path_edit.setPlaceholderText("Folder to add")
        self.add_button = QPushButton("&Add")
        self.add_button.setObjectName("library-add")
        self.browse_button = QPushButton("&Browse…")
        self.browse_button.setObjectName("library-browse")
        self.remove_button = QPushButton("&Remove")
        self.remove_button.setObjectName("library-remove")
        self.status = QPlainTextEdit()
        self.status.setObjectName("library-status")
        self.status.setAccessibleName("Library check")
        self.status.setReadOnly(True)
        self.status.setMaximumBlockCount(200)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("library-ok")

        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.browse_button)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(680, 460)

        self.add_button.clicked.connect(self._on_add_clicked)
        self.path_edit.returnPressed.connect(self._on_add_clicked)
        self.browse_button.clicked.connect(self._on_browse_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.list.currentRowChanged.connect(lambda row: self.remove_button.setEnabled(row >= 0))
        self.buttons.accepted.connect(self._on_accepted)
        self.buttons.rejected.connect(self.reject)
        self.remove_button.setEnabled(False)
        self._check()

    def folders(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def _on_add_clicked(self) -> None:
        text = self.path_edit.text().strip()
        if not text:
            return
        path = str(Path(text).expanduser().resolve())
        if path not in self.folders():
            self.list.addItem(path)
        self.path_edit.clear()
        self._check()

    def _on_browse_clicked(self) -> None:
        start = self.folders()[-1] if self.folders() else str(Path.home())
        path = QFileDialog.getExistingDirectory(self, "Library folder", start)
        if path:
            self.path_edit.setText(path)
            self._on_add_clicked()

    def _on_remove_clicked(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.list.takeItem(row)
            self._check()

    def _check(self) -> None:
        """Load the listed set; show what it holds or every problem, and allow OK only when it loads."""
        folders = self.folders()
        try:
            self.library = load_for(folders)
        except ModelError as exc:
            self.library = None
            self.status.setPlainText("These folders cannot be used:\n" + problems_text(exc))
        else:
            self.status.setPlainText(describe(self.library, folders))
        self.ok_button.setEnabled(self.library is not None)

    def _on_accepted(self) -> None:
        if self.library is None:
            return
        self.applied.emit(self.folders(), self.library)
        self.accept()


def apply(folders: list[str], library) -> None:
    """Keep ``folders`` in the settings and hand ``library`` to every open window."""
    set_library_folders(folders)
    library_changes().changed.emit(library)

