"""docs/threat-library.md is generated from the library; it must not go stale. docs/analysis.md covers the vocabulary."""

from __future__ import annotations

from pathlib import Path

from app.knowledge import load_library
from app.knowledge.docgen import DEFAULT_OUTPUT, render
from app.knowledge.vocabulary import DRIVERS, FACTS

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_threat_library_page_is_up_to_date():
    expected = render(load_library())
    assert DEFAULT_OUTPUT == DOCS / "threat-library.md"
    actual = DEFAULT_OUTPUT.read_text(encoding="utf-8")
    assert actual == expected, "docs/threat-library.md is stale: run `python -m app.knowledge.docgen`"


def test_page_lists_every_entry_and_control():
    text = DEFAULT_OUTPUT.read_text(encoding="utf-8")
    lib = load_library()
    for t in lib:
        assert f"`{t.id}`" in text and t.title in text
    for c in lib.controls:
        assert f"`{c.id}`" in text


def test_analysis_guide_explains_every_fact_and_driver():
    text = (DOCS / "analysis.md").read_text(encoding="utf-8")
    for name in (*FACTS, *DRIVERS):
        assert f"`{name}`" in text, name
    for word in ("likelihood", "impact", "residual", "fingerprint", "--library", "SARIF", "witness"):
        assert word in text
