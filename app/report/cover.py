"""The cover page and the table of contents."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Spacer, Table

from app.analysis.findings import Severity
from app.report.context import ReportContext
from app.report.doc import TableOfContents
from app.report.styles import MUTED
from app.report.text import LONG_LIMIT, NAME_LIMIT, SHORT_LIMIT, markup


def severity_summary(findings) -> str:
    """``"23 findings: 2 critical, 8 high, 9 medium, 4 low"`` (plain text)."""
    if not findings:
        return "no findings"
    counts = {s: 0 for s in Severity}
    for f in findings:
        counts[f.severity] += 1
    parts = [f"{counts[s]} {s.value}" for s in reversed(list(Severity)) if counts[s]]
    noun = "finding" if len(findings) == 1 else "findings"
    return f"{len(findings):,} {noun}: " + ", ".join(parts)


def cover(ctx: ReportContext) -> list:
    st = ctx.styles
    info = ctx.model.info
    story: list = []
    if info.classification:
        story += [Paragraph(markup(info.classification, 200), st.marking), Spacer(1, 14 * mm)]
    else:
        story.append(Spacer(1, 24 * mm))
    story.append(Paragraph("THREAT MODEL ASSESSMENT", st.small))
    story.append(Spacer(1, 2 * mm))
    story.append(Paragraph(markup(info.name, NAME_LIMIT), st.title))
    version = " · ".join(p for p in (
        f"Version {info.version}" if info.version else "",
        info.date,
    ) if p)
    if version:
        story.append(Paragraph(markup(version, SHORT_LIMIT), st.subtitle))
    if info.description:
        story.append(Paragraph(markup(info.description, LONG_LIMIT // 3, multiline=True), st.body))
    story.append(Spacer(1, 10 * mm))

    def people(values, shown: int = 12) -> str:
        if not values:
            return "<i>none recorded</i>"
        lines = [markup(v, NAME_LIMIT) for v in values[:shown]]
        if len(values) > shown:
            lines.append(f"… and {len(values) - shown} more")
        return "<br/>".join(lines)

    rows = [
        ("Authors", people(info.authors)),
        ("Reviewers", people(info.reviewers)),
        ("Classification", markup(info.classification, 200) if info.classification else "<i>no marking given</i>"),
        ("Model file SHA-256", f'<font face="TCMono">{markup(ctx.model_sha256 or "(not computed)", 80)}</font>'),
        ("Analysis", markup(severity_summary(ctx.result.findings))),
        ("Tool", f"ThreatCanvas {markup(ctx.tool_version, 40)}"),
        ("Threat library", markup(ctx.library_version or "(unknown)", 80)),
        ("Generated", markup(ctx.generated, 40)),
    ]
    data = [[Paragraph(k, st.cell_bold), Paragraph(v, st.cell)] for k, v in rows]
    table = Table(data, colWidths=[42 * mm, None], hAlign="LEFT")
    table.setStyle(st.table(header=False, zebra=False))
    story.append(table)
    story.append(Spacer(1, 8 * mm))
    story.append(Paragraph(
        "This assessment was generated from the threat model file named above by ThreatCanvas. "
        "Findings follow from the model's elements, flows and properties and from the threat library; "
        "they are as complete as the model is. Review decisions recorded in the model are shown with each finding.",
        st.small))
    story.append(PageBreak())
    return story


def contents(ctx: ReportContext) -> list:
    head = Paragraph("Contents", ctx.styles.h1)
    note = Paragraph("The PDF outline (bookmarks) also lists every finding group.", ctx.styles.small)
    note.style = note.style.clone("toc_note", textColor=MUTED, spaceAfter=6)
    # ctx.toc_entries fills up as the later sections build their headings, before layout starts
    return [head, note, TableOfContents(ctx.toc_entries), PageBreak()]
