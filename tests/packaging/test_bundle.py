"""The built bundle (slow): build it with the documented command, then check it as a user would.

One build per session (conftest ``bundle``), then: size, checksums, tarball;
nothing network-capable inside and nothing missing; the self-test passes
plainly, offline in a network namespace under strace, and from a read-only
install unpacked from the tarball; install.sh installs it; the editor opens an
example under Xvfb.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import tarfile
from pathlib import Path

import pytest

from app import __version__
from app.cli.selftest import EXPECTED_THREATS, pdf_page_count
from packaging_support import (
    REPO,
    INTERNET,
    Bundle,
    can_unshare,
    child_env,
    make_read_only,
    make_writable,
    read_only_command,
    run_traced,
    strace_prefix,
    strace_works,
    traced_sockets,
)

pytestmark = pytest.mark.slow

MAX_BUNDLE_MB = 250
# System libraries a Linux desktop provides and the build machine may lack:
# the Wayland client libraries and GTK (used only by Qt's GTK theme plugin).
DESKTOP_LIBS = re.compile(r"^lib(wayland-[a-z]+|gtk-3|gdk-3)\.so")


def _run(bundle_exe: Path, args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(bundle_exe), *args], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path, env=child_env(tmp_path, **env))


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n"), f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


@pytest.fixture(scope="module")
def unpacked(bundle: Bundle, tmp_path_factory) -> Path:
    """The tarball unpacked the way a user does it: a fresh folder on another disk."""
    tarball = next(bundle.dist.glob("threatcanvas-*.tar.gz"))
    dest = tmp_path_factory.mktemp("unpacked")
    subprocess.run(["tar", "-xzf", str(tarball), "-C", str(dest)], check=True)
    (root,) = list(dest.iterdir())
    return root


def test_build_output_size_and_version(bundle: Bundle):
    size_mb = sum(p.stat().st_size for p in _files(bundle.root)) / 1e6
    print(f"\nbundle: {size_mb:.1f} MB, {len(_files(bundle.root))} files, built in {bundle.seconds:.0f} s")
    assert size_mb < MAX_BUNDLE_MB
    info = json.loads((bundle.root / "_internal" / "BUILDINFO.json").read_text())
    assert info["version"] == __version__ and info["name"] == "ThreatCanvas"


def test_checksums_cover_every_file_and_verify(bundle: Bundle):
    sums = (bundle.root / "SHA256SUMS").read_text().splitlines()
    listed = {line.split("  ", 1)[1] for line in sums}
    actual = {str(p.relative_to(bundle.root)) for p in _files(bundle.root)} - {"SHA256SUMS"}
    assert listed == actual
    proc = subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=bundle.root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_tarball_is_named_for_the_version_and_verifies(bundle: Bundle):
    (tarball,) = list(bundle.dist.glob("threatcanvas-*.tar.gz"))
    assert tarball.name.startswith(f"threatcanvas-{__version__}-linux-")
    proc = subprocess.run(["sha256sum", "-c", tarball.name + ".sha256"], cwd=bundle.dist, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    top = tarball.name.removesuffix(".tar.gz")
    with tarfile.open(tarball) as tar:
        names = tar.getnames()
        assert all(n == top or n.startswith(top + "/") for n in names)
        assert f"{top}/threatcanvas" in names and f"{top}/SHA256SUMS" in names
        assert f"{top}/share/install.sh" in names
        assert {m.uid for m in tar.getmembers()} == {0}  # no builder's user id leaks into the archive


def test_bundle_contains_no_network_code(bundle: Bundle):
    names = [str(p.relative_to(bundle.root)) for p in bundle.root.rglob("*")]
    suspicious = [n for n in names if re.search(r"QtNetwork|libQt6Network|/tls/|libqvnc|_ssl\.|libssl|libkrb5|QtWebEngine", n)]
    assert suspicious == []
    assert [p for p in bundle.root.rglob("*") if p.is_symlink() and not p.exists()] == [], "dangling links"


def test_every_library_the_bundle_needs_is_inside_or_on_a_desktop(bundle: Bundle):
    internal = bundle.root / "_internal"
    env = dict(os.environ, LD_LIBRARY_PATH=str(internal))  # what the bootloader sets
    missing = set()
    for path in _files(bundle.root):
        if not (path.suffix == ".so" or ".so." in path.name or path == bundle.exe):
            continue
        out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env).stdout
        for line in out.splitlines():
            if "not found" in line:
                lib = line.split("=>")[0].strip()
                if not DESKTOP_LIBS.match(lib):
                    missing.add(f"{path.relative_to(bundle.root)} needs {lib}")
    assert not missing, "\n".join(sorted(missing))


def test_version_and_cli_work_from_the_bundle(bundle: Bundle, tmp_path):
    proc = _run(bundle.exe, ["--version"], tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip() == f"ThreatCanvas {__version__}"
    example = bundle.root / "_internal" / "resources" / "examples" / "rag-support-assistant.tcm.json"
    proc = _run(bundle.exe, ["validate", str(example)], tmp_path)
    assert proc.returncode == 0, proc.stderr
    proc = _run(bundle.exe, ["validate", str(tmp_path / "missing.tcm.json")], tmp_path)
    assert proc.returncode == 2 and "missing.tcm.json" in proc.stderr


def test_self_test_passes_in_the_bundle(bundle: Bundle, tmp_path):
    keep = tmp_path / "reports"
    proc = _run(bundle.exe, ["--self-test", "--keep", str(keep)], tmp_path, QT_QPA_PLATFORM="none")
    print(proc.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok    build: bundle " in proc.stdout
    assert "self-test passed" in proc.stdout
    for example in EXPECTED_THREATS:
        pdf = keep / example.replace(".tcm.json", ".pdf")
        assert pdf_page_count(pdf) >= 2


@pytest.mark.skipif(not strace_works(), reason="strace is not installed or not permitted here")
def test_self_test_passes_offline_and_opens_no_internet_socket(bundle: Bundle, tmp_path):
    cmd = [str(bundle.exe), "--self-test"]
    isolated = can_unshare("-n")
    if isolated:  # a network namespace with no interfaces: nothing to reach even if it tried
        cmd = ["unshare", "-n", *cmd]
    traced = run_traced(cmd, tmp_path, child_env(tmp_path), cwd=tmp_path)
    print(f"\nunshare -n: {isolated}; socket calls seen: {len(traced.sockets)}")
    assert traced.returncode == 0, traced.stdout + traced.stderr
    assert "self-test passed" in traced.stdout
    assert traced.internet == [], "internet sockets:\n" + "\n".join(traced.internet)


def test_self_test_passes_from_a_read_only_install(unpacked: Path, tmp_path):
    exe = unpacked / "threatcanvas"
    before = {str(p): p.stat().st_mtime_ns for p in _files(unpacked)}
    make_read_only(unpacked)
    try:
        # the mechanism works: not even a probe file can be written
        probe = subprocess.run(read_only_command(unpacked, ["touch", str(unpacked / "probe")]), capture_output=True)
        assert probe.returncode != 0 and not (unpacked / "probe").exists()
        proc = subprocess.run(read_only_command(unpacked, [str(exe), "--self-test"]), capture_output=True,
                              text=True, timeout=300, cwd=tmp_path, env=child_env(tmp_path))
    finally:
        make_writable(unpacked)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert {str(p): p.stat().st_mtime_ns for p in _files(unpacked)} == before


def test_install_sh_installs_the_real_bundle(unpacked: Path, tmp_path):
    prefix = tmp_path / "prefix"
    proc = subprocess.run(["sh", str(unpacked / "share" / "install.sh"), "--prefix", str(prefix)],
                          capture_output=True, text=True, env=child_env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    proc = _run(prefix / "bin" / "threatcanvas", ["--version"], tmp_path)
    assert proc.returncode == 0 and __version__ in proc.stdout
    installed = prefix / "opt" / "threatcanvas"
    verify = subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=installed, capture_output=True, text=True)
    assert verify.returncode == 0, verify.stdout


def test_bundle_ships_every_resource(bundle: Bundle):
    shipped = bundle.root / "_internal" / "resources"
    source = {str(p.relative_to(REPO / "resources")) for p in _files(REPO / "resources")}
    inside = {str(p.relative_to(shipped)) for p in _files(shipped)}
    assert source - inside == set(), "resources missing from the bundle"


@pytest.mark.skipif(not shutil.which("xvfb-run"), reason="xvfb-run is not installed")
@pytest.mark.skipif(not strace_works(), reason="strace is not installed or not permitted here")
def test_editor_opens_an_example_under_xvfb_from_a_read_only_install(unpacked: Path, tmp_path):
    """The real X11 path (xcb platform plugin, fonts, icons), read-only install, no internet socket."""
    example = unpacked / "_internal" / "resources" / "examples" / "visual-quality-inspection.tcm.json"
    shot, log = tmp_path / "editor.png", tmp_path / "strace.log"
    app = [*strace_prefix(log), str(unpacked / "threatcanvas"), str(example), "--screenshot", str(shot)]
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1920x1200x24 -nolisten tcp", *app]
    env = child_env(tmp_path, QT_QPA_PLATFORM="xcb")
    make_read_only(unpacked)
    try:
        proc = subprocess.run(read_only_command(unpacked, cmd), capture_output=True, text=True, timeout=300,
                              cwd=tmp_path, env=env)
    finally:
        make_writable(unpacked)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _png_size(shot) == (1600, 1000)
    assert shot.stat().st_size > 60_000, "the picture is nearly empty"
    sockets = traced_sockets(log)
    assert sockets, "strace saw no socket at all: the X connection should be there"
    internet = [ln for ln in sockets if INTERNET.search(ln)]
    assert internet == [], "internet sockets:\n" + "\n".join(internet)
