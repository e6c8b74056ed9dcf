"""Section 2: the diagram (overview, tiles when needed, legend) and the key of its flow numbers."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, NextPageTemplate, PageBreak, Paragraph

from app.analysis.findings import Severity
from app.model.types import ElementKind
from app.report.context import ReportContext
from app.report.diagram import DiagramFlowable, _icon, plan_diagram, tile_name
from app.report.doc import ReportDocTemplate
from app.report.fastlayout import FastTable, LazyRows, Row, Run, header_row, user
from app.report.fonts import COND, COND_BOLD, SANS_BOLD, string_width
from app.report.geometry import compute_geometry
from app.report.styles import ACCENT, INK, KIND_COLOURS, MUTED, SEVERITY_COLOURS
from app.report.text import NAME_LIMIT, label

RESERVED = 34 * mm  # heading, caption and legend around the drawing


class Legend(Flowable):
    """One line explaining the symbols: the kinds present, flows, boundaries, badges."""

    def __init__(self, kinds: list[ElementKind], width: float):
        super().__init__()
        self.kinds = kinds
        self.width = width
        self.height = 11 * mm

    def wrap(self, avail_w, avail_h):  # noqa: D102 - platypus protocol
        return self.width, self.height

    def draw(self):  # noqa: D102 - platypus protocol
        c = self.canv
        size = 7.0
        x, y = 0.0, self.height - 10
        items: list[tuple[str, object]] = [(k.label, k) for k in self.kinds]
        items += [("data flow, numbered", "flow"), ("flow crossing a trust boundary", "crossing"),
                  ("trust boundary", "boundary"), ("findings on the element, worst severity", "badge")]
        for text, what in items:
            w = 12 + string_width(text, COND, size) + 12
            if x + w > self.width:
                x, y = 0.0, y - 12
            if isinstance(what, ElementKind):
                fill, stroke = KIND_COLOURS[what]
                c.setFillColor(fill)
                c.setStrokeColor(stroke)
                c.roundRect(x, y - 2, 10, 10, 2, stroke=1, fill=1)
                _icon(c, what, x + 1.5, y - 0.5, 7, stroke)
            elif what in ("flow", "crossing"):
                col = ACCENT if what == "crossing" else colors.HexColor("#5f6b7a")
                c.setStrokeColor(col)
                c.setFillColor(col)
                c.line(x, y + 3, x + 9, y + 3)
                p = c.beginPath()
                p.moveTo(x + 11, y + 3)
                p.lineTo(x + 7, y + 5)
                p.lineTo(x + 7, y + 1)
                p.close()
                c.drawPath(p, stroke=0, fill=1)
            elif what == "boundary":
                c.setStrokeColor(colors.HexColor("#b3261e"))
                c.setDash(2, 1.5)
                c.rect(x, y - 2, 10, 10, stroke=1, fill=0)
                c.setDash()
            else:
                c.setFillColor(SEVERITY_COLOURS[Severity.HIGH])
                c.circle(x + 5, y + 3, 4.5, stroke=0, fill=1)
                c.setFillColor(colors.white)
                c.setFont(SANS_BOLD, 5.5)
                c.drawCentredString(x + 5, y + 1.2, "3")
            c.setFillColor(INK)
            c.setFont(COND, size)
            c.drawString(x + 13, y, text)
            x += w


def _badges(ctx: ReportContext) -> dict[str, tuple[int, Severity]]:
    badges: dict[str, tuple[int, Severity]] = {}
    for f in ctx.result.findings:
        if f.anchor not in ctx.elements:
            continue
        count, worst = badges.get(f.anchor, (0, Severity.LOW))
        badges[f.anchor] = (count + 1, max(worst, f.severity, key=lambda s: s.rank))
    return badges


def diagram_section(ctx: ReportContext) -> list:
    st = ctx.styles
    geom = compute_geometry(ctx.model)
    pw, ph = ReportDocTemplate.frame_size("portrait")
    lw, lh = ReportDocTemplate.frame_size("landscape")
    plan = plan_diagram(geom, (pw, ph - RESERVED), (lw, lh - RESERVED))
    template = "landscape" if plan.landscape else "portrait"
    width = lw if plan.landscape else pw
    kinds = [k for k in ElementKind if any(e.kind == k.value for e in ctx.model.elements)]
    badges = _badges(ctx)
    grid = tuple((tile_name(i, plan), t) for i, t in enumerate(plan.tiles))

    story: list = [NextPageTemplate(template), PageBreak(), ctx.heading("2. The diagram", 0)]
    if not ctx.model.elements:
        story.append(Paragraph("The model has no elements to draw.", st.body))
    else:
        caption = ("Drawn from the model's coordinates. Flow numbers key into the table that follows and into the "
                   "findings; a badge on an element counts the findings anchored there.")
        if plan.tiles:
            caption += (f" The diagram is too large to print legibly on one page: this overview shows the {len(plan.tiles)}"
                        " parts that follow, each on its own page.")
        elif not plan.legible:
            caption += (" The diagram is too large to print legibly even in parts; names are left out here and "
                        "the element inventory in the appendix lists every element.")
        story.append(Paragraph(caption, st.caption))
        story.append(DiagramFlowable(ctx.model, geom, geom.bbox, plan.scale, badges=badges, labels=plan.legible,
                                     grid=grid))
        story.append(Legend(kinds, width))
        for name, tile in grid:
            story += [PageBreak(), ctx.heading(f"Diagram part {name}", 1, toc=False),
                      DiagramFlowable(ctx.model, geom, tile, plan.tile_scale, badges=badges)]
    story += [NextPageTemplate("portrait"), PageBreak()]
    story += flow_key(ctx)
    return story


def flow_key(ctx: ReportContext) -> list:
    st = ctx.styles
    story: list = [ctx.heading("Flows on the diagram", 1)]
    if not ctx.model.flows:
        return story + [Paragraph("The model has no data flows.", st.body)]
    by_anchor = ctx.result.by_anchor()
    names = {e.id: e.name for e in ctx.model.elements}
    header = header_row("#", "From → to", "Flow", "Carries", "Protection", "Findings")

    def make(f) -> Row:
        if f is None:
            return header
        p = f.properties
        protection = [w for w, on in (("authenticated", p.authenticated), ("encrypted", p.encrypted),
                                      ("least privilege", p.least_privilege), ("logged", p.logged)) if on]
        findings = by_anchor.get(f.id, [])
        refs = ", ".join(ctx.ref(x) for x in findings[:10]) + (" …" if len(findings) > 10 else "")
        flow_cell = [user(f.name, NAME_LIMIT)] if f.name else [Run("–")]
        if f.protocol:
            flow_cell += [Run("\n"), user(f.protocol, 80, colour=MUTED)]
        return Row([
            [Run(str(ctx.flow_no[f.id]), COND_BOLD)],
            [user(names.get(f.source, f.source), NAME_LIMIT), Run(" → "), user(names.get(f.target, f.target), NAME_LIMIT)],
            flow_cell,
            [Run(", ".join(label(k) for k in f.carries) or "–")],
            [Run(", ".join(protection) or "none"), Run("\n" + label(p.sensitivity), COND, 7.5, MUTED)],
            [Run(refs or "–")],
        ])

    rows = LazyRows([None, *ctx.model.flows], make)
    story.append(FastTable([9 * mm, 52 * mm, 34 * mm, 30 * mm, 26 * mm, None], rows, repeat=1))
    return story
