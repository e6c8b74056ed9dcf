"""``threatcanvas report FILE -o OUT.pdf [--library DIR]``: output, exit codes, no partial files."""

from __future__ import annotations

from app.cli.main import main
from app.resources import example_files


def test_writes_the_pdf_and_says_so(tmp_path, capsys, epoch):
    out = tmp_path / "report.pdf"
    assert main(["report", str(example_files()[0]), "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF-")
    printed = capsys.readouterr().out
    assert str(out) in printed and "pages" in printed and "findings" in printed


def test_bad_model_exits_2_with_a_located_message_and_leaves_the_old_report(tmp_path, capsys):
    bad = tmp_path / "bad.tcm.json"
    bad.write_text('{"format": "threatcanvas", "schema_version": 1, "elements": [', encoding="utf-8")
    out = tmp_path / "report.pdf"
    out.write_bytes(b"previous report")
    assert main(["report", str(bad), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "line 1" in err
    assert out.read_bytes() == b"previous report"


def test_missing_output_folder_exits_2(tmp_path, capsys):
    out = tmp_path / "no" / "such" / "folder" / "report.pdf"
    assert main(["report", str(example_files()[0]), "-o", str(out)]) == 2
    assert "cannot write the report" in capsys.readouterr().err
    assert not out.exists()


def test_output_option_is_required(capsys):
    assert main(["report", str(example_files()[0])]) == 2
    assert "-o" in capsys.readouterr().err


def test_a_broken_extra_library_exits_2_naming_the_file(tmp_path, capsys):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "controls.toml").write_text("[[control]]\nid = 'x'\n", encoding="utf-8")
    out = tmp_path / "report.pdf"
    assert main(["report", str(example_files()[0]), "-o", str(out), "--library", str(lib)]) == 2
    assert "controls.toml" in capsys.readouterr().err
    assert not out.exists()
