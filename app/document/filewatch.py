"""Notice when another program changes or removes the open model file.

Built on ``QFileSystemWatcher``, with two details that matter in practice:

* Saves are atomic (a temporary file renamed over the target), and so are the
  saves of most editors and of ``git checkout``. On Linux the watch follows the
  old inode, which the rename unlinks, so the watcher also watches the folder
  and re-adds the file after every change.
* Our own saves must not look like someone else's. The watcher compares the
  SHA-256 of the file's bytes with the last content it knows (what we opened,
  what we saved, or what it last reported), so a touch without a content
  change, or our own write, is silent.

Change notifications arrive in bursts (truncate, write, rename), so they are
coalesced with a short timer before the file is read.
"""

from __future__ import annotations

import hashlib
import os
from typing import Optional

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

SETTLE_MS = 150  # bursts of events from one save arrive within a few milliseconds


def _digest_of(path: str) -> Optional[str]:
    try:
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()
    except OSError:
        return None


class FileWatcher(QObject):
    """Watches one file; emits ``changed(path)`` when its content changes or it disappears."""

    changed = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_watcher_event)
        self._watcher.directoryChanged.connect(self._on_watcher_event)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SETTLE_MS)
        self._timer.timeout.connect(self.check)
        self._path = ""
        self._known: Optional[str] = None  # digest of the content we know; None = file absent

    @property
    def path(self) -> str:
        return self._path

    def watch(self, path: str, data: bytes | None) -> None:
        """Watch ``path``, whose current content (as far as we know) is ``data``."""
        self.stop()
        self._path = os.path.abspath(path)
        self._known = hashlib.sha256(data).hexdigest() if data is not None else _digest_of(self._path)
        self._arm()

    def expect(self, path: str, digest: Optional[str]) -> Optional[str]:
        """We are about to write ``digest`` to ``path``: do not report it. Returns what was known before."""
        before = self._known
        if os.path.abspath(path) == self._path:
            self._known = digest
        return before

    def stop(self) -> None:
        self._timer.stop()
        paths = self._watcher.files() + self._watcher.directories()
        if paths:
            self._watcher.removePaths(paths)
        self._path = ""
        self._known = None

    def check(self) -> None:
        """Compare the file with what we know now (the timer calls this; tests may too)."""
        if not self._path:
            return
        current = _digest_of(self._path)
        self._arm()
        if current != self._known:
            self._known = current
            self.changed.emit(self._path)

    def _arm(self) -> None:
        folder = os.path.dirname(self._path)
        if folder and folder not in self._watcher.directories() and os.path.isdir(folder):
            self._watcher.addPath(folder)
        if self._path not in self._watcher.files() and os.path.exists(self._path):
            self._watcher.addPath(self._path)

    def _on_watcher_event(self, _path: str) -> None:
        if self._path:
            self._timer.start()
