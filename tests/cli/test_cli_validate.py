"""``threatcanvas validate`` and ``threatcanvas schema``: exit codes, messages, odd paths."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import app.cli.validate as validate_module
import app.model.io as model_io
from app.cli.schema import model_json_schema
from app.model import ThreatModel, dumps_model
from app.resources import example_files

from cli_helpers import REPO, run_subprocess

EXAMPLES = example_files()


def test_examples_validate_through_the_real_command():
    result = run_subprocess("validate", *[str(p.relative_to(REPO)) for p in EXAMPLES])
    assert result.code == 0, result.err
    assert result.err == ""
    assert len(result.out.splitlines()) == len(EXAMPLES)
    assert all(": valid (" in line for line in result.out.splitlines())


def test_quiet_prints_nothing_for_valid_files(cli):
    result = cli("validate", "-q", *map(str, EXAMPLES))
    assert (result.code, result.out, result.err) == (0, "", "")


def test_missing_file(cli, tmp_path):
    path = tmp_path / "nope.tcm.json"
    result = cli("validate", str(path))
    assert result.code == 2
    assert result.err_lines[0] == f"{path}: cannot read file: No such file or directory"


def test_folder(cli, tmp_path):
    result = cli("validate", str(tmp_path))
    assert result.code == 2
    assert result.err_lines[0] == f"{tmp_path}: is a folder, not a model file"


def test_fifo_is_refused_without_blocking(cli, tmp_path):
    path = tmp_path / "pipe.tcm.json"
    os.mkfifo(path)  # opening it for reading would block forever
    result = cli("validate", str(path))
    assert result.code == 2
    assert result.err_lines[0] == f"{path}: not a regular file (a device, pipe or socket)"


def test_unreadable_file(cli, tmp_path, monkeypatch):
    path = tmp_path / "secret.tcm.json"
    path.write_bytes(EXAMPLES[0].read_bytes())

    # tests may run as root, where chmod 000 does not stop reading: fail the open itself
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(model_io, "open", denied, raising=False)
    result = cli("validate", str(path))
    assert result.code == 2
    assert result.err_lines[0] == f"{path}: cannot read file: Permission denied"


def test_internal_error_exits_3_without_traceback(cli, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("bug in the loader")

    monkeypatch.setattr(validate_module, "load_model", broken)
    result = cli("validate", str(EXAMPLES[0]))
    assert result.code == 3
    assert "internal error: RuntimeError: bug in the loader" in result.err
    assert "Traceback" not in result.err


def test_internal_error_traceback_on_request(cli, monkeypatch):
    monkeypatch.setattr(validate_module, "load_model", lambda *a, **k: 1 / 0)
    monkeypatch.setenv("THREATCANVAS_DEBUG", "1")
    from app.cli.main import main

    assert main(["validate", str(EXAMPLES[0])]) == 3


def test_missing_library_folder_is_an_error(cli, tmp_path):
    result = cli("validate", "--library", str(tmp_path / "typo"), str(EXAMPLES[0]))
    assert result.code == 2
    assert result.err_lines == [f"{tmp_path / 'typo'}: --library: no such folder"]


def test_extra_library_controls_are_known(cli, tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "controls.toml").write_text(
        '[[control]]\nid = "acme-shield"\nname = "ACME shield"\ndescription = "House control."\n', encoding="utf-8"
    )
    model = ThreatModel.model_validate(
        {"elements": [{"id": "a", "name": "A", "kind": "process", "controls": ["acme-shield"]}]}
    )
    path = tmp_path / "m.tcm.json"
    path.write_text(dumps_model(model), encoding="utf-8")
    without = cli("validate", str(path))
    assert without.code == 2
    assert f'{path}: elements[0].controls[0]: unknown control id "acme-shield"' in without.err_lines
    assert cli("validate", "--library", str(lib), str(path)).code == 0


def test_broken_library_file_is_located(cli, tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "controls.toml").write_text("[[control]]\nid = 5\n", encoding="utf-8")
    result = cli("validate", "--library", str(lib), str(EXAMPLES[0]))
    assert result.code == 2
    assert result.err_lines and all(line.startswith(str(lib / "controls.toml")) for line in result.err_lines)


def test_problem_lines_stay_one_line_for_hostile_text(cli, tmp_path):
    path = tmp_path / "evil.tcm.json"
    data = {"format": "threatcanvas", "schema_version": 1,
            "elements": [{"id": "a", "name": "A", "kind": "actor\r\nother.tcm.json: valid\u2028"}],
            "reviews": {"x\ny" * 10: {"status": "nope\n"}}}
    path.write_text(json.dumps(data), encoding="utf-8")
    result = cli("validate", str(path))
    assert result.code == 2
    lines = result.err_lines
    assert lines[-1] == "1 of 1 file(s) invalid"
    assert len(lines) == 3 and all(line.startswith(f"{path}: ") for line in lines[:-1])
    assert '"actor\\r\\nother.tcm.json: valid\\u2028"' in lines[0]
    assert lines[1].startswith(f'{path}: reviews["' + "x\\ny" * 10 + '"].status: unknown value "nope\\n"')


def test_problem_list_is_capped(cli, tmp_path):
    path = tmp_path / "many.tcm.json"
    data = {"format": "threatcanvas", "schema_version": 1,
            "elements": [{"id": f"a{i}", "name": i, "kind": "actor"} for i in range(1000)]}
    path.write_text(json.dumps(data), encoding="utf-8")
    result = cli("validate", str(path))
    assert result.code == 2
    assert len(result.err_lines) == 202
    assert result.err_lines[-2] == f"{path}: … and 800 more problems"


def test_no_files_is_a_usage_error(cli):
    assert cli("validate").code == 2


# ------------------------------------------------------------------ schema
def test_schema_command_prints_the_json_schema():
    result = run_subprocess("schema")
    assert result.code == 0
    schema = json.loads(result.out)
    assert schema == json.loads(json.dumps(model_json_schema()))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {"format", "schema_version", "info", "elements", "boundaries", "flows",
                                         "reviews", "layout"}


def test_schema_output_is_deterministic(cli):
    assert cli("schema").out == cli("schema").out


def test_examples_conform_to_the_printed_schema():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(model_json_schema())
    for path in EXAMPLES:
        errors = list(validator.iter_errors(json.loads(path.read_text(encoding="utf-8"))))
        assert errors == [], (path, errors[:3])


def test_schema_refuses_what_the_loader_refuses():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(model_json_schema())
    data = json.loads(EXAMPLES[0].read_text(encoding="utf-8"))
    for mutate in (
        lambda d: d.update(colour="blue"),
        lambda d: d["elements"][0].update(kind="llm"),
        lambda d: d["elements"][0]["properties"].update(access="everyone"),
        lambda d: d["info"].update(name="x" * 10_001),
        lambda d: d.update(format="threatdragon"),
    ):
        broken = json.loads(json.dumps(data))
        mutate(broken)
        assert not validator.is_valid(broken)


def test_odd_file_names_and_ascii_terminals_never_cause_an_internal_error(tmp_path):
    accented = tmp_path / "détection.tcm.json"
    accented.write_bytes(EXAMPLES[0].read_bytes())
    not_utf8 = Path(os.fsdecode(bytes(tmp_path) + b"/bad\xffname.tcm.json"))  # bytes no UTF-8 decoder accepts
    not_utf8.write_bytes(EXAMPLES[0].read_bytes())
    broken = tmp_path / "cassé.tcm.json"
    broken.write_text('{"format": "threatcanvas", "schema_version": 1, "info": {"name": "→"}, "x": 1}', encoding="utf-8")

    ascii_only = run_subprocess("validate", str(accented), str(broken), env_extra={"PYTHONIOENCODING": "ascii"})
    assert ascii_only.code == 2, ascii_only.err
    assert f"{tmp_path}/d\\xe9tection.tcm.json: valid (" in ascii_only.out
    assert f"{tmp_path}/cass\\xe9.tcm.json: x: unknown key" in ascii_only.err

    for encoding in ("utf-8", "ascii"):
        result = run_subprocess("validate", str(not_utf8), env_extra={"PYTHONIOENCODING": encoding})
        assert result.code == 0, result.err
        assert "bad\\udcffname.tcm.json: valid (" in result.out

    fmt = run_subprocess("fmt", "--check", str(not_utf8), env_extra={"PYTHONIOENCODING": "utf-8"})
    assert fmt.code == 0, fmt.err


def test_schema_on_an_ascii_terminal_is_the_same_schema():
    result = run_subprocess("schema", env_extra={"PYTHONIOENCODING": "ascii"})
    assert result.code == 0
    assert json.loads(result.out) == json.loads(json.dumps(model_json_schema()))
