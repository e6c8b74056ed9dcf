"""The executive summary: scope, counts, heat map, top risks in business words, best controls."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table

from app.analysis.findings import Finding, Severity, severity_of
from app.model.types import Decision, ElementKind, ReviewStatus
from app.report.context import ReportContext, is_open
from app.report.fonts import SANS, SANS_BOLD
from app.report.fastlayout import FastTable, Row, Run, header_row
from app.report.fonts import COND, COND_BOLD
from app.report.styles import INK, MUTED, PANEL, SEVERITY_COLOURS, SEVERITY_TINTS, STATUS_LABELS, hex_colour
from app.report.text import LONG_LIMIT, NAME_LIMIT, SHORT_LIMIT, markup

TOP_RISKS = 5
TOP_CONTROLS = 5

# What a wrong model output does at the decision point it reaches, in business words.
DECISION_WORDS: dict[Decision, str] = {
    Decision.AUTOMATED_AT_SCALE: "acted on automatically and in bulk: a wrong output repeats across many cases "
                                 "before anyone notices",
    Decision.AUTOMATED: "acted on automatically, case by case, with no person checking it first",
    Decision.HUMAN_REVIEWED: "advice to a person who decides: the harm depends on the reviewer catching the error",
    Decision.INFORMATIONAL: "shown to people as information; no decision is taken on it directly",
    Decision.NONE: "no decision point is recorded downstream",
}


class HeatMap(Flowable):
    """A likelihood × impact grid: each cell tinted by its severity band, with a finding count."""

    def __init__(self, findings: tuple[Finding, ...], cell: float = 10 * mm):
        super().__init__()
        self.cell = cell
        self.counts: dict[tuple[int, int], int] = {}
        for f in findings:
            key = (min(max(f.likelihood, 1), 5), min(max(f.impact, 1), 5))
            self.counts[key] = self.counts.get(key, 0) + 1
        self.margin_left = 12 * mm
        self.margin_bottom = 12 * mm
        self.width = self.margin_left + 5 * cell + 2
        self.height = self.margin_bottom + 5 * cell + 4

    def wrap(self, avail_w, avail_h):  # noqa: D102 - platypus protocol
        return self.width, self.height

    def draw(self):  # noqa: D102 - platypus protocol
        c = self.canv
        s = self.cell
        x0, y0 = self.margin_left, self.margin_bottom
        for lk in range(1, 6):
            for im in range(1, 6):
                x, y = x0 + (im - 1) * s, y0 + (lk - 1) * s
                count = self.counts.get((lk, im), 0)
                band = severity_of(lk * im)
                c.setFillColor(SEVERITY_COLOURS[band] if count else SEVERITY_TINTS[band])
                c.setStrokeColor(colors.white)
                c.setLineWidth(1.2)
                c.rect(x, y, s, s, stroke=1, fill=1)
                if count:
                    c.setFillColor(colors.white)
                    c.setFont(SANS_BOLD, 10 if count < 1000 else 7)
                    c.drawCentredString(x + s / 2, y + s / 2 - 3.5, f"{count:,}")
        c.setFillColor(MUTED)
        c.setFont(SANS, 7)
        for i in range(1, 6):
            c.drawCentredString(x0 + (i - 0.5) * s, y0 - 8, str(i))
            c.drawRightString(x0 - 3, y0 + (i - 0.5) * s - 2.5, str(i))
        c.setFillColor(INK)
        c.setFont(SANS_BOLD, 7.5)
        c.drawCentredString(x0 + 2.5 * s, y0 - 19, "Impact →")
        c.saveState()
        c.translate(x0 - 12, y0 + 2.5 * s)
        c.rotate(90)
        c.drawCentredString(0, 0, "Likelihood →")
        c.restoreState()


def _involved(ctx: ReportContext, f: Finding) -> list:
    seen: list = []
    for item in (*f.element_ids, *f.path):
        el = ctx.elements.get(item)
        if el is not None and el not in seen:
            seen.append(el)
    return seen


def business_words(ctx: ReportContext, f: Finding) -> tuple[str, str, str]:
    """(business function, decision consequence, what goes wrong) for a finding, in plain text."""
    involved = _involved(ctx, f)
    point = ctx.elements.get(f.decision_id) if f.decision_id else None
    functions = []
    for el in ([point] if point is not None else []) + involved:
        fn = el.properties.business_function.strip()
        if fn and fn not in functions:
            functions.append(fn)
    function = "; ".join(functions) if functions else "not stated in the model"
    if point is not None:  # the engine found the most consequential decision downstream
        decision, where = point.properties.decision, [point.name]
    else:
        decision = max((el.properties.decision for el in involved), key=lambda d: d.rank, default=Decision.NONE)
        where = [el.name for el in involved if el.properties.decision == decision and decision is not Decision.NONE]
    consequence = DECISION_WORDS[decision]
    if where:
        consequence = f"{where[0]}: {consequence}"
    wrong = f.business_impact.strip() or f.description.strip() or f.title
    return function, consequence, wrong


def _counts_table(ctx: ReportContext) -> FastTable:
    counts = ctx.status_counts()
    statuses = list(ReviewStatus)
    short = {ReviewStatus.NOT_APPLICABLE: "N/A", ReviewStatus.TRANSFERRED: "Transf."}
    size = 7.0
    rows = [header_row("Severity", *(short.get(s, STATUS_LABELS[s]) for s in statuses), "Total", size=size)]
    for sev in reversed(list(Severity)):
        row_counts = [counts.get((sev, s), 0) for s in statuses]
        rows.append(Row([[Run("■ ", COND, size, SEVERITY_COLOURS[sev]), Run(sev.label, COND, size)]]
                        + [[Run(f"{n:,}" if n else "–", COND, size)] for n in row_counts]
                        + [[Run(f"{sum(row_counts):,}", COND_BOLD, size)]]))
    totals = [sum(counts.get((sev, s), 0) for sev in Severity) for s in statuses]
    rows.append(Row([[Run("Total", COND_BOLD, size)]] + [[Run(f"{n:,}", COND_BOLD, size)] for n in totals]
                    + [[Run(f"{sum(totals):,}", COND_BOLD, size)]], background=PANEL))
    return FastTable([17 * mm] + [16 * mm] * len(statuses) + [12 * mm], rows, zebra=False)


def _scope(ctx: ReportContext) -> list:
    st = ctx.styles
    info = ctx.model.info
    kinds: dict[ElementKind, int] = {}
    for e in ctx.model.elements:
        kinds[ElementKind(e.kind)] = kinds.get(ElementKind(e.kind), 0) + 1
    def plural(word: str, n: int) -> str:
        return word if n == 1 else (word + "es" if word.endswith("s") else word + "s")

    kinds_text = ", ".join(f"{n:,} {plural(k.label, n)}" for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0].value)))
    out = [ctx.heading("Scope", 1)]
    out.append(Paragraph(markup(info.scope, LONG_LIMIT, multiline=True) if info.scope.strip()
                         else "<i>The model does not state its scope.</i>", st.body))
    out.append(Paragraph(
        f"The model has {len(ctx.model.elements):,} elements ({markup(kinds_text or 'none')}), "
        f"{len(ctx.model.flows):,} data flows and {len(ctx.model.boundaries):,} trust boundaries. "
        f"Analysis found {len(ctx.result.findings):,} findings.", st.body))
    return out


def executive_summary(ctx: ReportContext) -> list:
    st = ctx.styles
    story: list = [ctx.heading("1. Executive summary", 0)]
    story += _scope(ctx)

    story.append(ctx.heading("Risk at a glance", 1))
    grid = Table([[HeatMap(ctx.result.findings), _counts_table(ctx)]], colWidths=[68 * mm, None], hAlign="LEFT")
    grid.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                   ("FONTNAME", (0, 0), (-1, -1), SANS)])
    story.append(grid)
    story.append(Paragraph(
        "Left: findings by likelihood and impact (1 = lowest, 5 = highest) before any review decision; the cell colour "
        "is the severity band of likelihood × impact (low 1–4, medium 5–9, high 10–16, critical 17–25). "
        "Right: findings by severity and review status (N/A: not applicable; Transf.: transferred).", st.caption))

    story.append(ctx.heading("Top risks in business terms", 1))
    open_findings = [f for f in ctx.result.findings if is_open(f)]
    if not open_findings:
        story.append(Paragraph("No finding is open: every finding has a recorded review decision.", st.body))
    for f in open_findings[:TOP_RISKS]:
        function, consequence, wrong = business_words(ctx, f)
        colour = hex_colour(SEVERITY_COLOURS[f.severity])
        block = [
            Paragraph(f'<font color="{colour}"><b>{f.severity.label.upper()} {f.risk}</b></font>  '
                      f'<b>{ctx.ref(f)} · {markup(f.title, NAME_LIMIT)}</b>', st.body),
            Table([
                [Paragraph("Business function", st.cell_bold), Paragraph(markup(function, SHORT_LIMIT), st.cell)],
                [Paragraph("Decision consequence", st.cell_bold), Paragraph(markup(consequence, SHORT_LIMIT), st.cell)],
                [Paragraph("What goes wrong", st.cell_bold), Paragraph(markup(wrong, LONG_LIMIT // 4), st.cell)],
            ], colWidths=[34 * mm, None], hAlign="LEFT", style=st.table(header=False, zebra=False)),
            Spacer(1, 3 * mm),
        ]
        story.append(KeepTogether(block))
    if len(open_findings) > TOP_RISKS:
        story.append(Paragraph(f"{len(open_findings) - TOP_RISKS:,} more open findings follow in section 3.", st.small))

    story.append(ctx.heading("Controls that remove the most risk", 1))
    best = [r for r in ctx.ranking if r.findings][:TOP_CONTROLS]
    if not best:
        story.append(Paragraph("No recommended control is missing for any open finding.", st.body))
    else:
        rows = [[Paragraph(f"<b>{h}</b>", st.cell) for h in ("#", "Control", "Open findings addressed", "Risk addressed")]]
        for i, r in enumerate(best, start=1):
            refs = ", ".join(ctx.ref(f) for f in r.findings[:12]) + (" …" if len(r.findings) > 12 else "")
            rows.append([Paragraph(str(i), st.cell), Paragraph(f"<b>{markup(r.name, NAME_LIMIT)}</b>", st.cell),
                         Paragraph(f"{len(r.findings):,} ({refs})", st.cell), Paragraph(f"{r.risk_addressed:,}", st.cell)])
        table = Table(rows, colWidths=[8 * mm, 62 * mm, None, 24 * mm], hAlign="LEFT", repeatRows=1)
        table.setStyle(st.table())
        story.append(table)
        story.append(Paragraph(
            "Risk addressed: how much residual risk (likelihood × impact after the controls already in place) the control "
            "would remove from the open findings that recommend it, using the library's effect of the control on "
            "likelihood and impact. Section 4 lists every control.", st.caption))
    return story
