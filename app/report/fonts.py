"""Fonts of the PDF report: registration and per-character fallback.

reportlab's standard 14 fonts cover Latin-1 only, so every string of the report
is set in bundled TrueType fonts (``resources/fonts``, found through the
resource locator): DejaVu Sans for Latin, Greek, Cyrillic, Hebrew and Arabic,
Droid Sans Fallback for Chinese, Japanese and Korean. A string is split into
runs, each set in the first font that has a glyph for its characters
(:func:`split_runs`), both in paragraphs and on the diagram canvas.

Registration is idempotent and thread-safe: the editor renders reports in a
worker thread while the CLI renders in the main one.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from reportlab import rl_config
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.resources import resource_path

SANS = "TCSans"
SANS_BOLD = "TCSans-Bold"
SANS_ITALIC = "TCSans-Oblique"
SANS_BOLD_ITALIC = "TCSans-BoldOblique"
COND = "TCCond"
COND_BOLD = "TCCond-Bold"
MONO = "TCMono"
CJK = "TCCJK"

_FILES: dict[str, str] = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    SANS_ITALIC: "DejaVuSans-Oblique.ttf",
    SANS_BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
    COND: "DejaVuSansCondensed.ttf",
    COND_BOLD: "DejaVuSansCondensed-Bold.ttf",
    MONO: "DejaVuSansMono.ttf",
    CJK: "DroidSansFallback.ttf",
}

# Fallback order after the run's own font. DejaVu Sans is the widest-covering
# Western font; its condensed and mono cuts have slightly fewer glyphs.
_FALLBACKS: tuple[str, ...] = (SANS, CJK)

_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the bundled fonts with reportlab (once per process)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        # Binary (Flate only) streams: ASCII85 adds a quarter to the size and, without
        # reportlab's optional C accelerator, a tenth of the build time.
        rl_config.useA85 = 0
        for name, filename in _FILES.items():
            if name == CJK:
                continue  # 3.4 MB to parse: registered when a character first needs it (_cmap)
            path = resource_path("fonts", filename)
            pdfmetrics.registerFont(TTFont(name, str(path)))
        # <b>/<i> inside a paragraph pick the right face of each family.
        for family, bold in ((SANS, SANS_BOLD), (COND, COND_BOLD)):
            addMapping(family, 0, 0, family)
            addMapping(family, 1, 0, bold)
            addMapping(family, 0, 1, SANS_ITALIC if family == SANS else family)
            addMapping(family, 1, 1, SANS_BOLD_ITALIC if family == SANS else bold)
        for face in (SANS_BOLD, SANS_ITALIC, SANS_BOLD_ITALIC, COND_BOLD, MONO):
            addMapping(face, 0, 0, face)
            addMapping(face, 1, 0, face)
            addMapping(face, 0, 1, face)
            addMapping(face, 1, 1, face)
        _registered = True


def _register_cjk() -> None:
    with _lock:
        if CJK in pdfmetrics.getRegisteredFontNames():
            return
        pdfmetrics.registerFont(TTFont(CJK, str(resource_path("fonts", _FILES[CJK]))))
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(CJK, bold, italic, CJK)


@lru_cache(maxsize=None)
def _cmap(font_name: str) -> frozenset[int]:
    register_fonts()
    if font_name == CJK:
        _register_cjk()
    font = pdfmetrics.getFont(font_name)
    return frozenset(font.face.charToGlyph)


def has_glyph(font_name: str, ch: str) -> bool:
    """Whether ``font_name`` has a glyph for the character ``ch``."""
    return ord(ch) in _cmap(font_name)


def _font_for(ch: str, base: str) -> str:
    code = ord(ch)
    if code < 0x250 or code in _cmap(base):  # Latin: every face has it; skip the lookups
        return base
    for name in _FALLBACKS:
        if code in _cmap(name):
            return name
    return base  # no font has it: the base font's "missing glyph" box


def split_runs(text: str, base: str = SANS) -> list[tuple[str, str]]:
    """Split ``text`` into ``(font name, text)`` runs, each set in a font that has its glyphs.

    Spaces and combining marks stay in the run they follow, so a CJK phrase with
    spaces stays one run.
    """
    runs: list[tuple[str, str]] = []
    cur_font = base
    start = 0
    for i, ch in enumerate(text):
        if ch == " " or (0x300 <= ord(ch) < 0x370):
            continue
        font = _font_for(ch, base)
        if font != cur_font:
            if i > start:
                runs.append((cur_font, text[start:i]))
            cur_font, start = font, i
    if start < len(text):
        runs.append((cur_font, text[start:]))
    return runs


def needs_fallback(text: str, base: str = SANS) -> bool:
    """Fast check: does any character of ``text`` need a font other than ``base``?"""
    cmap = _cmap(base)
    return any(ord(ch) >= 0x250 and ord(ch) not in cmap for ch in text)


def string_width(text: str, font: str, size: float) -> float:
    """Width of ``text`` in points when drawn with fallback fonts."""
    if not needs_fallback(text, font):
        return pdfmetrics.stringWidth(text, font, size)
    return sum(pdfmetrics.stringWidth(run, name, size) for name, run in split_runs(text, font))


def draw_string(canvas, x: float, y: float, text: str, font: str, size: float) -> float:
    """Draw ``text`` at ``(x, y)`` with fallback fonts; return the width drawn."""
    if not needs_fallback(text, font):
        canvas.setFont(font, size)
        canvas.drawString(x, y, text)
        return pdfmetrics.stringWidth(text, font, size)
    start = x
    for name, run in split_runs(text, font):
        canvas.setFont(name, size)
        canvas.drawString(x, y, run)
        x += pdfmetrics.stringWidth(run, name, size)
    return x - start


def fit_width(text: str, font: str, size: float, max_width: float) -> str:
    """``text`` shortened with an ellipsis so that it is at most ``max_width`` wide."""
    if string_width(text, font, size) <= max_width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # longest prefix that fits with the ellipsis
        mid = (lo + hi + 1) // 2
        if string_width(text[:mid] + "…", font, size) <= max_width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…"
