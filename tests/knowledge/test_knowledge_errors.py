"""An organisation's library folder: added entries work, broken files are refused precisely."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app.analysis import analyze
from app.knowledge import load_library
from app.model import ModelError, load_model
from app.resources import example_files

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "acme-library"
GOOD = (SAMPLE / "acme.toml").read_text(encoding="utf-8")  # the sample organisation's own entry
CONTROLS = (SAMPLE / "controls.toml").read_text(encoding="utf-8")


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return folder


def problems(folder: Path) -> list[str]:
    with pytest.raises(ModelError) as info:
        load_library([folder])
    return [str(p) for p in info.value.problems]


def test_an_organisation_entry_is_loaded_and_fires(tmp_path):
    folder = write(tmp_path / "acme", "acme.toml", GOOD)
    write(folder, "controls.toml", CONTROLS)
    lib = load_library([folder])
    assert lib.get("acme-refund-fraud") is not None
    assert lib.version.startswith(load_library().version + "+custom.")
    rag = load_model(next(p for p in example_files() if p.name.startswith("rag")))
    found = {f.id: f for f in analyze(rag, lib).findings}
    f = found["acme-refund-fraud@refund_tool"]
    assert [m.control_id for m in f.mitigations] == ["human-approval", "acme-refund-cap"]
    assert f.impact == 5


def test_an_organisation_can_switch_off_a_bundled_entry(tmp_path):
    folder = write(tmp_path / "acme", "off.toml", 'disable = ["jailbreak"]\n')
    lib = load_library([folder])
    assert lib.get("jailbreak") is None and len(lib) == len(load_library()) - 1


def broken(tmp_path, old: str, new: str, extra_controls: bool = True) -> list[str]:
    assert old in GOOD
    folder = write(tmp_path / "acme", "acme.toml", GOOD.replace(old, new))
    if extra_controls:
        write(folder, "controls.toml", CONTROLS)
    return problems(folder)


@pytest.mark.parametrize(
    "old, new, location, words",
    [
        ('kinds = ["tool"]', 'kinds = ["robot"]', "threat[0] (acme-refund-fraud).applies.kinds[0]", "robot"),
        ('atlas = ["AML.T0053"]', 'atlas = ["AML.T9999"]', "threat[0] (acme-refund-fraud).atlas[0]", "AML.T9999"),
        ('atlas = ["AML.T0053"]', 'atlas = ["T0053"]', "threat[0] (acme-refund-fraud).atlas[0]", "pattern"),
        ('facts = ["unapproved_action"]', 'facts = ["tool_is_scary"]', "threat[0] (acme-refund-fraud).applies.facts[0]",
         "unknown fact 'tool_is_scary'"),
        ("base = 3", 'base = "high"', "threat[0] (acme-refund-fraud).likelihood.base", "integer"),
        ("base = 4", "base = 9", "threat[0] (acme-refund-fraud).impact.base", "less than or equal to 5"),
        ('where = { capabilities = "move_money" }', 'where = { capabilities = "teleport" }',
         "threat[0] (acme-refund-fraud).applies.where.capabilities", "teleport"),
        ('where = { capabilities = "move_money" }', 'where = { colour = "red" }',
         "threat[0] (acme-refund-fraud).applies.where.colour", "unknown property 'colour' for tool"),
        ('where = { capabilities = "move_money" }', 'where = { human_approval = "no" }',
         "threat[0] (acme-refund-fraud).applies.where.human_approval", "true or false"),
        ("drivers = { untrusted_input_to_model = 1 }", "drivers = { moves_money = 1 }",
         "threat[0] (acme-refund-fraud).likelihood.drivers.moves_money", "impact driver"),
        ('family = "output_integrity"', 'family = "vibes"', "threat[0] (acme-refund-fraud).family", "unknown family"),
        ('stride = ["Tampering"]', 'stride = ["Tampering", "Sneaking"]', "threat[0] (acme-refund-fraud).stride[1]",
         "STRIDE"),
        ('owasp_llm = ["LLM06"]', 'owasp_llm = ["LLM11"]', "threat[0] (acme-refund-fraud).owasp_llm[0]", "LLM11"),
        ('title = "Refund fraud through the support assistant"', 'titel = "typo"', "threat[0] (acme-refund-fraud)",
         "titel"),
        ('"human-approval", ', '"human-aproval", ', "threat[0] (acme-refund-fraud).mitigations[0]", "human-aproval"),
        ('facts = ["unapproved_action"]', 'facts = ["crosses_boundary"]',
         "threat[0] (acme-refund-fraud).applies.facts[0]", "holds for flows"),
    ],
)
def test_a_broken_entry_is_refused_naming_file_entry_and_field(tmp_path, old, new, location, words):
    found = broken(tmp_path, old, new)
    assert found, "the broken file was accepted"
    text = "\n".join(found)
    assert "acme.toml" in text
    assert location in text, text
    assert words in text, text


def test_a_missing_required_field_is_named(tmp_path):
    found = broken(tmp_path, 'why = "We lost money this way before."\n', "")
    assert any("threat[0] (acme-refund-fraud).why" in p and "missing" in p for p in found), found


def test_unknown_field_is_named(tmp_path):
    found = broken(tmp_path, "[threat.impact]\nbase = 4", "[threat.impact]\nbase = 4\nweight = 2")
    assert any("threat[0] (acme-refund-fraud).impact.weight" in p and "unknown field" in p for p in found), found


def test_duplicate_of_a_bundled_id_is_refused(tmp_path):
    found = broken(tmp_path, 'id = "acme-refund-fraud"', 'id = "jailbreak"')
    assert any("already defined" in p and "prompt-injection.toml" in p for p in found), found


def test_invalid_toml_names_file_and_position(tmp_path):
    folder = write(tmp_path / "acme", "acme.toml", GOOD.replace('family = "output_integrity"', "family = "))
    found = problems(folder)
    assert any("acme.toml" in p and "invalid TOML" in p and "line" in p for p in found), found


def test_disabling_an_unknown_id_is_refused(tmp_path):
    folder = write(tmp_path / "acme", "off.toml", 'disable = ["no-such-threat"]\n')
    assert any("disable[0]" in p and "no-such-threat" in p for p in problems(folder))


def test_a_missing_folder_is_refused(tmp_path):
    assert any("not a folder" in p for p in problems(tmp_path / "nowhere"))


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    first = GOOD.replace('kinds = ["tool"]', 'kinds = ["robot"]')
    second = GOOD.replace('"acme-refund-fraud"', '"acme-second"').replace('atlas = ["AML.T0053"]', 'atlas = ["AML.T9999"]')
    folder = write(tmp_path / "acme", "acme.toml", first + second)
    write(folder, "controls.toml", CONTROLS)
    found = problems(folder)
    assert any("threat[0] (acme-refund-fraud).applies.kinds[0]" in p for p in found), found
    assert any("threat[1] (acme-second).atlas[0]" in p for p in found), found


def test_library_files_are_never_executed(tmp_path):
    """A file that looks like code is data: it is refused as data, nothing runs."""
    marker = tmp_path / "ran"
    text = GOOD.replace('title = "Refund fraud through the support assistant"',
                        f'title = "__import__(\'pathlib\').Path({str(marker)!r}).touch()"')
    folder = write(tmp_path / "acme", "acme.toml", text)
    write(folder, "controls.toml", CONTROLS)
    lib = load_library([folder])
    assert lib.get("acme-refund-fraud").title.startswith("__import__")
    assert not marker.exists()
    source = Path(sys.modules["app.knowledge.library"].__file__).read_text()
    assert "eval(" not in source and "exec(" not in source
