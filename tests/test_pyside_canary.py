"""Canary for the PySide6 6.12.0 refcount bug on Python 3.11.

6.12.0 drops a reference to ``None`` on every call of a method returning
nothing; after a few thousand calls the interpreter aborts. pyproject.toml pins
PySide6-Essentials below 6.12; this test fails loudly if a bad build sneaks in.
"""

import sys

import pytest

QtWidgets = pytest.importorskip("PySide6.QtWidgets")


def test_void_calls_keep_none_refcount(qapp):
    item = QtWidgets.QGraphicsRectItem(0, 0, 10, 10)
    before = sys.getrefcount(None)
    for i in range(10_000):
        item.setPos(i, i)
    after = sys.getrefcount(None)
    assert after >= before - 50, f"refcount of None fell from {before} to {after}"
