"""Right-to-left text for the PDF: Arabic letter shaping and visual reordering.

reportlab draws characters left to right, one glyph per code point, with no
shaping. Without help, Hebrew prints backwards and Arabic prints as isolated,
backwards letters. The report has no HarfBuzz (and must stay offline and
dependency-light), so this module does the two things that make names legible:

* **Arabic shaping**: each letter becomes its contextual presentation form
  (isolated, initial, medial or final; U+FE70–U+FEFF and the Persian letters
  in U+FB50–U+FBFF), and lam + alef become the mandatory ligature.
* **Visual order** for a left-to-right paragraph: each run of right-to-left
  text (with the spaces, punctuation and numbers inside it) is reversed, keeping
  numbers in their own order and combining marks after their base letter, and
  mirroring brackets.

PDF text extractors (poppler's ``pdftotext``) reorder visual RTL text back to
logical order, so searching and copying work; presentation forms normalise
back to the base letters under NFKC.

Limits, by design: no full Unicode Bidirectional Algorithm (explicit embedding
controls are removed earlier, by :func:`app.report.text.clean`), and a
right-to-left phrase that wraps over two lines shows its lines in left-to-right
order.
"""

from __future__ import annotations

import unicodedata

# letter -> (isolated, final, initial, medial); two entries for right-joining letters
_DUAL = "D"
_RIGHT = "R"


def _forms() -> dict[str, tuple[str, tuple[int, ...]]]:
    table: dict[str, tuple[str, tuple[int, ...]]] = {}
    right_joining = {0x622, 0x623, 0x624, 0x625, 0x627, 0x629, 0x62F, 0x630, 0x631, 0x632, 0x648, 0x649}
    form = 0xFE80
    table["\u0621"] = ("U", (form,))  # hamza: joins neither side
    form += 1
    for code in range(0x622, 0x64B):
        if 0x63B <= code <= 0x640:
            continue  # unassigned and tatweel (handled separately)
        if code in right_joining:
            table[chr(code)] = (_RIGHT, (form, form + 1))
            form += 2
        else:
            table[chr(code)] = (_DUAL, (form, form + 1, form + 2, form + 3))
            form += 4
    # Persian and Urdu letters (Presentation Forms-A)
    table["\u067e"] = (_DUAL, (0xFB56, 0xFB57, 0xFB58, 0xFB59))  # peh
    table["\u0686"] = (_DUAL, (0xFB7A, 0xFB7B, 0xFB7C, 0xFB7D))  # tcheh
    table["\u0698"] = (_RIGHT, (0xFB8A, 0xFB8B))  # jeh
    table["\u06a9"] = (_DUAL, (0xFB8E, 0xFB8F, 0xFB90, 0xFB91))  # keheh
    table["\u06af"] = (_DUAL, (0xFB92, 0xFB93, 0xFB94, 0xFB95))  # gaf
    table["\u06cc"] = (_DUAL, (0xFBFC, 0xFBFD, 0xFBFE, 0xFBFF))  # farsi yeh
    return table


_FORMS = _forms()
_TATWEEL = "\u0640"
# lam + (alef with madda, hamza above, hamza below, plain alef) -> (isolated, final)
_LAM = "\u0644"
_LAM_ALEF = {"\u0622": (0xFEF5, 0xFEF6), "\u0623": (0xFEF7, 0xFEF8), "\u0625": (0xFEF9, 0xFEFA), "\u0627": (0xFEFB, 0xFEFC)}

_MIRROR = str.maketrans("()[]{}<>«»", ")(][}{><»«")


def _is_transparent(ch: str) -> bool:
    return unicodedata.category(ch) == "Mn"


def _joins_forward(ch: str | None) -> bool:
    """Can ``ch`` connect to the letter after it?"""
    if ch is None:
        return False
    if ch == _TATWEEL:
        return True
    entry = _FORMS.get(ch)
    return entry is not None and entry[0] == _DUAL


def _joins_backward(ch: str | None) -> bool:
    """Can ``ch`` connect to the letter before it?"""
    if ch is None:
        return False
    if ch == _TATWEEL:
        return True
    entry = _FORMS.get(ch)
    return entry is not None and entry[0] in (_DUAL, _RIGHT)


def shape_arabic(text: str) -> str:
    """Replace Arabic letters by their contextual presentation forms."""
    if not any("\u0600" <= ch <= "\u06ff" for ch in text):
        return text
    chars = list(text)
    n = len(chars)

    def neighbour(i: int, step: int) -> str | None:
        j = i + step
        while 0 <= j < n and _is_transparent(chars[j]):
            j += step
        return chars[j] if 0 <= j < n else None

    out: list[str] = []
    i = 0
    while i < n:
        ch = chars[i]
        entry = _FORMS.get(ch)
        if entry is None:
            out.append(ch)
            i += 1
            continue
        prev = neighbour(i, -1)
        joins_prev = _joins_forward(prev) and entry[0] in (_DUAL, _RIGHT)
        if ch == _LAM and i + 1 < n and chars[i + 1] in _LAM_ALEF:
            iso, fin = _LAM_ALEF[chars[i + 1]]
            out.append(chr(fin if joins_prev else iso))
            i += 2
            continue
        nxt = neighbour(i, 1)
        joins_next = entry[0] == _DUAL and _joins_backward(nxt)
        forms = entry[1]
        if len(forms) == 4:
            index = (3 if joins_next else 1) if joins_prev else (2 if joins_next else 0)
        elif len(forms) == 2:
            index = 1 if joins_prev else 0
        else:
            index = 0
        out.append(chr(forms[index]))
        i += 1
    return "".join(out)


def _bidi_class(ch: str) -> str:
    kind = unicodedata.bidirectional(ch)
    if kind in ("R", "AL"):
        return "R"
    if kind == "L":
        return "L"
    if kind in ("EN", "AN"):
        return "N"  # number
    if kind == "NSM":
        return "M"
    return "O"  # neutral: spaces, punctuation, symbols


def has_rtl(text: str) -> bool:
    """Whether ``text`` contains right-to-left letters (cheap pre-check)."""
    return any(
        ("\u0590" <= ch <= "\u08ff" or "\ufb1d" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufefc")
        for ch in text
    )


def _reverse_run(run: str) -> str:
    # clusters: a base character with its combining marks; numbers stay in order
    clusters: list[str] = []
    number: list[str] = []
    for ch in run:
        cls = _bidi_class(ch)
        if cls == "M" and clusters and not number:
            clusters[-1] += ch
            continue
        if cls == "N" or (number and ch in ".,:" ):
            number.append(ch)
            continue
        if number:
            clusters.append("".join(number))
            number = []
        clusters.append(ch.translate(_MIRROR))
    if number:
        clusters.append("".join(number))
    return "".join(reversed(clusters))


def visual(text: str) -> str:
    """``text`` (logical order) in the visual order a left-to-right line draws it."""
    if not has_rtl(text):
        return text
    text = shape_arabic(text)
    classes = [_bidi_class(ch) for ch in text]
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        if classes[i] != "R":
            out.append(text[i])
            i += 1
            continue
        # extend the run over neutrals/numbers/marks up to the last RTL letter before an LTR letter
        j = i
        last_rtl = i
        while j < n and classes[j] != "L":
            if classes[j] == "R" or (classes[j] == "M" and last_rtl == j - 1):
                last_rtl = j
            j += 1
        # marks right after the last RTL letter belong to it
        end = last_rtl + 1
        while end < n and classes[end] == "M":
            end += 1
        out.append(_reverse_run(text[i:end]))
        i = end
    return "".join(out)
