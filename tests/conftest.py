"""Test-wide setup.

* Qt runs offscreen (without this Qt aborts the run on a machine with no display).
* Settings, recovery files and caches go to a throwaway folder, never the
  developer's own.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ["QT_QPA_PLATFORM"] = os.environ.get("THREATCANVAS_TEST_PLATFORM", "offscreen")
_HOME = Path(tempfile.mkdtemp(prefix="threatcanvas-tests-"))
for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR"):
    os.environ[var] = str(_HOME / var.lower())
    Path(os.environ[var]).mkdir(mode=0o700, parents=True, exist_ok=True)
os.environ.setdefault("SOURCE_DATE_EPOCH", "1764115200")  # 2025-11-26: reports are reproducible in tests

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "resources" / "examples"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def example_paths() -> list[Path]:
    return sorted(EXAMPLES.glob("*.tcm.json"))
