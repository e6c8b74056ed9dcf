"""The diagram as vector graphics: a platypus flowable drawing from model coordinates.

:class:`DiagramFlowable` draws one region of the diagram (the whole of it, or a
tile of a diagram too big to print legibly on one page) with the canvas API,
so the PDF holds lines, shapes and real text, not a bitmap: it zooms cleanly,
and its text can be searched and copied.

Each element is a box in its kind's colours with the kind's pictogram, the kind
in small capitals, and its name; boundaries are dashed frames with their names;
flows are arrows with a numbered badge whose number keys into the report's
tables. Text sizes follow the scale but never drop below a legible minimum:
:func:`plan_diagram` picks portrait or landscape and, when even landscape
would be too small, splits the diagram into tiles behind an overview.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from app.analysis.findings import Severity
from app.model import ThreatModel
from app.model.types import ElementKind
from app.report.fastlayout import LEADING, MEASURE, Line, Run, _text_ops, layout, text_width
from app.report.fonts import COND, COND_BOLD, SANS_BOLD, draw_string, fit_width, string_width
from app.report.geometry import Box, Geometry
from app.report.styles import ACCENT, INK, KIND_COLOURS, MUTED, SEVERITY_COLOURS
from app.report.text import plain

MIN_SCALE = 0.42  # below this, names would print under ~5.5 pt: split into tiles
TILE_SCALE = 0.6
MAX_TILES = 24  # beyond this a tiled diagram stops being useful on paper
NAME_BASE = 13.0  # name font size at scale 1 (model units)


@dataclass(frozen=True)
class DiagramPlan:
    """How the diagram goes onto pages."""

    landscape: bool
    scale: float  # of the overview
    tiles: tuple[Box, ...]  # model-coordinate regions, one per page after the overview
    tile_scale: float
    legible: bool  # whether names are drawn on the overview


def plan_diagram(geom: Geometry, portrait: tuple[float, float], landscape: tuple[float, float]) -> DiagramPlan:
    """Choose orientation and tiling for a diagram of ``geom`` given the two frame sizes."""
    bx, by, bw, bh = geom.bbox
    bw, bh = max(bw, 1.0), max(bh, 1.0)
    s_port = min(portrait[0] / bw, portrait[1] / bh)
    s_land = min(landscape[0] / bw, landscape[1] / bh)
    use_land = s_land > s_port * 1.05
    scale = min(s_land if use_land else s_port, 1.2)
    if scale >= MIN_SCALE:
        return DiagramPlan(use_land, scale, (), scale, True)
    frame = landscape
    tile_scale = TILE_SCALE
    while True:
        tw, th = frame[0] / tile_scale, frame[1] / tile_scale
        cols, rows = math.ceil(bw / tw), math.ceil(bh / th)
        if cols * rows <= MAX_TILES or tile_scale <= MIN_SCALE:
            break
        tile_scale = max(MIN_SCALE, tile_scale * 0.85)
    if cols * rows > MAX_TILES:
        return DiagramPlan(True, s_land, (), s_land, False)  # overview only; the inventory lists everything
    # centre the grid of tiles on the diagram
    x0 = bx - (cols * tw - bw) / 2
    y0 = by - (rows * th - bh) / 2
    tiles = tuple((x0 + c * tw, y0 + r * th, tw, th) for r in range(rows) for c in range(cols))
    return DiagramPlan(True, s_land, tiles, tile_scale, s_land >= MIN_SCALE * 0.75)


def tile_name(index: int, plan: DiagramPlan) -> str:
    """``A1``-style name of a tile: row letter(s), column number."""
    cols = len({t[0] for t in plan.tiles})
    row, col = divmod(index, cols)
    letters = ""
    row += 1
    while row:
        row, rem = divmod(row - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{col + 1}"


class DiagramFlowable(Flowable):
    """Draws ``region`` of the diagram at ``scale`` (points per model unit)."""

    def __init__(self, model: ThreatModel, geom: Geometry, region: Box, scale: float, *,
                 badges: dict[str, tuple[int, Severity]] | None = None, labels: bool = True,
                 grid: tuple[tuple[str, Box], ...] = ()):
        super().__init__()
        self.model = model
        self.geom = geom
        self.region = region
        self.scale = scale
        self.badges = badges or {}
        self.labels = labels
        self.grid = grid
        self.width = region[2] * scale
        self.height = region[3] * scale
        self._names = {e.id: plain(e.name, 120) for e in model.elements}
        self._kinds = {e.id: ElementKind(e.kind) for e in model.elements}
        self._boundary_names = {b.id: plain(b.name, 120) for b in model.boundaries}

    def wrap(self, avail_w, avail_h):  # noqa: D102 - platypus protocol
        return self.width, self.height

    # ---------------------------------------------------------------- coordinates
    def _xy(self, x: float, y: float) -> tuple[float, float]:
        return (x - self.region[0]) * self.scale, self.height - (y - self.region[1]) * self.scale

    def _visible(self, b: Box, pad: float = 0.0) -> bool:
        rx, ry, rw, rh = self.region
        return not (b[0] + b[2] < rx - pad or b[0] > rx + rw + pad or b[1] + b[3] < ry - pad or b[1] > ry + rh + pad)

    # ---------------------------------------------------------------- drawing
    def draw(self):  # noqa: D102 - platypus protocol
        c = self.canv
        c.saveState()
        path = c.beginPath()
        path.rect(0, 0, self.width, self.height)
        c.clipPath(path, stroke=0, fill=0)
        s = self.scale
        self.name_size = max(4.0, min(9.0, NAME_BASE * s))
        if not self.labels:
            self._draw_sketch()
            for name, box in self.grid:
                self._grid_cell(name, box)
            c.restoreState()
            return
        for bid in sorted(self.geom.boundaries, key=lambda k: (self.geom.boundary_depth.get(k, 0), k)):
            box = self.geom.boundaries[bid]
            if self._visible(box):
                self._boundary(bid, box)
        for fp in self.geom.flows:
            xs = [p[0] for p in fp.points]
            ys = [p[1] for p in fp.points]
            if self._visible((min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)), 20):
                self._flow(fp)
        for eid, box in self.geom.elements.items():
            if self._visible(box):
                self._element(eid, box)
        for fp in self.geom.flows:
            x, y = fp.label_at
            if self._visible((x - 12, y - 12, 24, 24)):
                self._flow_badge(fp)
        for name, box in self.grid:
            self._grid_cell(name, box)
        c.restoreState()

    def _draw_sketch(self) -> None:
        """The overview of a diagram too big to label: boxes in kind colours, boundaries, flow lines.

        Raw operators in one block: tens of thousands of shapes through the canvas
        API would take most of the report's time budget.
        """
        ops: list[str] = ["q 0.5 w", _stroke(colors.HexColor("#b3261e")), "[3 2] 0 d"]
        for bid in sorted(self.geom.boundaries, key=lambda k: (self.geom.boundary_depth.get(k, 0), k)):
            bx, by, bw, bh = self.geom.boundaries[bid]
            x, y = self._xy(bx, by + bh)
            ops.append(f"{x:.2f} {y:.2f} {bw * self.scale:.2f} {bh * self.scale:.2f} re S")
        ops += ["[] 0 d 0.25 w", _stroke(colors.HexColor("#7b8794"))]
        for fp in self.geom.flows:
            pts = [self._xy(*p) for p in fp.points]
            ops.append(f"{pts[0][0]:.2f} {pts[0][1]:.2f} m " + " ".join(f"{px:.2f} {py:.2f} l" for px, py in pts[1:]) + " S")
        ops.append("0.3 w")
        current = None
        for eid, (bx, by, bw, bh) in self.geom.elements.items():
            kind = self._kinds[eid]
            if kind is not current:
                fill, stroke = KIND_COLOURS[kind]
                ops += [_fill(fill), _stroke(stroke)]
                current = kind
            x, y = self._xy(bx, by + bh)
            ops.append(f"{x:.2f} {y:.2f} {bw * self.scale:.2f} {bh * self.scale:.2f} re B")
        ops.append("Q")
        self.canv._code.append("\n".join(ops))

    def _boundary(self, bid: str, box: Box) -> None:
        c = self.canv
        x, y = self._xy(box[0], box[1] + box[3])
        w, h = box[2] * self.scale, box[3] * self.scale
        c.setStrokeColor(colors.HexColor("#b3261e"))
        c.setLineWidth(0.9)
        c.setDash(4, 2.5)
        c.setFillColor(colors.HexColor("#fffafa"))
        c.roundRect(x, y, w, h, 6 * self.scale + 2, stroke=1, fill=0)
        c.setDash()
        if self.labels:
            size = max(5.0, min(8.5, self.name_size))
            text = fit_width(self._boundary_names.get(bid, bid), COND_BOLD, size, max(w - 8, 10))
            c.setFillColor(colors.HexColor("#8c1d18"))
            draw_string(c, x + 4, y + h - size - 2, text, COND_BOLD, size)

    def _flow(self, fp) -> None:
        c = self.canv
        pts = [self._xy(*p) for p in fp.points]
        colour = ACCENT if fp.crosses_boundary else colors.HexColor("#5f6b7a")
        c.setStrokeColor(colour)
        c.setFillColor(colour)
        c.setLineWidth(0.9 if fp.crosses_boundary else 0.7)
        path = c.beginPath()
        path.moveTo(*pts[0])
        for p in pts[1:]:
            path.lineTo(*p)
        c.drawPath(path, stroke=1, fill=0)
        (x0, y0), (x1, y1) = pts[-2], pts[-1]
        angle = math.atan2(y1 - y0, x1 - x0)
        size = max(3.5, min(7.0, 9 * self.scale))
        head = c.beginPath()
        head.moveTo(x1, y1)
        head.lineTo(x1 - size * math.cos(angle - 0.4), y1 - size * math.sin(angle - 0.4))
        head.lineTo(x1 - size * math.cos(angle + 0.4), y1 - size * math.sin(angle + 0.4))
        head.close()
        c.drawPath(head, stroke=0, fill=1)

    def _flow_badge(self, fp) -> None:
        c = self.canv
        x, y = self._xy(*fp.label_at)
        text = str(fp.number)
        size = max(4.5, min(7.0, 9 * self.scale))
        r = max(size * 0.85, string_width(text, COND_BOLD, size) / 2 + 1.6)
        c.setFillColor(colors.white)
        c.setStrokeColor(ACCENT if fp.crosses_boundary else INK)
        c.setLineWidth(0.6)
        c.circle(x, y, r, stroke=1, fill=1)
        c.setFillColor(INK)
        c.setFont(COND_BOLD, size)
        c.drawCentredString(x, y - size * 0.35, text)

    def _element(self, eid: str, box: Box) -> None:
        c = self.canv
        kind = self._kinds[eid]
        fill, stroke = KIND_COLOURS[kind]
        x, y = self._xy(box[0], box[1] + box[3])
        w, h = box[2] * self.scale, box[3] * self.scale
        c.setFillColor(fill)
        c.setStrokeColor(stroke)
        c.setLineWidth(1.0)
        _shape(c, kind, x, y, w, h)
        icon = max(5.0, min(11.0, h * 0.26))
        lid = min(h * 0.18, 7.0) if kind in (ElementKind.DATASTORE, ElementKind.DATASET) else 0.0
        h -= lid  # a cylinder's top ellipse is not room for text
        k = icon / 100.0
        c._code.append(f"q {k:.4f} 0 0 {k:.4f} {x + 2.5:.2f} {y + h - icon - 2.5:.2f} cm\n{_icon_ops(kind)}\nQ")
        if not self.labels:
            return
        size = self.name_size
        kind_size = max(3.8, size * 0.72)
        kind_lines = layout([Run(kind.value.upper(), COND, kind_size, stroke)], max(w - icon - 8, 6))[:1]
        room = h - icon - 4 - lid / 2 - 1.5  # below the icon row, above the bottom (of a cylinder's rim)
        max_lines = max(1, int(room / (size * LEADING) + 0.2))
        lines = layout([Run(self._names[eid], COND_BOLD, size, INK)], w - 6)
        if len(lines) > max_lines and size > 4.5:  # a little smaller rather than cut
            size = max(4.5, size * 0.86)
            max_lines = max(1, int(room / (size * LEADING) + 0.2))
        lines = _name_lines(self._names[eid], size, w - 6, max_lines)
        ops = ["q BT"]
        _text_ops(c, ops, kind_lines, x + icon + 5, y + h - 2.5 - kind_size * 0.25)
        _text_ops(c, ops, lines, x + 3, y + h - icon - 4, w - 6, "center")
        ops.append("ET Q")
        c._code.append("\n".join(ops))
        badge = self.badges.get(eid)
        if badge:
            self._finding_badge(x + w, y + h + lid, badge)

    def _finding_badge(self, x: float, y: float, badge: tuple[int, Severity]) -> None:
        count, severity = badge
        c = self.canv
        size = max(4.0, min(6.5, self.name_size * 0.8))
        text = str(count)
        r = max(size * 0.8, string_width(text, SANS_BOLD, size) / 2 + 1.5)
        c.setFillColor(SEVERITY_COLOURS[severity])
        c.setStrokeColor(colors.white)
        c.setLineWidth(0.6)
        c.circle(x - r * 0.4, y - r * 0.4, r, stroke=1, fill=1)
        c.setFillColor(colors.white)
        c.setFont(SANS_BOLD, size)
        c.drawCentredString(x - r * 0.4, y - r * 0.4 - size * 0.35, text)

    def _grid_cell(self, name: str, box: Box) -> None:
        c = self.canv
        x, y = self._xy(box[0], box[1] + box[3])
        c.setStrokeColor(MUTED)
        c.setLineWidth(0.5)
        c.setDash(1, 2)
        c.rect(x, y, box[2] * self.scale, box[3] * self.scale, stroke=1, fill=0)
        c.setDash()
        c.setFillColor(MUTED)
        c.setFont(SANS_BOLD, 9)
        c.drawString(x + 3, y + 3, name)


def _fill(colour) -> str:
    return f"{colour.red:.3f} {colour.green:.3f} {colour.blue:.3f} rg"


def _stroke(colour) -> str:
    return f"{colour.red:.3f} {colour.green:.3f} {colour.blue:.3f} RG"


@lru_cache(maxsize=None)
def _icon_ops(kind: ElementKind) -> str:
    """PDF operators drawing ``kind``'s pictogram in a 100 × 100 box at the origin (drawn once, reused)."""
    scratch = Canvas(io.BytesIO())
    start = len(scratch._code)
    _icon(scratch, kind, 0, 0, 100, KIND_COLOURS[kind][1])
    return "\n".join(scratch._code[start:])


def _name_lines(name: str, size: float, width: float, max_lines: int) -> list[Line]:
    """A name wrapped to ``width``, at most ``max_lines`` lines, the last ending in … when cut."""
    lines = layout([Run(name, COND_BOLD, size, INK)], width)
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1]
    font, sz, colour, text = last.segments[-1] if last.segments else (COND_BOLD, size, INK, "")
    room = width - (last.width - text_width(text, font, sz)) - text_width("…", font, sz)
    n = MEASURE.prefix_fitting(text, font, sz, max(room, 1.0)) if text else 0
    cut = text[:n].rstrip() + "…"
    last.segments[-1] = (font, sz, colour, cut)
    last.width = last.width - text_width(text, font, sz) + text_width(cut, font, sz)
    return kept


def _shape(c, kind: ElementKind, x: float, y: float, w: float, h: float) -> None:
    """The box of an element; its outline hints at the kind (DFD conventions)."""
    if kind is ElementKind.ACTOR:  # external entity: square corners, heavier line
        c.setLineWidth(1.4)
        c.rect(x, y, w, h, stroke=1, fill=1)
    elif kind in (ElementKind.DATASTORE, ElementKind.DATASET):  # store: cylinder
        e = min(h * 0.18, 7.0)
        c.rect(x, y + e / 2, w, h - e, stroke=0, fill=1)
        c.ellipse(x, y, x + w, y + e, stroke=1, fill=1)
        c.line(x, y + e / 2, x, y + h - e / 2)
        c.line(x + w, y + e / 2, x + w, y + h - e / 2)
        c.ellipse(x, y + h - e, x + w, y + h, stroke=1, fill=1)
    else:  # processes and the ML steps: rounded boxes
        c.roundRect(x, y, w, h, min(8.0, h * 0.2), stroke=1, fill=1)


def _icon(c, kind: ElementKind, x: float, y: float, s: float, colour) -> None:
    """A small pictogram of ``kind`` in the square (x, y, s, s)."""
    c.saveState()
    c.setStrokeColor(colour)
    c.setFillColor(colour)
    c.setLineWidth(max(0.4, s / 14))
    cx, cy = x + s / 2, y + s / 2
    if kind is ElementKind.ACTOR:  # a person
        c.circle(cx, y + s * 0.72, s * 0.2, stroke=0, fill=1)
        p = c.beginPath()
        p.moveTo(x + s * 0.15, y)
        p.curveTo(x + s * 0.15, y + s * 0.55, x + s * 0.85, y + s * 0.55, x + s * 0.85, y)
        p.close()
        c.drawPath(p, stroke=0, fill=1)
    elif kind is ElementKind.PROCESS:  # a cog: ring with teeth
        for i in range(8):
            a = i * math.pi / 4
            c.line(cx + math.cos(a) * s * 0.28, cy + math.sin(a) * s * 0.28, cx + math.cos(a) * s * 0.48,
                   cy + math.sin(a) * s * 0.48)
        c.setLineWidth(max(0.5, s / 9))
        c.circle(cx, cy, s * 0.26, stroke=1, fill=0)
    elif kind is ElementKind.DATASTORE:  # a drum
        e = s * 0.25
        c.ellipse(x + s * 0.1, y + s - e, x + s * 0.9, y + s, stroke=1, fill=0)
        c.line(x + s * 0.1, y + s - e / 2, x + s * 0.1, y + e / 2)
        c.line(x + s * 0.9, y + s - e / 2, x + s * 0.9, y + e / 2)
        c.arc(x + s * 0.1, y, x + s * 0.9, y + e, 180, 180)
    elif kind is ElementKind.DATASET:  # a table of records
        for i in range(4):
            c.line(x + s * 0.08, y + s * (0.12 + i * 0.25), x + s * 0.92, y + s * (0.12 + i * 0.25))
        c.line(x + s * 0.38, y + s * 0.12, x + s * 0.38, y + s * 0.87)
        c.rect(x + s * 0.08, y + s * 0.12, s * 0.84, s * 0.75, stroke=1, fill=0)
    elif kind is ElementKind.LABELLER:  # a tag
        p = c.beginPath()
        p.moveTo(x + s * 0.05, y + s * 0.5)
        p.lineTo(x + s * 0.35, y + s * 0.85)
        p.lineTo(x + s * 0.95, y + s * 0.85)
        p.lineTo(x + s * 0.95, y + s * 0.15)
        p.lineTo(x + s * 0.35, y + s * 0.15)
        p.close()
        c.drawPath(p, stroke=1, fill=0)
        c.circle(x + s * 0.32, y + s * 0.5, s * 0.08, stroke=0, fill=1)
    elif kind is ElementKind.TRAINER:  # a loop with an arrow: learning cycles
        c.arc(x + s * 0.12, y + s * 0.12, x + s * 0.88, y + s * 0.88, 30, 300)
        ax, ay = cx + math.cos(math.radians(30)) * s * 0.38, cy + math.sin(math.radians(30)) * s * 0.38
        p = c.beginPath()
        p.moveTo(ax + s * 0.16, ay + s * 0.02)
        p.lineTo(ax - s * 0.06, ay - s * 0.02)
        p.lineTo(ax + s * 0.06, ay + s * 0.2)
        p.close()
        c.drawPath(p, stroke=0, fill=1)
    elif kind is ElementKind.MODEL:  # a small network: three layers of nodes
        nodes = [(0.15, 0.3), (0.15, 0.7), (0.5, 0.2), (0.5, 0.5), (0.5, 0.8), (0.85, 0.5)]
        for a in nodes[:2]:
            for b in nodes[2:5]:
                c.line(x + s * a[0], y + s * a[1], x + s * b[0], y + s * b[1])
        for b in nodes[2:5]:
            c.line(x + s * b[0], y + s * b[1], x + s * nodes[5][0], y + s * nodes[5][1])
        for n in nodes:
            c.circle(x + s * n[0], y + s * n[1], s * 0.09, stroke=0, fill=1)
    elif kind is ElementKind.RETRIEVER:  # a magnifier
        c.setLineWidth(max(0.5, s / 10))
        c.circle(x + s * 0.42, y + s * 0.58, s * 0.28, stroke=1, fill=0)
        c.setLineWidth(max(0.8, s / 6))
        c.line(x + s * 0.62, y + s * 0.38, x + s * 0.92, y + s * 0.08)
    elif kind is ElementKind.TOOL:  # a wrench
        c.setLineWidth(max(0.8, s / 6))
        c.line(x + s * 0.15, y + s * 0.15, x + s * 0.62, y + s * 0.62)
        c.setLineWidth(max(0.5, s / 10))
        c.arc(x + s * 0.5, y + s * 0.5, x + s * 0.95, y + s * 0.95, 250, 290)
    c.restoreState()
