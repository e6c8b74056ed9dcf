"""Fixtures for CLI tests: run ``threatcanvas`` in-process and capture its output."""

from __future__ import annotations

import pytest

from app.cli.main import main
from cli_helpers import Result


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run ``main([...])`` in-process and capture its output."""
    monkeypatch.delenv("THREATCANVAS_DEBUG", raising=False)

    def run(*args: str) -> Result:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
