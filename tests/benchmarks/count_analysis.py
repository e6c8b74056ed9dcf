"""Instructions one full analysis executes: ``python tests/benchmarks/count_analysis.py [--elements N]``.

Wall-clock times on a shared virtual machine drift by half and more within
an hour; the number of instructions a run executes does not. This runs the
synthetic model's analysis under valgrind's callgrind (the ``valgrind``
Debian package; not needed by anything else) three times: setup only, setup
and one analysis (cold: first sight of the model), setup and two (the second
warm). The differences are the instructions of a cold and of a warm run.
Compare two commits by running it in each checkout; a 1,000-element model
takes about a minute on two cores, as callgrind runs code about fifty times slower.

Hash randomisation is fixed (``PYTHONHASHSEED=0``) so the counts repeat to
within about 0.1 %.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_RUN = """
import sys
sys.path.insert(0, {root!r})
from app.analysis import analyze, engine
from app.knowledge import load_library
from tests.benchmarks.synthetic import synthetic_model
library = load_library()
model = synthetic_model({elements})
for _ in range({runs}):
    with engine._state_lock:
        engine._state = None  # a full analysis each time, not an incremental one
    analyze(model, library)
"""


def instructions(elements: int, runs: int) -> int:
    """Instructions executed by a process that sets up and runs ``runs`` full analyses."""
    code = _RUN.format(root=str(ROOT), elements=elements, runs=runs)
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", code],
        capture_output=True, text=True, env=env, check=True,
    ).stderr
    match = re.search(r"Collected : (\d+)", out)
    if match is None:
        raise RuntimeError(f"callgrind printed no count:\n{out[-2000:]}")
    return int(match.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elements", type=int, default=1000, help="synthetic model size (default 1,000)")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # each run is its own process
        setup, one, two = pool.map(lambda runs: instructions(args.elements, runs), (0, 1, 2))
    print(f"{args.elements}-element model, millions of instructions per full analysis:")
    print(f"  cold (first run in the process) {(one - setup) / 1e6:10.0f}")
    print(f"  warm (the same model again)     {(two - one) / 1e6:10.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
