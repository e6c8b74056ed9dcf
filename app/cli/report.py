"""``threatcanvas report FILE -o OUT.pdf [--library DIR]``: the PDF assessment.

Loads and checks the model, analyses it with the bundled threat library (plus
any ``--library`` folders) and writes the PDF atomically: a failed run leaves
no partial file and never replaces an existing report with a broken one. Set
``SOURCE_DATE_EPOCH`` for byte-identical output across runs.

Exit codes: 0 written, 2 bad model, library or output path, 3 internal error.
"""

from __future__ import annotations

import sys
import time

from app.cli.common import add_library_option, print_problems
from app.model import ModelError

HELP = "write the PDF assessment of a model: cover, summary, vector diagram, findings, plan, standards"


def configure(parser) -> None:
    parser.add_argument("file", metavar="FILE", help="the model file (.tcm.json)")
    parser.add_argument("-o", "--output", metavar="OUT.pdf", required=True, help="where to write the PDF")
    add_library_option(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")


def run(args) -> int:
    from app.report import render_report, summary_line

    started = time.perf_counter()
    try:
        model, result, stats = render_report(args.file, args.output, args.library)
    except ModelError as exc:
        print_problems(exc.problems)
        return 2
    except OSError as exc:  # the output folder is missing or not writable
        where = getattr(exc, "filename", None) or args.output
        print(f"{where}: cannot write the report: {exc.strerror or exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        elapsed = time.perf_counter() - started
        print(f"{args.output}: {stats.pages} pages, {stats.size / 1024:,.0f} KiB in {elapsed:.1f} s "
              f"({summary_line(model, result)})")
    return 0
