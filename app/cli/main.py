"""Entry point of ``threatcanvas`` and ``python -m app``.

``threatcanvas SUBCOMMAND …`` runs a headless command; anything else
(``threatcanvas``, ``threatcanvas FILE``, ``--screenshot``, ``--self-test``)
goes to the editor launcher, which imports Qt only then.

Exit codes: 0 success, 1 a check failed (findings over ``--fail-on``, ``fmt
--check`` found files to reformat), 2 bad input or usage, 3 internal error.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from typing import Sequence

from app import __version__

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

# subcommand -> module; each module has HELP, configure(parser) and run(args) -> int
COMMANDS: dict[str, str] = {
    "validate": "app.cli.validate",
    "fmt": "app.cli.fmt",
    "schema": "app.cli.schema",
    "analyze": "app.cli.analyze",
    "report": "app.cli.report",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="threatcanvas",
        description="Threat modelling for AI systems. Without a command, opens the editor.",
    )
    parser.add_argument("--version", action="version", version=f"ThreatCanvas {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue  # a command not built yet in this checkout
        cmd = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.configure(cmd)
        cmd.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        if args_list and (args_list[0] in COMMANDS or args_list[0] in ("-h", "--help", "--version")):
            parser = build_parser()
            args = parser.parse_args(args_list)
            return int(args._run(args))
        if "--self-test" in args_list:  # headless: must work with no display and no Qt
            from app.cli.selftest import run_self_test

            return int(run_self_test([a for a in args_list if a != "--self-test"]))
        from app.gui.launch import launch  # imports Qt: only for the editor

        return int(launch(args_list))
    except SystemExit as exc:  # argparse: --help (0) and usage errors (2)
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `threatcanvas analyze … | head`
        with _suppress_all():
            sys.stdout = open(os.devnull, "w")
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        print(f"threatcanvas: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        if os.environ.get("THREATCANVAS_DEBUG"):
            traceback.print_exc()
        else:
            print("(set THREATCANVAS_DEBUG=1 for the traceback)", file=sys.stderr)
        return EXIT_INTERNAL


class _suppress_all:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return True


if __name__ == "__main__":
    sys.exit(main())
