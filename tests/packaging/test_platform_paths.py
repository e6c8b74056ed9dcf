"""User files go to the platform's standard per-user folders, never the install folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app import platform_paths as pp

KINDS = ("config", "data", "state", "recovery", "logs", "cache")


@pytest.fixture
def linux(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "THREATCANVAS_HOME"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path / "home"


def test_linux_defaults_follow_the_xdg_spec(linux):
    dirs = pp.all_dirs()
    assert dirs["config"] == linux / ".config" / "threatcanvas"
    assert dirs["data"] == linux / ".local" / "share" / "threatcanvas"
    assert dirs["state"] == linux / ".local" / "state" / "threatcanvas"
    assert dirs["recovery"] == linux / ".local" / "state" / "threatcanvas" / "recovery"
    assert dirs["logs"] == linux / ".local" / "state" / "threatcanvas" / "logs"
    assert dirs["cache"] == linux / ".cache" / "threatcanvas"


def test_linux_honours_xdg_variables(linux, monkeypatch, tmp_path):
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    dirs = pp.all_dirs()
    assert dirs["config"] == tmp_path / "xdg_config_home" / "threatcanvas"
    assert dirs["data"] == tmp_path / "xdg_data_home" / "threatcanvas"
    assert dirs["recovery"] == tmp_path / "xdg_state_home" / "threatcanvas" / "recovery"
    assert dirs["cache"] == tmp_path / "xdg_cache_home" / "threatcanvas"


def test_relative_xdg_values_are_ignored_as_the_spec_requires(linux, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/config")
    assert pp.config_dir() == linux / ".config" / "threatcanvas"


def test_portable_home_puts_everything_in_one_folder(linux, monkeypatch, tmp_path):
    monkeypatch.setenv("THREATCANVAS_HOME", str(tmp_path / "stick"))
    dirs = pp.all_dirs()
    assert all(path.is_relative_to(tmp_path / "stick") for path in dirs.values()), dirs
    assert len(set(dirs.values())) == len(KINDS)


def test_windows_uses_appdata_and_localappdata(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.delenv("THREATCANVAS_HOME", raising=False)
    monkeypatch.setenv("APPDATA", str(tmp_path / "Roaming"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    assert pp.config_dir() == tmp_path / "Roaming" / "ThreatCanvas"
    assert pp.recovery_dir() == tmp_path / "Local" / "ThreatCanvas" / "recovery"
    assert pp.log_dir() == tmp_path / "Local" / "ThreatCanvas" / "Logs"
    assert pp.cache_dir() == tmp_path / "Local" / "ThreatCanvas" / "Cache"


def test_macos_uses_library_folders(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.delenv("THREATCANVAS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert pp.config_dir() == tmp_path / "Library" / "Preferences" / "ThreatCanvas"
    assert pp.log_dir() == tmp_path / "Library" / "Logs" / "ThreatCanvas"
    assert pp.cache_dir() == tmp_path / "Library" / "Caches" / "ThreatCanvas"


def test_no_location_is_inside_the_program_folder(linux):
    program = Path(pp.__file__).resolve().parents[1]
    for kind, path in pp.all_dirs().items():
        assert not path.is_relative_to(program), f"{kind} dir {path} is inside the program folder"


def test_nothing_is_created_until_asked(linux):
    pp.all_dirs()
    assert not linux.exists()
    made = pp.ensure_dir(pp.recovery_dir())
    assert made.is_dir() and (made.stat().st_mode & 0o777) == 0o700
