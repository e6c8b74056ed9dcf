"""Unit tests of the report's text safety layer: cleaning, clipping, escaping, RTL, font runs."""

from __future__ import annotations

import unicodedata

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from app.report import bidi
from app.report.fonts import CJK, SANS, fit_width, register_fonts, split_runs, string_width
from app.report.text import clean, clip, markup


def test_clean_replaces_controls_and_drops_bidi_overrides():
    assert clean("a\x00b\x07c\x1bd\x7fe\x85f") == "a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf"
    assert clean("evil\u202etxt.exe\u2066x\u2069") == "eviltxt.exex"
    assert clean("lone \ud800 surrogate \uffff") == "lone \ufffd surrogate \ufffd"
    assert clean("tab\tnew\nline\r\nend") == "tab new line end"
    assert clean("tab\tnew\nline\r\nend", multiline=True) == "tab new\nline\nend"
    assert clean(None) == ""
    assert clean("plain ascii") == "plain ascii"


def test_clip_says_how_much_was_cut():
    assert clip("short", 10) == "short"
    out = clip("x" * 10_000, 100)
    assert out.startswith("x" * 100) and "9,900 more characters" in out
    assert len(out) < 140


def test_markup_escapes_everything_reportlab_would_interpret():
    hostile = '<b>x</b> <img src="/etc/passwd"/> <a href="http://e">l</a> &amp; &#60; <font color="red">'
    out = markup(hostile)
    assert "<" not in out.replace("&lt;", "")
    assert out.count("&amp;") == 2 and "&lt;img" in out
    # and reportlab prints it back literally
    para = Paragraph(out, ParagraphStyle("t", fontName="Helvetica"))
    text = "".join(w for frag in para.frags for w in getattr(frag, "text", ""))
    assert text == hostile


def test_markup_keeps_line_breaks_only_when_multiline_and_collapses_blank_runs():
    assert markup("a\nb") == "a b"
    assert markup("a\n\n\n\n\nb\n\n", multiline=True) == "a<br/><br/>b"


def test_markup_wraps_cjk_in_a_fallback_font_run():
    register_fonts()
    out = markup("Modèle 模型 <x>")
    assert f'<font face="{CJK}">模型 </font>' in out
    assert out.endswith("&lt;x&gt;")


def test_split_runs_picks_a_font_with_the_glyphs():
    register_fonts()
    runs = split_runs("Hello Привет Γειά 你好 世界 שלום")
    assert runs[0] == (SANS, "Hello Привет Γειά ")
    assert runs[1] == (CJK, "你好 世界 ")
    assert runs[2] == (SANS, "שלום")


def test_hebrew_is_reversed_for_drawing_and_numbers_keep_their_order():
    assert bidi.visual("abc") == "abc"
    assert bidi.visual("שלום עולם") == "םלוע םולש"
    assert bidi.visual("x שלום 2024 עולם y") == "x םלוע 2024 םולש y"
    assert bidi.visual("(שלום)") == "(םולש)"  # brackets mirrored inside the reversed run


def test_arabic_is_shaped_into_presentation_forms_and_round_trips_under_nfkc():
    word = "مرحبا بالعالم"
    shown = bidi.visual(word)
    assert all(not ("\u0600" <= ch <= "\u06ff") for ch in shown)  # every letter shaped
    assert unicodedata.normalize("NFKC", shown)[::-1] == word
    assert bidi.shape_arabic("لا") == "\ufefb"  # lam-alef ligature


def test_fit_width_truncates_by_measured_width():
    register_fonts()
    text = "W" * 500
    out = fit_width(text, SANS, 8, 100)
    assert out.endswith("…") and string_width(out, SANS, 8) <= 100
    assert fit_width("ok", SANS, 8, 100) == "ok"
