"""Section 4: the mitigation plan, controls ranked by the risk they address."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Table

from app.report.context import ReportContext
from app.report.text import NAME_LIMIT, SHORT_LIMIT, markup

MAX_REFS = 60  # finding references listed per control; the count is always complete


def mitigation_plan(ctx: ReportContext) -> list:
    st = ctx.styles
    story: list = [PageBreak(), ctx.heading("4. Mitigation plan", 0)]
    story.append(Paragraph(
        "Controls recommended by the findings, ranked by the risk they address: the sum of the residual risk of the "
        "open findings that recommend the control where it is not yet in place. Implementing the first rows first "
        "removes the most risk. Controls already in place everywhere they are recommended close the table.", st.body))
    if not ctx.ranking:
        return story + [Paragraph("No finding recommends a control.", st.body)]
    rows = [[Paragraph(f"<b>{h}</b>", st.cell) for h in ("#", "Control", "Open findings addressed", "Risk", "In place")]]
    for i, r in enumerate(ctx.ranking, start=1):
        refs = ", ".join(ctx.ref(f) for f in r.findings[:MAX_REFS])
        if len(r.findings) > MAX_REFS:
            refs += f", … ({len(r.findings) - MAX_REFS:,} more)"
        what = f"<b>{markup(r.name, NAME_LIMIT)}</b> <font color='#52606d'>({markup(r.control_id, 64)})</font>"
        if r.description:
            what += "<br/>" + markup(r.description, SHORT_LIMIT)
        if r.atlas:
            what += "<br/><font color='#52606d'>ATLAS " + markup(", ".join(r.atlas), 200) + "</font>"
        rows.append([
            Paragraph(str(i), st.cell),
            Paragraph(what, st.cell),
            Paragraph(f"<b>{len(r.findings):,}</b>" + (f": {refs}" if refs else ""), st.cell),
            Paragraph(f"{r.risk_addressed:,}", st.cell),
            Paragraph(f"{r.in_place_for:,}" if r.in_place_for else "–", st.cell),
        ])
    table = Table(rows, colWidths=[8 * mm, 78 * mm, None, 13 * mm, 14 * mm], repeatRows=1, hAlign="LEFT")
    table.setStyle(ctx.styles.table())
    story.append(table)
    story.append(Paragraph("In place: the number of findings where the control is already declared on an element or "
                           "flow involved; those findings' residual risk already counts it.", st.caption))
    return story
