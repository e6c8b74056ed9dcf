"""Static scan: find code in the app that could reach the network.

Walks the syntax tree (not text, so comments and docstrings that *mention*
sockets do not count) and reports:

* imports of network modules: ``socket``, ``ssl``, ``http.client``,
  ``urllib.request``, ``requests``, ``PySide6.QtNetwork``, … — also through
  ``importlib.import_module("…")`` / ``__import__("…")`` with a literal name;
* any use of a Qt network or web class name (``QNetworkAccessManager``,
  ``QTcpSocket``, ``QWebEngineView``, …), however it was imported;
* ``openUrl(…)`` calls (``QDesktopServices.openUrl`` hands a URL to a browser
  or mail client) unless the argument is ``QUrl.fromLocalFile(…)``.
"""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN_MODULES = (
    "socket",
    "ssl",
    "http.client",
    "http.server",
    "http.cookiejar",
    "urllib.request",
    "urllib3",
    "requests",
    "httpx",
    "aiohttp",
    "websocket",
    "websockets",
    "ftplib",
    "smtplib",
    "imaplib",
    "poplib",
    "telnetlib",
    "xmlrpc",
    "socketserver",
    "webbrowser",
    "PySide6.QtNetwork",
    "PySide6.QtNetworkAuth",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtWebEngineQuick",
    "PySide6.QtWebSockets",
    "PySide6.QtWebChannel",
    "PySide6.QtHttpServer",
    "PySide6.QtRemoteObjects",
)
# Bare ``import urllib`` / ``import http`` give access to the submodules above.
FORBIDDEN_BARE = ("urllib", "http")
QT_NETWORK_NAMES = ("QNetwork", "QTcpSocket", "QUdpSocket", "QSslSocket", "QLocalServer", "QWebEngine", "QWebSocket",
                    "QHttpServer", "QDnsLookup", "QHostInfo", "QAbstractSocket", "QRestAccessManager")


def _forbidden_module(module: str) -> bool:
    return any(module == bad or module.startswith(bad + ".") for bad in FORBIDDEN_MODULES)


def _forbidden(module: str) -> bool:
    """For ``import X`` and ``import_module("X")``: also the bare packages."""
    return module in FORBIDDEN_BARE or _forbidden_module(module)


def _local_file_url(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "fromLocalFile"
    )


def scan_source(text: str, name: str = "<source>") -> list[str]:
    """Every network-capable construct in ``text``, as ``name:line what``."""
    tree = ast.parse(text, filename=name)
    found: list[str] = []

    def hit(node: ast.AST, what: str) -> None:
        found.append(f"{name}:{getattr(node, 'lineno', 0)} {what}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _forbidden(alias.name):
                    hit(node, f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if _forbidden_module(node.module):
                hit(node, f"from {node.module} import …")
            for alias in node.names:  # from PySide6 import QtNetwork / from http import client
                if _forbidden_module(f"{node.module}.{alias.name}"):
                    hit(node, f"from {node.module} import {alias.name}")
        elif isinstance(node, ast.Call):
            func = node.func
            fname = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if fname in ("import_module", "__import__") and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and _forbidden(arg.value):
                    hit(node, f"{fname}({arg.value!r})")
            if fname == "openUrl" and not (node.args and _local_file_url(node.args[0])):
                hit(node, "openUrl(…) with a URL that is not QUrl.fromLocalFile(…)")
        elif isinstance(node, (ast.Name, ast.Attribute)):
            ident = node.id if isinstance(node, ast.Name) else node.attr
            if ident.startswith(QT_NETWORK_NAMES):
                hit(node, f"Qt network class {ident}")
        elif isinstance(node, ast.alias) and node.name.startswith(QT_NETWORK_NAMES):
            hit(node, f"Qt network class {node.name}")
    return found


def scan_tree(root: Path) -> list[str]:
    """Scan every ``.py`` file below ``root``."""
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        found += scan_source(path.read_text(encoding="utf-8"), str(path))
    return found
