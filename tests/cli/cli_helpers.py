"""Helpers for CLI tests: run ``threatcanvas`` for real (subprocess); results with stderr lines."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line]


def run_subprocess(*args: str, cwd: Path | None = None, timeout: float = 60, env_extra: dict | None = None) -> Result:
    """``python -m app ARGS`` (exactly what the ``threatcanvas`` script runs) in a child process."""
    env = {k: v for k, v in os.environ.items() if k != "THREATCANVAS_DEBUG"}
    env.update(env_extra or {})
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=cwd or REPO,
        env=env,
        capture_output=True,
        timeout=timeout,
        # byte-exact: a stray traceback or mojibake must show up in assertions
        encoding="utf-8",
        errors="backslashreplace",
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)
