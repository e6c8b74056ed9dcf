"""Fixtures for the packaging tests: network guard, strace, read-only folders, the built bundle.

The bundle is built once per session, with the documented command
(``bash packaging/build.sh``), into ``build/test-bundle/`` inside the checkout
(ignored by git; PyInstaller's cache goes there too). Set
``THREATCANVAS_TEST_BUNDLE=/path/to/dist/threatcanvas`` to test an existing
bundle instead of building one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from netguard import blocked_network

REPO = Path(__file__).resolve().parents[2]
BUILD_ROOT = REPO / "build" / "test-bundle"
INTERNET = re.compile(r"\b(socket|socketpair)\((AF_INET6?|AF_PACKET|PF_INET6?)\b")


@pytest.fixture
def no_network(monkeypatch):
    """Block internet sockets and name lookups; yields the record of attempts."""
    with blocked_network(monkeypatch) as attempts:
        yield attempts


def child_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Environment for a child process: offscreen Qt, private HOME and XDG dirs."""
    env = dict(os.environ)
    home = tmp_path / "home"
    for var, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(home / sub)
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env.update(HOME=str(home), XDG_RUNTIME_DIR=str(runtime), QT_QPA_PLATFORM="offscreen", TMPDIR=str(tmp_path))
    env.pop("THREATCANVAS_RESOURCES", None)
    env.pop("THREATCANVAS_HOME", None)
    env.update(extra)
    return env


# ------------------------------------------------------------------ strace
def strace_path() -> str | None:
    return shutil.which("strace")


def strace_works() -> bool:
    exe = strace_path()
    if not exe:
        return False
    probe = subprocess.run([exe, "-f", "-qq", "-e", "trace=socket", "true"], capture_output=True)
    return probe.returncode == 0


@dataclass
class Traced:
    returncode: int
    stdout: str
    stderr: str
    sockets: list[str]  # every socket()/connect() line strace saw

    @property
    def internet(self) -> list[str]:
        return [line for line in self.sockets if INTERNET.search(line)]


def strace_prefix(log: Path) -> list[str]:
    """Put before a command to trace it and every child it starts (socket and connect calls only)."""
    return [strace_path(), "-f", "-qq", "-e", "trace=socket,socketpair,connect", "-o", str(log)]


def traced_sockets(log: Path) -> list[str]:
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    return [ln for ln in lines if "socket" in ln or "connect" in ln]


def run_traced(cmd: list[str], tmp_path: Path, env: dict[str, str], timeout: float = 300, cwd=None) -> Traced:
    """Run ``cmd`` (and every child it starts) under strace, recording socket and connect calls."""
    log = tmp_path / f"strace-{time.monotonic_ns()}.log"
    proc = subprocess.run([*strace_prefix(log), *cmd], capture_output=True, text=True, env=env, timeout=timeout,
                          cwd=cwd)
    return Traced(proc.returncode, proc.stdout, proc.stderr, traced_sockets(log))


# -------------------------------------------------------------- read-only
def can_unshare(*flags: str) -> bool:
    exe = shutil.which("unshare")
    if not exe:
        return False
    return subprocess.run([exe, *flags, "true"], capture_output=True).returncode == 0


def read_only_command(folder: Path, cmd: list[str]) -> list[str]:
    """``cmd`` run with ``folder`` read-only.

    ``chmod -R a-w`` (done by the caller) is enough for a normal user, but root
    ignores file modes; as root the folder is also bind-mounted read-only in a
    private mount namespace, which stops root too (EROFS).
    """
    if os.geteuid() != 0:
        return cmd
    script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" "$1" && shift && exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, "sh", str(folder), *cmd]


def make_read_only(folder: Path) -> None:
    subprocess.run(["chmod", "-R", "a-w", str(folder)], check=True)


def make_writable(folder: Path) -> None:
    subprocess.run(["chmod", "-R", "u+w", str(folder)], check=True)


# ------------------------------------------------------------------ bundle
@dataclass
class Bundle:
    root: Path  # dist/threatcanvas
    dist: Path
    seconds: float  # build wall time (0 for a prebuilt bundle)
    log: str

    @property
    def exe(self) -> Path:
        return self.root / ("threatcanvas.exe" if sys.platform == "win32" else "threatcanvas")


@pytest.fixture(scope="session")
def bundle() -> Bundle:
    """The bundle, built with the documented command (once per session)."""
    prebuilt = os.environ.get("THREATCANVAS_TEST_BUNDLE")
    if prebuilt:
        root = Path(prebuilt).resolve()
        assert (root / "threatcanvas").exists(), f"THREATCANVAS_TEST_BUNDLE={prebuilt} has no threatcanvas executable"
        return Bundle(root, root.parent, 0.0, "(prebuilt)")
    dist, work = BUILD_ROOT / "dist", BUILD_ROOT / "work"
    shutil.rmtree(dist, ignore_errors=True)
    env = dict(os.environ, PYTHON=sys.executable)
    start = time.monotonic()
    proc = subprocess.run(
        ["bash", "packaging/build.sh", "--dist", str(dist), "--work", str(work)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    seconds = time.monotonic() - start
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"build failed ({proc.returncode}):\n{log[-4000:]}"
    return Bundle(dist / "threatcanvas", dist, seconds, log)

