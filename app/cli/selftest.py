"""``threatcanvas --self-test``: check a freshly installed or carried-in bundle.

Runs headless (never imports Qt, needs no display) and touches nothing but a
temporary folder: it finds the bundled resources, loads and checks every
bundled example, analyses each one with the bundled threat library, writes a
PDF report for each, and checks what came out (findings exist, the threats
each example is built to show are found, analysis is deterministic, the PDF is
a PDF with pages). It prints one line per check and a verdict.

Exit codes: 0 every check passed, 1 a check failed (the line says which and
why), 2 bad usage. It is the smoke test of docs/packaging.md and the slow
bundle tests in tests/packaging.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from app import __version__, platform_paths, resources

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

# The threats each bundled example exists to demonstrate, as OWASP ids (LLM
# Top 10 2025, ML Top 10). Every id must be found; the first must also be
# among the example's highest-risk findings. Domain facts, not engine output:
# a RAG assistant that reads public pages and can issue refunds is about
# prompt injection and excessive agency; a fraud model retrained on
# chargebacks and analyst labels is about evasion and poisoning; a vision
# model on a factory floor that learns online from operators is about
# adversarial patches and poisoning through the feedback loop.
EXPECTED_THREATS: dict[str, tuple[str, ...]] = {
    "rag-support-assistant.tcm.json": ("LLM01", "LLM06"),
    "card-fraud-detection.tcm.json": ("ML01", "ML02"),
    "visual-quality-inspection.tcm.json": ("ML01", "ML02"),
}
TOP_N = 5  # "highest-risk findings": the first few in the engine's risk order


class CheckFailed(Exception):
    """A check found something wrong; the message says what, in plain words."""


@dataclass
class Outcome:
    name: str
    ok: bool
    detail: str
    seconds: float = 0.0


@dataclass
class SelfTest:
    """Runs the checks in order and keeps their outcomes."""

    out_dir: Path
    stream: io.TextIOBase = field(default_factory=lambda: sys.stdout)
    outcomes: list[Outcome] = field(default_factory=list)
    library: object = None
    controls: list[str] | None = None
    catalogue: object = None
    # Qt modules already loaded by the host process (a test runner), so only
    # what the self-test itself loads counts against it.
    qt_before: set[str] = field(default_factory=lambda: _qt_modules())

    def check(self, name: str, func: Callable[[], str]) -> bool:
        """Run one check; print ``ok``/``FAIL`` with its detail. Never raises."""
        start = time.perf_counter()
        try:
            detail, ok = func(), True
        except CheckFailed as exc:
            detail, ok = str(exc), False
        except Exception as exc:  # noqa: BLE001 - a self-test reports, it does not crash
            detail, ok = f"unexpected {type(exc).__name__}: {exc}", False
        outcome = Outcome(name, ok, detail, time.perf_counter() - start)
        self.outcomes.append(outcome)
        print(f"  {'ok  ' if ok else 'FAIL'}  {name}: {detail}", file=self.stream, flush=True)
        return ok

    # --------------------------------------------------------------- checks
    def check_build(self) -> str:
        frozen = bool(getattr(sys, "frozen", False))
        if not frozen:
            return f"running from source ({Path(__file__).resolve().parents[2]}), Python {sys.version.split()[0]}"
        info_path = Path(getattr(sys, "_MEIPASS", "")) / "BUILDINFO.json"
        try:
            info = json.loads(info_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CheckFailed(f"bundle has no readable BUILDINFO.json ({exc})") from None
        if info.get("version") != __version__:
            raise CheckFailed(f"BUILDINFO says version {info.get('version')!r}, the code says {__version__!r}")
        return (
            f"bundle {Path(sys.executable).parent}, built with Python {info.get('python')}, "
            f"PySide6 {info.get('pyside6')}, PyInstaller {info.get('pyinstaller')}"
        )

    def check_resources(self) -> str:
        try:
            root = resources.resource_root()
        except FileNotFoundError as exc:
            raise CheckFailed(str(exc)) from None
        library_files = sorted(p.name for p in resources.library_dir().glob("*.toml"))
        if not library_files:
            raise CheckFailed(f"no threat-library files in {resources.library_dir()}")
        names = [p.name for p in resources.example_files()]
        missing = sorted(set(EXPECTED_THREATS) - set(names))
        if missing:
            raise CheckFailed(f"bundled examples missing from {resources.examples_dir()}: {', '.join(missing)}")
        fonts = sorted(resources.resource_path("fonts").glob("*.ttf"))
        if not fonts:
            raise CheckFailed(f"no fonts in {resources.resource_path('fonts')} (the PDF report embeds them)")
        return f"{root}: {len(library_files)} library files, {len(names)} examples, {len(fonts)} fonts"

    def check_library(self) -> str:
        from app.knowledge import load_controls

        self.catalogue = load_controls()
        self.controls = self.catalogue.ids()
        try:
            from app.knowledge import load_library
        except ImportError:
            raise CheckFailed("this build has no threat library loader (app.knowledge.load_library)") from None
        self.library = load_library()
        count = len(getattr(self.library, "threats", ()))
        if count == 0:
            raise CheckFailed(f"the threat library in {resources.library_dir()} has no threats")
        version = getattr(self.library, "version", "")
        return f"{count} threats{f' (library {version})' if version else ''}, {len(self.controls)} controls"

    def check_cli(self) -> str:
        """The subcommands import (the bundle must carry them) and ``validate`` passes the examples."""
        from app.cli import main as cli_main

        missing = []
        for command, module in cli_main.COMMANDS.items():
            try:
                __import__(module)
            except ImportError as exc:
                missing.append(f"{command} ({exc})")
        paths = [str(p) for p in resources.example_files()]
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli_main.main(["validate", *paths])
        if code != 0:
            raise CheckFailed(f"`threatcanvas validate` exited {code}: {err.getvalue().strip()[:300]}")
        if missing:
            raise CheckFailed("commands missing from this build: " + "; ".join(missing))
        return f"commands {', '.join(cli_main.COMMANDS)}; validate passed {len(paths)} examples"

    def check_example(self, path: Path) -> str:
        from app.model import ModelError, load_model

        try:
            model = load_model(path, known_controls=self.controls)
        except ModelError as exc:
            raise CheckFailed("invalid: " + "; ".join(str(p) for p in exc.problems[:3])) from None
        result = self._analyze(model)
        findings = result.findings
        if not findings:
            raise CheckFailed("analysis found nothing")
        again = self._analyze(model)
        if [f.id for f in again.findings] != [f.id for f in findings]:
            raise CheckFailed("analysis is not deterministic: two runs gave different finding ids")
        expected = EXPECTED_THREATS.get(path.name, ())
        found = {o for f in findings for o in f.owasp}
        absent = [o for o in expected if o not in found]
        if absent:
            raise CheckFailed(f"expected threats not found: {', '.join(absent)} (found {', '.join(sorted(found))})")
        top = findings[:TOP_N]
        if expected and not any(expected[0] in f.owasp for f in top):
            raise CheckFailed(
                f"{expected[0]} is not among the {TOP_N} highest risks: "
                + "; ".join(f"{f.title} ({'/'.join(f.owasp) or '-'})" for f in top)
            )
        pdf = self.out_dir / (path.name.removesuffix(".tcm.json") + ".pdf")
        pages = self._report(model, result, pdf, hashlib.sha256(path.read_bytes()).hexdigest())
        by_severity = {}
        for f in findings:
            by_severity[f.severity.value] = by_severity.get(f.severity.value, 0) + 1
        counts = ", ".join(f"{n} {s}" for s, n in sorted(by_severity.items(), key=lambda kv: -_rank(kv[0])))
        return f"{len(findings)} findings ({counts}); top: {findings[0].title}; report {pages} pages"

    def check_headless(self) -> str:
        loaded = sorted(_qt_modules() - self.qt_before)
        if loaded:
            raise CheckFailed(f"the headless path loaded Qt: {', '.join(loaded[:5])}")
        dirs = platform_paths.all_dirs()
        return "no Qt loaded; user files go to " + ", ".join(f"{k} {v}" for k, v in dirs.items() if k != "recovery")

    # -------------------------------------------------------------- helpers
    def _analyze(self, model):
        try:
            from app.analysis import analyze
        except ImportError:
            raise CheckFailed("this build has no analysis engine (app.analysis.analyze)") from None
        return analyze(model, library=self.library)

    def _report(self, model, result, out: Path, sha256: str) -> int:
        try:
            from app.report import build_report
        except ImportError:
            raise CheckFailed("this build has no PDF report (app.report.build_report)") from None
        stats = build_report(model, result, out, model_sha256=sha256, controls=self.catalogue)
        pages = pdf_page_count(out)
        if pages != stats.pages:
            raise CheckFailed(f"{out.name}: the renderer reports {stats.pages} pages, the file has {pages}")
        if stats.findings != len(result.findings):
            raise CheckFailed(f"{out.name}: {stats.findings} findings in the report, {len(result.findings)} found")
        return pages


def _qt_modules() -> set[str]:
    return {m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6")}


def _rank(severity: str) -> int:
    order = ["low", "medium", "high", "critical"]
    return order.index(severity) if severity in order else -1


def pdf_page_count(path: Path) -> int:
    """Pages in a PDF we wrote, without a PDF library; ``CheckFailed`` if it is not one."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CheckFailed(f"report not written: {exc}") from None
    if not data.startswith(b"%PDF-"):
        raise CheckFailed(f"{path.name} does not start with %PDF-")
    if b"%%EOF" not in data[-1024:]:
        raise CheckFailed(f"{path.name} is truncated (no %%EOF at the end)")
    # Page objects are "/Type /Page" (the tree nodes are "/Type /Pages").
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
    if pages < 1:
        raise CheckFailed(f"{path.name} has no pages")
    return pages


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="threatcanvas --self-test",
        description="Check this ThreatCanvas installation headlessly: examples, analysis, PDF report.",
    )
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="write the reports to DIR and keep them (default: a temporary folder, removed afterwards)",
    )
    return parser


def run_self_test(argv: Sequence[str]) -> int:
    """Run every check; return 0 when all pass, 1 otherwise (2 for bad usage)."""
    try:
        args = build_parser().parse_args(list(argv))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    temp = None
    if args.keep:
        out_dir = Path(args.keep)
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            print(f"threatcanvas --self-test: cannot create {out_dir}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
    else:
        temp = tempfile.mkdtemp(prefix="threatcanvas-selftest-")
        out_dir = Path(temp)
    started = time.perf_counter()
    print(f"ThreatCanvas {__version__} self-test", flush=True)
    test = SelfTest(out_dir)
    try:
        test.check("build", test.check_build)
        if test.check("resources", test.check_resources):
            test.check("library", test.check_library)
            test.check("cli", test.check_cli)
            for path in resources.example_files():
                test.check(f"example {path.name}", lambda path=path: test.check_example(path))
        test.check("headless", test.check_headless)
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    failed = [o for o in test.outcomes if not o.ok]
    elapsed = time.perf_counter() - started
    if failed:
        print(
            f"self-test FAILED: {len(failed)} of {len(test.outcomes)} checks failed "
            f"({', '.join(o.name for o in failed)}) in {elapsed:.1f} s",
            flush=True,
        )
        return EXIT_FAILED
    where = f"; reports in {out_dir}" if args.keep else ""
    print(f"self-test passed: {len(test.outcomes)} checks in {elapsed:.1f} s{where}", flush=True)
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover - `python -m app.cli.selftest`
    sys.exit(run_self_test(sys.argv[1:]))
