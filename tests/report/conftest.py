"""Fixtures for the report tests; the helpers live in ``report_support``.

Test modules import helpers from ``report_support``, never from ``conftest``:
several test folders have a conftest.py and ``import conftest`` picks whichever
pytest imported last.
"""

from report_support import epoch  # noqa: F401  (fixture)
