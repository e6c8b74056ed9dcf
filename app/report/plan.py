"""Section 4: the mitigation plan, controls ranked by the risk they address."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph

from app.report.context import ReportContext
from app.report.fastlayout import FastTable, Row, Run, header_row, user
from app.report.fonts import COND_BOLD
from app.report.styles import MUTED
from app.report.text import NAME_LIMIT, SHORT_LIMIT

MAX_REFS = 60  # finding references listed per control; the count is always complete


def mitigation_plan(ctx: ReportContext) -> list:
    st = ctx.styles
    story: list = [PageBreak(), ctx.heading("4. Mitigation plan", 0)]
    story.append(Paragraph(
        "Controls recommended by the findings, ranked by the risk they would remove: for each open finding that "
        "recommends the control where it is not yet in place, the drop in residual risk (likelihood × impact) the "
        "control's effect in the threat library would bring, summed. Implementing the first rows first removes the "
        "most risk. Controls already in place everywhere they are recommended close the table.", st.body))
    if not ctx.ranking:
        return story + [Paragraph("No finding recommends a control.", st.body)]
    rows = [header_row("#", "Control", "Open findings addressed", "Risk removed", "In place")]
    for i, r in enumerate(ctx.ranking, start=1):
        refs = ", ".join(ctx.ref(f) for f in r.findings[:MAX_REFS])
        if len(r.findings) > MAX_REFS:
            refs += f", … ({len(r.findings) - MAX_REFS:,} more)"
        what = [user(r.name, NAME_LIMIT, font=COND_BOLD), Run(f" ({r.control_id})", colour=MUTED)]
        if r.description:
            what += [Run("\n"), user(r.description, SHORT_LIMIT)]
        if r.atlas:
            what += [Run("\nATLAS ", colour=MUTED), user(", ".join(r.atlas), 200, colour=MUTED)]
        rows.append(Row([
            [Run(str(i))],
            what,
            [Run(f"{len(r.findings):,}", COND_BOLD)] + ([Run(f": {refs}")] if refs else []),
            [Run(f"{r.risk_addressed:,}")],
            [Run(f"{r.in_place_for:,}" if r.in_place_for else "–")],
        ]))
    story.append(FastTable([8 * mm, 78 * mm, None, 15 * mm, 13 * mm], rows, repeat=1))
    story.append(Paragraph("In place: the number of findings where the control is already declared on an element or "
                           "flow involved; those findings' residual risk already counts it.", st.caption))
    return story
