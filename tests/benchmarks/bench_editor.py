"""Benchmark the editor: ``python tests/benchmarks/bench_editor.py [--elements N] [--repeat R]``.

Prints, for a synthetic model (default 2,000 elements, about 4,000 flows), run
on the ``offscreen`` platform:

* **open**: reading the file into the canvas alone (Document + scene items,
  routes and labels), and into a whole main window (panels, element list,
  findings table; the analysis runs afterwards on its worker thread and is
  not counted) — target < 2 s;
* **full-view repaint**: the whole diagram zoomed to fit a 1600×1000 view,
  one synchronous repaint of the viewport — target < 100 ms;
* **1:1 repaint**: the same view at 100 % over the middle of the diagram —
  target < 16 ms;
* **drag**: one mouse-move event while dragging a node (the node follows, its
  flows re-route, their labels re-place), alone and with the repaint that
  follows — target < 16 ms per event;
* **drop**: the release that commits the drag as one undo command.

Times are wall clock in milliseconds: the best of ``--repeat`` runs for
open, the median for repaints and moves.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("THREATCANVAS_HOME", tempfile.mkdtemp(prefix="tc-bench-"))

from PySide6.QtCore import QEvent, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QMouseEvent  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.canvas.canvas import Canvas  # noqa: E402
from app.document import Document, SelectionModel  # noqa: E402
from app.model import save_model  # noqa: E402
from tests.benchmarks.synthetic import synthetic_model  # noqa: E402


def no_analysis(model, library):
    """Stands in for the engine: the benchmark measures the editor, not the analysis."""
    from app.analysis.findings import AnalysisResult

    return AnalysisResult(findings=(), library_version="bench", model_digest="")


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def bench_open(path: Path, repeat: int, app) -> tuple[float, float]:
    canvas_times, window_times = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        doc = Document()
        canvas = Canvas(doc, SelectionModel(doc))
        doc.open(path)
        canvas_times.append(time.perf_counter() - t0)
        canvas.view.deleteLater()
        canvas.deleteLater()
        doc.deleteLater()
        app.processEvents()
    from app.gui.main_window import MainWindow

    for _ in range(repeat):
        window = MainWindow(analyze=no_analysis, remember_state=False, autosave_ms=10**9, analysis_delay_ms=10**6)
        window.resize(1600, 1000)
        window.show()
        app.processEvents()
        t0 = time.perf_counter()
        window.open_path(str(path))
        app.processEvents()  # deferred work: element list, zoom to fit, first paint
        window_times.append(time.perf_counter() - t0)
        window.document.set_model(window.document.model)
        window.close()
        window.deleteLater()
        app.processEvents()
    return min(canvas_times) * 1000, min(window_times) * 1000


def bench_view(path: Path, repeat: int, app) -> dict[str, float]:
    doc = Document()
    selection = SelectionModel(doc)
    canvas = Canvas(doc, selection)
    doc.open(path)
    view = canvas.view
    view.resize(1600, 1000)
    view.show()
    app.processEvents()
    out: dict[str, float] = {}

    def repaint_ms() -> float:
        samples = []
        for _ in range(max(5, repeat * 3)):
            t0 = time.perf_counter()
            view.viewport().repaint()
            samples.append(time.perf_counter() - t0)
        return median_ms(samples)

    view.zoom_to_fit()
    app.processEvents()
    out["full-view repaint"] = repaint_ms()
    out["full-view zoom"] = view.zoom() * 100
    view.zoom_reset()
    middle = canvas.scene.itemsBoundingRect().center()
    view.centerOn(middle)
    app.processEvents()
    out["1:1 repaint"] = repaint_ms()

    # drag the node nearest the middle: press, many moves, release
    node = min(canvas.scene.nodes.values(), key=lambda n: (n.scene_rect().center() - middle).manhattanLength())
    view.centerOn(node.scene_rect().center())
    app.processEvents()
    vp = view.viewport()
    start = view.mapFromScene(node.scene_rect().center())
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    handling, with_paint = [], []
    for i in range(1, 121):
        p = QPointF(start.x() + (i % 40) * 3, start.y() + (i % 25) * 2)
        ev = QMouseEvent(QEvent.Type.MouseMove, p, vp.mapToGlobal(p), Qt.MouseButton.NoButton,
                         Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        t0 = time.perf_counter()
        QApplication.sendEvent(vp, ev)
        t1 = time.perf_counter()
        app.processEvents()  # the repaint the move scheduled
        t2 = time.perf_counter()
        handling.append(t1 - t0)
        with_paint.append(t2 - t0)
    out["drag: move event"] = median_ms(handling)
    out["drag: move event (max)"] = max(handling) * 1000
    out["drag: move + repaint"] = median_ms(with_paint)
    t0 = time.perf_counter()
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, p.toPoint())
    out["drop: commit the move"] = (time.perf_counter() - t0) * 1000
    out["flows on the dragged node"] = len(doc.flows_of(node.item_id))
    assert doc.undo_stack.count() == 1, "the drag must be one undo step"
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elements", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication([])
    model = synthetic_model(args.elements, 0)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synthetic.tcm.json"
        save_model(model, path)
        size = path.stat().st_size
        print(f"model: {len(model.elements):,} elements, {len(model.flows):,} flows, "
              f"{len(model.boundaries):,} boundaries, {size / 1e6:.1f} MB")
        canvas_ms, window_ms = bench_open(path, args.repeat, app)
        print(f"open into the canvas            {canvas_ms:8.0f} ms   (target < 2000)")
        print(f"open into a main window         {window_ms:8.0f} ms   (target < 2000)")
        for name, value in bench_view(path, args.repeat, app).items():
            if name == "full-view zoom":
                print(f"{'full-view zoom':32}{value:8.1f} %")
            elif name == "flows on the dragged node":
                print(f"{name:32}{value:8.0f}")
            else:
                target = {"full-view repaint": "   (target < 100)", "1:1 repaint": "   (target < 16)",
                          "drag: move event": "   (target < 16)"}.get(name, "")
                print(f"{name:32}{value:8.1f} ms{target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
