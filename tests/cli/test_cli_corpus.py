"""Every malformed model in ``tests/corpus/malformed`` is refused cleanly by ``threatcanvas validate``.

Cleanly means: exit 2, no traceback, nothing on stdout, one line per problem on
stderr of the form ``FILE: LOCATION: MESSAGE``, and the line that
``tests/corpus/expectations.toml`` names for the file is among them. A share of
the files go through the real command in a child process; the rest run
in-process (same code path, faster).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

import app.model.io as model_io
from app.model import MAX_FILE_BYTES, ModelError, load_model, parse_model

from cli_helpers import REPO, Result, run_subprocess

CORPUS = REPO / "tests" / "corpus"
MALFORMED = CORPUS / "malformed"
EXPECTED: dict[str, dict[str, str]] = tomllib.loads((CORPUS / "expectations.toml").read_text(encoding="utf-8"))
FILES = sorted(p.name for p in MALFORMED.glob("*.tcm.json"))
SUBPROCESS_SHARE = set(FILES[::5])  # every fifth file runs the real command in a child process


def test_corpus_is_large_and_fully_described():
    assert len(FILES) >= 50
    assert set(FILES) == set(EXPECTED), "every corpus file needs an expectation and vice versa"


def assert_refused(result: Result, path: str, location: str, fragment: str) -> None:
    assert result.code == 2, result.err
    assert "Traceback" not in result.err and "Traceback" not in result.out
    assert "internal error" not in result.err
    assert result.out == ""
    lines = result.err_lines
    assert lines[-1] == "1 of 1 file(s) invalid"
    problems = lines[:-1]
    assert problems, "at least one problem line"
    for line in problems:  # each problem is one located line about this file
        assert line.startswith(f"{path}: "), line
    prefix = f"{path}: {location}: " if location else f"{path}: "
    matching = [line for line in problems if line.startswith(prefix) and fragment in line]
    assert matching, f"no line starting {prefix!r} containing {fragment!r} in:\n" + "\n".join(problems)


@pytest.mark.parametrize("name", FILES)
def test_malformed_file_is_refused_with_located_message(name, cli, monkeypatch):
    expected = EXPECTED[name]
    path = f"tests/corpus/malformed/{name}"
    if name in SUBPROCESS_SHARE:
        result = run_subprocess("validate", path)
    else:
        monkeypatch.chdir(REPO)  # same relative path as the subprocess, so the same message
        result = cli("validate", path)
    assert_refused(result, path, expected["location"], expected["message"])


def test_one_command_over_the_whole_corpus_reports_every_file():
    paths = [f"tests/corpus/malformed/{name}" for name in FILES]
    result = run_subprocess("validate", *paths)
    assert result.code == 2
    assert "Traceback" not in result.err
    lines = result.err_lines
    assert lines[-1] == f"{len(FILES)} of {len(FILES)} file(s) invalid"
    for path, name in zip(paths, FILES):
        loc = EXPECTED[name]["location"]
        prefix = f"{path}: {loc}: " if loc else f"{path}: "
        assert any(line.startswith(prefix) and EXPECTED[name]["message"] in line for line in lines), name


def test_valid_and_invalid_files_together_exit_2_and_report_only_the_bad(cli, example_paths, tmp_path):
    bad = tmp_path / "bad.tcm.json"
    bad.write_text('{"format": "threatcanvas", "schema_version": 1, "elements": 5}')
    result = cli("validate", str(example_paths[0]), str(bad))
    assert result.code == 2
    assert f"{example_paths[0]}: valid" in result.out
    assert result.err_lines == [f"{bad}: elements: expected an array, found the number 5", "1 of 2 file(s) invalid"]


# ------------------------------------------------------------------ size limit
def _oversize(tmp_path: Path) -> Path:
    """A sparse file one byte over the limit: costs no disk, reads as 64 MiB of NULs."""
    path = tmp_path / "huge.tcm.json"
    with open(path, "wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)
    return path


def test_oversize_file_is_refused_before_reading_or_parsing(tmp_path, monkeypatch, cli):
    path = _oversize(tmp_path)

    def forbidden(*args, **kwargs):
        raise AssertionError("an oversize file must be refused before it is read or parsed")

    monkeypatch.setattr(model_io.json, "loads", forbidden)
    monkeypatch.setattr(model_io, "open", forbidden, raising=False)  # shadows the builtin inside app.model.io
    with pytest.raises(ModelError) as info:
        load_model(path)
    (problem,) = info.value.problems
    assert problem.location == ""
    assert f"{MAX_FILE_BYTES + 1:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes" in problem.message

    result = cli("validate", str(path))
    assert result.code == 2
    assert result.err_lines[0] == f"{path}: file is {MAX_FILE_BYTES + 1:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes"


def test_oversize_bytes_are_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(model_io.json, "loads", lambda *a, **k: pytest.fail("parsed an oversize buffer"))
    with pytest.raises(ModelError, match="the limit is"):
        parse_model(b" " * (MAX_FILE_BYTES + 1), "x.tcm.json")


def test_oversize_file_through_the_real_command(tmp_path):
    path = _oversize(tmp_path)
    result = run_subprocess("validate", str(path))
    assert result.code == 2
    assert "the limit is" in result.err and "Traceback" not in result.err


def test_a_file_exactly_at_the_limit_is_read(tmp_path):
    """The limit is inclusive: a valid model padded to exactly the limit loads."""
    text = json.dumps({"format": "threatcanvas", "schema_version": 1})
    path = tmp_path / "padded.tcm.json"
    path.write_bytes(text.encode() + b" " * (MAX_FILE_BYTES - len(text)))
    assert path.stat().st_size == MAX_FILE_BYTES
    assert load_model(path).schema_version == 1
