"""``threatcanvas analyze FILE``: find threats, print them, gate CI on them.

Exit codes: 0 no open finding at or above ``--fail-on`` (or no ``--fail-on``),
1 at least one such open finding, 2 bad input (unreadable or invalid model,
broken library, unwritable output). A finding is open when its review status
is ``open`` or when it was reviewed but its inputs changed since.

Output is deterministic: two runs over the same inputs give identical bytes.
"""

from __future__ import annotations

import sys

from app.analysis import analyze
from app.analysis.export import is_open, to_csv, to_json, to_sarif, to_text
from app.analysis.findings import Severity
from app.cli.common import add_library_option, load_or_report, print_problems
from app.knowledge import load_library
from app.model import ModelError, write_atomic

HELP = "analyse a model: findings as text, JSON, CSV or SARIF; exit 1 when open findings reach --fail-on"

FORMATS = ("text", "json", "csv", "sarif")


def configure(parser) -> None:
    parser.add_argument("file", metavar="FILE", help="the model file (.tcm.json)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    add_library_option(parser)
    parser.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity],
        metavar="SEVERITY",
        help="exit 1 when an open finding at or above this severity remains (low, medium, high, critical)",
    )
    parser.add_argument("-o", "--output", metavar="OUT", help="write to OUT instead of standard output")


def run(args) -> int:
    model = load_or_report(args.file, args.library)
    if model is None:
        return 2
    try:
        library = load_library(args.library)
    except ModelError as exc:
        print_problems(exc.problems)
        return 2
    result = analyze(model, library)
    if args.format == "json":
        text = to_json(result, model, args.file)
    elif args.format == "csv":
        text = to_csv(result)
    elif args.format == "sarif":
        text = to_sarif(result, model, args.file, _read_text(args.file))
    else:
        text = to_text(result, model, {e.id: e.name for e in model.elements} | {f.id: f.name or f.id for f in model.flows})
    data = text.encode("utf-8")
    if args.output:
        try:
            write_atomic(args.output, data)
        except OSError as exc:
            print(f"{args.output}: cannot write: {exc.strerror or exc}", file=sys.stderr)
            return 2
    else:
        out = getattr(sys.stdout, "buffer", None)
        if out is not None:
            sys.stdout.flush()
            out.write(data)
            out.flush()
        else:  # a replaced stdout (tests, embedding) takes text
            sys.stdout.write(text)
    if args.fail_on:
        threshold = Severity(args.fail_on).rank
        failing = [f for f in result.findings if is_open(f) and f.severity.rank >= threshold]
        if failing:
            print(
                f"{len(failing)} open finding(s) at or above {args.fail_on}; highest: {failing[0].id} "
                f"({failing[0].severity.value}, risk {failing[0].risk})",
                file=sys.stderr,
            )
            return 1
    return 0


def _read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return ""
