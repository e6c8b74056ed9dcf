"""No network, proven — at three levels.

1. Python level (in process): the headless pipeline (``validate``, ``analyze``,
   ``report`` through ``app.cli.main.main``) and an editor session (open an
   example, edit it, let the analysis run, export PNG and PDF) run with every
   internet socket and name lookup blocked and recorded (``netguard``); the
   record must stay empty.
2. System-call level (child processes under ``strace -f``): the self-test and
   the editor session from source create no AF_INET/AF_INET6 socket — this
   also sees Qt's C++ code, which Python-level guards cannot.
3. Source level: no module of the app imports a network library or names a Qt
   network class (``netscan``).

The built bundle gets the system-call check too, inside a network namespace
with no interfaces (``unshare -n``): see test_bundle.py.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import _socket
import pytest

from app.cli.main import main
from packaging_support import REPO, child_env, run_traced, strace_works
from netscan import scan_source, scan_tree

needs_strace = pytest.mark.skipif(not strace_works(), reason="strace is not installed or not permitted here")


def _examples() -> list[Path]:
    from app.resources import example_files

    paths = example_files()
    assert len(paths) >= 3
    return paths


# ------------------------------------------------------------ the guard itself
def test_guard_blocks_and_records_internet_sockets(no_network):
    with pytest.raises(OSError, match="network blocked"):
        socket.create_connection(("127.0.0.1", 9), timeout=1)
    with pytest.raises(OSError, match="network blocked"):
        socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    with pytest.raises(OSError, match="network blocked"):
        socket.getaddrinfo("example.org", 443)
    # the low-level class, bypassing the patched module attribute: the audit hook sees it
    with pytest.raises(OSError, match="network blocked"):
        _socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    assert len(no_network.records) == 4, no_network.records


def test_guard_allows_local_unix_sockets(no_network):
    a, b = socket.socketpair(socket.AF_UNIX)
    try:
        a.sendall(b"ping")
        assert b.recv(4) == b"ping"
    finally:
        a.close()
        b.close()
    assert no_network.records == []


def test_guard_records_attempts_even_when_the_error_is_swallowed(no_network):
    try:
        socket.create_connection(("192.0.2.1", 80))
    except OSError:
        pass  # code that hides its failures must still fail the test
    assert no_network.records


# ------------------------------------------------------------ Python level
def test_headless_pipeline_makes_no_network_attempt(no_network, tmp_path, capsys):
    examples = [str(p) for p in _examples()]
    assert main(["validate", *examples]) == 0
    for path in examples:
        stem = Path(path).name.removesuffix(".tcm.json")
        assert main(["analyze", path, "--format", "json", "--output", str(tmp_path / f"{stem}.json")]) == 0
        assert main(["report", path, "--output", str(tmp_path / f"{stem}.pdf")]) == 0
        assert (tmp_path / f"{stem}.pdf").read_bytes().startswith(b"%PDF-")
        assert (tmp_path / f"{stem}.json").stat().st_size > 100
    assert no_network.records == [], f"network attempts: {no_network.records}"


@pytest.mark.gui
def test_editor_session_makes_no_network_attempt(qtbot, no_network, tmp_path, monkeypatch):
    """Open an example, click an element and delete it, wait for the real analysis, autosave, export."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from app.canvas.export import export_png, export_svg
    from app.gui.main_window import MainWindow
    from app.knowledge import load_controls
    from app.report import build_report

    monkeypatch.setenv("THREATCANVAS_HOME", str(tmp_path / "home"))  # settings, recovery files
    example = tmp_path / "rag.tcm.json"
    example.write_bytes(next(p for p in _examples() if p.name.startswith("rag-")).read_bytes())
    window = MainWindow(analysis_delay_ms=0, autosave_ms=50, remember_state=False)  # the real engine
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(window.runner.result_ready, timeout=60_000):
        assert window.open_path(str(example))
    assert window.runner.result.findings

    view = window.canvas.view
    item = window.canvas.scene.item_for("refund_tool")
    view.centerOn(item)  # the example is larger than the window: bring the node into view
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     view.mapFromScene(item.sceneBoundingRect().center()))
    assert window.selection.ids() == ["refund_tool"]
    with qtbot.waitSignal(window.runner.result_ready, timeout=60_000):
        QTest.keyClick(view, Qt.Key.Key_Delete)
    assert window.document.element("refund_tool") is None
    assert window.runner.is_up_to_date()
    qtbot.waitUntil(lambda: any((tmp_path / "home").rglob("*.tcm.json")), timeout=10_000)  # autosaved copy

    export_png(window.canvas.scene, tmp_path / "diagram.png")
    export_svg(window.canvas.scene, tmp_path / "diagram.svg")
    build_report(window.document.model, window.runner.result, tmp_path / "report.pdf", controls=load_controls())
    window.document.save(str(tmp_path / "edited.tcm.json"))
    assert (tmp_path / "diagram.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF-")
    assert "refund_tool" not in (tmp_path / "edited.tcm.json").read_text()
    window.close()
    assert no_network.records == [], f"network attempts: {no_network.records}"


# ------------------------------------------------------------ system-call level
@needs_strace
def test_self_test_from_source_opens_no_internet_socket(tmp_path):
    traced = run_traced(
        [sys.executable, "-m", "app", "--self-test"],
        tmp_path,
        child_env(tmp_path, PYTHONPATH=str(REPO)),
        cwd=tmp_path,
    )
    assert traced.returncode == 0, traced.stdout + traced.stderr
    assert traced.internet == [], "internet sockets:\n" + "\n".join(traced.internet)


@needs_strace
def test_strace_check_would_see_an_internet_socket(tmp_path):
    """The system-call check can fail: a child that opens a UDP socket is caught."""
    code = "import socket; socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).close()"
    traced = run_traced([sys.executable, "-c", code], tmp_path, child_env(tmp_path))
    assert traced.returncode == 0
    assert traced.internet and "AF_INET6" in traced.internet[0]


@needs_strace
def test_editor_from_source_opens_no_internet_socket(tmp_path):
    """A whole editor run in a child process (open, analyse, render, save a picture), seen by strace."""
    example = next(p for p in _examples() if p.name.startswith("visual-"))
    shot = tmp_path / "shot.png"
    traced = run_traced(
        [sys.executable, "-m", "app", str(example), "--screenshot", str(shot)],
        tmp_path,
        child_env(tmp_path, PYTHONPATH=str(REPO)),
        cwd=tmp_path,
    )
    assert traced.returncode == 0, traced.stdout + traced.stderr
    assert shot.stat().st_size > 20_000
    assert traced.internet == [], "internet sockets:\n" + "\n".join(traced.internet)


# ------------------------------------------------------------ source level
def test_app_sources_import_no_network_code():
    found = scan_tree(REPO / "app") + scan_source((REPO / "packaging" / "entry_point.py").read_text(), "entry_point.py")
    assert found == [], "network-capable code in the app:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "snippet",
    [
        "import socket",
        "import urllib.request",
        "from urllib import request",
        "from http import client",
        "import http.client as hc",
        "import requests",
        "from PySide6 import QtNetwork",
        "from PySide6.QtNetwork import QNetworkAccessManager",
        "m = QtNetwork.QTcpSocket()",
        "importlib.import_module('ssl')",
        "QDesktopServices.openUrl(QUrl('https://example.org'))",
        "import webbrowser",
    ],
)
def test_the_scanner_catches_each_way_in(snippet):
    assert scan_source(snippet), f"not caught: {snippet}"


@pytest.mark.parametrize(
    "snippet",
    [
        "from urllib.parse import quote",
        "QDesktopServices.openUrl(QUrl.fromLocalFile(path))",
        '"""We never import socket here."""',
        "# import socket",
        "text = 'see https://atlas.mitre.org'",
    ],
)
def test_the_scanner_allows_harmless_code(snippet):
    assert scan_source(snippet) == []
