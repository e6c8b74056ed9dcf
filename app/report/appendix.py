"""Section 6, the appendix: inventory, scope notes, library entries used, scoring method."""

from __future__ import annotations

from enum import Enum

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Table

from app.analysis.findings import SEVERITY_BANDS, Finding
from app.report.context import ReportContext
from app.report.text import CELL_LIMIT, LONG_LIMIT, NAME_LIMIT, SHORT_LIMIT, clean, clip, label, markup

MAX_MEMBERS = 40


def _value(v: object) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, Enum):
        return label(v)
    if isinstance(v, (tuple, list)):
        return ", ".join(_value(x) for x in v) or "none"
    return str(v)


def properties_text(props) -> str:
    """``access: anonymous · sensitivity: internal …`` as escaped markup."""
    parts = []
    for key, value in props.model_dump().items():
        if key == "business_function" and not value:
            continue
        parts.append(f"<font color='#52606d'>{key.replace('_', ' ')}:</font> {markup(_value(value), SHORT_LIMIT)}")
    return " · ".join(parts)


def _inventory(ctx: ReportContext) -> list:
    st = ctx.styles
    story: list = [ctx.heading("A. Element inventory", 1)]
    if not ctx.model.elements:
        return story + [Paragraph("The model has no elements.", st.body)]
    where: dict[str, str] = {}
    for b in ctx.model.boundaries:
        for m in b.members:
            where[m] = b.name
    rows = [[Paragraph(f"<b>{h}</b>", st.cell) for h in ("Element", "Kind", "Properties", "Controls in place")]]
    for e in ctx.model.elements:
        name = f"<b>{markup(e.name, NAME_LIMIT)}</b><br/><font face='TCMono' size='6'>{markup(e.id, 64)}</font>"
        if e.id in where:
            name += f"<br/><font color='#52606d'>in {markup(where[e.id], 80)}</font>"
        props = properties_text(e.properties)
        if e.description.strip():
            props = markup(e.description, SHORT_LIMIT, multiline=True) + "<br/>" + props
        rows.append([Paragraph(name, st.cell), Paragraph(label(e.kind), st.cell), Paragraph(props, st.cell),
                     Paragraph(markup(", ".join(e.controls), SHORT_LIMIT) or "–", st.cell)])
    table = Table(rows, colWidths=[42 * mm, 16 * mm, None, 30 * mm], repeatRows=1, hAlign="LEFT")
    table.setStyle(st.table())
    story.append(table)
    if ctx.model.boundaries:
        story.append(ctx.heading("Trust boundaries", 1, toc=False, style=st.h3))
        names = {e.id: e.name for e in ctx.model.elements}
        rows = [[Paragraph(f"<b>{h}</b>", st.cell) for h in ("Boundary", "Inside", "Members")]]
        for b in ctx.model.boundaries:
            parent = ctx.boundaries.get(b.parent).name if b.parent in ctx.boundaries else ""
            members = ", ".join(clip(clean(names.get(m, m)), 60) for m in b.members[:MAX_MEMBERS])
            if len(b.members) > MAX_MEMBERS:
                members += f", … ({len(b.members) - MAX_MEMBERS:,} more)"
            rows.append([Paragraph(f"<b>{markup(b.name, NAME_LIMIT)}</b>", st.cell),
                         Paragraph(markup(parent, NAME_LIMIT) or "–", st.cell),
                         Paragraph(markup(members, CELL_LIMIT * 2 // 3) or "–", st.cell)])
        table = Table(rows, colWidths=[50 * mm, 40 * mm, None], repeatRows=1, hAlign="LEFT")
        table.setStyle(st.table())
        story.append(table)
    return story


def _notes(ctx: ReportContext) -> list:
    st = ctx.styles
    info = ctx.model.info
    story: list = [ctx.heading("B. Scope, assumptions and out of scope", 1)]
    for title, text in (("Scope", info.scope), ("Assumptions", info.assumptions), ("Out of scope", info.out_of_scope)):
        story.append(Paragraph(f"<b>{title}</b>", st.body))
        story.append(Paragraph(markup(text, LONG_LIMIT * 2, multiline=True) if text.strip()
                               else "<i>Not stated in the model.</i>", st.body))
    return story


def _library(ctx: ReportContext) -> list:
    st = ctx.styles
    story: list = [ctx.heading("C. Threat-library entries used", 1)]
    story.append(Paragraph(f"Threat library version: {markup(ctx.library_version or '(unknown)', 80)}.", st.body))
    used: dict[str, list[Finding]] = {}
    for f in ctx.result.findings:
        used.setdefault(f.threat_id, []).append(f)
    if not used:
        return story + [Paragraph("No library entry matched this model.", st.body)]
    rows = [[Paragraph(f"<b>{h}</b>", st.cell) for h in ("Entry", "Threat", "Family", "Maps to", "Findings")]]
    for threat_id in sorted(used):
        fs = used[threat_id]
        first = fs[0]
        maps = ", ".join((*first.owasp, *first.atlas))
        rows.append([Paragraph(f"<font face='TCMono' size='6.5'>{markup(threat_id, 80)}</font>", st.cell),
                     Paragraph(markup(first.title, NAME_LIMIT), st.cell),
                     Paragraph(markup(label(first.family), 60), st.cell),
                     Paragraph(markup(maps, SHORT_LIMIT) or "–", st.cell),
                     Paragraph(f"{len(fs):,}", st.cell)])
    table = Table(rows, colWidths=[34 * mm, 56 * mm, 24 * mm, None, 14 * mm], repeatRows=1, hAlign="LEFT")
    table.setStyle(st.table())
    story.append(table)
    return story


def _method(ctx: ReportContext) -> list:
    st = ctx.styles
    bands = ", ".join(f"{sev.value} up to {upper}" for upper, sev in SEVERITY_BANDS)
    paragraphs = [
        "<b>Where findings come from.</b> ThreatCanvas turns the diagram into a graph and computes facts about it: which "
        "flows cross trust boundaries, what untrusted parties can reach, where sensitive training data can leak, which "
        "model outputs drive automated decisions, which feedback loops retrain a model. Entries of the threat library "
        "match element kinds, properties and these facts; every match is a finding, explained by a witness path (one "
        "route by which the threat reaches its target, source first).",
        "<b>Likelihood and impact.</b> Each library entry gives a base likelihood and impact from 1 to 5. Factors of the "
        "model move them: for example, anonymous access raises likelihood, a human reviewer downstream lowers impact, an "
        "automated decision at scale raises it. Every factor is listed with its finding, with the elements that caused "
        "it. Scores stay between 1 and 5.",
        f"<b>Risk and severity.</b> Risk is likelihood × impact (1–25). Severity bands: {bands}.",
        "<b>Residual risk</b> is the score after the controls already declared in place on the finding's elements and "
        "flows. <b>Risk addressed</b> by a control (mitigation plan) is the sum of the residual risk of the open findings "
        "that recommend it where it is not yet in place; it ranks controls, it does not promise that risk disappears.",
        "<b>Review decisions</b> (open, mitigated, accepted, not applicable, transferred) are stored in the model keyed by "
        "each finding's stable id, so they survive re-analysis; a decision whose finding's inputs changed since is "
        "flagged \"needs re-review\".",
        "<b>Reproducibility.</b> The same model file and library give the same findings, ids and order. The report's "
        "model SHA-256 identifies the exact file assessed.",
    ]
    return [ctx.heading("D. Method", 1)] + [Paragraph(p, st.body) for p in paragraphs]


def appendix(ctx: ReportContext) -> list:
    return [PageBreak(), ctx.heading("6. Appendix", 0), *_inventory(ctx), *_notes(ctx), *_library(ctx), *_method(ctx)]

