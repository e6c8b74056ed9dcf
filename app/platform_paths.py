"""Where ThreatCanvas keeps per-user files: settings, recovery copies, logs, caches.

Never next to the program: an install folder is read-only (``/opt``,
``Program Files``, a signed ``.app``, a write-protected USB stick), so every
file the program writes goes to the platform's standard per-user location:

* Linux and other Unix (XDG base directories): config in
  ``$XDG_CONFIG_HOME/threatcanvas``, data in ``$XDG_DATA_HOME/threatcanvas``,
  state (recovery copies, logs) in ``$XDG_STATE_HOME/threatcanvas``, cache in
  ``$XDG_CACHE_HOME/threatcanvas``;
* macOS: ``~/Library/Preferences``, ``~/Library/Application Support``,
  ``~/Library/Logs`` and ``~/Library/Caches``, each ``/ThreatCanvas``;
* Windows: ``%APPDATA%\\ThreatCanvas`` (config, data) and
  ``%LOCALAPPDATA%\\ThreatCanvas`` (state, logs, cache).

Unset or relative XDG variables fall back to the spec's defaults
(``~/.config``, ``~/.local/share``, ``~/.local/state``, ``~/.cache``).
``THREATCANVAS_HOME`` puts everything under one folder instead (a portable
install carried on removable media, or a test).

Pure functions of the environment: nothing here creates a folder until
:func:`ensure_dir` is called. Qt-free, so the CLI and the self-test use it too.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_ID = "threatcanvas"  # Unix folder names are lower case by convention
APP_NAME = "ThreatCanvas"  # macOS and Windows use the display name


def _home() -> Path:
    return Path(os.path.expanduser("~"))


def _xdg(var: str, default: str) -> Path:
    """An XDG base directory; the spec says to ignore relative values."""
    value = os.environ.get(var, "")
    path = Path(value) if value else None
    if path is None or not path.is_absolute():
        path = _home() / default
    return path / APP_ID


def _portable() -> Path | None:
    value = os.environ.get("THREATCANVAS_HOME", "")
    return Path(value).expanduser().absolute() if value else None


def _windows_dir(var: str, fallback: str) -> Path:
    value = os.environ.get(var, "")
    return (Path(value) if value else _home() / fallback) / APP_NAME


def config_dir() -> Path:
    """Settings (preferences, window layout, recent files)."""
    if (root := _portable()) is not None:
        return root / "config"
    if sys.platform == "win32":
        return _windows_dir("APPDATA", "AppData/Roaming")
    if sys.platform == "darwin":
        return _home() / "Library" / "Preferences" / APP_NAME
    return _xdg("XDG_CONFIG_HOME", ".config")


def data_dir() -> Path:
    """User data worth keeping: the organisation's own threat libraries, templates."""
    if (root := _portable()) is not None:
        return root / "data"
    if sys.platform == "win32":
        return _windows_dir("APPDATA", "AppData/Roaming")
    if sys.platform == "darwin":
        return _home() / "Library" / "Application Support" / APP_NAME
    return _xdg("XDG_DATA_HOME", ".local/share")


def state_dir() -> Path:
    """Machine-local state that survives a restart but is not a document."""
    if (root := _portable()) is not None:
        return root / "state"
    if sys.platform == "win32":
        return _windows_dir("LOCALAPPDATA", "AppData/Local")
    if sys.platform == "darwin":
        return _home() / "Library" / "Application Support" / APP_NAME
    return _xdg("XDG_STATE_HOME", ".local/state")


def recovery_dir() -> Path:
    """Autosaved copies of unsaved work, offered back after a crash."""
    return state_dir() / "recovery"


def log_dir() -> Path:
    """Log files."""
    if _portable() is not None:
        return state_dir() / "logs"
    if sys.platform == "win32":
        return state_dir() / "Logs"
    if sys.platform == "darwin":
        return _home() / "Library" / "Logs" / APP_NAME
    return state_dir() / "logs"


def cache_dir() -> Path:
    """Anything that can be rebuilt (thumbnails, rendered previews)."""
    if (root := _portable()) is not None:
        return root / "cache"
    if sys.platform == "win32":
        return _windows_dir("LOCALAPPDATA", "AppData/Local") / "Cache"
    if sys.platform == "darwin":
        return _home() / "Library" / "Caches" / APP_NAME
    return _xdg("XDG_CACHE_HOME", ".cache")


def all_dirs() -> dict[str, Path]:
    """Every location by kind, for diagnostics (``--self-test`` prints them)."""
    return {
        "config": config_dir(),
        "data": data_dir(),
        "state": state_dir(),
        "recovery": recovery_dir(),
        "logs": log_dir(),
        "cache": cache_dir(),
    }


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (private to the user: 0700 on Unix) if missing, and return it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path
