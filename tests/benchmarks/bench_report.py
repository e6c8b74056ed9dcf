"""Benchmark the PDF report: ``python tests/benchmarks/bench_report.py [--repeat N] [--skip-10k]``.

Prints:

* **1,000 findings over 500 elements**: the synthetic 500-element model,
  analysed, its 1,000 highest-risk findings rendered to PDF in memory. Target
  (issue 5): under 5 s. Best of ``--repeat`` runs (default 3), wall-clock and
  CPU time; on a busy machine wall-clock time includes waiting for a core.
* **the 10,000-element synthetic model**, end to end in a fresh subprocess
  (build the model, analyse it, write the complete report to a file), with
  each phase's time and the subprocess's peak resident memory from
  ``resource.getrusage``. Target: within 60 s and under 1 GB.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.analysis import AnalysisResult, analyze  # noqa: E402
from app.knowledge import load_library  # noqa: E402
from app.report import build_report  # noqa: E402
from app.report.fonts import register_fonts  # noqa: E402
from tests.benchmarks.synthetic import synthetic_model  # noqa: E402

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
t0 = time.perf_counter()
from tests.benchmarks.synthetic import synthetic_model
from app.analysis import analyze
from app.knowledge import load_library
from app.report import build_report
t1 = time.perf_counter()
model = synthetic_model(10_000)
t2 = time.perf_counter()
result = analyze(model, load_library())
t3 = time.perf_counter()
stats = build_report(model, result, sys.argv[2])
t4 = time.perf_counter()
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({
    "elements": len(model.elements), "flows": len(model.flows), "findings": len(result.findings),
    "pages": stats.pages, "bytes": stats.size,
    "import_s": t1 - t0, "model_s": t2 - t1, "analyse_s": t3 - t2, "report_s": t4 - t3, "total_s": t4 - t0,
    "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024,
}))
"""


def bench_1000(repeat: int) -> None:
    model = synthetic_model(500)
    full = analyze(model, load_library())
    result = AnalysisResult(findings=full.findings[:1000], library_version=full.library_version)
    register_fonts()
    walls, cpus, pages = [], [], 0
    for _ in range(repeat):
        gc.collect()
        t, c = time.perf_counter(), time.process_time()
        stats = build_report(model, result, io.BytesIO(), model_sha256="0" * 64, epoch=0)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
        pages = stats.pages
    print(f"report, {len(result.findings):,} findings over {len(model.elements):,} elements "
          f"({len(model.flows):,} flows): {min(walls):.2f} s wall, {min(cpus):.2f} s CPU, {pages:,} pages "
          f"(best of {repeat}; target < 5 s)")


def bench_10k() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "big.pdf"
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", _CHILD, str(ROOT), str(out)], capture_output=True, text=True,
                              cwd=ROOT)
        wall = time.perf_counter() - started
        if proc.returncode:
            print(proc.stderr, file=sys.stderr)
            raise SystemExit(f"the 10,000-element run failed (exit {proc.returncode})")
        r = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"10,000-element synthetic model, end to end in a subprocess: {r['elements']:,} elements, "
          f"{r['flows']:,} flows, {r['findings']:,} findings -> {r['pages']:,} pages, {r['bytes'] / 1e6:.1f} MB")
    print(f"  build model {r['model_s']:.1f} s, analyse {r['analyse_s']:.1f} s, report {r['report_s']:.1f} s; "
          f"total {r['total_s']:.1f} s in-process ({wall:.1f} s with interpreter start), {r['cpu_s']:.1f} s CPU; "
          f"peak RSS {r['peak_rss_mb']:.0f} MB (targets: < 60 s, < 1,024 MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-10k", action="store_true", help="only the 1,000-finding case")
    args = parser.parse_args()
    bench_1000(args.repeat)
    if not args.skip_10k:
        bench_10k()


if __name__ == "__main__":
    main()
