"""``threatcanvas validate FILE...``: check model files without changing them."""

from __future__ import annotations

import sys

from app.cli.common import add_library_option, control_ids, print_problems, say
from app.model import ModelError, load_model

HELP = "check model files: exit 0 when all are valid, 2 with one line per problem otherwise"


def configure(parser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE")
    add_library_option(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing for valid files")


def run(args) -> int:
    try:
        known = control_ids(args.library)
    except ModelError as exc:
        print_problems(exc.problems)
        return 2
    failed = 0
    for path in args.files:
        try:
            model = load_model(path, known_controls=known)
        except ModelError as exc:
            print_problems(exc.problems)
            failed += 1
            continue
        if not args.quiet:
            say(f"{path}: valid ({len(model.elements)} elements, {len(model.flows)} flows, "
                f"{len(model.boundaries)} boundaries)")
    if failed:
        say(f"{failed} of {len(args.files)} file(s) invalid", sys.stderr)
        return 2
    return 0
