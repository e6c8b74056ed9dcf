"""Fixtures for the analysis tests: the bundled examples, loaded once, and model builders."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # `tests.benchmarks.synthetic` is imported as a package path
    sys.path.insert(0, str(REPO))

from app.knowledge import load_library  # noqa: E402
from app.model import ThreatModel, load_model  # noqa: E402
from app.resources import example_files  # noqa: E402


@pytest.fixture(scope="session")
def library():
    return load_library()


@pytest.fixture(scope="session")
def examples() -> dict[str, ThreatModel]:
    """Example models by short name: ``rag``, ``fraud``, ``vision``."""
    out = {}
    for path in example_files():
        short = {"rag-support-assistant": "rag", "card-fraud-detection": "fraud", "visual-quality-inspection": "vision"}
        out[short.get(path.name.removesuffix(".tcm.json"), path.name)] = load_model(path)
    assert {"rag", "fraud", "vision"} <= set(out), "the three bundled examples are missing"
    return out
