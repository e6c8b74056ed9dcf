"""Autosave: unsaved work is copied to a recovery file about every 30 s, and offered back after a crash.

Where: the per-user recovery folder of :func:`app.platform_paths.recovery_dir`
(the platform's standard state location, e.g. ``~/.local/state/threatcanvas/recovery``
on Linux, ``%LOCALAPPDATA%\\ThreatCanvas\\recovery`` on Windows). That module is
the project's one authority on per-user paths, so the editor, the CLI's
``--self-test`` and the packaging docs agree on it.

Each open document has its own *session* in that folder:

* ``<session>.tcm.json`` — the model (compact JSON), written atomically
  (``app.model.write_atomic``), so a crash during autosave leaves the previous
  copy intact;
* ``<session>.recovery.json`` — a sidecar: the original file path (``""`` for
  an untitled model), when it was written, the model's name;
* ``<session>.lock`` — a ``QLockFile`` held while the session's process is
  alive. :func:`find_recoveries` skips sessions whose lock is held, so a second
  window never offers to "recover" the work another window is still doing;
  a lock left by a killed process is detected as stale (its pid is gone).

The recovery files go away when the document is saved, when it becomes
unmodified again (undo back to the saved state), and on a clean close
(:meth:`Autosave.discard`).
"""

from __future__ import annotations

import json
import os
import uuid
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QLockFile, QObject, QTimer, Signal

from app.model import ModelError, ThreatModel, load_model, write_atomic
from app.platform_paths import ensure_dir, recovery_dir

INTERVAL_MS = 30_000
MODEL_SUFFIX = ".tcm.json"
SIDECAR_SUFFIX = ".recovery.json"
LOCK_SUFFIX = ".lock"
SIDECAR_FORMAT = "threatcanvas-recovery"
MAX_SIDECAR_BYTES = 64 * 1024  # a sidecar is a few hundred bytes; refuse anything odd


def default_folder() -> Path:
    return recovery_dir()


@dataclass(frozen=True)
class Recovery:
    """An autosaved model left behind by a session that ended without saving."""

    session: str
    model_path: Path
    sidecar_path: Path
    original_path: str  # "" when the model was never saved
    saved_at: str  # ISO 8601, UTC
    name: str

    def load(self) -> ThreatModel:
        """The recovered model; ``ModelError`` if the copy is damaged."""
        return load_model(self.model_path)

    def discard(self) -> None:
        """Delete this recovery (the user chose not to restore it)."""
        for path in (self.model_path, self.sidecar_path, self.model_path.with_name(self.session + LOCK_SUFFIX)):
            with suppress(OSError):
                path.unlink()

    def describe(self) -> str:
        """One line for the restore dialog: name, file, time."""
        where = self.original_path or "never saved"
        return f"{self.name} ({where}), autosaved {self.saved_at}"


def find_recoveries(folder: str | os.PathLike | None = None) -> list[Recovery]:
    """Recoverable sessions in ``folder``, newest first; sessions of running processes are skipped."""
    root = Path(folder) if folder is not None else default_folder()
    if not root.is_dir():
        return []
    found = []
    for model_path in sorted(root.glob("*" + MODEL_SUFFIX)):
        session = model_path.name[: -len(MODEL_SUFFIX)]
        if _session_is_live(root, session):
            continue
        sidecar = root / (session + SIDECAR_SUFFIX)
        meta = _read_sidecar(sidecar)
        found.append(
            Recovery(
                session=session,
                model_path=model_path,
                sidecar_path=sidecar,
                original_path=str(meta.get("original_path", "")),
                saved_at=str(meta.get("saved_at", "")) or _mtime_iso(model_path),
                name=str(meta.get("name", "")) or "Recovered model",
            )
        )
    found.sort(key=lambda r: r.saved_at, reverse=True)
    return found


def _session_is_live(root: Path, session: str) -> bool:
    lock_path = root / (session + LOCK_SUFFIX)
    if not lock_path.exists():
        return False
    lock = QLockFile(str(lock_path))
    lock.setStaleLockTime(0)  # only a dead owner makes a lock stale, however long a window stays open
    if lock.tryLock(0):  # stale (owner gone) or free: not live
        lock.unlock()
        return False
    return True


def _read_sidecar(path: Path) -> dict:
    # a missing or damaged sidecar only loses the original path: the model itself is still offered
    try:
        if path.stat().st_size > MAX_SIDECAR_BYTES:
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("format") == SIDECAR_FORMAT else {}


def _mtime_iso(path: Path) -> str:
    with suppress(OSError):
        return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).isoformat(timespec="seconds")
    return ""


class Autosave(QObject):
    """Keeps a recovery copy of one Document's unsaved work.

    The first unsaved change starts a timer (``interval_ms``, 30 s); when it
    fires and the document is still modified, the model is written. Later
    changes start it again, so at most ``interval_ms`` of work is at risk.
    """

    autosaved = Signal(str)  # path of the recovery model file
    failed = Signal(str)  # a readable reason; the GUI shows it in the status bar

    def __init__(self, document, folder: str | os.PathLike | None = None, interval_ms: int = INTERVAL_MS,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._document = document
        self._folder = Path(folder) if folder is not None else None
        self._session = ""
        self._lock: Optional[QLockFile] = None
        self._written_revision = -1
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(max(0, int(interval_ms)))
        self._timer.timeout.connect(self.write_now)
        document.revision_changed.connect(self._on_document_revision_changed)
        document.modified_changed.connect(self._on_document_modified_changed)
        document.saved.connect(self._on_document_saved)

    @property
    def folder(self) -> Path:
        return self._folder if self._folder is not None else default_folder()

    @property
    def model_path(self) -> Optional[Path]:
        """The current session's recovery model file (``None`` before the first write)."""
        return self.folder / (self._session + MODEL_SUFFIX) if self._session else None

    def write_now(self) -> bool:
        """Write the recovery copy now if there is unsaved work; True when a file was written."""
        self._timer.stop()
        doc = self._document
        if not doc.is_modified():
            return False
        if doc.revision == self._written_revision and self.model_path is not None and self.model_path.exists():
            return False
        try:
            folder = ensure_dir(self.folder)
            self._start_session(folder)
            model_path = folder / (self._session + MODEL_SUFFIX)
            # compact JSON from pydantic's encoder, not the canonical indented text: this runs on the
            # GUI thread, and on a 2,000-element model it takes ~35 ms instead of ~250 ms. A
            # recovery file only has to load; the user's own save writes the canonical form.
            write_atomic(model_path, doc.model.model_dump_json().encode("utf-8"))
            meta = {
                "format": SIDECAR_FORMAT,
                "version": 1,
                "original_path": doc.file_path,
                "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "name": doc.model.info.name,
                "revision": doc.revision,
                "pid": os.getpid(),
            }
            text = json.dumps(meta, indent=2, ensure_ascii=False) + "\n"
            write_atomic(folder / (self._session + SIDECAR_SUFFIX), text.encode("utf-8"))
        except OSError as exc:
            # a full disk or a read-only home must not interrupt editing; say so and retry later
            self.failed.emit(f"autosave failed: {exc.strerror or exc}")
            self._timer.start()
            return False
        self._written_revision = doc.revision
        self.autosaved.emit(str(model_path))
        return True

    def discard(self) -> None:
        """Delete this session's recovery files (after a save or a clean close)."""
        self._timer.stop()
        if self._session:
            folder = self.folder
            for suffix in (MODEL_SUFFIX, SIDECAR_SUFFIX):
                with suppress(OSError):
                    (folder / (self._session + suffix)).unlink()
        if self._lock is not None:
            self._lock.unlock()  # removes the lock file
            self._lock = None
        self._session = ""
        self._written_revision = -1

    def restore(self, recovery: Recovery) -> None:
        """Load ``recovery`` into the document as unsaved work and take over its files.

        Raises ``ModelError`` (the document is untouched) if the copy is damaged.
        The recovery files stay until the user saves, so a second crash right
        after restoring loses nothing.
        """
        model = recovery.load()
        original = recovery.original_path if recovery.original_path and os.path.isabs(recovery.original_path) else ""
        self.discard()
        self._folder = recovery.model_path.parent
        self._session = recovery.session
        self._lock = self._acquire_lock(self._folder, self._session)
        self._document.set_model(model, original, modified=True)
        self._written_revision = self._document.revision

    # ------------------------------------------------------------ internals
    def _start_session(self, folder: Path) -> None:
        if self._session:
            return
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        self._session = f"{stamp}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._lock = self._acquire_lock(folder, self._session)

    @staticmethod
    def _acquire_lock(folder: Path, session: str) -> Optional[QLockFile]:
        lock = QLockFile(str(folder / (session + LOCK_SUFFIX)))
        lock.setStaleLockTime(0)  # never treat a live owner as stale however long it runs
        return lock if lock.tryLock(0) else None

    def _on_document_revision_changed(self, _revision: int) -> None:
        if self._document.is_modified() and not self._timer.isActive():
            self._timer.start()

    def _on_document_modified_changed(self, modified: bool) -> None:
        # the first edit's revision_changed comes before the undo stack counts it as unclean,
        # so the timer also starts here
        if modified:
            if not self._timer.isActive():
                self._timer.start()
        else:
            self.discard()  # back at the saved state: nothing to recover

    def _on_document_saved(self, _path: str) -> None:
        self.discard()


__all__ = ["Autosave", "Recovery", "find_recoveries", "INTERVAL_MS", "ModelError"]
