"""Fixtures for the packaging tests; the helpers live in ``packaging_support``.

Test modules import helpers from ``packaging_support``, never from ``conftest``:
several test folders have a conftest.py and ``import conftest`` picks whichever
pytest imported last.
"""

from packaging_support import bundle, no_network  # noqa: F401  (fixtures)
