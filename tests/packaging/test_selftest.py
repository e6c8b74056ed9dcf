"""``threatcanvas --self-test`` from a source checkout: it passes, and it fails loudly when it should."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.selftest import EXPECTED_THREATS, CheckFailed, pdf_page_count
from packaging_support import REPO, can_unshare, child_env, make_read_only, make_writable, read_only_command


def _self_test(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app", "--self-test", *args],
        cwd=tmp_path,  # not the checkout: the resources must be found from the package
        env=child_env(tmp_path, PYTHONPATH=str(REPO), **env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _resources_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "resources"
    shutil.copytree(REPO / "resources", copy)
    return copy


def test_self_test_passes_leaves_nothing_behind_and_never_loads_qt(tmp_path):
    code = (
        "import sys\n"
        "from app.cli.main import main\n"
        "rc = main(['--self-test'])\n"
        "print('QT:', sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')))\n"
        "sys.exit(rc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=child_env(tmp_path, PYTHONPATH=str(REPO)),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "self-test passed" in proc.stdout and "FAIL" not in proc.stdout
    for example in EXPECTED_THREATS:
        line = next(ln for ln in proc.stdout.splitlines() if f"example {example}: " in ln)
        assert line.lstrip().startswith("ok") and re.search(r"report \d+ pages", line), line
    assert "QT: []" in proc.stdout
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith("threatcanvas-selftest-")]
    assert leftovers == [], "the temporary report folder was not removed"
    assert [p for p in (tmp_path / "home").rglob("*") if p.is_file()] == [], "the self-test wrote user files"


def test_a_missing_example_fails_naming_it(tmp_path):
    resources = _resources_copy(tmp_path)
    (resources / "examples" / "card-fraud-detection.tcm.json").unlink()
    proc = _self_test(tmp_path, THREATCANVAS_RESOURCES=str(resources))
    assert proc.returncode == 1
    assert "FAIL  resources: bundled examples missing" in proc.stdout
    assert "card-fraud-detection.tcm.json" in proc.stdout
    assert "self-test FAILED" in proc.stdout


def test_a_broken_example_fails_with_its_problem(tmp_path):
    resources = _resources_copy(tmp_path)
    path = resources / "examples" / "visual-quality-inspection.tcm.json"
    path.write_text(path.read_text().replace('"kind": "model"', '"kind": "modle"', 1))
    proc = _self_test(tmp_path, THREATCANVAS_RESOURCES=str(resources))
    assert proc.returncode == 1
    line = next(ln for ln in proc.stdout.splitlines() if "example visual-quality-inspection" in ln)
    assert line.lstrip().startswith("FAIL") and "invalid" in line
    # the other examples are still checked and pass
    assert "ok    example card-fraud-detection.tcm.json" in proc.stdout


def test_a_library_without_threats_fails(tmp_path):
    resources = _resources_copy(tmp_path)
    for path in (resources / "library").rglob("*.toml"):
        if path.name not in ("controls.toml", "library.toml"):
            path.unlink()
    proc = _self_test(tmp_path, THREATCANVAS_RESOURCES=str(resources))
    assert proc.returncode == 1
    assert "FAIL  library" in proc.stdout


def test_bad_usage_exits_2(tmp_path):
    proc = _self_test(tmp_path, "--no-such-option")
    assert proc.returncode == 2
    assert "usage: threatcanvas --self-test" in proc.stderr


def _pdf(tmp_path: Path, pages: int) -> Path:
    from reportlab.pdfgen.canvas import Canvas

    path = tmp_path / f"{pages}.pdf"
    c = Canvas(str(path))
    for n in range(pages):
        c.drawString(72, 720, f"page {n + 1}")
        c.showPage()
    c.save()
    return path


def test_pdf_page_count_counts_pages_not_page_trees(tmp_path):
    assert pdf_page_count(_pdf(tmp_path, 1)) == 1
    assert pdf_page_count(_pdf(tmp_path, 3)) == 3


@pytest.mark.parametrize(
    "data, message",
    [
        (b"<html>not a pdf</html>", "does not start with %PDF-"),
        (None, "truncated"),
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", "has no pages"),
    ],
)
def test_pdf_page_count_rejects_what_is_not_a_complete_pdf(tmp_path, data, message):
    path = tmp_path / "bad.pdf"
    path.write_bytes(data if data is not None else _pdf(tmp_path, 2).read_bytes()[:-200])
    with pytest.raises(CheckFailed, match=message):
        pdf_page_count(path)


@pytest.mark.skipif(os.geteuid() == 0 and not can_unshare("-m"),
                    reason="running as root without mount namespaces: cannot make a folder read-only for root")
def test_self_test_and_editor_run_from_a_read_only_source_install(tmp_path):
    """Installed read-only (``/opt``, a write-protected stick): nothing may need to write beside the program."""
    install = tmp_path / "install"
    shutil.copytree(REPO / "app", install / "app", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "resources", install / "resources")
    env = child_env(tmp_path, PYTHONPATH=str(install))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # let Python try to write .pyc files: it must cope
    example = install / "resources" / "examples" / "card-fraud-detection.tcm.json"
    shot = tmp_path / "shot.png"
    make_read_only(install)
    try:
        probe = subprocess.run(read_only_command(install, ["touch", str(install / "probe")]), capture_output=True)
        assert probe.returncode != 0, "the install folder is still writable"
        selftest = subprocess.run(read_only_command(install, [sys.executable, "-m", "app", "--self-test"]),
                                  capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)
        editor = subprocess.run(
            read_only_command(install, [sys.executable, "-m", "app", str(example), "--screenshot", str(shot)]),
            capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)
    finally:
        make_writable(install)
    assert selftest.returncode == 0, selftest.stdout + selftest.stderr
    assert editor.returncode == 0, editor.stdout + editor.stderr
    assert shot.read_bytes().startswith(b"\x89PNG")
    assert not list(install.rglob("__pycache__")) and not (install / "probe").exists()
