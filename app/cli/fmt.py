"""``threatcanvas fmt FILE...``: rewrite model files in canonical form.

Like ``terraform fmt``: with ``--check`` nothing is written and the exit code
is 1 when any file is not canonical (for pre-commit hooks and CI). Files that
are not valid models are never rewritten: they are reported (exit 2) and left
exactly as they are.
"""

from __future__ import annotations

import sys

from app.cli.common import add_library_option, control_ids, print_problems, say
from app.model import ModelError, Problem, dumps_model, load_model, write_atomic

HELP = "rewrite model files in canonical form (--check: only report, exit 1 if any would change)"


def configure(parser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file is not canonical")
    add_library_option(parser)


def run(args) -> int:
    try:
        known = control_ids(args.library)
    except ModelError as exc:
        print_problems(exc.problems)
        return 2
    bad = unformatted = 0
    for path in args.files:
        try:
            model = load_model(path, known_controls=known)
            with open(path, "rb") as fh:
                current = fh.read()
        except ModelError as exc:
            print_problems(exc.problems)
            bad += 1
            continue
        except OSError as exc:
            say(Problem(path, "", f"cannot read file: {exc.strerror or exc}"), sys.stderr)
            bad += 1
            continue
        canonical = dumps_model(model).encode("utf-8")
        if current == canonical:
            continue
        unformatted += 1
        if args.check:
            say(Problem(path, "", "not in canonical form (run: threatcanvas fmt FILE)"), sys.stderr)
            continue
        try:
            write_atomic(path, canonical)
        except OSError as exc:  # read-only folder, disk full …: the old file is untouched
            say(Problem(path, "", f"cannot write file: {exc.strerror or exc}"), sys.stderr)
            bad += 1
            continue
        say(f"{path}: reformatted")
    if bad:
        return 2
    return 1 if (args.check and unformatted) else 0
