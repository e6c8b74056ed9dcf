"""Turning untrusted strings into safe report text.

Every string that comes from a model file (names, descriptions, justifications,
library text) passes through here before it reaches reportlab. reportlab's
``Paragraph`` interprets its input as markup (``<img>``, ``<a>``, ``<font>``,
entities; CVE-2023-33733 abused the colour attribute), so user text must never
reach it raw:

1. :func:`clean` removes or replaces what cannot be printed: C0/C1 control
   characters become a visible replacement character (``�``), bidi embedding controls
   and other invisible format characters are dropped, lone surrogates and
   non-characters become ``�``; tabs become spaces and, in single-line fields,
   line breaks too.
2. :func:`clip` shortens text to a field's budget, saying how much was cut, so a
   10,000-character name cannot fill pages or overflow a table cell.
3. :func:`markup` escapes ``& < >`` with
   :func:`xml.sax.saxutils.escape`, puts right-to-left runs in visual order and
   wraps characters the base font lacks in ``<font face=…>`` runs of a font that
   has them. The only tags in the result are ones this module wrote.

Long unbroken words are split by the paragraph styles (``splitLongWords``)
and by the fast text engine (:mod:`app.report.fastlayout`), which takes runs
of cleaned text and never parses markup at all.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from app.report import bidi
from app.report.fonts import SANS, needs_fallback, split_runs

# Budgets (characters) for each kind of field; the model allows up to 10,000
# for names and 100,000 for long text, far more than a page can hold.
NAME_LIMIT = 160
SHORT_LIMIT = 400
LONG_LIMIT = 4_000
CELL_LIMIT = 1_500  # long text inside a table cell: a row must fit on one page even in wide glyphs

_REPLACEMENT = "\ufffd"
# invisible format characters that would reorder or hide text (bidi overrides,
# isolates, BOM); ZWJ/ZWNJ are kept because scripts need them for joining.
_DROP_FORMAT = {0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0xFEFF, 0x200B}


def _clean_char(ch: str, multiline: bool) -> str:
    code = ord(ch)
    if code < 0x20:
        if ch == "\t":
            return " "
        if ch in "\n\r":
            return "\n" if multiline else " "
        return _REPLACEMENT  # visible, never interpreted (the fonts have no control pictures)
    if 0x7F <= code < 0xA0:
        return _REPLACEMENT
    if 0xD800 <= code <= 0xDFFF or (code & 0xFFFE) == 0xFFFE or 0xFDD0 <= code <= 0xFDEF:
        return _REPLACEMENT  # lone surrogate or non-character: cannot be encoded or has no glyph
    if code in (0x2028, 0x2029):  # line and paragraph separators
        return "\n" if multiline else " "
    if code in _DROP_FORMAT:
        return ""
    return ch


# anything _clean_char would change (astral non-characters are checked by the slow path)
_SUSPECT = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff\U00010000-\U0010ffff"
                      + "".join(chr(c) for c in sorted(_DROP_FORMAT | {0x2028, 0x2029})) + "]")


def clean(text: object, *, multiline: bool = False) -> str:
    """Printable form of ``text``: no control, bidi-override or unencodable characters.

    ``multiline`` keeps line breaks (normalised to ``\\n``); otherwise they become spaces.
    """
    s = "" if text is None else str(text)
    if not _SUSPECT.search(s):
        return s  # the common case, fast (one C-level scan)
    s = s.replace("\r\n", "\n")
    return "".join(_clean_char(ch, multiline) for ch in s)


def clip(text: str, limit: int) -> str:
    """``text`` cut to about ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rstrip()
    return f"{cut}… [{len(text) - len(cut):,} more characters]"


def plain(text: object, limit: int = NAME_LIMIT) -> str:
    """Clean, clipped, single-line text in visual order, for drawing on a canvas or outline."""
    return bidi.visual(clip(clean(text), limit))


def _escape_runs(text: str, base: str) -> str:
    if not needs_fallback(text, base):
        return escape(text)
    parts = []
    for font, run in split_runs(text, base):
        if font == base:
            parts.append(escape(run))
        else:
            parts.append(f'<font face="{font}">{escape(run)}</font>')
    return "".join(parts)


def markup(text: object, limit: int = SHORT_LIMIT, *, multiline: bool = False, base: str = SANS) -> str:
    """Paragraph markup that prints ``text`` literally.

    The result contains no markup of the caller's: only escaped text, ``<br/>``
    for kept line breaks and ``<font face>`` runs for fallback fonts.
    """
    s = clip(clean(text, multiline=multiline), limit)
    if multiline and "\n" in s:
        raw: list[str] = []
        for line in s.split("\n"):
            if line.strip() or (raw and raw[-1].strip()):  # collapse runs of blank lines
                raw.append(line)
        while raw and not raw[-1].strip():
            raw.pop()
        max_lines = max(4, limit // 100)  # thousands of short lines must not outgrow a table cell
        if len(raw) > max_lines:
            raw = raw[: max_lines - 1] + [" ".join(x.strip() for x in raw[max_lines - 1:] if x.strip())]
        return "<br/>".join(_escape_runs(bidi.visual(line), base) for line in raw)
    return _escape_runs(bidi.visual(s), base)


def label(value: object) -> str:
    """People's words for a vocabulary value (``human_reviewed`` → ``human reviewed``)."""
    text = getattr(value, "label", None)
    if isinstance(text, str):
        return text
    return str(getattr(value, "value", value)).replace("_", " ")
