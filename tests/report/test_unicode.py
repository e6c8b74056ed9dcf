"""Names in many scripts print as real glyphs from embedded fonts, and extract back as the same text."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata

import pytest

from app.model import load_model
from app.report import build_report
from app.resources import example_files

from report_support import fake_result, needs_poppler, pdftotext

NAMES = {
    "latin": "Überprüfung der Kundenanfragen – Café Señor Ægir Łódź",
    "cyrillic": "Система обнаружения мошенничества",
    "greek": "Σύστημα ανίχνευσης απάτης",
    "chinese": "客户支持助手 知识库检索",
    "japanese": "不正検知モデル カタカナ ひらがな",
    "korean": "고객 지원 도우미",
    "arabic": "مساعد دعم العملاء",
    "hebrew": "מערכת זיהוי הונאות",
}


def unicode_model():
    model = load_model(example_files()[0])
    elements = list(model.elements)
    renamed = [e.model_copy(update={"name": name}) for e, name in zip(elements, NAMES.values())]
    info = model.info.model_copy(update={"name": NAMES["chinese"] + " / " + NAMES["arabic"]})
    return model.replace(elements=[*renamed, *elements[len(renamed):]], info=info)


def logical(text: str) -> str:
    """pdftotext output normalised: presentation forms to letters, bidi marks and spaces removed."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\u200e\u200f\u202a-\u202e]+", "", text)


@needs_poppler
def test_every_script_round_trips_through_pdftotext(tmp_path, epoch):
    model = unicode_model()
    out = tmp_path / "unicode.pdf"
    build_report(model, fake_result(model), out)
    text = logical(pdftotext(out))
    for script, name in NAMES.items():
        words = name.split(" ")
        if script in ("arabic", "hebrew"):
            # drawn in visual order; poppler puts each right-to-left run back into logical order
            for word in words:
                assert logical(word) in text, (script, word)
        else:
            assert logical(name) in text, script


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_fonts_are_embedded_subsets_with_unicode_maps(tmp_path, epoch):
    model = unicode_model()
    out = tmp_path / "unicode.pdf"
    build_report(model, fake_result(model), out)
    listing = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    names = {row[0].split("+", 1)[-1] for row in rows}
    assert {"DejaVuSans", "DejaVuSansCondensed-Bold", "DroidSansFallback"} <= names, names
    for row in rows:
        emb, sub, uni = row[-5], row[-4], row[-3]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row
    # nothing falls back to a non-embedded standard font
    assert not any(row[0] in ("Helvetica", "Times-Roman", "Courier") for row in rows)


def test_no_glyph_is_missing_for_the_scripts(epoch):
    """Every character of every name has a glyph in the font the report picks for it."""
    from app.report.fonts import SANS, has_glyph, split_runs
    from app.report.bidi import visual

    for script, name in NAMES.items():
        for font, run in split_runs(visual(name), SANS):
            missing = [ch for ch in run if not ch.isspace() and not has_glyph(font, ch)]
            assert not missing, (script, font, missing)


def test_build_in_memory_matches_build_to_path(tmp_path, epoch):
    model = unicode_model()
    result = fake_result(model)
    buffer = io.BytesIO()
    build_report(model, result, buffer)
    out = tmp_path / "x.pdf"
    build_report(model, result, out)
    assert out.read_bytes() == buffer.getvalue()
