"""Section 3: every finding, grouped by the element or flow it annotates.

Each finding is a small table: severity and reference, likelihood and impact
with the factors that moved them, review status and justification, what the
threat is, why it fired, the witness path, business impact, standards,
controls and residual risk. Groups follow the diagram: elements in model order,
then flows by number.

A very large model (tens of thousands of findings) gets full detail for the
:data:`DETAIL_LIMIT` highest risks; all the others follow in one table, one
line each, grouped the same way, so the report stays complete and printable.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph

from app.analysis.findings import Factor, Finding, Score
from app.report.context import ReportContext
from app.report.fastlayout import FastTable, LazyRows, Row, Run, header_row, user
from app.report.fonts import COND, COND_BOLD, MONO
from app.report.standards import load_standards, owasp_key
from app.report.styles import INK, MARKING, MUTED, PANEL, SEVERITY_COLOURS, STATUS_LABELS

GROUP_BG = PANEL
from app.report.text import CELL_LIMIT, NAME_LIMIT, SHORT_LIMIT, label

MAX_FACTORS = 12
MAX_PATH = 40  # hops shown of a witness path
MAX_LIST = 24
DETAIL_LIMIT = 2_000  # findings shown in full; the rest get one row each
LABEL_W = 26 * mm
SIZE = 7.5


def _b(text: str, colour=INK) -> Run:
    return Run(text, COND_BOLD, SIZE, colour)


def _factors(factors: tuple[Factor, ...]) -> list[Run]:
    runs: list[Run] = []
    for fac in factors[:MAX_FACTORS]:
        sign = f"+{fac.delta}" if fac.delta > 0 else str(fac.delta)
        runs += [Run("\n"), _b(f"{sign} "), user(fac.reason or fac.name, SHORT_LIMIT)]
    if len(factors) > MAX_FACTORS:
        runs.append(Run(f"\n… and {len(factors) - MAX_FACTORS} more"))
    return runs


def _score(score: Score) -> list[Run]:
    return [_b(score.severity.label, SEVERITY_COLOURS[score.severity]),
            Run(f" {score.risk} (likelihood {score.likelihood} × impact {score.impact})"),
            Run("\nafter the controls in place", COND, 6.5, MUTED)]


def _path(ctx: ReportContext, f: Finding) -> list[Run]:
    if not f.path:
        return [Run("–")]
    runs: list[Run] = []
    for i, hop in enumerate(f.path[:MAX_PATH]):
        if i:
            runs.append(Run(" → ", COND, SIZE, MUTED))
        if hop in ctx.flows:
            runs.append(_b(ctx.short_name_of(hop)))
        else:
            runs.append(user(ctx.short_name_of(hop), 80))
    if len(f.path) > MAX_PATH:
        runs.append(Run(f" → … ({len(f.path) - MAX_PATH} more hops)"))
    return runs


def _standards(f: Finding) -> list[Run]:
    std = load_standards()
    runs: list[Run] = []
    if f.atlas:
        items = [f"{t} {std.technique_name(t)}".strip() for t in f.atlas[:16]]
        runs += [_b("ATLAS "), user("; ".join(items), SHORT_LIMIT * 2)]
    if f.owasp:
        items = []
        for o in f.owasp[:16]:
            key = owasp_key(o)
            items.append(f"{o} {std.owasp_llm.categories.get(key) or std.owasp_ml.categories.get(key, '')}".strip())
        runs += [Run("\n") if runs else Run(""), _b("OWASP "), user("; ".join(items), SHORT_LIMIT)]
    if f.stride:
        runs += [Run("\n") if runs else Run(""), _b("STRIDE "), user(", ".join(f.stride), SHORT_LIMIT)]
    if f.matrix:
        runs += [Run("\n") if runs else Run(""), _b("AI threat matrix "), user(", ".join(f.matrix), 200)]
    return runs or [Run("–")]


def _controls(f: Finding) -> list[Run]:
    if not f.mitigations:
        return [Run("–")]
    runs: list[Run] = []
    for i, m in enumerate(f.mitigations[:MAX_LIST]):
        if i:
            runs.append(Run("\n"))
        runs.append(_b("✓ in place: ") if m.in_place else Run("recommended: "))
        runs += [user(m.name, NAME_LIMIT), Run(f" ({m.control_id})", COND, SIZE, MUTED)]
    if len(f.mitigations) > MAX_LIST:
        runs.append(Run(f"\n… and {len(f.mitigations) - MAX_LIST} more"))
    return runs


def _status(f: Finding) -> list[Run]:
    runs = [_b(STATUS_LABELS.get(f.status, label(f.status)))]
    for extra in (f.owner and f"owner {f.owner}", f.review_date):
        if extra:
            runs += [Run(" · "), user(extra, 200)]
    if f.needs_rereview:
        runs += [Run(" · "), _b("needs re-review", MARKING), Run(": its inputs changed since the decision", COND, SIZE, MARKING)]
    if f.justification.strip():
        runs += [Run("\n"), user(f.justification, CELL_LIMIT, multiline=True)]
    return runs


def title_runs(ctx: ReportContext, f: Finding, size: float = 8.5) -> list[Run]:
    return [Run(f"{f.severity.label.upper()} {f.risk}   ", COND_BOLD, size, SEVERITY_COLOURS[f.severity]),
            Run(f"{ctx.ref(f)} · ", COND_BOLD, size), user(f.title, NAME_LIMIT, font=COND_BOLD, size=size)]


def finding_block(ctx: ReportContext, f: Finding) -> FastTable:
    """The table describing one finding."""
    def row(name: str, value: list[Run]) -> Row:
        return Row([[Run(name, COND_BOLD, SIZE, MUTED)], value])

    rows = [
        Row([title_runs(ctx, f)], span=True, bar=SEVERITY_COLOURS[f.severity]),
        row("Likelihood", [_b(f"{f.likelihood}"), Run(" / 5")] + _factors(f.likelihood_factors)),
        row("Impact", [_b(f"{f.impact}"), Run(" / 5")] + _factors(f.impact_factors)),
        row("Status", _status(f)),
        row("What", [user(f.description, CELL_LIMIT, multiline=True)] if f.description.strip() else [Run("–")]),
        row("Why it fired", [user(f.rationale, CELL_LIMIT, multiline=True)] if f.rationale.strip() else [Run("–")]),
        row("Witness path", _path(ctx, f)),
        row("Business impact", [user(f.business_impact, CELL_LIMIT, multiline=True)] if f.business_impact.strip()
            else [Run("–")]),
        row("Standards", _standards(f)),
        row("Controls", _controls(f)),
        row("Residual risk", _score(f.residual)),
        row("Finding id", [user(f.id, 200, font=MONO, size=6.5), Run(" · threat ", COND, SIZE, MUTED),
                           user(f.threat_id, 80, font=MONO, size=6.5), Run(" · "), user(label(f.family), 80)]),
    ]
    for r in rows[1:]:
        r.bar = SEVERITY_COLOURS[f.severity]
    return FastTable([LABEL_W, None], rows, zebra=False, keep_whole=True, space_after=2.5 * mm)


def compact_table(ctx: ReportContext, groups: list[tuple[str, list[Finding]]]) -> FastTable:
    """One row per finding under a row per group: the long tail of a very large model."""
    items: list = [None]
    for anchor, findings in groups:
        items.append(anchor)
        items += findings
    header = header_row("Ref", "Severity", "Finding", "Status", "Residual")

    def make(item) -> Row:
        if item is None:
            return header
        if isinstance(item, str):
            return Row([[user(_group_title(ctx, item), NAME_LIMIT, font=COND_BOLD)]], span=True, background=GROUP_BG)
        f = item
        return Row([
            [_b(ctx.ref(f))],
            [_b(f"{f.severity.label} {f.risk}", SEVERITY_COLOURS[f.severity])],
            [user(f.title, NAME_LIMIT), Run("  "), user(f.id, 120, font=MONO, size=6)],
            [Run(STATUS_LABELS.get(f.status) or label(f.status))],
            [Run(f"{f.residual.severity.label} {f.residual.risk}")],
        ])

    return FastTable([14 * mm, 20 * mm, None, 22 * mm, 18 * mm], LazyRows(items, make), repeat=1, zebra=False)


def _group_title(ctx: ReportContext, anchor: str) -> str:
    if anchor in ctx.flows:
        return f"Flow {ctx.name_of(anchor)}"
    if anchor in ctx.elements:
        el = ctx.elements[anchor]
        return f"{label(el.kind).capitalize()}: {el.name}"
    return anchor


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
    findings = ctx.result.findings
    if not findings:
        return story + [Paragraph("The analysis found no threats in this model.", st.body)]
    detailed = {f.id for f in findings[:DETAIL_LIMIT]}
    intro = ("Findings are grouped by the element or data flow they annotate on the diagram (flows by their number). "
             "References R1, R2 … rank findings by risk across the whole report; R1 is the highest.")
    tail = len(findings) > DETAIL_LIMIT
    if tail:
        intro += (f" This model has {len(findings):,} findings: the {DETAIL_LIMIT:,} highest risks are shown in full "
                  "here; all the others follow in section 3.1, one line each, grouped the same way.")
    story.append(Paragraph(intro, st.body))
    rest: list[tuple[str, list[Finding]]] = []
    for anchor, group in _group_order(ctx):
        group = sorted(group, key=lambda x: (-x.risk, x.id))
        full = [f for f in group if f.id in detailed]
        short = [f for f in group if f.id not in detailed]
        if full:
            story.append(ctx.heading(_group_title(ctx, anchor), 1, toc=False, look=2))
            story += [finding_block(ctx, f) for f in full]
        if short:
            rest.append((anchor, short))
    if rest:
        story += [PageBreak(), ctx.heading("3.1 Further findings, one line each", 1),
                  compact_table(ctx, rest)]
    return story


__all__ = ["findings_section", "finding_block", "title_runs"]
