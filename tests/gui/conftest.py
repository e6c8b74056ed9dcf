"""Fixtures for the editor tests; the helpers live in ``gui_support``.

Test modules import helpers from ``gui_support``, never from ``conftest``:
several test folders have a conftest.py and ``import conftest`` picks whichever
pytest imported last.
"""

from gui_support import make_window, ui, window  # noqa: F401  (fixtures)
