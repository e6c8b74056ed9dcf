"""Drawing on the canvas with real mouse and keyboard input: place, move, connect, rename, select, delete."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QMimeData, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.canvas.theme import GRID, NODE_H, NODE_W
from app.canvas.view import MIME_KIND
from app.model.types import ElementKind

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def on_border(node, p: QPointF, tolerance: float = 1.0) -> bool:
    """Whether ``p`` lies on the node's silhouette (within ``tolerance``)."""
    poly = node.scene_outline_polygon()
    best = float("inf")
    for i in range(poly.size()):
        a, b = poly.at(i), poly.at((i + 1) % poly.size())
        ab, ap = b - a, p - a
        length2 = ab.x() ** 2 + ab.y() ** 2 or 1.0
        t = max(0.0, min(1.0, (ap.x() * ab.x() + ap.y() * ab.y()) / length2))
        q = a + ab * t
        best = min(best, ((p.x() - q.x()) ** 2 + (p.y() - q.y()) ** 2) ** 0.5)
    return best <= tolerance


def centre(window, ident) -> QPointF:
    return window.canvas.scene.nodes[ident].scene_rect().center()


def test_click_palette_then_canvas_places_a_snapped_element(window, ui):
    ident = ui.place("model", (307, 203))
    doc = window.document
    e = doc.element(ident)
    assert e is not None and e.element_kind is ElementKind.MODEL and e.name == "Model"
    r = doc.rect(ident)
    assert (r.x % GRID, r.y % GRID) == (0, 0)
    assert abs(r.x + NODE_W / 2 - 307) <= GRID and abs(r.y + NODE_H / 2 - 203) <= GRID
    assert window.selection.ids() == [ident]
    assert doc.undo_stack.count() == 1
    # the place tool is one-shot: the next click selects instead of placing
    ui.click((900, 900))
    assert len(doc.model.elements) == 1


def test_drop_from_palette_places_the_kind(window, ui):
    data = window.palette_panel.mimeData([window.palette_panel.item_for("retriever")])
    assert data.hasFormat(MIME_KIND)
    pos = QPointF(ui.at((400, 300)))
    actions = Qt.DropAction.CopyAction
    for ev in (
        QDragEnterEvent(pos.toPoint(), actions, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier),
        QDragMoveEvent(pos.toPoint(), actions, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier),
        QDropEvent(pos, actions, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier),
    ):
        QApplication.sendEvent(ui.vp, ev)
        assert ev.isAccepted()
    (e,) = window.document.model.elements
    assert e.element_kind is ElementKind.RETRIEVER
    r = window.document.rect(e.id)
    assert abs(r.x + r.w / 2 - 400) <= GRID and abs(r.y + r.h / 2 - 300) <= GRID


def test_foreign_drop_is_ignored(window, ui):
    data = QMimeData()
    data.setData("text/plain", QByteArray(b"actor"))
    ev = QDropEvent(QPointF(ui.at((100, 100))), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(ui.vp, ev)
    assert window.document.model.elements == ()


def test_drag_moves_with_snapping_in_one_undo_step(window, ui):
    a = ui.place("process", (200, 200))
    before = window.document.rect(a)
    ui.drag(centre(window, a), centre(window, a) + QPointF(133, 58))
    after = window.document.rect(a)
    assert (after.x - before.x, after.y - before.y) == (130.0, 60.0)
    assert window.document.undo_stack.count() == 2
    window.actions.undo.trigger()
    assert window.document.rect(a) == before
    assert window.canvas.scene.nodes[a].pos() == QPointF(before.x, before.y)


def test_escape_during_a_drag_cancels_it(window, ui):
    a = ui.place("process", (200, 200))
    before = window.document.rect(a)
    start = ui.at(centre(window, a))
    QTest.mousePress(ui.vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QMouseEvent

    p = QPointF(start.x() + 80, start.y() + 40)
    QApplication.sendEvent(ui.vp, QMouseEvent(QEvent.Type.MouseMove, p, ui.vp.mapToGlobal(p), Qt.MouseButton.NoButton,
                                              Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    assert window.canvas.scene.nodes[a].pos() != QPointF(before.x, before.y)  # previewed
    QTest.keyClick(ui.view, Qt.Key.Key_Escape)
    QTest.mouseRelease(ui.vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, p.toPoint())
    assert window.document.rect(a) == before
    assert window.canvas.scene.nodes[a].pos() == QPointF(before.x, before.y)
    assert window.document.undo_stack.count() == 1


def test_connect_by_dragging_from_the_handle(window, ui):
    a = ui.place("actor", (150, 200))
    b = ui.place("process", (500, 260))
    handle = window.canvas.scene.nodes[a].scene_handle_center()
    ui.drag(handle, centre(window, b))
    (flow,) = window.document.model.flows
    assert (flow.source, flow.target) == (a, b)
    assert window.selection.ids() == [flow.id]
    # the route starts and ends on the two borders, with the arrow at the target
    item = window.canvas.scene.flows[flow.id]
    start, end = item.endpoints()
    assert on_border(window.canvas.scene.nodes[a], start)
    assert on_border(window.canvas.scene.nodes[b], end)


def test_connecting_to_empty_canvas_or_itself_adds_nothing(window, ui):
    a = ui.place("actor", (150, 200))
    handle = window.canvas.scene.nodes[a].scene_handle_center()
    ui.drag(handle, QPointF(600, 600))
    ui.drag(handle, centre(window, a))
    assert window.document.model.flows == ()
    assert window.canvas.scene.items() and all(i.zValue() < 1000 for i in window.canvas.scene.items())  # no rubber line left


def test_moving_a_node_reroutes_its_flows(window, ui):
    a = ui.place("actor", (150, 200))
    b = ui.place("process", (500, 200))
    ui.drag(window.canvas.scene.nodes[a].scene_handle_center(), centre(window, b))
    fid = window.document.model.flows[0].id
    _, end_before = window.canvas.scene.flows[fid].endpoints()
    ui.drag(centre(window, b), centre(window, b) + QPointF(0, 200))
    _, end_after = window.canvas.scene.flows[fid].endpoints()
    assert end_after.y() > end_before.y() + 100


def test_reconnect_a_flow_end_by_dragging_it(window, ui):
    a = ui.place("actor", (150, 200))
    b = ui.place("process", (500, 200))
    c = ui.place("tool", (500, 450))
    ui.drag(window.canvas.scene.nodes[a].scene_handle_center(), centre(window, b))
    fid = window.document.model.flows[0].id
    assert window.selection.ids() == [fid]
    _, end = window.canvas.scene.flows[fid].endpoints()
    ui.drag(end, centre(window, c))
    assert window.document.flow(fid).target == c
    assert window.document.flow(fid).source == a


def test_inline_rename_by_double_click_and_f2(window, ui):
    a = ui.place("datastore", (300, 300))
    ui.rename_inline(centre(window, a), "Vector store")
    assert window.document.element(a).name == "Vector store"
    window.selection.set([a])
    ui.view.setFocus()
    QTest.keyClick(ui.view, Qt.Key.Key_F2)
    inline = window.canvas.inline
    assert inline.isVisible() and inline.text() == "Vector store"
    QTest.keyClicks(inline, "Ignored")
    QTest.keyClick(inline, Qt.Key.Key_Escape)
    assert window.document.element(a).name == "Vector store"
    assert window.document.undo_stack.count() == 2


def test_empty_name_is_refused_with_a_message(window, ui):
    a = ui.place("datastore", (300, 300))
    ui.double_click(centre(window, a))
    inline = window.canvas.inline
    QTest.keyClick(inline, Qt.Key.Key_A, CTRL)
    QTest.keyClick(inline, Qt.Key.Key_Delete)
    QTest.keyClick(inline, Qt.Key.Key_Return)
    assert window.document.element(a).name == "Datastore"
    assert "Not done" in window.statusBar().currentMessage()


def test_shift_click_and_rubber_band_select_several(window, ui):
    a = ui.place("actor", (150, 150))
    b = ui.place("process", (400, 150))
    c = ui.place("tool", (650, 150))
    ui.click(centre(window, a))
    ui.click(centre(window, b), SHIFT)
    assert window.selection.ids() == [a, b]
    ui.click(centre(window, a), CTRL)
    assert window.selection.ids() == [b]
    ui.click((400, 600))
    assert window.selection.ids() == []
    ui.drag((40, 60), (760, 260))
    assert sorted(window.selection.ids()) == sorted([a, b, c])


def test_delete_cascades_to_flows_and_undo_restores_both(window, ui):
    a = ui.place("actor", (150, 200))
    b = ui.place("process", (500, 200))
    ui.drag(window.canvas.scene.nodes[a].scene_handle_center(), centre(window, b))
    ui.click(centre(window, b))
    ui.view.setFocus()
    QTest.keyClick(ui.view, Qt.Key.Key_Delete)
    assert [e.id for e in window.document.model.elements] == [a]
    assert window.document.model.flows == ()
    assert set(window.canvas.scene.flows) == set() and set(window.canvas.scene.nodes) == {a}
    window.actions.undo.trigger()
    assert len(window.document.model.flows) == 1 and len(window.canvas.scene.flows) == 1


def test_arrow_nudges_merge_into_one_undo_step(window, ui):
    a = ui.place("actor", (150, 200))
    before = window.document.rect(a)
    ui.view.setFocus()
    for _ in range(3):
        QTest.keyClick(ui.view, Qt.Key.Key_Right)
    QTest.keyClick(ui.view, Qt.Key.Key_Down, SHIFT)
    after = window.document.rect(a)
    assert (after.x - before.x, after.y - before.y) == (3 * GRID, 5 * GRID)
    assert window.document.undo_stack.count() == 2
    window.actions.undo.trigger()
    assert window.document.rect(a) == before


def test_the_canvas_grows_to_take_in_what_moves_away(window, ui):
    a = ui.place("actor", (150, 200))
    b = ui.place("process", (500, 200))
    ui.drag(window.canvas.scene.nodes[a].scene_handle_center(), centre(window, b))
    scene = window.canvas.scene
    window.selection.set([b])
    ui.view.setFocus()
    for _ in range(70):  # 70 × five grid steps: far beyond the margin the canvas had
        QTest.keyClick(ui.view, Qt.Key.Key_Right, SHIFT)
    node = scene.nodes[b].sceneBoundingRect()
    flow = scene.flows[window.document.model.flows[0].id]
    assert node.right() > 3000
    for item in (scene.nodes[b], flow, flow.label_item):
        assert scene.sceneRect().contains(item.sceneBoundingRect().adjusted(-500, -500, 500, 500))


def test_tab_walks_elements_in_id_order(window, ui):
    ids = [ui.place(k, (150 + 250 * i, 200)) for i, k in enumerate(("actor", "process", "model"))]
    window.selection.clear()
    ui.view.setFocus()
    seen = []
    for _ in range(4):
        QTest.keyClick(ui.view, Qt.Key.Key_Tab)
        seen.append(window.selection.current())
    assert seen == [*ids, ids[0]]
    QTest.keyClick(ui.view, Qt.Key.Key_Backtab, SHIFT)
    assert window.selection.current() == ids[-1]
    assert ui.view.hasFocus()
    QTest.keyClick(ui.view, Qt.Key.Key_Tab, CTRL)  # Ctrl+Tab leaves the canvas
    assert not ui.view.hasFocus()
    assert window.selection.current() == ids[-1]


def test_boundary_drawn_around_elements_takes_them_in(window, ui):
    a = ui.place("actor", (150, 200))
    b = ui.place("process", (500, 200))
    ui.palette_click("boundary")
    ui.drag((40, 100), (300, 320))
    (bd,) = window.document.model.boundaries
    assert bd.members == (a,)
    r = window.document.rect(bd.id)
    assert (r.x, r.y, r.w, r.h) == (40.0, 100.0, 260.0, 220.0)
    # dragging b inside makes it a member, in the same undo step as the move
    count = window.document.undo_stack.count()
    ui.drag(centre(window, b), QPointF(200, 280))
    assert set(window.document.boundary(bd.id).members) == {a, b}
    assert window.document.undo_stack.count() == count + 1
    window.actions.undo.trigger()
    assert window.document.boundary(bd.id).members == (a,)


def test_resize_boundary_by_its_grip_changes_membership(window, ui):
    a = ui.place("actor", (150, 200))
    b = ui.place("process", (500, 200))
    ui.palette_click("boundary")
    ui.drag((40, 100), (300, 320))
    bid = window.document.model.boundaries[0].id
    ui.click((40, 200))  # on its left border: selects it
    assert window.selection.ids() == [bid]
    ui.drag((300, 320), (640, 340))
    r = window.document.rect(bid)
    assert (r.w, r.h) == (600.0, 240.0)
    assert set(window.document.boundary(bid).members) == {a, b}


def test_moving_a_boundary_carries_its_content(window, ui):
    a = ui.place("actor", (150, 200))
    ui.palette_click("boundary")
    ui.drag((40, 100), (300, 320))
    bid = window.document.model.boundaries[0].id
    before = window.document.rect(a)
    ui.drag((60, 111), (160, 211))  # grab the title
    assert (window.document.rect(bid).x, window.document.rect(bid).y) == (140.0, 200.0)
    after = window.document.rect(a)
    assert (after.x - before.x, after.y - before.y) == (100.0, 100.0)
    assert window.document.boundary(bid).members == (a,)
    assert window.document.undo_stack.count() == 3


def test_nested_boundary_gets_its_parent_from_geometry(window, ui):
    ui.palette_click("boundary")
    ui.drag((0, 0), (800, 600))
    ui.palette_click("boundary")
    ui.drag((100, 100), (400, 400))
    outer, inner = window.document.model.boundaries
    assert window.document.boundary(inner.id).parent == outer.id
    assert window.canvas.scene.boundaries[inner.id].zValue() > window.canvas.scene.boundaries[outer.id].zValue()


def test_align_and_distribute(window, ui):
    ids = [ui.place("actor", (150 + 230 * i, 150 + 40 * i)) for i in range(3)]
    window.selection.set(ids)
    window.actions.align_top.trigger()
    assert len({window.document.rect(i).y for i in ids}) == 1
    window.actions.distribute_h.trigger()
    xs = sorted(window.document.rect(i).x for i in ids)
    assert abs((xs[1] - xs[0]) - (xs[2] - xs[1])) < 1e-6


def test_zoom_with_wheel_keys_and_fit(window, ui):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QWheelEvent

    ui.place("actor", (150, 200))
    view = ui.view
    z0 = view.zoom()
    pos = QPointF(ui.at((150, 200)))
    ev = QWheelEvent(pos, view.viewport().mapToGlobal(pos), QPoint(0, 0), QPoint(0, 120), Qt.MouseButton.NoButton,
                     Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), ev)
    assert view.zoom() > z0
    # the point under the cursor stays put while zooming
    assert (view.mapToScene(pos.toPoint()) - QPointF(150, 200)).manhattanLength() < 3
    ui.shortcut("Ctrl+0")
    assert view.zoom() == 1.0
    ui.shortcut("Ctrl+-")
    assert view.zoom() < 1.0
    ui.shortcut("Ctrl+=")
    assert abs(view.zoom() - 1.0) < 1e-9
    assert window.zoom_label.text() == "100 %"


def test_zoomed_far_out_the_overview_follows_edits(window, ui):
    """Far out the diagram is drawn as the view's background: an edit must show at once."""
    from app.canvas.overview import OVERVIEW_ZOOM

    ui.place("actor", (150, 200))
    view = ui.view
    while view.zoom() >= OVERVIEW_ZOOM:
        ui.shortcut("Ctrl+-")
    assert window.canvas.scene.overview_mode
    view.centerOn(QPointF(150, 200))
    before = view.viewport().grab().toImage()
    ui.key(Qt.Key.Key_Delete)
    assert not window.document.model.elements
    assert view.viewport().grab().toImage() != before


def test_pan_with_middle_button_and_space_drag(window, ui):
    view = ui.view
    ui.place("actor", (150, 200))
    before = view.mapToScene(view.viewport().rect().center())
    ui.drag((400, 400), (300, 350), button=Qt.MouseButton.MiddleButton)
    moved = view.mapToScene(view.viewport().rect().center()) - before
    assert abs(moved.x() - 100) < 3 and abs(moved.y() - 50) < 3
    before = view.mapToScene(view.viewport().rect().center())
    view.setFocus()
    QTest.keyPress(view, Qt.Key.Key_Space)
    ui.drag((400, 400), (350, 400))
    QTest.keyRelease(view, Qt.Key.Key_Space)
    moved = view.mapToScene(view.viewport().rect().center()) - before
    assert abs(moved.x() - 50) < 3
    assert len(window.document.model.elements) == 1 and window.document.undo_stack.count() == 1


def test_badges_and_tooltips_come_from_the_analysis(window, ui):
    a = ui.place("actor", (150, 200))
    b = ui.place("process", (500, 200))
    ui.drag(window.canvas.scene.nodes[a].scene_handle_center(), centre(window, b))
    fid = window.document.model.flows[0].id
    item = window.canvas.scene.flows[fid]
    assert item.badge is not None and item.badge.count == 1
    assert "1 finding" in item.toolTip() and "Test threat on" in item.toolTip()
    assert item.label_item.toolTip() == item.toolTip()
    window.actions.annotations.trigger()
    assert not item.annotations_visible
    window.actions.annotations.trigger()
    assert item.annotations_visible


def test_tooltips_follow_the_findings_after_an_edit(window, ui):
    """A re-analysis rewrites the tooltips whose findings changed and keeps the others."""
    a = ui.place("actor", (150, 200))
    b = ui.place("process", (500, 200))
    c = ui.place("tool", (500, 450))
    ui.drag(window.canvas.scene.nodes[a].scene_handle_center(), centre(window, b))
    ui.drag(window.canvas.scene.nodes[b].scene_handle_center(), centre(window, c))
    first, second = (window.canvas.scene.flows[f.id] for f in window.document.model.flows)
    kept = second.toolTip()
    window.selection.set([first.item_id])
    ui.set_field("name", "card numbers")
    assert "Test threat on card numbers" in first.toolTip()  # the fake analysis names the flow
    assert first.label_item.toolTip() == first.toolTip()
    assert second.toolTip() == kept


def test_status_bar_counts_and_analysis_state(window, ui):
    a = ui.place("actor", (150, 200))
    b = ui.place("process", (500, 200))
    ui.drag(window.canvas.scene.nodes[a].scene_handle_center(), centre(window, b))
    assert window.counts_label.text() == "2 elements · 1 flows · 0 boundaries"
    assert window.analysis_label.text().startswith("Analysis: 1 findings")


def test_resize_an_element_by_its_corner_grips(window, ui):
    a = ui.place("process", (200, 200))
    b = ui.place("datastore", (600, 200))
    ui.click(centre(window, a))
    assert window.selection.ids() == [a]
    r, rb = window.document.rect(a), window.document.rect(b)
    QTest.mouseMove(ui.vp, ui.at((r.x + r.w + 4, r.y + r.h + 4)))  # hovering a grip shows how it resizes
    assert ui.vp.cursor().shape() == Qt.CursorShape.SizeFDiagCursor
    QTest.mouseMove(ui.vp, ui.at((r.x + r.w / 2, r.y + r.h / 2)))
    assert ui.vp.cursor().shape() == Qt.CursorShape.ArrowCursor
    # the bottom-right grip sits on the corner of the dashed selection frame, 4 units out
    ui.drag((r.x + r.w + 4, r.y + r.h + 4), (r.x + r.w + 104, r.y + r.h + 44))
    r2 = window.document.rect(a)
    assert (r2.x, r2.y, r2.w, r2.h) == (r.x, r.y, r.w + 100, r.h + 40)
    assert window.canvas.scene.nodes[a].scene_rect().width() == r.w + 100
    # the top-left grip: the opposite corner stays put, and the element keeps a minimum size
    ui.drag((r2.x - 4, r2.y - 4), (r2.x + 900, r2.y + 900))
    r3 = window.document.rect(a)
    assert (r3.w, r3.h) == (40.0, 40.0)
    assert (r3.x + r3.w, r3.y + r3.h) == (r2.x + r2.w, r2.y + r2.h)
    assert window.document.rect(b) == rb  # only the grabbed element changes
    window.actions.undo.trigger()
    assert window.document.rect(a) == r2
    window.actions.undo.trigger()
    assert window.document.rect(a) == r
    # an element that is not selected has no grips: the same press moves nothing's size
    ui.click((900, 600))  # empty canvas: clears the selection
    ui.drag((r.x + r.w + 4, r.y + r.h + 4), (r.x + r.w + 104, r.y + r.h + 44))
    assert (window.document.rect(a).w, window.document.rect(a).h) == (r.w, r.h)
