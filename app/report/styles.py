"""Look of the PDF report: colours, paragraph styles and table styles.

One :class:`ReportStyles` object holds everything a section needs, so a
renderer subclass can restyle the whole report by overriding
:meth:`app.report.renderer.ReportRenderer.make_styles`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import TableStyle

from app.analysis.findings import Severity
from app.model.types import ElementKind, ReviewStatus
from app.report.fonts import COND, COND_BOLD, MONO, SANS, SANS_BOLD, SANS_ITALIC

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
RULE = colors.HexColor("#cbd2d9")
PANEL = colors.HexColor("#f0f4f8")
ACCENT = colors.HexColor("#1d4e89")
MARKING = colors.HexColor("#b3261e")

SEVERITY_COLOURS: dict[Severity, colors.Color] = {
    Severity.LOW: colors.HexColor("#3a8d5d"),
    Severity.MEDIUM: colors.HexColor("#d9a21b"),
    Severity.HIGH: colors.HexColor("#e0662b"),
    Severity.CRITICAL: colors.HexColor("#b3261e"),
}
# light tints of the same hues for the heat map background
SEVERITY_TINTS: dict[Severity, colors.Color] = {
    Severity.LOW: colors.HexColor("#d5ecdf"),
    Severity.MEDIUM: colors.HexColor("#f7e7b8"),
    Severity.HIGH: colors.HexColor("#f8d2bd"),
    Severity.CRITICAL: colors.HexColor("#efc0bc"),
}

# headings by level: font, size, colour, space before, space after
HEADING_LOOKS: dict[int, tuple[str, float, colors.Color, float, float]] = {
    0: (SANS_BOLD, 17.0, ACCENT, 0.0, 8.0),
    1: (SANS_BOLD, 12.0, INK, 10.0, 4.0),
    2: (SANS_BOLD, 10.0, INK, 8.0, 3.0),
}

STATUS_LABELS: dict[ReviewStatus, str] = {
    ReviewStatus.OPEN: "Open",
    ReviewStatus.MITIGATED: "Mitigated",
    ReviewStatus.ACCEPTED: "Accepted",
    ReviewStatus.NOT_APPLICABLE: "Not applicable",
    ReviewStatus.TRANSFERRED: "Transferred",
}

# fill and stroke per element kind on the diagram (a kind reads at a glance)
KIND_COLOURS: dict[ElementKind, tuple[colors.Color, colors.Color]] = {
    ElementKind.ACTOR: (colors.HexColor("#fdf6e3"), colors.HexColor("#8a6d1f")),
    ElementKind.PROCESS: (colors.HexColor("#e8f1fb"), colors.HexColor("#1d4e89")),
    ElementKind.DATASTORE: (colors.HexColor("#eef2f5"), colors.HexColor("#44546a")),
    ElementKind.DATASET: (colors.HexColor("#e9f5ec"), colors.HexColor("#2f7d4a")),
    ElementKind.LABELLER: (colors.HexColor("#f5eefa"), colors.HexColor("#6b3fa0")),
    ElementKind.TRAINER: (colors.HexColor("#fff1e6"), colors.HexColor("#b35c00")),
    ElementKind.MODEL: (colors.HexColor("#fdecee"), colors.HexColor("#a4263c")),
    ElementKind.RETRIEVER: (colors.HexColor("#e6f6f7"), colors.HexColor("#16737a")),
    ElementKind.TOOL: (colors.HexColor("#f3f3e6"), colors.HexColor("#6b6b12")),
}


@dataclass
class ReportStyles:
    """Paragraph and table styles used by the report sections."""

    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_mono: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    marking: ParagraphStyle
    caption: ParagraphStyle
    mono: ParagraphStyle
    toc_levels: list[ParagraphStyle] = field(default_factory=list)

    def table(self, *, header: bool = True, zebra: bool = True, extra: list | None = None) -> TableStyle:
        """The house table style: thin rules, a tinted header row, optional zebra rows."""
        cmds: list = [
            ("FONTNAME", (0, 0), (-1, -1), COND),  # plain-string cells: never a non-embedded standard font
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
        if header:
            cmds += [("BACKGROUND", (0, 0), (-1, 0), PANEL), ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT)]
        if zebra:
            cmds.append(("ROWBACKGROUNDS", (0, 1 if header else 0), (-1, -1), [colors.white, colors.HexColor("#f8fafc")]))
        return TableStyle(cmds + (extra or []))


def make_styles(base_size: float = 9.0) -> ReportStyles:
    """The default styles. Every style splits long words so no string can overflow."""

    def style(name: str, **kw) -> ParagraphStyle:
        kw.setdefault("fontName", SANS)
        kw.setdefault("fontSize", base_size)
        kw.setdefault("leading", kw["fontSize"] * 1.3)
        kw.setdefault("textColor", INK)
        kw.setdefault("splitLongWords", 1)
        kw.setdefault("wordWrap", None)
        kw.setdefault("allowWidows", 1)
        return ParagraphStyle(name, **kw)

    cell_size = base_size - 1
    toc = [
        style("toc0", fontName=SANS_BOLD, fontSize=base_size + 1, leftIndent=0, firstLineIndent=0, spaceBefore=5),
        style("toc1", fontSize=base_size, leftIndent=14, firstLineIndent=0, spaceBefore=1),
        style("toc2", fontSize=base_size - 1, leftIndent=28, firstLineIndent=0, textColor=MUTED),
    ]
    return ReportStyles(
        body=style("body", spaceAfter=4),
        small=style("small", fontSize=base_size - 1.5, textColor=MUTED),
        cell=style("cell", fontName=COND, fontSize=cell_size, leading=cell_size * 1.22),
        cell_bold=style("cell_bold", fontName=COND_BOLD, fontSize=cell_size, leading=cell_size * 1.22),
        cell_mono=style("cell_mono", fontName=MONO, fontSize=cell_size - 0.5, leading=cell_size * 1.22),
        h1=style("h1", fontName=SANS_BOLD, fontSize=base_size + 8, leading=base_size + 12, spaceAfter=8,
                 textColor=ACCENT),
        h2=style("h2", fontName=SANS_BOLD, fontSize=base_size + 3, leading=base_size + 6, spaceBefore=10,
                 spaceAfter=4, textColor=INK, keepWithNext=1),
        h3=style("h3", fontName=SANS_BOLD, fontSize=base_size + 1, leading=base_size + 4, spaceBefore=8,
                 spaceAfter=3, textColor=INK, keepWithNext=1),
        title=style("title", fontName=SANS_BOLD, fontSize=26, leading=32, textColor=INK, alignment=TA_LEFT,
                    spaceAfter=6),
        subtitle=style("subtitle", fontSize=13, leading=17, textColor=MUTED, spaceAfter=18),
        marking=style("marking", fontName=SANS_BOLD, fontSize=12, leading=15, textColor=MARKING,
                      alignment=TA_CENTER),
        caption=style("caption", fontName=SANS_ITALIC, fontSize=base_size - 1.5, textColor=MUTED, spaceBefore=2,
                      spaceAfter=6),
        mono=style("mono", fontName=MONO, fontSize=base_size - 1),
        toc_levels=toc,
    )


def hex_colour(colour: colors.Color) -> str:
    """``#rrggbb`` of a colour, for ``<font color=…>`` in paragraph markup we write ourselves."""
    return "#" + colour.hexval()[2:]
