"""Small windows of the editor: the autosave restore offer and the file-changed notice.

Both are non-blocking (no nested event loop), so the editor keeps painting and
analysing while they are up, and tests drive them like any other widget.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)


class RecoveryDialog(QDialog):
    """Offers the autosaved work of sessions that ended without saving (a crash, a kill)."""

    restore_requested = Signal(object)  # Recovery
    discard_requested = Signal(object)  # Recovery

    def __init__(self, recoveries, parent=None):
        super().__init__(parent)
        self.setObjectName("recovery-dialog")
        self.setWindowTitle("Recover unsaved work")
        self.setAccessibleName("Recover unsaved work")
        self.recoveries = list(recoveries)
        intro = QLabel(
            "ThreatCanvas found work that was not saved when the editor last stopped. "
            "Restore it to continue where you left off, or discard it."
        )
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("recovery-list")
        self.list.setAccessibleName("Recoverable models")
        for r in self.recoveries:
            item = QListWidgetItem(r.describe())
            item.setData(Qt.ItemDataRole.UserRole, r)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        buttons = QDialogButtonBox()
        self.restore_button = buttons.addButton("&Restore", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setObjectName("recovery-restore")
        self.discard_button = buttons.addButton("&Discard", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.discard_button.setObjectName("recovery-discard")
        self.later_button = buttons.addButton("Decide &Later", QDialogButtonBox.ButtonRole.RejectRole)
        self.restore_button.clicked.connect(self._on_restore_clicked)
        self.discard_button.clicked.connect(self._on_discard_clicked)
        self.later_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list)
        layout.addWidget(buttons)

    def _chosen(self):
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _take_current(self):
        r = self._chosen()
        if r is not None:
            self.list.takeItem(self.list.currentRow())
        if self.list.count() == 0:
            self.accept()
        return r

    def _on_restore_clicked(self) -> None:
        r = self._take_current()
        if r is not None:
            self.restore_requested.emit(r)

    def _on_discard_clicked(self) -> None:
        r = self._take_current()
        if r is not None:
            self.discard_requested.emit(r)


class NoticeBar(QFrame):
    """A strip above the canvas: "the file changed on disk", with Reload and Keep buttons."""

    reload_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("notice-bar")
        self.setAccessibleName("Notice")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.reload_button = QPushButton("&Reload from Disk")
        self.reload_button.setObjectName("notice-reload")
        self.keep_button = QPushButton("&Keep My Version")
        self.keep_button.setObjectName("notice-keep")
        self.reload_button.clicked.connect(self._on_reload_clicked)
        self.keep_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.reload_button)
        layout.addWidget(self.keep_button)
        self.hide()

    def show_file_changed(self, path: str, exists: bool, modified: bool) -> None:
        if exists:
            text = f"{path} was changed by another program."
            if modified:
                text += " You also have unsaved changes: reloading asks what to do with them."
        else:
            text = f"{path} was removed or renamed by another program. Save to write it again."
        self.label.setText(text)
        self.reload_button.setVisible(exists)
        self.show()

    def _on_reload_clicked(self) -> None:
        self.hide()
        self.reload_requested.emit()
