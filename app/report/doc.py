"""The document template: page templates, header and footer, outline, "Page X of Y".

:class:`ReportDocTemplate` is a platypus ``BaseDocTemplate`` with a portrait
and a landscape page template, both carrying the classification marking in the
header. Headings (:class:`Heading`) register themselves in the table of
contents and the PDF outline as they are laid out. :class:`ReportCanvas` holds
pages back until the end so the footer can say "Page X of Y", and pins the
PDF's dates to one timestamp so that output is reproducible.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from app.report.fastlayout import Run, _text_ops, draw_lines, layout, lines_height, text_width
from app.report.fonts import MONO, SANS, SANS_BOLD, fit_width
from app.report.styles import INK, MARKING, MUTED, RULE

MARGIN = 16 * mm
HEADER = 11 * mm
FOOTER = 10 * mm


class ReportCancelled(Exception):
    """Raised inside a build when the caller asked to stop."""


@dataclass(frozen=True)
class PageDecor:
    """What every page's header and footer show (already cleaned, single-line text)."""

    system: str
    marking: str
    footer: str
    title: str = "Threat model assessment"


def _stroke(colour) -> str:
    return f"{colour.red:.3f} {colour.green:.3f} {colour.blue:.3f} RG"


def _timestamp(epoch: int):
    """A reportlab ``TimeStamp`` fixed at ``epoch`` (UTC), built without reading the clock."""
    from reportlab.lib.utils import TimeStamp

    ts = TimeStamp.__new__(TimeStamp)
    ts.t = epoch
    ts.lt = time.gmtime(epoch)
    ts.YMDhms = tuple(ts.lt)[:6]
    ts.dhh = ts.dmm = 0
    ts.tzname = "UTC"
    return ts


TOTAL_FORM = "tcPageTotal"


def canvas_class(epoch: int, decor: PageDecor) -> type[Canvas]:
    """A canvas class for one build: fixed dates, invariant ids, "Page X of Y"."""

    class ReportCanvas(Canvas):
        """Numbers that are known only at the end are PDF forms, drawn by reference now, defined at save.

        Every page is finished as soon as it is full (bookmarks point at the right
        page and memory holds no page twice); "of Y" and the table of contents'
        page numbers are form XObjects that :meth:`save` fills in.
        """

        def __init__(self, *args, **kwargs):
            kwargs["invariant"] = 1  # no random document id, no clock in the file
            super().__init__(*args, **kwargs)
            self._doc._timeStamp = _timestamp(epoch)
            self._late: dict[str, tuple] = {}
            self.pages = 0

        def define_later(self, name: str, draw, bbox: tuple[float, float, float, float]) -> None:
            """Have :meth:`save` define form ``name`` by calling ``draw(canvas)`` inside it."""
            self._late[name] = (draw, bbox)

        def showPage(self):  # noqa: N802 - reportlab's name
            width = self._pagesize[0]
            text = f"Page {self._pageNumber} of "
            x, y = width - MARGIN - 58, FOOTER - 4 * mm
            self.setFillColor(MUTED)
            self.setFont(SANS, 7.5)
            self.drawString(x, y, text)
            self.saveState()
            self.translate(x + text_width(text, SANS, 7.5), y)
            self.doForm(TOTAL_FORM)
            self.restoreState()
            self.pages = self._pageNumber
            super().showPage()

        def save(self):
            total = self.pages

            def draw_total(c) -> None:
                c.setFillColor(MUTED)
                c.setFont(SANS, 7.5)
                c.drawString(0, 0, str(total))

            self._late[TOTAL_FORM] = (draw_total, (0, -5, 60, 12))
            for name in sorted(self._late):
                draw, (x0, y0, x1, y1) = self._late[name]
                self.beginForm(name, lowerx=x0, lowery=y0, upperx=x1, uppery=y1)
                draw(self)
                self.endForm()
            Canvas.save(self)

    return ReportCanvas


class Heading(Flowable):
    """A heading that becomes an outline entry and, up to level 1, a table-of-contents entry.

    Set with the fast text engine (no markup). Never split: it is clipped to a
    few lines, and moves to the next page whole, keeping with what follows.
    """

    def __init__(self, runs: list, *, level: int, key: str, outline: str, toc: bool = True,
                 space_before: float = 0.0, space_after: float = 0.0):
        super().__init__()
        self.runs = runs
        self.toc_level = level
        self.toc_key = key
        self.outline_text = outline
        self.in_toc = toc
        self.spaceBefore = space_before
        self.spaceAfter = space_after
        self.keepWithNext = True
        self._lines = None
        self._for_width = None

    def wrap(self, avail_w, avail_h):  # noqa: D102 - platypus protocol
        if self._for_width != avail_w:
            self._lines = layout(self.runs, avail_w)
            self._for_width = avail_w
        self.width, self.height = avail_w, lines_height(self._lines)
        return self.width, self.height

    def split(self, avail_w, avail_h):  # noqa: D102 - platypus protocol
        return []

    def draw(self):  # noqa: D102 - platypus protocol
        draw_lines(self.canv, self._lines, 0, self.height)


class TableOfContents(Flowable):
    """The table of contents, laid out from headings known in advance and numbered at the end.

    Every heading exists before layout starts (the whole story is built first),
    so the TOC's size is known in the first and only pass; its page numbers are
    forms that the canvas defines when it saves the document, once every
    heading has a page. That saves platypus's second layout pass
    (``multiBuild``), half the time.
    """

    def __init__(self, entries: list[tuple[int, str, str]], size: float = 9.0):
        super().__init__()
        self.entries = entries  # (level, text, bookmark key), filled by the time of layout
        self.size = size
        self._laid: list[tuple[int, str, list]] = []

    def _style(self, level: int) -> tuple[str, float, float, float]:
        """font, size, indent, space before"""
        return (SANS_BOLD, self.size + 1, 0.0, 5.0) if level == 0 else (SANS, self.size, 14.0, 1.0)

    def wrap(self, avail_w, avail_h):  # noqa: D102 - platypus protocol
        self._laid = []
        height = 0.0
        for level, text, key in self.entries:
            font, size, indent, before = self._style(level)
            lines = layout([Run(text, font, size)], avail_w - indent - 40)
            self._laid.append((level, key, lines))
            height += before + lines_height(lines)
        self.width, self.height = avail_w, height
        return self.width, self.height

    def draw(self):  # noqa: D102 - platypus protocol
        canv = self.canv
        doc = canv._doctemplate
        y = self.height
        width = self.width
        for level, key, lines in self._laid:
            font, size, indent, before = self._style(level)
            y -= before
            y_end = draw_lines(canv, lines, indent, y)
            last = lines[-1]
            base = y_end + last.height - last.size * 0.93
            # the page number: a form filled in when the document is saved (every heading has a page by then)
            name = f"tcToc{key}"
            canv.saveState()
            canv.translate(width, base)
            canv.doForm(name)
            canv.restoreState()

            def number(c, key=key, font=font, size=size) -> None:
                c.setFillColor(INK)
                c.setFont(font, size)
                c.drawRightString(0, 0, str(doc.heading_pages.get(key, "")))

            canv.define_later(name, number, (-60, -5, 1, size + 4))
            dots_from, dots_to = indent + last.width + 4, width - 30
            if dots_to > dots_from:
                step = text_width(". ", SANS, size - 1)
                canv.setFillColor(MUTED)
                canv.setFont(SANS, size - 1)
                canv.drawRightString(dots_to, base, ". " * int((dots_to - dots_from) / step))
            canv.linkRect("", key, (0, y_end, width, y), relative=1, thickness=0)
            y = y_end


class ReportDocTemplate(BaseDocTemplate):
    """A4 portrait and landscape pages with header, footer, TOC and outline hooks."""

    def __init__(self, file, *, decor: PageDecor, progress: Callable[[int], None] | None = None, **kw):
        kw.setdefault("pagesize", A4)
        kw.setdefault("leftMargin", MARGIN)
        kw.setdefault("rightMargin", MARGIN)
        kw.setdefault("topMargin", MARGIN + HEADER)
        kw.setdefault("bottomMargin", MARGIN + FOOTER - 6 * mm)
        super().__init__(file, **kw)
        self.decor = decor
        self._progress = progress
        self._count = 0
        self.heading_pages: dict[str, int] = {}
        self._decor_cache: dict[float, list] = {}
        self.addPageTemplates([self._template("portrait", A4), self._template("landscape", landscape(A4))])

    def _template(self, name: str, size: tuple[float, float]) -> PageTemplate:
        w, h = size
        frame = Frame(
            self.leftMargin, self.bottomMargin, w - self.leftMargin - self.rightMargin,
            h - self.topMargin - self.bottomMargin, id=f"{name}-body",
            leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
        )
        return PageTemplate(id=name, frames=[frame], onPage=self._decorate, pagesize=size)

    @staticmethod
    def frame_size(name: str) -> tuple[float, float]:
        """Width and height available to flowables on a page of template ``name``."""
        w, h = A4 if name == "portrait" else landscape(A4)
        return w - 2 * MARGIN, h - (MARGIN + HEADER) - (MARGIN + FOOTER - 6 * mm)

    def _decorate(self, canv: Canvas, doc) -> None:
        w, h = canv._pagesize
        lines = self._decor_cache.get(w)
        if lines is None:  # the same on every page of one width: fit the texts once
            lines = self._decor_cache[w] = self._decor_lines(w)
        top = h - MARGIN
        ops = [f"q {_stroke(RULE)} 0.5 w {MARGIN:.2f} {top - 2.2 * mm:.2f} m {w - MARGIN:.2f} {top - 2.2 * mm:.2f} l S",
               f"{MARGIN:.2f} {FOOTER:.2f} m {w - MARGIN:.2f} {FOOTER:.2f} l S", "BT"]
        for line, x, y_top in lines:
            _text_ops(canv, ops, [line], x, top + line.size * 0.93 if y_top else FOOTER - 4 * mm + line.size * 0.93)
        ops.append("ET Q")
        canv._code.append("\n".join(ops))

    def _decor_lines(self, w: float) -> list:
        """(line, x, in header?) for the header and footer texts of a page ``w`` points wide."""
        d = self.decor
        third = (w - 2 * MARGIN) / 3 - 6
        out = []

        def one(text: str, font: str, size: float, colour, align: str, header: bool) -> None:
            if not text:
                return
            line = layout([Run(fit_width(text, font, size, third), font, size, colour)], 10_000)[0]
            x = {"left": MARGIN, "right": w - MARGIN - line.width, "centre": (w - line.width) / 2}[align]
            out.append((line, x, header))

        one(d.system, SANS, 7.5, MUTED, "left", True)
        one(d.title, SANS, 7.5, MUTED, "right", True)
        one(d.marking, SANS_BOLD, 9, MARKING, "centre", True)
        one(d.footer, MONO, 6.5, MUTED, "left", False)
        one(d.marking, SANS_BOLD, 7.5, MARKING, "centre", False)
        return out

    def afterFlowable(self, flowable) -> None:  # noqa: N802 - reportlab's name
        self._count += 1
        if self._progress is not None and self._count % 25 == 0:
            self._progress(self._count)  # may raise ReportCancelled
        if isinstance(flowable, Heading):
            canv = self.canv
            canv.bookmarkPage(flowable.toc_key)
            canv.addOutlineEntry(flowable.outline_text, flowable.toc_key, level=flowable.toc_level,
                                 closed=flowable.toc_level >= 1)
            self.heading_pages[flowable.toc_key] = self.page
