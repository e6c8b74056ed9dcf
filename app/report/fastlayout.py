"""A fast, markup-free text and table engine for the long parts of the report.

Why not platypus ``Paragraph`` and ``Table`` everywhere: without reportlab's
optional C accelerator, a ``Paragraph`` costs about a millisecond per layout
and tables lay their cells out several times; a report of a thousand findings
took minutes. This engine:

* takes text as **runs** (text, font, size, colour), never as markup, so user
  text cannot be interpreted as anything (no escaping step to forget);
* measures words once (a per-font cache of word widths in font units);
* wraps greedily, splitting a word that is wider than the line at the
  character that overflows (CJK text, hashes, 10,000-character names);
* applies the font fallback of :mod:`app.report.fonts` and the right-to-left
  reordering of :mod:`app.report.bidi` to each run;
* lays out a table once per width, splits it between rows, and splits a row
  that is taller than a page between lines, so no input can make a row too
  big for the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

from app.report import bidi
from app.report.fonts import COND, COND_BOLD, needs_fallback, register_fonts, split_runs
from app.report.styles import ACCENT, INK, PANEL, RULE
from app.report.text import clean, clip

LEADING = 1.22
ASCENT = 0.93  # baseline below the top of a line, in ems (DejaVu: ascent 0.76 + half the leading)
KEEP_WHOLE = 320.0  # a table shorter than this moves to the next page rather than split
_TOKENS = re.compile(r"\S+\s*|\s+")
_WIDE = re.compile("[^\u0000-\u024f]")  # beyond Latin Extended-B: may need bidi or another font


class Run(NamedTuple):
    """A piece of text in one style. ``\\n`` in the text is a line break.

    A named tuple: a report makes hundreds of thousands of runs, and tuples are
    the cheapest immutable records Python builds.
    """

    text: str
    font: str = COND
    size: float = 7.5
    colour: colors.Color = INK
    visual: bool = False  # already in visual order with fallback fonts resolved (a re-laid split part)


def user(text: object, limit: int, *, font: str = COND, size: float = 7.5, colour=INK,
         multiline: bool = False) -> Run:
    """A run of untrusted text: cleaned and clipped (no escaping needed: runs are never parsed)."""
    s = clip(clean(text, multiline=multiline), limit)
    if multiline:
        lines = [line for line in s.split("\n")]
        kept: list[str] = []
        for line in lines:  # collapse blank runs and cap the line count
            if line.strip() or (kept and kept[-1].strip()):
                kept.append(line)
        while kept and not kept[-1].strip():
            kept.pop()
        cap = max(4, limit // 60)
        if len(kept) > cap:
            kept = kept[: cap - 1] + [" ".join(x.strip() for x in kept[cap - 1:] if x.strip())]
        s = "\n".join(kept)
    return Run(s, font, size, colour)


# ---------------------------------------------------------------- measuring
class _Measure:
    """Word widths in font units (1/1000 em), cached per font."""

    def __init__(self) -> None:
        self._chars: dict[str, tuple[dict, float]] = {}
        self._words: dict[str, dict[str, float]] = {}

    def _table(self, font: str) -> tuple[dict, float]:
        table = self._chars.get(font)
        if table is None:
            register_fonts()
            face = pdfmetrics.getFont(font).face
            table = (face.charWidths, face.defaultWidth)
            self._chars[font] = table
        return table

    def units(self, text: str, font: str) -> float:
        words = self._words.setdefault(font, {})
        w = words.get(text)
        if w is None:
            widths, default = self._table(font)
            w = sum(widths.get(ord(ch), default) for ch in text)
            if len(text) <= 48 and len(words) < 200_000:  # words repeat; long strings rarely do
                words[text] = w
        return w

    def prefix_fitting(self, text: str, font: str, size: float, width: float) -> int:
        """Length of the longest prefix of ``text`` no wider than ``width`` (at least 1)."""
        widths, default = self._table(font)
        limit = width * 1000.0 / size
        total = 0.0
        for i, ch in enumerate(text):
            total += widths.get(ord(ch), default)
            if total > limit:
                return max(1, i)
        return len(text)


MEASURE = _Measure()


def text_width(text: str, font: str, size: float) -> float:
    return MEASURE.units(text, font) * size / 1000.0


# ---------------------------------------------------------------- lines
@dataclass(slots=True)
class Line:
    segments: list[tuple[str, float, colors.Color, str]] = field(default_factory=list)  # font, size, colour, text
    width: float = 0.0
    size: float = 0.0  # largest font size on the line

    @property
    def height(self) -> float:
        return self.size * LEADING


def _pieces(runs: list[Run]):
    """Yield (font, size, colour, text or None for a hard break) with fallback fonts and visual order."""
    for run in runs:
        parts = run.text.split("\n")
        for k, part in enumerate(parts):
            if k:
                yield run.font, run.size, run.colour, None
            if not part:
                continue
            if run.visual or not _WIDE.search(part):  # plain Latin: nothing to reorder or substitute
                yield run.font, run.size, run.colour, part
                continue
            part = bidi.visual(part)
            if needs_fallback(part, run.font):
                for font, sub in split_runs(part, run.font):
                    yield font, run.size, run.colour, sub
            else:
                yield run.font, run.size, run.colour, part


def layout(runs: list[Run], width: float) -> list[Line]:
    """Greedy line breaking of ``runs`` into lines no wider than ``width``."""
    width = max(width, 4.0)
    lines: list[Line] = []
    line = Line()
    x = 0.0

    def push(font: str, size: float, colour, text: str, w: float) -> None:
        nonlocal x
        segs = line.segments
        if segs and segs[-1][0] == font and segs[-1][1] == size and segs[-1][2] is colour:
            segs[-1] = (font, size, colour, segs[-1][3] + text)
        else:
            segs.append((font, size, colour, text))
        x += w
        line.width = x
        if size > line.size:
            line.size = size

    def newline(size: float) -> None:
        nonlocal line, x
        if not line.size:
            line.size = size
        # trailing spaces do not count towards the width
        lines.append(line)
        line = Line()
        x = 0.0

    for font, size, colour, text in _pieces(runs):
        if text is None:
            newline(size)
            continue
        scale = size / 1000.0
        for token in _TOKENS.findall(text):
            w = MEASURE.units(token, font) * scale
            if x + w <= width:
                push(font, size, colour, token, w)
                continue
            stripped = token.rstrip()
            ws = MEASURE.units(stripped, font) * scale if stripped != token else w
            if stripped and x + ws <= width:  # fits without its trailing space: end the line after it
                push(font, size, colour, stripped, ws)
                newline(size)
                continue
            if not stripped:  # spaces at the end of a line vanish
                newline(size)
                continue
            if x > 0:
                newline(size)
            rest = stripped
            while rest:  # a word wider than the line: break it where it overflows
                n = MEASURE.prefix_fitting(rest, font, size, width)
                piece = rest[:n]
                push(font, size, colour, piece, MEASURE.units(piece, font) * scale)
                rest = rest[n:]
                if rest:
                    newline(size)
            if stripped != token and x > 0:
                push(font, size, colour, " ", MEASURE.units(" ", font) * scale)
    if line.segments or not lines:
        if not line.size:
            line.size = runs[0].size if runs else 7.5
        lines.append(line)
    return lines


def lines_height(lines: list[Line]) -> float:
    return sum(line.height for line in lines)


def _rgb(colour) -> str:
    return f"{colour.red:.3f} {colour.green:.3f} {colour.blue:.3f} rg"


def draw_lines(canv, lines: list[Line], x: float, top: float, width: float = 0.0, align: str = "left") -> float:
    """Draw ``lines`` with their first line's top at ``top``; return the y below the last line.

    Writes the PDF text operators itself (one ``BT … ET`` block, fonts and colours
    set only when they change) inside ``q … Q``, so the canvas's own graphics
    state is untouched. reportlab's text object does the same work several times
    slower in pure Python.
    """
    ops: list[str] = ["q BT"]
    y = _text_ops(canv, ops, lines, x, top, width, align)
    ops.append("ET Q")
    canv._code.append("\n".join(ops))
    return y


def _encoder(canv):
    """Per-document cache of ``(font, text) -> Tf/Tj operators``: subset codes are per document."""
    doc = canv._doc
    cache = getattr(doc, "_tc_text_ops", None)
    if cache is None:
        cache = doc._tc_text_ops = {}
    return cache


def _text_ops(canv, ops: list[str], lines: list[Line], x: float, top: float, width: float = 0.0,
              align: str = "left") -> float:
    doc = canv._doc
    cache = _encoder(canv)
    cur_font: tuple | None = None
    cur_colour = None
    y = top
    for line in lines:
        if line.segments:
            dx = 0.0
            if align == "right" and width:
                dx = width - line.width
            elif align == "center" and width:
                dx = (width - line.width) / 2
            ops.append(f"1 0 0 1 {x + dx:.2f} {y - line.size * ASCENT:.2f} Tm")
            for font_name, size, colour, text in line.segments:
                if colour is not cur_colour:
                    ops.append(_rgb(colour))
                    cur_colour = colour
                key = (font_name, text)
                parts = cache.get(key)
                if parts is None:
                    font = _font(font_name)
                    parts = [(font.getSubsetInternalName(subset, doc), f"({canv._escape(chunk)}) Tj")
                             for subset, chunk in font.splitString(text, doc)]
                    if len(text) <= 64:
                        cache[key] = parts
                for internal, show in parts:
                    if (internal, size) != cur_font:
                        ops.append(f"{internal} {size:g} Tf")
                        cur_font = (internal, size)
                    ops.append(show)
        y -= line.height
    return y


_FONTS: dict[str, object] = {}


def _font(name: str):
    font = _FONTS.get(name)
    if font is None:
        font = _FONTS[name] = pdfmetrics.getFont(name)
    return font


def runs_from_lines(lines: list[Line]) -> list[Run]:
    """Runs that lay out to ``lines`` again at the same width (for a row split between pages)."""
    runs: list[Run] = []
    for i, line in enumerate(lines):
        if i:
            runs.append(Run("\n", COND, line.size or 7.5, visual=True))
        for font, size, colour, text in line.segments:
            runs.append(Run(text, font, size, colour, visual=True))
    return runs


# ---------------------------------------------------------------- tables
@dataclass
class Row:
    """One table row. ``span``: the first cell spans every column."""

    cells: list[list[Run]]
    span: bool = False
    background: colors.Color | None = None
    bar: colors.Color | None = None  # a coloured bar down the left edge (severity)
    header: bool = False


class LazyRows:
    """Rows made on demand from ``items`` (a 20,000-row table need not exist as objects at once)."""

    def __init__(self, items, make):
        self.items = items
        self.make = make

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> Row:
        return self.make(self.items[i])


LAZY_FROM = 300  # rows: from this size a table lays out only as far as the page being filled


class _Laid:
    """Rows of one table and their layout at one width, shared by the parts a split makes.

    Split parts refer to rows by index ranges, so splitting a table of n rows
    over p pages costs O(n + p), not O(n × p). A long table lays rows out only
    as the pages fill, and a drawn row's layout is released, so memory holds
    about a page of laid-out rows, not the whole table.
    """

    def __init__(self, rows, widths: list[float], for_width: float, pad: tuple[float, float], zebra: bool):
        self.source = rows
        self.count = len(rows)  # rows of the source; split halves are appended after them
        self.widths = widths
        self.for_width = for_width
        self.pad = pad
        self.zebra = zebra
        self.meta: list[tuple] = []  # (span, background, bar, header) per laid-out row
        self.cells: list[list[list[Line]]] = []
        self.heights: list[float] = []
        self.prefix: list[float] = [0.0]  # prefix[i] = sum(heights[:i])
        self.shaded: list[bool] = []
        self._body = 0
        if self.count < LAZY_FROM:
            self.ensure(self.count)

    @property
    def complete(self) -> bool:
        return len(self.heights) >= self.count

    def ensure(self, n: int) -> None:
        """Lay out source rows up to (not including) index ``n``."""
        n = min(n, self.count)
        while len(self.heights) < n:
            row = self.source[len(self.heights)]
            self._append(row, self.zebra and not row.header and self._body % 2 == 1)
            if not row.header:
                self._body += 1

    def _append(self, row: Row, shaded: bool) -> int:
        hp, vp = self.pad
        cell_w = [sum(self.widths)] if row.span else self.widths
        laid = [layout(cell, w - 2 * hp) if cell else [] for cell, w in zip(row.cells, cell_w)]
        h = max((lines_height(c) for c in laid), default=0.0) + 2 * vp
        self.meta.append((row.span, row.background, row.bar, row.header))
        self.cells.append(laid)
        self.heights.append(h)
        self.prefix.append(self.prefix[-1] + h)
        self.shaded.append(shaded)
        return len(self.heights) - 1

    def add(self, row: Row, shaded: bool) -> int:
        """Append a row made by a split (after every source row has its place)."""
        self.ensure(self.count)
        return self._append(row, shaded)

    def row(self, i: int) -> Row:
        """The row at ``i`` again, as runs (only to re-lay out a part on a page of another width)."""
        span, background, bar, header = self.meta[i] if i < len(self.meta) else (False, None, None, False)
        if i < self.count:
            return self.source[i]
        return Row([runs_from_lines(c) for c in self.cells[i]], span, background, bar, header)


Segments = list[tuple[int, int]]  # half-open index ranges into _Laid's lists


def _indices(segments: Segments):
    for a, b in segments:
        yield from range(a, b)


class FastTable(Flowable):
    """A table of run cells that lays out once per width and splits anywhere it must."""

    def __init__(self, col_widths: list[float | None], rows: list[Row], *, repeat: int = 0, zebra: bool = True,
                 keep_whole: bool = False, pad: tuple[float, float] = (3.0, 2.0), space_after: float = 0.0):
        super().__init__()
        self.col_widths = col_widths
        self.rows = rows
        self.repeat = repeat
        self.zebra = zebra
        self.keep_whole = keep_whole
        self.pad = pad
        self.spaceAfter = space_after
        self._laid: _Laid | None = None
        self._segments: Segments = []
        self.width = self.height = 0.0

    # -- layout
    def _columns(self, avail: float) -> list[float]:
        fixed = sum(w for w in self.col_widths if w is not None)
        free = [i for i, w in enumerate(self.col_widths) if w is None]
        share = max(avail - fixed, 20.0) / len(free) if free else 0.0
        return [w if w is not None else share for w in self.col_widths]

    def _layout(self, avail: float) -> None:
        if self._laid is not None and self._laid.for_width == avail:
            return
        if self._laid is not None:  # a part of a split table, now on a page of another width
            self.rows = [self._laid.row(i) for i in _indices(self._segments)]
        self._laid = _Laid(self.rows, self._columns(avail), avail, self.pad, self.zebra)
        self._segments = [(0, len(self.rows))]
        self.rows = []  # the rows live in self._laid now
        self._measure()

    def _measure(self) -> None:
        laid = self._laid
        self.width = sum(laid.widths)
        last = max((b for _, b in self._segments), default=0)
        if last > len(laid.heights):
            self.height = float("inf")  # not laid out that far yet: platypus will ask us to split
            return
        self.height = sum(laid.prefix[b] - laid.prefix[a] for a, b in self._segments)

    def _part(self, segments: Segments) -> "FastTable":
        t = FastTable(self.col_widths, [], repeat=self.repeat, zebra=self.zebra, pad=self.pad,
                      space_after=self.spaceAfter)
        t._laid, t._segments = self._laid, segments
        t._measure()
        return t

    def wrap(self, avail_w, avail_h):  # noqa: D102 - platypus protocol
        self._layout(avail_w)
        if self.height == float("inf"):
            return self.width, avail_h + 1.0  # "does not fit": the split lays out what this page needs
        return self.width, self.height

    # -- splitting
    def split(self, avail_w, avail_h):  # noqa: D102 - platypus protocol
        self._layout(avail_w)
        if self.height <= avail_h:
            return [self]
        if self.keep_whole and self.height <= KEEP_WHOLE:
            return []  # move to the next page whole
        laid = self._laid
        heights = laid.heights
        segs = self._segments
        head: Segments = [(0, self.repeat)] if self.repeat else []
        # walk the rows, skipping this part's own copy of the repeated header
        used = 0.0
        taken: Segments = []
        body_count = 0
        for si, (a, b) in enumerate(segs):
            i = a
            while i < b:
                if i >= len(heights):
                    laid.ensure(i + 64)  # lay out the next rows as the page needs them
                h = heights[i]
                is_head = i < self.repeat
                if used + h > avail_h:
                    break
                used += h
                if not is_head:
                    body_count += 1
                i += 1
            if i > a:
                taken.append((a, i))
            if i < b:  # stopped inside this segment at row i
                rest = head + [(i, b)] + segs[si + 1:]
                if body_count:
                    return [self._part(taken), self._part(rest)]
                return self._split_row(i, avail_h - used, taken, head, [(i + 1, b)] + segs[si + 1:])
        self._measure()  # everything fitted (a lazy table shorter than it claimed)
        return [self]

    def _split_row(self, k: int, avail: float, taken: Segments, head: Segments, after: Segments):
        """Split row ``k`` (taller than the space left) between lines; [] to move on instead."""
        laid = self._laid
        room = avail - 2 * self.pad[1]
        if room < 24:
            return []
        frame = getattr(self, "_frame", None)  # platypus sets it before asking to split
        page_room = getattr(frame, "_height", 0.0) - sum(laid.heights[i] for i in _indices(head))
        if frame is not None and laid.heights[k] <= page_room and not getattr(frame, "_atTop", False):
            return []  # the row fits on a fresh page: move it there whole rather than cut it
        span, background, bar, header = laid.meta[k]
        firsts, rests = [], []
        cut = False
        for lines in laid.cells[k]:
            h, n = 0.0, 0
            while n < len(lines) and h + lines[n].height <= room:
                h += lines[n].height
                n += 1
            cut = cut or n < len(lines)
            firsts.append(runs_from_lines(lines[:n]))
            rests.append(runs_from_lines(lines[n:]))
        if not cut or all(not r for r in firsts):
            return []
        shade = laid.shaded[k]
        i1 = laid.add(Row(firsts, span, background, bar, header), shade)
        i2 = laid.add(Row(rests, span, background, bar, header), shade)
        return [self._part(taken + [(i1, i1 + 1)]), self._part(head + [(i2, i2 + 1)] + after)]

    # -- drawing
    def draw(self):  # noqa: D102 - platypus protocol
        c = self.canv
        laid = self._laid
        hp, vp = laid.pad
        width = self.width
        # backgrounds and rules as raw operators in one block (the canvas API formats every number
        # through reportlab's pure-Python fp_str, a third of the drawing time)
        ops: list[str] = ["q"]
        y = self.height
        for i in _indices(self._segments):
            (span, background, bar, header), h = laid.meta[i], laid.heights[i]
            bottom = y - h
            bg = background or (PANEL if header else (_ZEBRA if laid.shaded[i] else None))
            if bg is not None:
                ops.append(f"{_rgb(bg)} 0 {bottom:.2f} {width:.2f} {h:.2f} re f")
            rule = ACCENT if header else RULE
            ops.append(f"{_rgb(rule).replace(' rg', ' RG')} {0.8 if header else 0.25} w "
                       f"0 {bottom:.2f} m {width:.2f} {bottom:.2f} l S")
            if bar is not None:
                ops.append(f"{_rgb(bar).replace(' rg', ' RG')} 2.5 w 0.8 {bottom:.2f} m 0.8 {y:.2f} l S")
            y = bottom
        ops.append("BT")
        y = self.height
        for i in _indices(self._segments):
            span, h = laid.meta[i][0], laid.heights[i]
            x = 0.0
            widths = [width] if span else laid.widths
            for lines, w in zip(laid.cells[i], widths):
                if lines:
                    _text_ops(c, ops, lines, x + hp, y - vp)
                x += w
            y -= h
        ops.append("ET Q")
        c._code.append("\n".join(ops))
        for i in _indices(self._segments):  # drawn once: free the layout (header rows repeat)
            if i >= self.repeat:
                laid.cells[i] = [[] for _ in laid.cells[i]]


_ZEBRA = colors.HexColor("#f8fafc")


def header_row(*titles: str, size: float = 7.5) -> Row:
    return Row([[Run(t, COND_BOLD, size)] for t in titles], header=True)


class TextBlock(Flowable):
    """A paragraph of runs (no markup), split between lines across pages."""

    def __init__(self, runs: list[Run], *, space_before: float = 0.0, space_after: float = 0.0,
                 keep_with_next: bool = False):
        super().__init__()
        self.runs = runs
        self.spaceBefore = space_before
        self.spaceAfter = space_after
        if keep_with_next:
            self.keepWithNext = True
        self._lines: list[Line] | None = None
        self._for_width: float | None = None

    def wrap(self, avail_w, avail_h):  # noqa: D102 - platypus protocol
        if self._for_width != avail_w or self._lines is None:
            self._lines = layout(self.runs, avail_w)
            self._for_width = avail_w
        self.width = avail_w
        self.height = lines_height(self._lines)
        return self.width, self.height

    def split(self, avail_w, avail_h):  # noqa: D102 - platypus protocol
        self.wrap(avail_w, avail_h)
        if self.height <= avail_h:
            return [self]
        h, n = 0.0, 0
        lines = self._lines or []
        while n < len(lines) and h + lines[n].height <= avail_h:
            h += lines[n].height
            n += 1
        if n == 0 or n == len(lines):
            return []
        first = TextBlock(runs_from_lines(lines[:n]), space_before=self.spaceBefore)
        rest = TextBlock(runs_from_lines(lines[n:]), space_after=self.spaceAfter)
        return [first, rest]

    def draw(self):  # noqa: D102 - platypus protocol
        draw_lines(self.canv, self._lines or [], 0, self.height)
