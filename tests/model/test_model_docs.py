"""``docs/file-format.md`` stays in step with the model and with ``threatcanvas schema``."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.schema import model_json_schema
from app.knowledge import load_controls
from app.model import dumps_model, parse_model
from app.model.docgen import GENERATORS, main as docgen_main, render
from app.model.glossary import MEANING, VOCABULARIES, meaning
from app.model.problems import one_line

REPO = Path(__file__).resolve().parents[2]
DOC_PATH = REPO / "docs" / "file-format.md"
DOC = DOC_PATH.read_text(encoding="utf-8")


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_generated_sections_are_up_to_date():
    assert render(DOC) == DOC, "run: python3 -m app.model.docgen docs/file-format.md"
    for name in GENERATORS:
        assert f"<!-- BEGIN GENERATED: {name} -->" in DOC


def _object_schemas() -> list[dict]:
    schema = model_json_schema()
    return [schema, *schema["$defs"].values()]


def test_every_schema_property_is_documented():
    names = {key for node in _object_schemas() for key in node.get("properties", {})}
    assert len(names) > 60
    missing = sorted(n for n in names if f"`{n}`" not in DOC)
    assert missing == []


def test_every_schema_enum_value_is_documented():
    values = set()
    for node in _walk(model_json_schema()):
        values.update(v for v in node.get("enum", []) if isinstance(v, str))
        if isinstance(node.get("const"), str):
            values.add(node["const"])
    assert {"anonymous", "automated_at_scale", "safetensors", "move_money", "retrieved_documents"} <= values
    missing = sorted(v for v in values if f"`{v}`" not in DOC and f'`"{v}"`' not in DOC)
    assert missing == []


def test_every_vocabulary_value_has_a_meaning_and_no_stale_ones():
    for enum in VOCABULARIES:
        for member in enum:
            assert meaning(member).strip(), f"{enum.__name__}.{member.name} has no meaning in app/model/glossary.py"
        assert set(MEANING[enum]) == {m.value for m in enum}, enum.__name__


def test_every_vocabulary_in_the_schema_is_in_the_glossary():
    schema_enums = {frozenset(n["enum"]) for n in _walk(model_json_schema()) if "enum" in n}
    glossary_enums = {frozenset(m.value for m in e) for e in VOCABULARIES}
    assert schema_enums <= glossary_enums


def test_the_documented_example_file_is_valid():
    blocks = re.findall(r"```json\n(.*?)```", DOC, re.S)
    models = [b for b in blocks if '"format": "threatcanvas"' in b]
    assert models, "the document shows a complete file"
    for block in models:
        model = parse_model(block.encode("utf-8"), "doc example", known_controls=load_controls().ids())
        assert parse_model(dumps_model(model).encode()) == model


def test_documented_problem_lines_match_real_output():
    """The sample ``validate`` lines in the document are what the loader really says."""
    example = json.loads(re.search(r"```json\n(.*?)```", DOC, re.S).group(1))
    example["flows"].append({"id": "f3", "source": "chat", "target": "m9"})
    with pytest.raises(Exception) as info:
        parse_model(json.dumps(example).encode(), "support.tcm.json")
    line = one_line(str(info.value.problems[0]))
    assert line == 'support.tcm.json: flows[2].target: no element with id "m9"'
    assert 'flows[3].target: no element with id "m9"' in DOC  # same shape, different index


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_plain_git_hook_in_the_document_works(tmp_path, example_paths):
    hook = re.search(r"```sh\n(#!/bin/sh\n.*?)```", DOC, re.S).group(1)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "threatcanvas"  # the installed command, pointing at this checkout
    shim.write_text(f'#!/bin/sh\nexec {sys.executable} -m app "$@"\n')
    shim.chmod(0o755)
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(tmp_path),
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}

    def git(*args):
        return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True)

    git("init", "-q")
    hook_path = repo / ".git" / "hooks" / "pre-commit"
    hook_path.write_text(hook)
    hook_path.chmod(0o755)

    model = repo / "m.tcm.json"
    model.write_bytes(example_paths[0].read_bytes())
    git("add", "m.tcm.json")
    assert git("commit", "-q", "-m", "canonical").returncode == 0

    model.write_text(json.dumps(json.loads(model.read_text(encoding="utf-8")), indent=4), encoding="utf-8")
    git("add", "m.tcm.json")
    refused = git("commit", "-q", "-m", "messy")
    assert refused.returncode != 0
    assert "m.tcm.json: not in canonical form" in refused.stderr


def test_docgen_check_mode(tmp_path, capsys):
    stale = tmp_path / "doc.md"
    stale.write_text("x\n<!-- BEGIN GENERATED: limits -->\nold\n<!-- END GENERATED: limits -->\n", encoding="utf-8")
    assert docgen_main(["--check", str(stale)]) == 1
    assert docgen_main([str(stale)]) == 0
    assert docgen_main(["--check", str(stale)]) == 0
    assert "67,108,864 bytes" in stale.read_text(encoding="utf-8")
