"""The bundled examples' reports, end to end with the real analysis engine.

Each report contains every element name and every finding title, renders on
every page, carries the classification marking and "Page X of Y" on every
page, has an outline, and draws its diagram as vector graphics on a landscape
page. With SOURCE_DATE_EPOCH set, two runs (in separate processes, with
different hash seeds) give byte-identical files.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.report import render_report
from app.resources import example_files

from report_support import needs_poppler, pdftotext

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = example_files()


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Each example rendered once for the whole module (they take a fraction of a second each)."""
    os.environ["SOURCE_DATE_EPOCH"] = "1767225600"
    try:
        out = {}
        folder = tmp_path_factory.mktemp("reports")
        for path in EXAMPLES:
            pdf = folder / (path.name.split(".")[0] + ".pdf")
            model, result, stats = render_report(path, pdf)
            out[path.name] = (pdf, model, result, stats)
        return out
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]


def test_there_are_three_examples():
    assert len(EXAMPLES) == 3


@needs_poppler
@pytest.mark.parametrize("name", [p.name for p in EXAMPLES])
def test_report_names_every_element_and_every_finding(reports, name):
    pdf, model, result, stats = reports[name]
    assert result.findings, "the examples are meant to produce findings"
    text = squash(pdftotext(pdf))
    for element in model.elements:
        assert squash(element.name) in text, element.name
    for finding in result.findings:
        assert squash(finding.title) in text, finding.title
    assert squash(model.info.name) in text


@needs_poppler
@pytest.mark.parametrize("name", [p.name for p in EXAMPLES])
def test_every_page_renders_and_carries_marking_and_page_numbers(reports, name, tmp_path):
    pdf, model, result, stats = reports[name]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages == stats.pages > 10
    subprocess.run(["pdftoppm", "-r", "12", "-png", str(pdf), str(tmp_path / "p")], check=True)
    assert len(list(tmp_path.glob("p-*.png"))) == pages
    marking = model.info.classification
    assert marking
    per_page = pdftotext(pdf).split("\f")[:pages]
    for n, page in enumerate(per_page, start=1):
        assert marking in page, f"page {n} lacks the marking"
        assert f"Page {n} of {pages}" in page, f"page {n} lacks its number"


@needs_poppler
@pytest.mark.parametrize("name", [p.name for p in EXAMPLES])
def test_outline_toc_and_vector_diagram(reports, name):
    pdf, model, result, stats = reports[name]
    data = pdf.read_bytes()
    assert b"/Outlines" in data
    titles = re.findall(rb"/Title \(([^)]*)\)", data)
    for section in (b"1. Executive summary", b"2. The diagram", b"3. Findings", b"4. Mitigation plan",
                    b"5. Standards coverage", b"6. Appendix"):
        assert section in titles, section
    text = pdftotext(pdf)
    # the contents give each section's real page
    contents = subprocess.run(["pdftotext", "-layout", "-f", "2", "-l", "2", str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
    listed = int(re.search(r"3\. Findings[ .]*?(\d+)\s*$", contents, re.M).group(1))
    actual = next(i for i, page in enumerate(text.split("\f"), start=1) if "Findings are grouped" in page)
    assert listed == actual
    # bookmarks and contents links go to their own pages, not all to one
    targets = set(re.findall(rb"/Dest \[\s*(\d+) 0 R", data))
    assert len(targets) >= 6, targets
    # the diagram page: landscape, element names as real text, no images anywhere
    diagram_page = next(i for i, page in enumerate(text.split("\f"), start=1) if "2. The diagram" in page
                        and "Drawn from the model" in page)
    page_text = subprocess.run(["pdftotext", "-f", str(diagram_page), "-l", str(diagram_page), str(pdf), "-"],
                               capture_output=True, text=True, check=True).stdout
    for element in model.elements:
        assert element.name.split()[0] in page_text
    size = subprocess.run(["pdfinfo", "-f", str(diagram_page), "-l", str(diagram_page), str(pdf)],
                          capture_output=True, text=True, check=True).stdout
    width, height = map(float, re.search(r"size:\s+([\d.]+) x ([\d.]+)", size).groups())
    assert width > height
    assert not re.search(rb"/Subtype\s*/Image", data)


def _build_in_subprocess(out: Path, seed: str) -> bytes:
    code = ("import sys; from app.report import render_report; "
            "render_report(sys.argv[1], sys.argv[2])")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600", "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code, str(EXAMPLES[0]), str(out)], check=True, env=env, cwd=ROOT)
    return out.read_bytes()


def test_two_runs_give_byte_identical_pdfs(tmp_path):
    first = _build_in_subprocess(tmp_path / "a.pdf", "1")
    second = _build_in_subprocess(tmp_path / "b.pdf", "2")
    assert first == second
    assert b"D:20260101000000" in first  # the creation date is SOURCE_DATE_EPOCH, not the clock
