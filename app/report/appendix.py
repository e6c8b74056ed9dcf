"""Section 6, the appendix: inventory, scope notes, library entries used, scoring method."""

from __future__ import annotations

from enum import Enum

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph

from app.analysis.findings import SEVERITY_BANDS, Finding
from app.report.context import ReportContext
from app.report.fastlayout import FastTable, LazyRows, Row, Run, header_row, user
from app.report.fonts import COND_BOLD, MONO
from app.report.styles import MUTED
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
    """``access: anonymous · sensitivity: internal …`` (raw: the caller cleans it; values are untrusted)."""
    parts = []
    for key, value in props.model_dump().items():
        if key == "business_function" and not value:
            continue
        parts.append(f"{key.replace('_', ' ')}: {clip(clean(_value(value)), SHORT_LIMIT)}")
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
    header = header_row("Element", "Kind", "Properties", "Controls in place")

    def make(e) -> Row:
        if e is None:
            return header
        name = [user(e.name, NAME_LIMIT, font=COND_BOLD), Run("\n"), user(e.id, 64, font=MONO, size=6)]
        if e.id in where:
            name += [Run("\nin ", colour=MUTED), user(where[e.id], 80, colour=MUTED)]
        props = [user(properties_text(e.properties), SHORT_LIMIT * 4)]  # one run: 10,000 rows must stay fast
        if e.description.strip():
            props = [user(e.description, SHORT_LIMIT, multiline=True), Run("\n")] + props
        return Row([name, [Run(label(e.kind))], props,
                    [user(", ".join(e.controls), SHORT_LIMIT)] if e.controls else [Run("–")]])

    rows = LazyRows([None, *ctx.model.elements], make)
    story.append(FastTable([42 * mm, 16 * mm, None, 30 * mm], rows, repeat=1))
    if ctx.model.boundaries:
        story.append(ctx.heading("Trust boundaries", 1, toc=False, look=2))
        names = {e.id: e.name for e in ctx.model.elements}
        rows = [header_row("Boundary", "Inside", "Members")]
        for b in ctx.model.boundaries:
            parent = ctx.boundaries[b.parent].name if b.parent in ctx.boundaries else ""
            members = ", ".join(clip(clean(names.get(m, m)), 60) for m in b.members[:MAX_MEMBERS])
            if len(b.members) > MAX_MEMBERS:
                members += f", … ({len(b.members) - MAX_MEMBERS:,} more)"
            rows.append(Row([[user(b.name, NAME_LIMIT, font=COND_BOLD)],
                             [user(parent, NAME_LIMIT)] if parent else [Run("–")],
                             [user(members, CELL_LIMIT * 2 // 3)] if members else [Run("–")]]))
        story.append(FastTable([50 * mm, 40 * mm, None], rows, repeat=1))
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
    rows = [header_row("Entry", "Threat", "Family", "Maps to", "Findings")]
    for threat_id in sorted(used):
        fs = used[threat_id]
        first = fs[0]
        maps = ", ".join((*first.owasp, *first.atlas))
        rows.append(Row([[user(threat_id, 80, font=MONO, size=6.5)], [user(first.title, NAME_LIMIT)],
                         [user(label(first.family), 60)], [user(maps, SHORT_LIMIT)] if maps else [Run("–")],
                         [Run(f"{len(fs):,}")]]))
    story.append(FastTable([34 * mm, 56 * mm, 24 * mm, None, 14 * mm], rows, repeat=1))
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
        "flows: each control in place moves likelihood or impact by the amount the library gives for it. <b>Risk "
        "removed</b> by a missing control (mitigation plan) is, summed over the open findings that recommend it, how "
        "far their residual risk would fall with that control alone added; it ranks controls, it does not promise "
        "that risk disappears.",
        "<b>Review decisions</b> (open, mitigated, accepted, not applicable, transferred) are stored in the model keyed by "
        "each finding's stable id, so they survive re-analysis; a decision whose finding's inputs changed since is "
        "flagged \"needs re-review\" and counts as open.",
        "<b>Reproducibility.</b> The same model file and library give the same findings, ids and order. The report's "
        "model SHA-256 identifies the exact file assessed.",
    ]
    story = [ctx.heading("D. Method", 1)] + [Paragraph(p, st.body) for p in paragraphs]
    orphans = getattr(ctx.result, "orphan_reviews", ())
    if orphans:
        shown = ", ".join(clip(clean(o), 80) for o in orphans[:50])
        more = f" … and {len(orphans) - 50:,} more" if len(orphans) > 50 else ""
        story.append(Paragraph(
            f"<b>Review decisions without a finding.</b> The model records decisions for {len(orphans):,} finding ids "
            f"that the analysis no longer produces: {markup(shown, LONG_LIMIT)}{more}.", st.body))
    return story


def appendix(ctx: ReportContext) -> list:
    return [PageBreak(), ctx.heading("6. Appendix", 0), *_inventory(ctx), *_notes(ctx), *_library(ctx), *_method(ctx)]
