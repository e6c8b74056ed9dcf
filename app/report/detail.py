"""Section 3: every finding, grouped by the element or flow it annotates.

Each finding is a small table: severity and reference, where, likelihood and
impact with the factors that moved them, review status and justification,
rationale, witness path, business impact, standards, controls and residual
risk. Groups follow the diagram: elements in model order, then flows by number.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer, Table

from app.analysis.findings import Factor, Finding, Score
from app.report.context import ReportContext
from app.report.standards import load_standards, owasp_key
from app.report.styles import MUTED, SEVERITY_COLOURS, STATUS_LABELS, hex_colour
from app.report.text import CELL_LIMIT, NAME_LIMIT, SHORT_LIMIT, label, markup

MAX_FACTORS = 12
MAX_PATH = 40  # hops shown of a witness path


def _factors(factors: tuple[Factor, ...]) -> str:
    parts = []
    for fac in factors[:MAX_FACTORS]:
        sign = f"+{fac.delta}" if fac.delta > 0 else str(fac.delta)
        parts.append(f"<b>{sign}</b> {markup(fac.reason or fac.name, SHORT_LIMIT)}")
    if len(factors) > MAX_FACTORS:
        parts.append(f"… and {len(factors) - MAX_FACTORS} more")
    return "<br/>".join(parts)


def _score(score: Score) -> str:
    colour = hex_colour(SEVERITY_COLOURS[score.severity])
    return (f'<font color="{colour}"><b>{score.severity.label}</b></font> '
            f"{score.risk} (likelihood {score.likelihood} × impact {score.impact})")


def _path(ctx: ReportContext, f: Finding) -> str:
    if not f.path:
        return "–"
    hops = [markup(ctx.short_name_of(p), 80) for p in f.path[:MAX_PATH]]
    text = " → ".join(hops)
    if len(f.path) > MAX_PATH:
        text += f" → … ({len(f.path) - MAX_PATH} more hops)"
    return text


def _standards(f: Finding) -> str:
    std = load_standards()
    lines = []
    if f.atlas:
        items = []
        for t in f.atlas[:16]:
            name = std.technique_name(t)
            items.append(f"{markup(t, 40)}" + (f" {markup(name, 120)}" if name else ""))
        lines.append("<b>ATLAS</b> " + "; ".join(items))
    if f.owasp:
        items = []
        for o in f.owasp[:16]:
            key = owasp_key(o)
            name = std.owasp_llm.categories.get(key) or std.owasp_ml.categories.get(key, "")
            items.append(markup(o, 40) + (f" {markup(name, 120)}" if name else ""))
        lines.append("<b>OWASP</b> " + "; ".join(items))
    if f.stride:
        lines.append("<b>STRIDE</b> " + markup(", ".join(f.stride), SHORT_LIMIT))
    return "<br/>".join(lines) or "–"


def _controls(f: Finding) -> str:
    if not f.mitigations:
        return "–"
    lines = []
    for m in f.mitigations[:24]:
        mark = "<b>✓ in place</b>" if m.in_place else "recommended"
        lines.append(f"{mark}: {markup(m.name, NAME_LIMIT)} <font color='#52606d'>({markup(m.control_id, 64)})</font>")
    if len(f.mitigations) > 24:
        lines.append(f"… and {len(f.mitigations) - 24} more")
    return "<br/>".join(lines)


def _status(f: Finding) -> str:
    text = f"<b>{STATUS_LABELS.get(f.status, label(f.status))}</b>"
    extra = [markup(x, 200) for x in (f.owner and f"owner {f.owner}", f.review_date) if x]
    if extra:
        text += " · " + " · ".join(extra)
    if f.needs_rereview:
        text += " · <font color='#b3261e'><b>needs re-review</b>: its inputs changed since the decision</font>"
    if f.justification.strip():
        text += "<br/>" + markup(f.justification, CELL_LIMIT, multiline=True)
    return text


def finding_block(ctx: ReportContext, f: Finding) -> Table:
    """The table describing one finding."""
    st = ctx.styles
    colour = hex_colour(SEVERITY_COLOURS[f.severity])
    head = Paragraph(
        f'<font color="{colour}"><b>{f.severity.label.upper()} {f.risk}</b></font>  '
        f"<b>{ctx.ref(f)} · {markup(f.title, NAME_LIMIT)}</b>", st.body)
    rows = [
        ("Likelihood", f"<b>{f.likelihood}</b> / 5" + ("<br/>" + _factors(f.likelihood_factors) if f.likelihood_factors else "")),
        ("Impact", f"<b>{f.impact}</b> / 5" + ("<br/>" + _factors(f.impact_factors) if f.impact_factors else "")),
        ("Status", _status(f)),
        ("What", markup(f.description, CELL_LIMIT, multiline=True) or "–"),
        ("Why it fired", markup(f.rationale, CELL_LIMIT, multiline=True) or "–"),
        ("Witness path", _path(ctx, f)),
        ("Business impact", markup(f.business_impact, CELL_LIMIT, multiline=True) or "–"),
        ("Standards", _standards(f)),
        ("Controls", _controls(f)),
        ("Residual risk", _score(f.residual) + "<br/><font size='6.5' color='#52606d'>after the controls in place</font>"),
        ("Finding id", f"<font face='TCMono' size='6.5'>{markup(f.id, 200)}</font> · threat "
                       f"<font face='TCMono' size='6.5'>{markup(f.threat_id, 80)}</font> · {markup(label(f.family), 80)}"),
    ]
    data = [[head, ""]] + [[Paragraph(k, st.cell_bold), Paragraph(v, st.cell)] for k, v in rows]
    table = Table(data, colWidths=[26 * mm, None], hAlign="LEFT", splitByRow=1)
    table.setStyle(st.table(header=False, zebra=False, extra=[
        ("SPAN", (0, 0), (1, 0)),
        ("LINEBEFORE", (0, 0), (0, -1), 2.5, SEVERITY_COLOURS[f.severity]),
        ("TEXTCOLOR", (0, 1), (0, -1), MUTED),
    ]))
    return table


def _group_order(ctx: ReportContext) -> list[tuple[str, list[Finding]]]:
    groups = ctx.result.by_anchor()
    order: list[tuple[str, list[Finding]]] = []
    for e in ctx.model.elements:
        if e.id in groups:
            order.append((e.id, groups.pop(e.id)))
    for fl in ctx.model.flows:
        if fl.id in groups:
            order.append((fl.id, groups.pop(fl.id)))
    for anchor in sorted(groups):  # anchors the model no longer has (defensive)
        order.append((anchor, groups[anchor]))
    return order


def findings_section(ctx: ReportContext) -> list:
    st = ctx.styles
    story: list = [PageBreak(), ctx.heading("3. Findings", 0)]
    if not ctx.result.findings:
        return story + [Paragraph("The analysis found no threats in this model.", st.body)]
    story.append(Paragraph(
        "Findings are grouped by the element or data flow they annotate on the diagram (flows by their number). "
        "References R1, R2 … rank findings by risk across the whole report; R1 is the highest.", st.body))
    for anchor, findings in _group_order(ctx):
        if anchor in ctx.flows:
            title = f"Flow {ctx.name_of(anchor)}"
        elif anchor in ctx.elements:
            el = ctx.elements[anchor]
            title = f"{label(el.kind).capitalize()}: {el.name}"
        else:
            title = anchor
        story.append(ctx.heading(title, 1, toc=False, style=st.h3))
        for f in sorted(findings, key=lambda x: (-x.risk, x.id)):
            # keep a finding on one page when it fits; a longer one splits between rows
            story += [KeepTogether([finding_block(ctx, f)]), Spacer(1, 2.5 * mm)]
    return story
