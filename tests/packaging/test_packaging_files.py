"""The packaging sources: spec, build script, desktop entry, MIME type, installer.

Fast checks that need no build: every exclude says why, the version comes from
the package, the desktop entry and MIME type are accepted by the real
freedesktop tools, and install.sh installs and uninstalls a (stand-in) bundle.
"""

from __future__ import annotations

import ast
import configparser
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"
SPEC = PACKAGING / "threatcanvas.spec"
MIME_TYPE = "application/x-threatcanvas-model"


def _spec_list(name: str) -> tuple[ast.List, list[str]]:
    text = SPEC.read_text(encoding="utf-8")
    tree = ast.parse(text)
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == name:
            assert isinstance(node.value, ast.List)
            return node.value, text.splitlines()
    raise AssertionError(f"no `{name} = [...]` in the spec")


def test_every_exclude_says_why():
    node, lines = _spec_list("excludes")
    names = [elt.value for elt in node.elts]
    assert len(names) >= 40
    silent = []
    for elt in node.elts:
        line = lines[elt.lineno - 1]
        reason = line.split("#", 1)[1].strip() if "#" in line else ""
        if len(reason) < 5:
            silent.append(elt.value)
    assert not silent, f"excludes without a reason: {silent}"
    # The no-network guarantee rests on these being out of the bundle.
    for module in ("PySide6.QtNetwork", "PySide6.QtWebEngineCore", "ssl", "webbrowser"):
        assert module in names


def test_every_dropped_file_pattern_says_why():
    node, _ = _spec_list("_DROP")
    pairs = [(e.elts[0].value, e.elts[1].value) for e in node.elts]
    assert all(len(reason) >= 5 for _, reason in pairs), pairs
    patterns = [p for p, _ in pairs]
    assert "libQt6Network.so" in patterns and "/Qt/plugins/platforms/libqvnc" in patterns


def test_version_is_stamped_from_the_package_not_written_in_packaging():
    from app import __version__

    spec = SPEC.read_text(encoding="utf-8")
    assert "app\" / \"__init__.py" in spec and "__version__" in spec
    for path in PACKAGING.rglob("*"):
        if path.is_file() and path.suffix in (".spec", ".sh", ".desktop", ".xml", ".py"):
            assert f'"{__version__}"' not in path.read_text(encoding="utf-8"), f"{path} hard-codes the version"


def test_shell_scripts_parse():
    for script in (PACKAGING / "build.sh", PACKAGING / "linux" / "install.sh"):
        proc = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
    assert os.access(PACKAGING / "build.sh", os.X_OK)


def test_build_script_keeps_caches_inside_the_checkout():
    text = (PACKAGING / "build.sh").read_text(encoding="utf-8")
    assert 'PYINSTALLER_CONFIG_DIR="$work/config"' in text and 'work=$(absolute "$work")' in text
    assert "pip install" not in re.sub(r"echo .*", "", text), "the build must not install anything"


def test_desktop_entry():
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive in desktop entries
    parser.read(PACKAGING / "linux" / "threatcanvas.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Exec"] == "threatcanvas %f"
    assert entry["Icon"] == "threatcanvas"
    assert entry["Terminal"] == "false"
    assert MIME_TYPE + ";" in entry["MimeType"]
    if shutil.which("desktop-file-validate"):
        proc = subprocess.run(
            ["desktop-file-validate", str(PACKAGING / "linux" / "threatcanvas.desktop")], capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.skipif(not shutil.which("update-mime-database"), reason="shared-mime-info not installed")
def test_mime_type_is_accepted_by_update_mime_database(tmp_path):
    packages = tmp_path / "mime" / "packages"
    packages.mkdir(parents=True)
    shutil.copy(PACKAGING / "linux" / "threatcanvas-mime.xml", packages / "threatcanvas.xml")
    proc = subprocess.run(["update-mime-database", str(tmp_path / "mime")], capture_output=True, text=True)
    assert proc.returncode == 0 and "error" not in proc.stderr.lower(), proc.stderr
    globs = (tmp_path / "mime" / "globs2").read_text()
    assert f"60:{MIME_TYPE}:*.tcm.json" in globs
    assert f"{MIME_TYPE} application/json" in (tmp_path / "mime" / "subclasses").read_text()
    assert (tmp_path / "mime" / "application" / "x-threatcanvas-model.xml").is_file()


def _fake_bundle(root: Path) -> Path:
    """The layout build.sh produces, with a shell script standing in for the executable."""
    bundle = root / "threatcanvas"
    (bundle / "_internal").mkdir(parents=True)
    exe = bundle / "threatcanvas"
    exe.write_text("#!/bin/sh\necho stand-in \"$@\"\n")
    exe.chmod(0o755)
    files = {
        "share/applications/threatcanvas.desktop": PACKAGING / "linux" / "threatcanvas.desktop",
        "share/mime/packages/threatcanvas.xml": PACKAGING / "linux" / "threatcanvas-mime.xml",
        "share/icons/hicolor/scalable/apps/threatcanvas.svg": PACKAGING / "icons" / "threatcanvas.svg",
        "share/icons/hicolor/256x256/apps/threatcanvas.png": PACKAGING / "icons" / "threatcanvas-256.png",
        "share/install.sh": PACKAGING / "linux" / "install.sh",
    }
    for dest, src in files.items():
        (bundle / dest).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, bundle / dest)
    return bundle


def test_install_sh_installs_and_uninstalls_under_a_prefix(tmp_path):
    bundle = _fake_bundle(tmp_path / "unpacked")
    prefix = tmp_path / "prefix"
    env = dict(os.environ, HOME=str(tmp_path / "home"))
    proc = subprocess.run(["sh", str(bundle / "share" / "install.sh"), "--prefix", str(prefix)],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    opt = prefix / "opt" / "threatcanvas"
    assert (opt / "_internal").is_dir()
    link = prefix / "bin" / "threatcanvas"
    assert link.is_symlink() and link.resolve() == (opt / "threatcanvas").resolve()
    assert subprocess.run([str(link), "--version"], capture_output=True, text=True).stdout.strip() == "stand-in --version"
    desktop = (prefix / "share" / "applications" / "threatcanvas.desktop").read_text()
    assert f"Exec={opt}/threatcanvas %f" in desktop and f"TryExec={opt}/threatcanvas" in desktop
    assert (prefix / "share" / "mime" / "packages" / "threatcanvas.xml").is_file()
    assert (prefix / "share" / "icons" / "hicolor" / "scalable" / "apps" / "threatcanvas.svg").is_file()
    if shutil.which("update-mime-database"):
        assert MIME_TYPE in (prefix / "share" / "mime" / "globs2").read_text()

    proc = subprocess.run(["sh", str(opt / "share" / "install.sh"), "--uninstall", "--prefix", str(prefix)],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert not opt.exists() and not link.exists() and not link.is_symlink()
    assert not (prefix / "share" / "applications" / "threatcanvas.desktop").exists()


def test_install_sh_refuses_a_folder_that_is_not_a_bundle(tmp_path):
    (tmp_path / "x" / "share").mkdir(parents=True)
    shutil.copy(PACKAGING / "linux" / "install.sh", tmp_path / "x" / "share" / "install.sh")
    proc = subprocess.run(["sh", str(tmp_path / "x" / "share" / "install.sh"), "--prefix", str(tmp_path / "p")],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "not found" in proc.stderr
    assert not (tmp_path / "p").exists()
