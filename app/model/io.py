"""Reading and writing model files: strict parsing, canonical text, atomic saves.

Reading refuses, with a located message and never a traceback: files over
:data:`MAX_FILE_BYTES` (before reading them), invalid UTF-8, JSON syntax
errors, duplicate keys, NaN/Infinity, absurdly long numbers, nesting too deep to parse, unknown keys,
wrong types, out-of-range values, and (``check_model``) dangling references.

Writing produces the canonical text (two-space JSON, keys in schema order,
lists and maps in natural id order, UTF-8, final newline), so saving twice
gives identical bytes, and writes it atomically: a temporary file in the same
folder, fsync, then rename over the target. A failed save leaves the old file
untouched.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import Any, Iterable

from pydantic import ValidationError

from app.model.diagram import ThreatModel
from app.model.jsonscan import find_json_problem, too_long_int
from app.model.migrations import MigrationError, migrate
from app.model.messages import describe, schema_problems
from app.model.problems import ModelError, Problem
from app.model.validate import check_model, file_positions

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_PROBLEMS = 200  # a hostile file can break every field; nobody reads more


class _JsonValueError(ValueError):
    pass


# ------------------------------------------------------------------ reading
def load_model(path: str | os.PathLike, known_controls: Iterable[str] | None = None) -> ThreatModel:
    """Read, validate and check a model file; raise :class:`ModelError` listing every problem."""
    name = str(path)
    try:
        info = os.stat(path)
    except ValueError:  # a NUL byte in the name
        raise ModelError([Problem(name, "", "cannot read file: invalid file name")]) from None
    except OSError as exc:
        raise ModelError([Problem(name, "", f"cannot read file: {exc.strerror or exc}")]) from None
    if stat.S_ISDIR(info.st_mode):
        raise ModelError([Problem(name, "", "is a folder, not a model file")])
    if not stat.S_ISREG(info.st_mode):
        raise ModelError([Problem(name, "", "not a regular file (a device, pipe or socket)")])
    if info.st_size > MAX_FILE_BYTES:
        raise ModelError([Problem(name, "", _too_big(info.st_size))])
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ModelError([Problem(name, "", f"cannot read file: {exc.strerror or exc}")]) from None
    return parse_model(data, name, known_controls)


def parse_model(data: bytes, file: str = "", known_controls: Iterable[str] | None = None) -> ThreatModel:
    """Parse and check model bytes; raise :class:`ModelError` listing every problem."""
    model, positions = _parse_schema(data, file)
    problems = check_model(model, file, known_controls, positions)
    if problems:
        raise ModelError(_capped(problems, file))
    return model


def _too_big(size: int) -> str:
    return f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes"


def _parse_schema(data: bytes, file: str) -> tuple[ThreatModel, dict[tuple[str, str], tuple[int, ...]]]:
    if len(data) > MAX_FILE_BYTES:
        raise ModelError([Problem(file, "", _too_big(len(data)))])
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a byte-order mark from a Windows editor is harmless
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raise ModelError([Problem(file, "line 1, column 1", "the file is UTF-16; model files are UTF-8")]) from None
        line, col = _line_col_bytes(data, exc.start)
        raise ModelError([Problem(file, f"line {line}, column {col}", "invalid UTF-8")]) from None
    if not text.strip():
        raise ModelError([Problem(file, "", "the file is empty")])
    raw = _parse_json(text, file)
    if not isinstance(raw, dict):
        raise ModelError([Problem(file, "", f"expected a JSON object at the top level, found {describe(raw)}")])
    if raw.get("format") != "threatcanvas":
        raise ModelError([Problem(file, "format", 'not a ThreatCanvas model (expected "format": "threatcanvas")')])
    try:
        raw = migrate(raw)
    except MigrationError as exc:
        loc, _, msg = str(exc).partition(": ")
        raise ModelError([Problem(file, loc, msg)]) from None
    try:
        return ThreatModel.model_validate(raw), file_positions(raw)
    except ValidationError as exc:
        raise ModelError(_capped(schema_problems(exc, file), file)) from None


def _parse_json(text: str, file: str) -> Any:
    def no_constants(name: str) -> Any:
        raise _JsonValueError(f"{name} is not allowed (JSON numbers must be finite)")

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
        out: dict = {}
        for key, value in pairs:
            if key in out:
                raise _JsonValueError(f'duplicate key "{_clip(key)}"')
            out[key] = value
        return out

    def bounded_int(digits: str) -> int:
        if too_long_int(digits):  # int() of a 5,000-digit string raises ValueError; long ones are slow
            raise _JsonValueError("number too long")
        return int(digits)

    try:
        return json.loads(text, parse_constant=no_constants, object_pairs_hook=no_duplicates, parse_int=bounded_int)
    except json.JSONDecodeError as exc:
        raise ModelError([Problem(file, f"line {exc.lineno}, column {exc.colno}", _syntax_message(exc, text))]) from None
    except _JsonValueError as exc:
        spot = find_json_problem(text)
        if spot is None:  # cannot happen for text json accepted up to the hook; keep the hook's words
            raise ModelError([Problem(file, "", str(exc))]) from None
        raise ModelError([Problem(file, spot.location, spot.message)]) from None
    except RecursionError:
        raise ModelError([Problem(file, _deep_location(text), "JSON nested too deeply to read")]) from None


def _syntax_message(exc: json.JSONDecodeError, text: str) -> str:
    if exc.pos >= len(text.rstrip()):
        return f"invalid JSON: the file ends too early (truncated?): {exc.msg.lower()}"
    if exc.msg.startswith("Invalid control character"):
        return "invalid JSON: a line break or other control character inside a string (write it as \\n)"
    return f"invalid JSON: {exc.msg}"


def _deep_location(text: str) -> str:
    depth = 0
    in_string = escaped = False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > 256:
                line = text.count("\n", 0, i) + 1
                return f"line {line}, column {i - (text.rfind(chr(10), 0, i) + 1) + 1}"
        elif ch in "]}":
            depth -= 1
    return ""


def _line_col_bytes(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    col = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return line, col


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _capped(problems: list[Problem], file: str) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    extra = len(problems) - MAX_PROBLEMS
    return problems[:MAX_PROBLEMS] + [Problem(file, "", f"… and {extra:,} more problems")]


# ------------------------------------------------------------------ writing
def dumps_model(model: ThreatModel) -> str:
    """The canonical text of ``model``."""
    return json.dumps(model.model_dump(mode="json"), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def is_canonical(data: bytes, model: ThreatModel) -> bool:
    return data == dumps_model(model).encode("utf-8")


def save_model(model: ThreatModel, path: str | os.PathLike) -> None:
    """Save ``model`` atomically in canonical form."""
    write_atomic(path, dumps_model(model).encode("utf-8"))


def _clip_name(name: str, limit: int = 200) -> str:
    raw = os.fsencode(name)
    return name if len(raw) <= limit else os.fsdecode(raw[:limit])  # a cut mid-character stays bytes


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that it is always either the old or the new content.

    The temporary file lives in the target's folder (a rename is atomic only
    within one file system); it is fsynced before the rename and the folder
    after it. A symlink is followed, so the link keeps pointing at the file.
    """
    target = Path(os.path.realpath(path))
    folder = target.parent
    # hidden and ending in .tmp, so no *.tcm.json glob picks it up; the name is
    # clipped so that a target near the 255-byte name limit can still be saved
    fd, tmp = tempfile.mkstemp(prefix=f".{_clip_name(target.name)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    if hasattr(os, "O_DIRECTORY"):
        with suppress(OSError):
            dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
