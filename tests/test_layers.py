"""The Qt-free core stays Qt-free: model, knowledge, analysis, report, cli.

Checked twice: statically (no import statement names PySide6/shiboken6) and
dynamically (importing every module of those packages in a fresh interpreter
loads no Qt module).
"""

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORE = ["model", "knowledge", "analysis", "report", "cli"]
QT = ("PySide6", "shiboken6", "PyQt5", "PyQt6")


def _core_files():
    for pkg in CORE:
        yield from sorted((REPO / "app" / pkg).rglob("*.py"))


def test_core_sources_do_not_import_qt():
    offenders = []
    for path in _core_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(REPO)}:{node.lineno} {n}" for n in names if n.split(".")[0] in QT]
    assert not offenders, "Qt imported in the Qt-free core:\n" + "\n".join(offenders)


def test_importing_the_core_loads_no_qt():
    modules = []
    for path in _core_files():
        rel = path.relative_to(REPO).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts[-1] == "__main__":
            continue
        modules.append(".".join(parts))
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {QT!r})\n"
        "print(' '.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"Qt modules loaded by the core: {out.stdout}"
    assert len(modules) >= 10
