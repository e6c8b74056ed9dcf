"""Find runtime data (threat library, examples, fonts, icons).

One locator for the three ways ThreatCanvas runs:

* a source checkout: ``resources/`` beside ``app/``;
* an installed wheel: the wheel ships the folder as ``app/resources``;
* a PyInstaller bundle: the spec copies it to ``<bundle>/resources``.

``THREATCANVAS_RESOURCES`` overrides all three (used by tests and packagers).
This module is Qt-free and imports nothing from the rest of the package.
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from pathlib import Path

_MARKER = "library"  # a folder every complete resources tree has


def _candidates() -> list[Path]:
    found: list[Path] = []
    env = os.environ.get("THREATCANVAS_RESOURCES")
    if env:
        found.append(Path(env))
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        found.append(Path(bundle) / "resources")
    here = Path(__file__).resolve().parent
    found.append(here / "resources")  # installed wheel
    found.append(here.parent / "resources")  # source checkout
    return found


@lru_cache(maxsize=1)
def resource_root() -> Path:
    """Return the resources folder, or raise ``FileNotFoundError`` naming where it looked."""
    tried = _candidates()
    for path in tried:
        if (path / _MARKER).is_dir():
            return path
    raise FileNotFoundError(
        "ThreatCanvas resources not found; looked in: " + ", ".join(str(p) for p in tried)
    )


def resource_path(*parts: str) -> Path:
    """A path below the resources folder, e.g. ``resource_path("examples")``."""
    return resource_root().joinpath(*parts)


def examples_dir() -> Path:
    return resource_path("examples")


def library_dir() -> Path:
    return resource_path("library")


def example_files() -> list[Path]:
    """The bundled example models, sorted by name."""
    return sorted(examples_dir().glob("*.tcm.json"))
