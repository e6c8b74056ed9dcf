"""Diagram geometry and paging: placement, boundaries, routing, tiling of big diagrams."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from app.analysis.findings import AnalysisResult
from app.model import ThreatModel
from app.report import build_report
from app.report.diagram import MIN_SCALE, plan_diagram
from app.report.doc import ReportDocTemplate
from app.report.geometry import Geometry, _segment_hits, compute_geometry, flow_numbers

from report_support import needs_poppler, pdftotext

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.benchmarks.synthetic import synthetic_model  # noqa: E402


def _model(elements, flows=(), boundaries=(), layout=None) -> ThreatModel:
    return ThreatModel.model_validate({
        "elements": [{"id": i, "name": i.upper(), "kind": k} for i, k in elements],
        "flows": [{"id": f, "source": s, "target": t} for f, s, t in flows],
        "boundaries": [{"id": b, "name": b, "members": list(m)} for b, m in boundaries],
        "layout": layout or {},
    })


def _overlap(a, b) -> bool:
    return not (a[0] + a[2] <= b[0] or b[0] + b[2] <= a[0] or a[1] + a[3] <= b[1] or b[1] + b[3] <= a[1])


def test_elements_without_layout_get_their_own_places_and_boundaries_enclose_members():
    model = _model([("a", "actor"), ("b", "process"), ("c", "model"), ("d", "tool")],
                   boundaries=[("zone", ["b", "c"])],
                   layout={"elements": {"a": {"x": 0, "y": 0, "w": 150, "h": 70}}})
    geom = compute_geometry(model)
    boxes = list(geom.elements.values())
    assert len(boxes) == 4
    assert not any(_overlap(p, q) for i, p in enumerate(boxes) for q in boxes[i + 1:])
    zone = geom.boundaries["zone"]
    for member in ("b", "c"):
        x, y, w, h = geom.elements[member]
        assert zone[0] < x and zone[1] < y and x + w < zone[0] + zone[2] and y + h < zone[1] + zone[3]


def test_a_flow_detours_around_a_box_in_its_way_and_its_number_sits_off_every_box():
    row = {"a": {"x": 0, "y": 0, "w": 150, "h": 70}, "b": {"x": 300, "y": 0, "w": 150, "h": 70},
           "c": {"x": 600, "y": 0, "w": 150, "h": 70}}
    model = _model([("a", "process"), ("b", "process"), ("c", "process")], flows=[("f1", "a", "c")],
                   layout={"elements": row})
    geom = compute_geometry(model)
    path = geom.flows[0].points
    assert len(path) > 2  # bent around b
    b_box = geom.elements["b"]
    assert not any(_segment_hits(p, q, b_box) for p, q in zip(path, path[1:]))
    x, y = geom.flows[0].label_at
    assert not any(bx <= x <= bx + bw and by <= y <= by + bh for bx, by, bw, bh in geom.elements.values())


def test_flows_both_ways_between_two_elements_do_not_overlap():
    model = _model([("a", "process"), ("b", "model")], flows=[("f1", "a", "b"), ("f2", "b", "a")],
                   layout={"elements": {"a": {"x": 0, "y": 0, "w": 150, "h": 70},
                                        "b": {"x": 400, "y": 0, "w": 150, "h": 70}}})
    geom = compute_geometry(model)
    (p1, q1), (p2, q2) = (f.points for f in geom.flows)
    assert abs(p1[1] - p2[1]) >= 10  # spread to either side of the centre line
    assert flow_numbers(model) == {"f1": 1, "f2": 2}


def test_plan_keeps_small_diagrams_on_one_page_and_tiles_big_ones():
    portrait = ReportDocTemplate.frame_size("portrait")
    landscape = ReportDocTemplate.frame_size("landscape")
    small = plan_diagram(Geometry(bbox=(0, 0, 1500, 560)), portrait, landscape)
    assert small.landscape and not small.tiles and small.scale >= MIN_SCALE and small.legible
    big = plan_diagram(Geometry(bbox=(0, 0, 6000, 3000)), portrait, landscape)
    assert 1 < len(big.tiles) <= 24 and big.tile_scale >= MIN_SCALE
    huge = plan_diagram(Geometry(bbox=(0, 0, 60000, 40000)), portrait, landscape)
    assert not huge.tiles and not huge.legible  # a sketch; the inventory lists everything


@needs_poppler
def test_a_big_diagram_prints_an_overview_and_legible_parts(tmp_path, epoch):
    model = synthetic_model(240, seed=3)
    result = AnalysisResult(findings=(), library_version="t")
    out = tmp_path / "big.pdf"
    stats = build_report(model, result, out)
    text = pdftotext(out)
    assert "Diagram part A1" in text and "parts that follow" in text
    # every element's name is printed on some diagram page (in the parts), not only in the inventory
    pages = text.split("\f")
    diagram_pages = " ".join(" ".join(p.split()) for p in pages if "Diagram part" in p)
    missing = [e.name for e in model.elements if f"{e.name} " not in diagram_pages + " "]
    assert not missing, missing[:10]
    assert stats.pages > 10


def test_empty_model_still_makes_a_report(epoch):
    model = ThreatModel()
    result = AnalysisResult(findings=(), library_version="t")
    buffer = io.BytesIO()
    stats = build_report(model, result, buffer)
    assert stats.pages >= 5 and buffer.getvalue().startswith(b"%PDF")
