"""Canvas geometry without a window: symbols, flow routing, label placement, membership by geometry."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, QRectF, QSizeF
from PySide6.QtGui import QImage, QPainter, QPalette, QColor

from app.canvas.containment import enclosing_boundary, innermost_boundary
from app.canvas.flows import label_size
from app.canvas.routing import LabelPlacer, Route, clip_to_outline, lane_offsets, route
from app.canvas.symbols import outline_path, paint_symbol, text_rect
from app.canvas.theme import theme_for
from app.model.types import ElementKind

RECT = QRectF(0, 0, 150, 70)


def _grey_symbol(kind: ElementKind) -> bytes:
    """The symbol as a small greyscale picture: colour must not be what tells kinds apart."""
    theme = theme_for(QPalette())
    image = QImage(150, 70, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    paint_symbol(p, kind, RECT.adjusted(2, 2, -2, -2), theme)
    p.end()
    return bytes(image.convertToFormat(QImage.Format.Format_Grayscale8).scaled(75, 35).constBits())


def test_every_kind_has_its_own_symbol_even_in_greyscale(qapp):
    pictures = {kind: _grey_symbol(kind) for kind in ElementKind}
    assert len(set(pictures.values())) == len(ElementKind)


def test_symbols_paint_in_light_and_dark(qapp):
    for palette in (QPalette(), QPalette(QColor("#202020"))):
        theme = theme_for(palette)
        image = QImage(200, 100, QImage.Format.Format_ARGB32)
        image.fill(theme.background)
        p = QPainter(image)
        for kind in ElementKind:
            paint_symbol(p, kind, QRectF(10, 10, 150, 70), theme)
        p.end()
        assert image.pixelColor(85, 10) != theme.background  # the outline is drawn
    assert theme_for(QPalette(QColor("#202020"))).dark and not theme_for(QPalette()).dark


def test_text_stays_inside_the_symbol(qapp):
    for kind in ElementKind:
        t = text_rect(kind, RECT)
        assert RECT.contains(t), kind


def test_clip_finds_the_border_of_a_concave_outline(qapp):
    poly = outline_path(ElementKind.LABELLER, RECT).toSubpathPolygons()[0]
    inside = QPointF(75, 35)
    hit = clip_to_outline(inside, QPointF(-100, 35), poly)
    assert hit.x() == pytest.approx(0, abs=0.5)  # the tag's tip
    hit = clip_to_outline(inside, QPointF(75, 500), poly)
    assert hit.y() == pytest.approx(70, abs=0.5)
    assert clip_to_outline(inside, QPointF(80, 40), poly) == inside  # both ends inside: unchanged


def test_route_runs_border_to_border_and_lanes_separate_parallel_flows(qapp):
    a = outline_path(ElementKind.ACTOR, QRectF(0, 0, 100, 50)).toFillPolygon()
    b = outline_path(ElementKind.ACTOR, QRectF(300, 0, 100, 50)).toFillPolygon()
    ca, cb = QPointF(50, 25), QPointF(350, 25)
    straight = route(ca, a, cb, b)
    assert straight.points[0].x() == pytest.approx(100) and straight.points[-1].x() == pytest.approx(300)
    lanes = lane_offsets(2)
    one, two = route(ca, a, cb, b, lane=lanes[0]), route(ca, a, cb, b, lane=lanes[1])
    assert abs(one.points[0].y() - two.points[0].y()) == pytest.approx(abs(lanes[0] - lanes[1]))
    bent = route(ca, a, cb, b, waypoints=[QPointF(200, 200)])
    assert len(bent.points) == 3 and bent.points[1] == QPointF(200, 200)
    assert bent.length() > straight.length()


def test_point_at_walks_the_polyline(qapp):
    r = Route((QPointF(0, 0), QPointF(100, 0), QPointF(100, 100)))
    p, d = r.point_at(0.5)
    assert (p.x(), p.y()) == (100, 0) and (d.x(), d.y()) == (1, 0)
    p, d = r.point_at(0.75)
    assert (p.x(), p.y()) == (100, 50) and (d.x(), d.y()) == (0, 1)


def test_point_xy_is_point_at_in_numbers(qapp):
    r = Route((QPointF(0, 0), QPointF(100, 0), QPointF(100, 100)))
    for fraction in (0.0, 0.3, 0.5, 0.75, 1.0):
        p, d = r.point_at(fraction)
        assert r.point_xy(fraction) == (p.x(), p.y(), d.x(), d.y())


def test_label_size_wraps_to_the_width_asked_for_each_time(qapp):
    text = "prompts, retrieved documents, tool results"
    narrow, wide = label_size(text, 60), label_size(text, 170)
    assert narrow[2].count("\n") > wide[2].count("\n") and narrow[0] < wide[0]
    assert label_size(text, 60) == narrow and label_size(text, 170) == wide  # remembered, per width


def test_label_placer_avoids_nodes_and_other_labels(qapp):
    placer = LabelPlacer()
    placer.set_obstacle("node", QRectF(40, -20, 40, 40))  # sits on the line's middle
    r = Route((QPointF(0, 0), QPointF(400, 0)))
    first = placer.place(r, QSizeF(60, 16), "f1")
    assert not first.intersects(QRectF(40, -20, 40, 40))
    second = placer.place(r, QSizeF(60, 16), "f2")
    assert not second.intersects(first)
    # moving an obstacle away frees its space
    placer.remove_obstacle("f1")
    again = placer.place(r, QSizeF(60, 16), "f1")
    assert not again.intersects(second)


def test_membership_by_geometry(qapp):
    boundaries = {"outer": QRectF(0, 0, 1000, 1000), "inner": QRectF(100, 100, 300, 300)}
    assert innermost_boundary(QRectF(150, 150, 50, 50), boundaries) == "inner"
    assert innermost_boundary(QRectF(600, 600, 50, 50), boundaries) == "outer"
    assert innermost_boundary(QRectF(2000, 0, 50, 50), boundaries) is None
    assert enclosing_boundary("inner", boundaries["inner"], boundaries) == "outer"
    assert enclosing_boundary("outer", boundaries["outer"], boundaries) is None
    # two equal rectangles never contain each other (no cycles)
    twins = {"a": QRectF(0, 0, 10, 10), "b": QRectF(0, 0, 10, 10)}
    assert enclosing_boundary("a", twins["a"], twins) is None
