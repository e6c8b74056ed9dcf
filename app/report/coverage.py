"""Section 5: standards coverage: OWASP LLM 2025, OWASP ML Top 10, MITRE ATLAS tactics.

For each category of each standard: whether it applies to this system (some
finding maps to it), how many findings and which, and their worst severity.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Table

from app.analysis.findings import Finding
from app.report.context import ReportContext
from app.report.standards import Standard, load_standards, owasp_key
from app.report.styles import SEVERITY_COLOURS, hex_colour
from app.report.text import markup

MAX_REFS = 40


def _table(ctx: ReportContext, standard: Standard, hits: dict[str, list[Finding]], extra: dict[str, str] | None = None):
    st = ctx.styles
    rows = [[Paragraph(f"<b>{h}</b>", st.cell) for h in ("Id", "Category", "Applies", "Findings")]]
    for key, name in standard.categories.items():
        found = hits.get(key, [])
        if found:
            worst = max(found, key=lambda f: (f.severity.rank, f.risk))
            applies = (f'<font color="{hex_colour(SEVERITY_COLOURS[worst.severity])}"><b>yes</b></font> · '
                       f"worst {worst.severity.value}")
            refs = ", ".join(ctx.ref(f) for f in found[:MAX_REFS])  # already in R order
            if len(found) > MAX_REFS:
                refs += f", … ({len(found) - MAX_REFS:,} more)"
            cell = f"<b>{len(found):,}</b>: {refs}"
        else:
            applies, cell = "not found", "–"
        category = markup(name, 200)
        if extra and extra.get(key):
            category += f"<br/><font color='#52606d'>{markup(extra[key], 600)}</font>"
        rows.append([Paragraph(markup(key, 20), st.cell), Paragraph(category, st.cell), Paragraph(applies, st.cell),
                     Paragraph(cell, st.cell)])
    table = Table(rows, colWidths=[20 * mm, 58 * mm, 28 * mm, None], repeatRows=1, hAlign="LEFT")
    table.setStyle(st.table())
    return table


def coverage_section(ctx: ReportContext) -> list:
    st = ctx.styles
    std = load_standards()
    llm: dict[str, list[Finding]] = {}
    ml: dict[str, list[Finding]] = {}
    tactics: dict[str, list[Finding]] = {}
    techniques_by_tactic: dict[str, set[str]] = {}
    for f in ctx.result.findings:
        for o in f.owasp:
            key = owasp_key(o)
            target = llm if key.startswith("LLM") else ml
            bucket = target.setdefault(key, [])
            if not bucket or bucket[-1] is not f:
                bucket.append(f)
        seen: set[str] = set()
        for t in f.atlas:
            for tactic in std.tactics_of(t):
                techniques_by_tactic.setdefault(tactic, set()).add(t)
                if tactic not in seen:
                    tactics.setdefault(tactic, []).append(f)
                    seen.add(tactic)
    story: list = [PageBreak(), ctx.heading("5. Standards coverage", 0)]
    story.append(Paragraph(
        "Which categories of each standard apply to this system, judged by the findings mapped to them. "
        "\"Not found\" means no finding in this model maps there: either the system does not expose that risk, or the "
        "model does not describe the part that would.", st.body))
    story += [ctx.heading(std.owasp_llm.title, 1), _table(ctx, std.owasp_llm, llm)]
    story += [ctx.heading(std.owasp_ml.title, 1), _table(ctx, std.owasp_ml, ml)]
    techniques = {
        tactic: "; ".join(f"{t} {std.technique_name(t)}".strip() for t in sorted(ts))
        for tactic, ts in techniques_by_tactic.items()
    }
    story += [ctx.heading(std.atlas_tactics.title, 1), _table(ctx, std.atlas_tactics, tactics, techniques)]
    story.append(Paragraph("Under each tactic: the ATLAS techniques of the findings that fall under it.", st.caption))
    return story
