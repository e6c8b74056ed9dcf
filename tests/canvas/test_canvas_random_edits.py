"""Random canvas edits (hypothesis): the scene always mirrors the model, and undo goes back to the start.

Each example starts from the RAG example, applies a random sequence of canvas
operations through :class:`CanvasEditor` (the layer every gesture goes
through), checks after every step that the scene shows exactly the model,
then undoes everything (the model must equal the start, byte for byte) and
redoes everything (it must equal the end).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QPointF, QRectF

from app.canvas.scene import DiagramScene
from app.canvas.operations import CanvasEditor
from app.document import Document
from app.model import dumps_model, load_model
from app.model.types import ElementKind
from app.resources import examples_dir

START = load_model(examples_dir() / "rag-support-assistant.tcm.json")
KINDS = [k.value for k in ElementKind] + ["boundary"]


def assert_mirrors(scene: DiagramScene, doc: Document) -> None:
    m = doc.model
    assert set(scene.nodes) == {e.id for e in m.elements}
    assert set(scene.flows) == {f.id for f in m.flows}
    assert set(scene.boundaries) == {b.id for b in m.boundaries}
    for e in m.elements:
        node = scene.nodes[e.id]
        assert node.name == e.name and node.kind is e.element_kind
        r = m.layout.elements.get(e.id)
        if r is not None:
            assert node.scene_rect() == QRectF(r.x, r.y, r.w, r.h)
    for b in m.boundaries:
        item = scene.boundaries[b.id]
        r = m.layout.boundaries.get(b.id)
        assert item.name == b.name
        if r is not None:
            assert item.scene_rect() == QRectF(r.x, r.y, r.w, r.h)
        assert item.zValue() == -100 + len(doc.ancestors(b.id))
    for f in m.flows:
        item = scene.flows[f.id]
        assert item.name == f.name
        start, end = item.endpoints()
        # each end touches (or lies within) its element's box
        assert scene.nodes[f.source].scene_rect().adjusted(-1, -1, 1, 1).contains(start)
        assert scene.nodes[f.target].scene_rect().adjusted(-1, -1, 1, 1).contains(end)
    assert set(scene.selected_ids()) <= m.all_ids()


def apply_random_op(data, editor: CanvasEditor, doc: Document) -> None:
    m = doc.model
    elements = [e.id for e in m.elements]
    movable = elements + [b.id for b in m.boundaries]
    op = data.draw(st.sampled_from(
        ["place", "move", "nudge", "resize", "connect", "reconnect", "rename", "delete", "paste", "align"]
    ))
    coord = st.integers(-300, 1800)
    if op == "place":
        editor.place_element(data.draw(st.sampled_from(KINDS)), QPointF(data.draw(coord), data.draw(coord)))
    elif op in ("move", "nudge") and movable:
        ids = data.draw(st.lists(st.sampled_from(movable), min_size=1, max_size=3, unique=True))
        dx, dy = data.draw(st.integers(-400, 400)), data.draw(st.integers(-400, 400))
        editor.move(ids, float(dx if op == "move" else 10), float(dy if op == "move" else 0), nudge=op == "nudge")
    elif op == "resize" and m.boundaries:
        bid = data.draw(st.sampled_from([b.id for b in m.boundaries]))
        r = editor.rect_of(bid)
        editor.resize(bid, QRectF(r.x(), r.y(), data.draw(st.integers(10, 1500)), data.draw(st.integers(10, 900))))
    elif op == "connect" and len(elements) >= 2:
        a, b = data.draw(st.lists(st.sampled_from(elements), min_size=2, max_size=2, unique=True))
        editor.connect(a, b, name=data.draw(st.sampled_from(["", "data", "Ünïcode → flow"])))
    elif op == "reconnect" and m.flows and elements:
        f = data.draw(st.sampled_from(list(m.flows)))
        editor.reconnect(f.id, data.draw(st.sampled_from(["source", "target"])), data.draw(st.sampled_from(elements)))
    elif op == "rename" and (elements or m.flows):
        ident = data.draw(st.sampled_from(elements + [f.id for f in m.flows] + [b.id for b in m.boundaries]))
        editor.rename(ident, data.draw(st.sampled_from(["", "A", "<b>markup</b>", "x" * 300])))
    elif op == "delete" and m.all_ids():
        editor.delete(data.draw(st.lists(st.sampled_from(sorted(m.all_ids())), min_size=1, max_size=3, unique=True)))
    elif op == "paste" and movable:
        ids = data.draw(st.lists(st.sampled_from(movable), min_size=1, max_size=4, unique=True))
        editor.paste(doc.fragment(ids), (float(data.draw(st.integers(-50, 500))), 40.0))
    elif op == "align" and len(movable) >= 2:
        ids = data.draw(st.lists(st.sampled_from(movable), min_size=2, max_size=4, unique=True))
        editor.align(ids, data.draw(st.sampled_from(["left", "hcenter", "right", "top", "vcenter", "bottom"])))


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_random_canvas_edits_mirror_and_undo_back_to_the_start(qapp, data):
    doc = Document(START)
    scene = DiagramScene(doc)
    editor = CanvasEditor(doc, scene)
    steps = data.draw(st.integers(1, 8))
    for _ in range(steps):
        apply_random_op(data, editor, doc)
        assert_mirrors(scene, doc)
    end = dumps_model(doc.model)
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert dumps_model(doc.model) == dumps_model(START)
    assert_mirrors(scene, doc)
    while doc.undo_stack.canRedo():
        doc.undo_stack.redo()
    assert dumps_model(doc.model) == end
    assert_mirrors(scene, doc)
    scene.deleteLater()
