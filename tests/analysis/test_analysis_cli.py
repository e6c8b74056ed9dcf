"""`threatcanvas analyze`: formats, exit codes, determinism, bad input."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.main import main
from app.model import dumps_model, load_model
from app.resources import example_files

REPO = Path(__file__).resolve().parents[2]


_NAMES = {"rag": "rag-support-assistant", "fraud": "card-fraud-detection", "vision": "visual-quality-inspection"}


def example(short: str) -> Path:
    return next(p for p in example_files() if p.name.startswith(_NAMES[short]))


def run(args, capsys) -> tuple[int, str, str]:
    code = main(["analyze", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_text_output_explains_findings(capsys):
    code, out, _ = run([example("rag")], capsys)
    assert code == 0
    assert "CRITICAL 25  indirect-prompt-injection@llm" in out
    assert "path: Public web pages → Crawler & e-mail ingester" in out
    assert "likelihood 5 = 3 base; +1 Public web pages is anonymous" in out
    assert "residual:" in out and "status: open" in out


def test_json_has_the_documented_fields(tmp_path, capsys):
    out_file = tmp_path / "f.json"
    code, _, _ = run([example("fraud"), "--format", "json", "-o", out_file], capsys)
    assert code == 0
    doc = json.loads(out_file.read_text(encoding="utf-8"))
    assert doc["format"] == "threatcanvas-findings" and doc["schema_version"] == 1
    assert doc["summary"]["total"] == len(doc["findings"]) > 0
    required = {"id", "threat_id", "title", "element_ids", "path", "severity", "likelihood", "impact", "risk",
                "rationale", "business_impact", "atlas", "owasp", "stride", "mitigations", "status"}
    for f in doc["findings"]:
        assert required <= set(f)
        assert f["risk"] == f["likelihood"] * f["impact"]
        assert {"control_id", "name", "in_place"} <= set(f["mitigations"][0])


def test_two_cli_runs_are_byte_identical(tmp_path, capsys):
    for fmt in ("json", "csv", "sarif", "text"):
        a, b = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
        assert run([example("vision"), "--format", fmt, "-o", a], capsys)[0] == 0
        assert run([example("vision"), "--format", fmt, "-o", b], capsys)[0] == 0
        assert a.read_bytes() == b.read_bytes(), fmt


def test_sarif_is_2_1_0_with_rules_locations_and_suppressions(tmp_path, capsys):
    model = load_model(example("rag"))
    raw = json.loads(dumps_model(model))
    raw["reviews"] = {"jailbreak@llm": {"status": "accepted", "justification": "Public FAQ bot; harm reviewed"}}
    path = tmp_path / "rag.tcm.json"
    path.write_text(json.dumps(raw, indent=2), encoding="utf-8")
    code, out, _ = run([path, "--format", "sarif"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["version"] == "2.1.0" and len(doc["runs"]) == 1
    run0 = doc["runs"][0]
    rules = run0["tool"]["driver"]["rules"]
    assert len({r["id"] for r in rules}) == len(rules)
    lines = path.read_text(encoding="utf-8").splitlines()
    for res in run0["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] in ("error", "warning", "note")
        loc = res["locations"][0]
        anchor = loc["logicalLocations"][0]["name"]
        line = loc["physicalLocation"]["region"]["startLine"]
        assert f'"id": "{anchor}"' in lines[line - 1]
        assert float(res["properties"]["security-severity"]) > 0
    jail = next(r for r in run0["results"] if r["partialFingerprints"]["threatcanvasFindingId/v1"] == "jailbreak@llm")
    assert jail["suppressions"][0]["justification"] == "Public FAQ bot; harm reviewed"


def test_csv_has_one_row_per_finding_and_defuses_formulas(tmp_path, capsys):
    model = load_model(example("rag"))
    raw = json.loads(dumps_model(model))
    for e in raw["elements"]:
        if e["id"] == "web":
            e["name"] = "=HYPERLINK(\"http://evil\")"
    path = tmp_path / "m.tcm.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    code, out, _ = run([path, "--format", "csv"], capsys)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == json.loads(run([path, "--format", "json"], capsys)[1])["summary"]["total"]
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "@")), value
    assert any("HYPERLINK" in r["rationale"] for r in rows)


@pytest.mark.parametrize("threshold, expected", [("critical", 1), ("high", 1), ("low", 1)])
def test_fail_on_exits_1_when_open_findings_reach_it(capsys, threshold, expected):
    code, _, err = run([example("fraud"), "--fail-on", threshold], capsys)
    assert code == expected
    assert "open finding(s) at or above" in err


def test_fail_on_passes_when_every_finding_at_the_level_is_reviewed(tmp_path, capsys):
    path = example("fraud")
    doc = json.loads(run([path, "--format", "json"], capsys)[1])
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["reviews"] = {
        f["id"]: {"status": "mitigated", "justification": "done", "owner": "sec", "date": "2025-11-01",
                  "fingerprint": f["fingerprint"]}
        for f in doc["findings"] if f["severity"] in ("critical", "high")
    }
    reviewed = tmp_path / "reviewed.tcm.json"
    reviewed.write_text(json.dumps(raw), encoding="utf-8")
    assert run([reviewed, "--fail-on", "high"], capsys)[0] == 0
    assert run([reviewed, "--fail-on", "medium"], capsys)[0] == 1
    # a changed input re-opens a reviewed finding: the gate fails again
    for f in raw["flows"]:
        if f["id"] == "f10":
            f["properties"]["authenticated"] = False
    reviewed.write_text(json.dumps(raw), encoding="utf-8")
    code, _, err = run([reviewed, "--fail-on", "high"], capsys)
    assert code == 1 and "open finding(s) at or above high" in err
    rereview = json.loads(run([reviewed, "--format", "json"], capsys)[1])
    flagged = {f["id"] for f in rereview["findings"] if f["needs_rereview"]}
    assert "label-poisoning@analysts" in flagged


def test_bad_input_exits_2_with_a_located_message(tmp_path, capsys):
    bad = tmp_path / "bad.tcm.json"
    bad.write_text('{"format": "threatcanvas", "schema_version": 1, "elements": [{"id": "a", "kind": "robot", "name": "x"}]}')
    code, out, err = run([bad], capsys)
    assert code == 2 and out == ""
    assert "bad.tcm.json" in err and "elements[0]" in err
    code, _, err = run([tmp_path / "missing.tcm.json"], capsys)
    assert code == 2 and "missing.tcm.json" in err


def test_broken_library_exits_2(tmp_path, capsys):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "x.toml").write_text('[[threat]]\nid = "Bad Id"\n', encoding="utf-8")
    code, _, err = run([example("rag"), "--library", lib], capsys)
    assert code == 2 and "x.toml" in err and "threat[0]" in err


def test_unwritable_output_exits_2(tmp_path, capsys):
    code, _, err = run([example("rag"), "-o", tmp_path / "no" / "such" / "dir" / "out.json"], capsys)
    assert code == 2 and "cannot write" in err


def test_text_output_never_passes_terminal_escapes(tmp_path, capsys):
    raw = json.loads(example("rag").read_text(encoding="utf-8"))
    for e in raw["elements"]:
        if e["id"] == "web":
            e["name"] = "evil\x1b[31mRED\x1b[0m"
    path = tmp_path / "m.tcm.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    code, out, _ = run([path], capsys)
    assert code == 0 and "\x1b" not in out and "\\x1b[31mRED" in out


def test_runs_as_a_real_process(tmp_path):
    out = tmp_path / "o.sarif"
    proc = subprocess.run(
        [sys.executable, "-m", "app", "analyze", str(example("vision")), "--format", "sarif", "-o", str(out),
         "--fail-on", "critical"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["version"] == "2.1.0"
