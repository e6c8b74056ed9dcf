"""Helpers shared by the CLI commands: loading with located errors, output.

Every problem goes to stderr as one line, ``FILE: LOCATION: MESSAGE``, so CI
logs and editors can jump to it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterable

from app.knowledge import load_controls
from app.model import ModelError, Problem, ThreatModel, load_model


def add_library_option(parser) -> None:
    parser.add_argument(
        "--library",
        metavar="DIR",
        action="append",
        default=[],
        help="an extra threat-library folder (repeatable); the bundled library is always loaded",
    )


def say(text: object, stream=None) -> None:
    """Print one line that the stream can always encode.

    File names from the command line may hold bytes that are not UTF-8
    (surrogate escapes) and terminals may be ASCII-only (``PYTHONIOENCODING``,
    old locales): writing those strictly would turn a report about a file into
    an internal error. Unencodable characters come out as backslash escapes.
    """
    stream = stream or sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    line = str(text)
    try:
        line.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        line = line.encode(encoding if _known(encoding) else "utf-8", "backslashreplace").decode(
            encoding if _known(encoding) else "utf-8")
    print(line, file=stream)


def _known(encoding: str) -> bool:
    try:
        "".encode(encoding)
        return True
    except LookupError:
        return False


def print_problems(problems: Iterable[Problem]) -> None:
    for problem in problems:
        say(problem, sys.stderr)


def control_ids(library_dirs: Iterable[str] = ()) -> list[str] | None:
    """Ids of the controls catalogue; ``ModelError`` for a missing folder or a broken library file."""
    dirs = list(library_dirs)
    for folder in dirs:
        # the catalogue loader skips folders without a controls file; a typo in
        # --library must not silently validate against the bundled catalogue only
        if not os.path.isdir(folder):
            raise ModelError([Problem(str(folder), "", "--library: no such folder")])
    return load_controls(dirs).ids()


def load_or_report(path: str, library_dirs: Iterable[str] = ()) -> ThreatModel | None:
    """Load a model, printing located problems and returning None when it is bad."""
    try:
        return load_model(path, known_controls=control_ids(library_dirs))
    except ModelError as exc:
        print_problems(exc.problems)
        return None


def display_name(path: str | Path) -> str:
    return str(path)
