"""Benchmark the analysis engine: ``python tests/benchmarks/bench_analysis.py [--repeat N]``.

Prints, for synthetic models of 100, 1,000 and 10,000 elements:

* a cold full analysis (first time this process sees the model: every
  finding built, every digest piece printed);
* a warm full analysis (the same model again with the incremental snapshot
  dropped: facts and findings rebuilt, digest pieces memoised);

and for the 1,000-element model, re-analysis after one-element edits made the
way the editor makes them (a new snapshot sharing every untouched object):
a rename, a control added, a property the graph facts do not read, one they
do (a structural edit: facts recomputed, unchanged ones and the findings that
read only them kept), and a new flow (the topology changes too).

Targets (issue 3): 1k full < 0.25 s, 10k full < 3 s, near-linear growth,
re-analysis after a one-element edit of the 1k model < 50 ms. Times are the
best of ``--repeat`` runs (default 3), wall-clock and CPU time of this process;
on a busy machine wall-clock time includes waiting for a core, CPU time much less.
A reference loop is timed before and after: the machine's own speed drifts.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.analysis import analyze, engine  # noqa: E402
from app.knowledge import load_library  # noqa: E402
from app.model import ThreatModel  # noqa: E402
from tests.benchmarks.synthetic import synthetic_model  # noqa: E402


def reference_loop() -> float:
    """Seconds for ten million integer additions in a plain loop: how fast this machine runs
    Python right now (a shared virtual machine's speed drifts by half and more within an hour).
    Compare runs by their ratio to it."""
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        total = 0
        for i in range(10_000_000):
            total += i
        best = min(best, time.perf_counter() - t)
    return best


def _forget() -> None:
    with engine._state_lock:
        engine._state = None


def _best(fn, repeat: int) -> tuple[float, float]:
    """Best wall-clock and best CPU time of ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        gc.collect()
        t, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus)


def _snapshot(model: ThreatModel, **sections) -> ThreatModel:
    """The next snapshot, as the editor builds it (``app.document.patch.apply_patch``): the
    changed sections validated, the untouched ones the very same tuples and objects."""
    data = {k: getattr(model, k) for k in type(model).model_fields}
    data.update(sections)
    checked = ThreatModel.model_validate(data)
    return ThreatModel.model_construct(**{k: getattr(checked, k) if k in sections else getattr(model, k)
                                          for k in type(model).model_fields})


def _with_element(model: ThreatModel, new) -> ThreatModel:
    return _snapshot(model, elements=tuple(new if e.id == new.id else e for e in model.elements))


def _edited(model: ThreatModel, kind: str, n: int) -> ThreatModel:
    models = [e for e in model.elements if e.kind == "model"]
    e = models[(n * 7) % len(models)]
    data = e.model_dump()
    if kind == "rename":
        data["name"] = f"{e.name} v{n}"
    elif kind == "control":
        data["controls"] = sorted(set(data["controls"]) ^ {"rate-limiting"})
    elif kind == "property":  # not read by the graph facts
        data["properties"]["public_architecture"] = not data["properties"]["public_architecture"]
    elif kind == "flow":  # a new flow from the model to a tool of another unit: the topology changes
        tools = [t for t in model.elements if t.kind == "tool"]
        tool = tools[(n * 11 + 5) % len(tools)]
        flow = {"id": f"bench_flow_{n}", "source": e.id, "target": tool.id, "carries": ["tool_calls"]}
        return _snapshot(model, flows=(*model.flows, flow))
    else:  # read by the graph facts: a structural edit, the facts are recomputed
        data["properties"]["access"] = "anonymous" if data["properties"]["access"] != "anonymous" else "internal"
    return _with_element(model, type(e).model_validate(data))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="100,1000,10000")
    args = parser.parse_args(argv)
    library = load_library()
    print(f"reference loop (10M integer additions): {reference_loop():.2f} s\n")
    print(f"{'elements':>9} {'flows':>7} {'findings':>9} {'cold wall':>10} {'warm wall':>10} {'warm cpu':>10}"
          "  cpu per element")
    for size in (int(s) for s in args.sizes.split(",")):
        model = synthetic_model(size)
        _forget()
        t = time.perf_counter()
        result = analyze(model, library)
        cold = time.perf_counter() - t

        def full() -> None:
            _forget()
            analyze(model, library)

        warm, warm_cpu = _best(full, args.repeat)
        print(f"{size:>9} {len(model.flows):>7} {len(result.findings):>9} {cold:>9.3f}s {warm:>9.3f}s"
              f" {warm_cpu:>9.3f}s  {warm_cpu / size * 1e6:7.1f} µs")
    model = synthetic_model(1000)
    print("\nre-analysis of the 1,000-element model after a one-element edit:")
    for kind in ("rename", "control", "property", "structure", "flow"):
        walls, cpus = [], []
        current = model
        _forget()
        analyze(current, library)
        for n in range(max(5, args.repeat)):
            nxt = _edited(current, kind, n)
            gc.collect()
            t, c = time.perf_counter(), time.process_time()
            analyze(nxt, library)
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
            current = nxt
        label = {"rename": "rename a model", "control": "add a control to a model", "property":
                 "change a property facts do not read", "structure": "change access (facts recomputed)",
                 "flow": "add a flow (topology changes)"}[kind]
        median = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
        print(f"  {label:<38} wall best {min(walls) * 1000:6.1f} ms, median {median(walls) * 1000:6.1f} ms;"
              f"  cpu median {median(cpus) * 1000:6.1f} ms")
    print(f"\nreference loop again: {reference_loop():.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
