"""The report renderer: assembles the story and builds the PDF.

:class:`ReportRenderer` has one hook per concern, so a variant (another house
style, an extra section, a different page decoration) is a small subclass:

* :meth:`~ReportRenderer.make_styles`: paragraph and table styles;
* :meth:`~ReportRenderer.page_decor`: header and footer text;
* :meth:`~ReportRenderer.sections`: the list of section builders, in order;
* :meth:`~ReportRenderer.make_doc`: the document template (page templates).

Fonts are registered by :func:`app.report.fonts.register_fonts`.
"""

from __future__ import annotations

import gc
import io
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, BinaryIO

from app import __version__
from app.analysis.findings import AnalysisResult
from app.knowledge.controls import ControlCatalogue
from app.model import ThreatModel
from app.model.io import write_atomic
from app.report.appendix import appendix
from app.report.context import ReportContext
from app.report.cover import contents, cover, severity_summary
from app.report.coverage import coverage_section
from app.report.detail import findings_section
from app.report.doc import PageDecor, ReportCancelled, ReportDocTemplate, canvas_class
from app.report.figure import diagram_section
from app.report.fonts import SANS, register_fonts
from app.report.plan import mitigation_plan
from app.report.styles import ReportStyles, make_styles
from app.report.summary import executive_summary
from app.report.text import clean, clip, plain

Section = Callable[[ReportContext], list]
Progress = Callable[[float, str], None]

__all__ = ["ReportRenderer", "ReportStats", "ReportCancelled", "source_date_epoch", "summary_line"]


@dataclass(frozen=True)
class ReportStats:
    """What a build produced."""

    pages: int
    passes: int
    size: int  # bytes
    findings: int


@contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector during layout.

    A build allocates millions of short-lived objects and almost no cycles; the
    collector's repeated scans cost a fifth of the build time. Reference
    counting still frees almost everything; the collector resumes afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` as an int, or None when unset or not a number."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if value >= 0 else None


class ReportRenderer:
    """Builds the PDF assessment of one analysed model."""

    EXPECTED_PASSES = 1

    def __init__(self, model: ThreatModel, result: AnalysisResult, *, model_sha256: str = "",
                 library_version: str | None = None, controls: ControlCatalogue | None = None,
                 tool_version: str = __version__, epoch: int | None = None, progress: Progress | None = None):
        self.model = model
        self.result = result
        self.model_sha256 = model_sha256
        self.library_version = result.library_version if library_version is None else library_version
        self.controls = controls
        self.tool_version = tool_version
        env_epoch = source_date_epoch()
        self.epoch = int(epoch if epoch is not None else (env_epoch if env_epoch is not None else time.time()))
        self.progress = progress

    # ---------------------------------------------------------------- hooks
    def make_styles(self) -> ReportStyles:
        return make_styles()

    def page_decor(self) -> PageDecor:
        info = self.model.info
        sha = f"SHA-256 {self.model_sha256[:12]}…" if self.model_sha256 else "SHA-256 not computed"
        footer = f"ThreatCanvas {clip(clean(self.tool_version), 20)} · model {sha}"
        return PageDecor(system=plain(info.name, 120), marking=plain(info.classification, 120), footer=footer)

    def sections(self) -> list[Section]:
        return [cover, contents, executive_summary, diagram_section, findings_section, mitigation_plan,
                coverage_section, appendix]

    def make_doc(self, buffer: BinaryIO, decor: PageDecor) -> ReportDocTemplate:
        info = self.model.info
        return ReportDocTemplate(
            buffer,
            decor=decor,
            progress=self._on_flowables,
            title=clip(clean(info.name), 200),
            author=clip(clean(", ".join(info.authors)), 200),
            subject=f"Threat model assessment: {clip(clean(info.classification), 60)}".rstrip(": "),
            creator=f"ThreatCanvas {self.tool_version}",
            keywords=clip(clean(info.classification), 60),
            invariant=1,
            initialFontName=SANS,  # else every page references Helvetica, a font that is not embedded
            initialFontSize=9,
        )

    # ---------------------------------------------------------------- building
    def context(self) -> ReportContext:
        generated = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(self.epoch))
        return ReportContext.build(
            self.model, self.result, self.make_styles(), self.controls,
            model_sha256=self.model_sha256, tool_version=self.tool_version,
            library_version=self.library_version, generated=generated,
        )

    def story(self, ctx: ReportContext) -> list:
        story: list = []
        for section in self.sections():
            story += section(ctx)
        return story

    def _on_flowables(self, count: int) -> None:
        if self.progress is None:
            return
        done = (self._pass - 1 + min(count / max(self._expected, 1), 0.99)) / self.EXPECTED_PASSES
        self.progress(min(done, 0.99), f"laying out pages (pass {self._pass})")

    def render_bytes(self) -> tuple[bytes, ReportStats]:
        """Build the PDF in memory; raise :class:`ReportCancelled` if the progress callback does."""
        register_fonts()
        if self.progress:
            self.progress(0.0, "preparing")
        ctx = self.context()
        story = self.story(ctx)
        self._expected = len(story)
        self._pass = 0
        buffer = io.BytesIO()
        decor = self.page_decor()
        doc = self.make_doc(buffer, decor)
        original = doc.handle_documentBegin

        def begin_pass():  # multiBuild starts every pass with this
            self._pass += 1
            original()

        doc.handle_documentBegin = begin_pass
        with _gc_paused():
            doc.build(story, canvasmaker=canvas_class(self.epoch, decor))  # one pass: see doc.TableOfContents
        passes = 1
        data = buffer.getvalue()
        pages = doc.canv.pages
        if self.progress:
            self.progress(1.0, "done")
        return data, ReportStats(pages=pages, passes=passes, size=len(data), findings=len(self.result.findings))

    def render(self, out: str | os.PathLike | BinaryIO) -> ReportStats:
        """Write the PDF to a path (atomically: a failed build leaves no partial file) or a binary file."""
        data, stats = self.render_bytes()
        if hasattr(out, "write"):
            out.write(data)  # type: ignore[union-attr]
        else:
            write_atomic(Path(out), data)
        return stats



def summary_line(model: ThreatModel, result: AnalysisResult) -> str:
    """One line for the CLI: ``"Name: 23 findings: 2 critical, …"``."""
    return f"{clip(clean(model.info.name), 80)}: {severity_summary(result.findings)}"
