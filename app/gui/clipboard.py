"""Copy, cut, paste and duplicate, through the system clipboard.

The clipboard holds a *fragment*: a small, self-contained ThreatCanvas model
(``Document.fragment``) as canonical model JSON under the ThreatCanvas MIME
type, plus the same text as plain text. Because it is the system clipboard
and plain model JSON, copy and paste work between windows and between
ThreatCanvas processes. Pasted data is untrusted: it is parsed and checked
like a model file, and a bad clipboard yields a message, never a crash.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QMimeData, QPointF
from PySide6.QtGui import QGuiApplication

from app.document.model_commands import FRAGMENT_MIME_TYPE
from app.model import ModelError, ThreatModel, dumps_model, parse_model

MIME_TYPE = FRAGMENT_MIME_TYPE
PASTE_STEP = 20.0  # each repeated paste lands a little further down-right


class ClipboardController:
    """Clipboard operations for one window's document, canvas and selection."""

    def __init__(self, document, canvas, selection, report):
        self.document = document
        self.canvas = canvas
        self.selection = selection
        self.report = report  # (message) -> None: the status bar
        self._paste_count = 0

    # ------------------------------------------------------------ copy / cut
    def fragment(self) -> ThreatModel | None:
        ids = self.selection.ids()
        if not ids:
            return None
        frag = self.document.fragment(ids)
        if not (frag.elements or frag.boundaries or frag.flows):
            return None
        return frag

    def copy(self) -> bool:
        frag = self.fragment()
        if frag is None:
            self.report("Nothing selected to copy")
            return False
        text = dumps_model(frag)
        data = QMimeData()
        data.setData(MIME_TYPE, QByteArray(text.encode("utf-8")))
        data.setText(text)
        QGuiApplication.clipboard().setMimeData(data)
        self._paste_count = 0
        n = len(frag.elements) + len(frag.boundaries) + len(frag.flows)
        self.report(f"Copied {n} item{'s' if n != 1 else ''}")
        return True

    def cut(self) -> bool:
        if not self.copy():
            return False
        return self.canvas.editor.delete(self.selection.ids())

    # ------------------------------------------------------------ paste
    def clipboard_fragment(self) -> ThreatModel | None:
        """The fragment on the clipboard, or None (with a message) when there is none or it is bad."""
        data = QGuiApplication.clipboard().mimeData()
        raw: bytes | None = None
        if data is not None and data.hasFormat(MIME_TYPE):
            raw = bytes(data.data(MIME_TYPE))
        elif data is not None and data.hasText() and '"threatcanvas"' in data.text():
            raw = data.text().encode("utf-8")  # a model copied as text from a file or another tool
        if raw is None:
            self.report("The clipboard holds no ThreatCanvas items")
            return None
        try:
            return parse_model(raw, "clipboard")
        except ModelError as exc:
            first = exc.problems[0] if exc.problems else "invalid model"
            self.report(f"Cannot paste: {first}")
            return None

    def paste(self, at: QPointF | None = None) -> list[str]:
        """Paste the clipboard's fragment (at ``at`` in scene coordinates, or offset from where it was)."""
        frag = self.clipboard_fragment()
        if frag is None:
            return []
        return self._paste(frag, at)

    def duplicate(self) -> list[str]:
        """Paste a copy of the selection beside it, without touching the clipboard."""
        frag = self.fragment()
        if frag is None:
            self.report("Nothing selected to duplicate")
            return []
        return self._paste(frag, None, step=PASTE_STEP)

    def _paste(self, frag: ThreatModel, at: QPointF | None, step: float | None = None) -> list[str]:
        rects = list(frag.layout.elements.values()) + list(frag.layout.boundaries.values())
        if at is not None and rects:
            left = min(r.x for r in rects)
            top = min(r.y for r in rects)
            offset = (self.canvas.editor.snap(at.x() - left), self.canvas.editor.snap(at.y() - top))
        else:
            if step is None:
                self._paste_count += 1
                step = PASTE_STEP * self._paste_count
            offset = (step, step)
        ids = self.canvas.editor.paste(frag, offset)
        if ids:
            self.selection.set(ids)
            self.report(f"Pasted {len(ids)} item{'s' if len(ids) != 1 else ''}")
        return ids
