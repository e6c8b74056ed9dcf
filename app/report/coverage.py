"""Section 5: standards coverage: OWASP LLM 2025, OWASP ML Top 10, MITRE ATLAS tactics.

For each category of each standard: whether it applies to this system (some
finding maps to it), how many findings and which, and their worst severity.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph

from app.analysis.findings import Finding
from app.report.context import ReportContext
from app.report.standards import Standard, load_standards, owasp_key
from app.report.fastlayout import FastTable, Row, Run, header_row
from app.report.fonts import COND_BOLD
from app.report.styles import MUTED, SEVERITY_COLOURS

MAX_REFS = 40


def _table(ctx: ReportContext, standard: Standard, hits: dict[str, list[Finding]], extra: dict[str, str] | None = None):
    rows = [header_row("Id", "Category", "Applies", "Findings")]
    for key, name in standard.categories.items():
        found = hits.get(key, [])
        if found:
            worst = max(found, key=lambda f: (f.severity.rank, f.risk))
            applies = [Run("yes", COND_BOLD, 7.5, SEVERITY_COLOURS[worst.severity]),
                       Run(f" · worst {worst.severity.value}")]
            refs = ", ".join(ctx.ref(f) for f in found[:MAX_REFS])  # already in R order
            if len(found) > MAX_REFS:
                refs += f", … ({len(found) - MAX_REFS:,} more)"
            cell = [Run(f"{len(found):,}", COND_BOLD), Run(f": {refs}")]
        else:
            applies, cell = [Run("not found", colour=MUTED)], [Run("–")]
        category = [Run(name)]
        if extra and extra.get(key):
            category += [Run("\n"), Run(extra[key], colour=MUTED)]
        rows.append(Row([[Run(key, COND_BOLD)], category, applies, cell]))
    return FastTable([20 * mm, 58 * mm, 28 * mm, None], rows, repeat=1)


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
