"""Benchmark the document layer: ``python tests/benchmarks/bench_document.py [--elements N] [--repeat R]``.

Prints, for a synthetic model (default 2,000 elements, about 4,000 flows):

* opening the file into a Document (read, parse, validate, check, index);
* one edit of each common kind, pushed then undone then redone: moving one
  node (what a drag commits on release), moving 100 nodes, a rename, a
  property change, deleting a node with its flows, pasting 50 nodes;
* saving (canonical text, atomic write) and one autosave write.

Times are the best of ``--repeat`` runs, wall clock, in milliseconds. The
issue's target for opening is < 2 s for 2,000 elements and 4,000 flows
(the canvas adds its own scene building on top). An edit's cost is one pass
over the model's lists, so it grows linearly with model size.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication  # noqa: E402

from app.document import (  # noqa: E402
    Document,
    MoveItemsCommand,
    PasteCommand,
    RemoveElementsCommand,
    RenameCommand,
    SetPropertiesCommand,
)
from app.document.autosave import Autosave  # noqa: E402
from app.model import save_model  # noqa: E402
from tests.benchmarks.synthetic import synthetic_model  # noqa: E402


def best_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times) * 1000


def edit_ms(doc: Document, make, repeat: int) -> tuple[float, float, float]:
    """Best push, undo and redo times of the command ``make()`` builds (built against the current model)."""
    push, undo, redo = [], [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        doc.push(make())
        t1 = time.perf_counter()
        doc.undo_stack.undo()
        t2 = time.perf_counter()
        doc.undo_stack.redo()
        t3 = time.perf_counter()
        doc.undo_stack.undo()
        push.append(t1 - t0)
        undo.append(t2 - t1)
        redo.append(t3 - t2)
    return min(push) * 1000, min(undo) * 1000, min(redo) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elements", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    app = QCoreApplication.instance() or QCoreApplication([])  # noqa: F841 - Qt objects need it
    model = synthetic_model(args.elements, seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.tcm.json"
        save_model(model, path)
        size_kb = path.stat().st_size / 1024
        print(f"model: {len(model.elements):,} elements, {len(model.flows):,} flows, "
              f"{len(model.boundaries):,} boundaries; file {size_kb:,.0f} KiB")

        doc = Document()
        print(f"open file into Document           {best_ms(lambda: doc.open(path), args.repeat):8.1f} ms")

        ids = [e.id for e in doc.model.elements]
        one = ids[len(ids) // 2]
        hundred = ids[:100]
        rows = [
            ("move 1 node (drag release)", lambda: MoveItemsCommand.by_offset(doc, [one], 12.0, 7.0)),
            ("move 100 nodes", lambda: MoveItemsCommand.by_offset(doc, hundred, 12.0, 7.0)),
            ("rename 1 node", lambda: RenameCommand(doc, one, "Renamed")),
            ("set 1 property", lambda: SetPropertiesCommand(doc, one, {"properties": {"personal_data": True}})),
            ("delete 1 node with its flows", lambda: RemoveElementsCommand(doc, [one])),
            ("paste 50 nodes", lambda: PasteCommand(doc, doc.fragment(ids[:50]), offset=(40.0, 40.0))),
        ]
        print(f"{'edit':34s}{'push':>9s}{'undo':>9s}{'redo':>9s}   (ms)")
        for label, make in rows:
            push, undo, redo = edit_ms(doc, make, args.repeat)
            print(f"{label:34s}{push:9.1f}{undo:9.1f}{redo:9.1f}")

        out = Path(tmp) / "saved.tcm.json"
        print(f"save (canonical, atomic)          {best_ms(lambda: doc.save(out), args.repeat):8.1f} ms")
        autosave = Autosave(doc, folder=Path(tmp) / "recovery")

        def autosave_once():
            doc.push(MoveItemsCommand.by_offset(doc, [one], 1.0, 0.0))
            autosave.write_now()

        print(f"autosave write (incl. one edit)   {best_ms(autosave_once, args.repeat):8.1f} ms")
        autosave.discard()
        doc.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
