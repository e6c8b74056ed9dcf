"""``threatcanvas fmt``: canonical rewriting, ``--check`` for pre-commit hooks, never harming a file."""

from __future__ import annotations

import json
import random

import pytest

import app.cli.fmt as fmt_module
from app.resources import example_files

from cli_helpers import run_subprocess

EXAMPLES = example_files()


def _messy(text: str, seed: int = 3) -> str:
    """Same model, different bytes: keys shuffled, lists reordered, four-space indent, ASCII escapes."""
    rng = random.Random(seed)

    def shuffle(value):
        if isinstance(value, dict):
            items = list(value.items())
            rng.shuffle(items)
            return {k: shuffle(v) for k, v in items}
        if isinstance(value, list):
            items = [shuffle(v) for v in value]
            if all(isinstance(v, dict) and "id" in v for v in items):
                rng.shuffle(items)
            return items
        return value

    return json.dumps(shuffle(json.loads(text)), indent=4, ensure_ascii=True)


def test_fmt_check_passes_on_the_examples():
    result = run_subprocess("fmt", "--check", *map(str, EXAMPLES))
    assert (result.code, result.err, result.out) == (0, "", "")


def test_fmt_rewrites_a_shuffled_reindented_file_into_canonical_form(tmp_path):
    example = EXAMPLES[0]
    canonical = example.read_bytes()
    path = tmp_path / "messy.tcm.json"
    path.write_text(_messy(canonical.decode("utf-8")), encoding="utf-8")
    messy = path.read_bytes()

    before = run_subprocess("fmt", "--check", str(path))
    assert before.code == 1
    assert before.err_lines == [f"{path}: not in canonical form (run: threatcanvas fmt FILE)"]
    assert path.read_bytes() == messy, "--check writes nothing"

    rewrite = run_subprocess("fmt", str(path))
    assert rewrite.code == 0, rewrite.err
    assert rewrite.out == f"{path}: reformatted\n"
    assert path.read_bytes() == canonical

    after = run_subprocess("fmt", "--check", str(path))
    assert (after.code, after.err) == (0, "")
    assert [p.name for p in tmp_path.iterdir()] == ["messy.tcm.json"], "no temp files left behind"


def test_fmt_on_a_canonical_file_does_not_touch_it(tmp_path, cli):
    path = tmp_path / "m.tcm.json"
    path.write_bytes(EXAMPLES[0].read_bytes())
    mtime = path.stat().st_mtime_ns
    result = cli("fmt", str(path))
    assert (result.code, result.out, result.err) == (0, "", "")
    assert path.stat().st_mtime_ns == mtime


def test_fmt_check_names_only_the_files_that_would_change(tmp_path, cli):
    good = tmp_path / "good.tcm.json"
    good.write_bytes(EXAMPLES[1].read_bytes())
    bad = tmp_path / "bad.tcm.json"
    bad.write_text(_messy(EXAMPLES[1].read_text(encoding="utf-8")), encoding="utf-8")
    result = cli("fmt", "--check", str(good), str(bad))
    assert result.code == 1
    assert result.err_lines == [f"{bad}: not in canonical form (run: threatcanvas fmt FILE)"]


def test_fmt_refuses_invalid_files_and_leaves_them_alone(tmp_path, cli):
    path = tmp_path / "broken.tcm.json"
    original = b'{"format": "threatcanvas", "schema_version": 1, "flows": [{"id": "f1", "source": "a", "target": "b"}]}'
    path.write_bytes(original)
    result = cli("fmt", str(path))
    assert result.code == 2
    assert f'{path}: flows[0].source: no element with id "a"' in result.err_lines
    assert path.read_bytes() == original


def test_fmt_strips_a_byte_order_mark(tmp_path, cli):
    path = tmp_path / "bom.tcm.json"
    path.write_bytes(b"\xef\xbb\xbf" + EXAMPLES[2].read_bytes())
    assert cli("fmt", "--check", str(path)).code == 1
    assert cli("fmt", str(path)).code == 0
    assert path.read_bytes() == EXAMPLES[2].read_bytes()


def test_a_failed_write_is_reported_and_leaves_the_file(tmp_path, cli, monkeypatch):
    path = tmp_path / "m.tcm.json"
    messy = _messy(EXAMPLES[0].read_text(encoding="utf-8"))
    path.write_text(messy, encoding="utf-8")

    def disk_full(target, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fmt_module, "write_atomic", disk_full)
    result = cli("fmt", str(path))
    assert result.code == 2
    assert result.err_lines == [f"{path}: cannot write file: No space left on device"]
    assert "Traceback" not in result.err
    assert path.read_text(encoding="utf-8") == messy


def test_fmt_on_a_folder_is_a_clear_error(tmp_path, cli):
    result = cli("fmt", str(tmp_path))
    assert result.code == 2
    assert result.err_lines == [f"{tmp_path}: is a folder, not a model file"]


@pytest.mark.parametrize("args", [["fmt"], ["fmt", "--check"]])
def test_fmt_without_files_is_a_usage_error(args, cli):
    assert cli(*args).code == 2
