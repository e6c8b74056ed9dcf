"""Start the editor: ``threatcanvas``, ``threatcanvas FILE``, ``threatcanvas FILE --screenshot OUT.png``.

``--screenshot`` opens the file in a main window of a fixed size, waits for the
analysis result, saves a picture of the window and exits: it makes the
documentation's screenshots and serves as a smoke test, and it works on the
``offscreen`` platform (no display needed).

On a normal start, work autosaved by a session that ended without saving (a
crash, a kill) is offered back.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Sequence

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
SCREENSHOT_SIZE = (1600, 1000)
ANALYSIS_TIMEOUT_S = 120.0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="threatcanvas", description="ThreatCanvas editor")
    parser.add_argument("file", nargs="?", help="model file to open (.tcm.json)")
    parser.add_argument("--screenshot", metavar="OUT.png",
                        help="open FILE, wait for the analysis, save a screenshot of the window to OUT.png and exit")
    parser.add_argument("--size", metavar="WxH", default=None, help="window size for --screenshot (default 1600x1000)")
    return parser


def application(qt_args: Sequence[str] = ()):
    """The editor's QApplication, created (and set up as the editor needs it) on the first call."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        # Qt 6's raster engine hands every fill of 96 or more spans to a thread pool and waits
        # for it. A canvas frame is full of such fills (a boundary's tinted side band is a
        # thousand twelve-pixel spans, one per row), and for them the hand-off costs far more
        # than the fill: those bands took ten times longer with the pool, and a 1:1 repaint of
        # the 2,000-element benchmark diagram about 15 % longer, on a two-core machine. Qt
        # reads this once, when the pool is first wanted: set it before the application
        # exists.
        os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")
        # fractional scale factors (125 %, 150 %) render crisply instead of being rounded
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication([sys.argv[0] if sys.argv else "threatcanvas", *qt_args])
    from app import __version__

    app.setApplicationName("ThreatCanvas")
    app.setOrganizationName("ThreatCanvas")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("threatcanvas")
    return app


class WindowManager:
    """Keeps the open windows alive and opens new ones (File → New Window)."""

    def __init__(self, **window_options):
        self.windows: list = []
        self.options = window_options

    def new_window(self):
        from PySide6.QtCore import Qt

        from app.gui.main_window import MainWindow

        window = MainWindow(**self.options)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.new_window_requested.connect(self._on_window_new_window_requested)
        window.closed.connect(lambda w=window: self._forget(w))
        self.windows.append(window)
        return window

    def _forget(self, window) -> None:
        if window in self.windows:
            self.windows.remove(window)

    def _on_window_new_window_requested(self) -> None:
        w = self.new_window()
        w.show()

    def offer_recoveries(self, parent) -> object | None:
        """Show the restore offer when a previous session left unsaved work; returns the dialog."""
        from app.document.autosave import find_recoveries
        from app.gui.dialogs import RecoveryDialog

        recoveries = find_recoveries()
        if not recoveries:
            return None
        dialog = RecoveryDialog(recoveries, parent)
        dialog.restore_requested.connect(lambda r: self.restore(r, parent))
        dialog.discard_requested.connect(lambda r: r.discard())
        dialog.open()
        return dialog

    def restore(self, recovery, first) -> None:
        from PySide6.QtWidgets import QMessageBox

        from app.model import ModelError

        doc = first.document
        target = first
        if doc.is_modified() or doc.file_path or doc.model.elements:
            target = self.new_window()
            target.show()
        try:
            target.autosave.restore(recovery)
        except (ModelError, OSError) as exc:
            QMessageBox.warning(target, "Cannot restore", f"The autosaved copy could not be read:\n{exc}")
            return
        target._status(f"Restored unsaved work: {recovery.describe()}")


def _parse_size(text: str | None) -> tuple[int, int]:
    if not text:
        return SCREENSHOT_SIZE
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise SystemExit(f"threatcanvas: --size must look like 1800x1100, not {text!r}") from None
    if not (200 <= w <= 8000 and 200 <= h <= 8000):
        raise SystemExit("threatcanvas: --size must be between 200x200 and 8000x8000")
    return w, h


def launch(argv: Sequence[str]) -> int:
    """Run the editor with ``argv`` (no program name); returns the exit code."""
    parser = build_parser()
    args, qt_args = parser.parse_known_args(list(argv))
    unknown = [a for a in qt_args if not a.startswith("-")]
    if unknown:
        parser.error(f"unexpected argument: {unknown[0]}")
    if args.screenshot and not args.file:
        parser.error("--screenshot needs a FILE to open")
    try:
        size = _parse_size(args.size)
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_INPUT
    app = application(qt_args)
    if args.screenshot:
        return screenshot(args.file, args.screenshot, size)
    manager = WindowManager()
    window = manager.new_window()
    window.show()
    if args.file:
        window.open_path(args.file)
    manager.offer_recoveries(window)
    app.setQuitOnLastWindowClosed(True)
    return app.exec()


def screenshot(model_path: str, out: str, size: tuple[int, int] = SCREENSHOT_SIZE, analyze=None) -> int:
    """Open ``model_path``, wait for the analysis, save the main window to ``out``; the exit code."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from app.gui.main_window import MainWindow
    from app.model import ModelError, load_model

    try:
        load_model(model_path)  # a clear message instead of a dialog nobody can click
    except ModelError as exc:
        for p in exc.problems[:20]:
            print(f"threatcanvas: {p}", file=sys.stderr)
        return EXIT_BAD_INPUT
    app = QApplication.instance()
    window = MainWindow(analyze=analyze, autosave_ms=10**9, analysis_delay_ms=0, remember_state=False)
    window.resize(*size)
    window.show()
    # give the diagram the room: a shorter findings panel, a narrower inspector
    window.resizeDocks([window.docks["findings"]], [230], Qt.Orientation.Vertical)
    window.resizeDocks([window.docks["inspector"], window.docks["palette"]], [300, 170], Qt.Orientation.Horizontal)
    if not window.open_path(model_path):
        print(f"threatcanvas: cannot open {model_path}", file=sys.stderr)
        return EXIT_BAD_INPUT
    deadline = time.monotonic() + ANALYSIS_TIMEOUT_S
    runner = window.runner
    while time.monotonic() < deadline:
        app.processEvents()
        if runner.is_up_to_date() or runner.state.startswith("error"):
            break
        time.sleep(0.01)
    failed = runner.state.startswith("error") or not runner.is_up_to_date()
    if not failed and window.result is not None and window.result.findings:
        # show what the panel and the canvas do with a finding: the worst one, selected
        worst = window.findings.proxy.index(0, 0)
        if worst.isValid():
            window.findings.table.setCurrentIndex(worst)
    window.canvas.view.zoom_to_fit()
    for _ in range(5):
        app.processEvents()
    image = window.grab()
    ok = image.save(str(Path(out)), "PNG")
    window.document.undo_stack.setClean()
    window.close()
    app.processEvents()
    if not ok:
        print(f"threatcanvas: could not write {out}", file=sys.stderr)
        return EXIT_INTERNAL
    if failed:
        print(f"threatcanvas: analysis did not finish: {runner.state}", file=sys.stderr)
        return EXIT_INTERNAL
    return EXIT_OK
