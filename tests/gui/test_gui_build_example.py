"""Build the RAG example from an empty canvas with the mouse and keyboard, save, reopen, undo, redo.

Every element is placed from the palette by clicking, renamed inline by
double-clicking it, and given its properties through the inspector's widgets;
boundaries are drawn by dragging and take their members from the geometry;
flows are drawn by dragging from a node's handle to another node. The result
must have the same content as the example file (ids are generated, so they
are mapped back before comparing), survive save and reopen unchanged, undo
back to an empty model and redo to the same model.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog

from app.model import PROPERTY_CLASSES, ModelInfo, ThreatModel, dumps_model, load_model
from app.model.elements import FlowProperties
from app.resources import examples_dir

EXAMPLE = "rag-support-assistant.tcm.json"


def relabel(model: ThreatModel, mapping: dict[str, str]) -> dict:
    """The model's content (info, elements, boundaries, flows) with ids renamed by ``mapping``."""
    data = model.model_dump(mode="json")
    m = lambda i: mapping.get(i, i)  # noqa: E731
    for e in data["elements"]:
        e["id"] = m(e["id"])
    for b in data["boundaries"]:
        b["id"], b["parent"] = m(b["id"]), (m(b["parent"]) if b["parent"] else None)
        b["members"] = sorted(m(x) for x in b["members"])
    for f in data["flows"]:
        f["id"], f["source"], f["target"] = m(f["id"]), m(f["source"]), m(f["target"])
    return {
        "info": data["info"],
        "elements": sorted(data["elements"], key=lambda e: e["id"]),
        "boundaries": sorted(data["boundaries"], key=lambda b: b["id"]),
        "flows": sorted(data["flows"], key=lambda f: f["id"]),
    }


def non_default(obj, cls) -> dict:
    """Fields of ``obj`` that differ from ``cls``'s defaults, in field order."""
    default = cls()
    return {k: getattr(obj, k) for k in cls.model_fields if getattr(obj, k) != getattr(default, k)}


def test_build_rag_example_with_real_gestures(make_window, tmp_path, monkeypatch):
    from gui_support import UI

    target = load_model(examples_dir() / EXAMPLE)
    window = make_window()
    window.resize(1700, 1100)
    ui = UI(None, window)
    doc = window.document
    layout = target.layout
    mapping: dict[str, str] = {}  # built id -> example id

    # see the whole drawing area at once
    ui.shortcut("Ctrl+0")
    ui.shortcut("Ctrl+-")
    ui.shortcut("Ctrl+-")
    ui.view.centerOn(QPointF(800, 300))

    # -- elements: place, rename inline, set properties and controls in the inspector
    for e in target.elements:
        r = layout.elements[e.id]
        ident = ui.place(e.kind, (r.x + r.w / 2, r.y + r.h / 2))
        mapping[ident] = e.id
        got = doc.rect(ident)
        assert (got.x, got.y, got.w, got.h) == (r.x, r.y, r.w, r.h), e.id
        ui.rename_inline((r.x + r.w / 2, r.y + r.h / 2), e.name)
        assert window.inspector.shown_id() == ident
        if e.description:
            ui.set_field("description", e.description)
        for name, value in non_default(e.properties, PROPERTY_CLASSES[e.element_kind]).items():
            ui.set_field(f"properties.{name}", value)
        if e.controls:
            ui.set_field("controls", e.controls)
        assert doc.element(ident).properties == e.properties, (e.id, non_default(doc.element(ident).properties, PROPERTY_CLASSES[e.element_kind]))
        assert doc.element(ident).controls == e.controls, e.id

    # -- boundaries: drawn by dragging; membership and nesting follow the geometry
    for b in sorted(target.boundaries, key=lambda b: b.parent is not None):
        r = layout.boundaries[b.id]
        ui.palette_click("boundary")
        ui.drag((r.x, r.y), (r.x + r.w, r.y + r.h))
        ident = window.selection.current()
        assert doc.kind_of(ident) == "boundary"
        mapping[ident] = b.id
        ui.set_field("name", b.name)
        if b.description:
            ui.set_field("description", b.description)
    inverse = {v: k for k, v in mapping.items()}
    for b in target.boundaries:
        built = doc.boundary(inverse[b.id])
        assert sorted(mapping[m] for m in built.members) == sorted(b.members), b.id
        assert (mapping[built.parent] if built.parent else None) == b.parent, b.id

    # -- flows: drag from the source's handle onto the target, then name and properties
    for f in target.flows:
        QTest.keyClick(ui.view, Qt.Key.Key_Escape)  # nothing selected: start from a clean slate
        src, dst = window.canvas.scene.nodes[inverse[f.source]], window.canvas.scene.nodes[inverse[f.target]]
        ui.drag(src.scene_handle_center(), dst.scene_rect().center())
        ident = window.selection.current()
        assert doc.kind_of(ident) == "flow", f.id
        mapping[ident] = f.id
        ui.set_field("name", f.name)
        if f.carries:
            ui.set_field("carries", f.carries)
        for name, value in non_default(f.properties, FlowProperties).items():
            ui.set_field(f"properties.{name}", value)
        assert doc.flow(ident).properties == f.properties, f.id

    # -- the model's information, with nothing selected
    QTest.keyClick(ui.view, Qt.Key.Key_Escape)
    for name, value in non_default(target.info, ModelInfo).items():
        ui.set_field(f"info.{name}", value)

    built = doc.model
    assert relabel(built, mapping) == relabel(target, {})

    # -- save (Ctrl+S asks where, the first time), reopen in another window
    path = tmp_path / "built.tcm.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    ui.shortcut("Ctrl+S")
    assert path.exists() and not doc.is_modified(), (QApplication.activeWindow(), QApplication.focusWidget(), QApplication.activePopupWidget())
    assert "built.tcm.json" in window.windowTitle()
    other = make_window()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    other.actions.open.trigger()
    assert dumps_model(other.document.model) == dumps_model(built)
    assert relabel(other.document.model, mapping) == relabel(target, {})
    assert len(other.canvas.scene.nodes) == len(target.elements)
    assert len(other.canvas.scene.flows) == len(target.flows)

    # -- undo everything: empty; redo everything: the same model
    steps = doc.undo_stack.count()
    assert steps > len(target.elements) + len(target.flows)
    ui.view.setFocus()
    while doc.undo_stack.canUndo():
        ui.shortcut("Ctrl+Z")
    assert doc.model == ThreatModel()
    assert not window.canvas.scene.nodes and not window.canvas.scene.flows and not window.canvas.scene.boundaries
    while doc.undo_stack.canRedo():
        ui.shortcut("Ctrl+Shift+Z")
    assert dumps_model(doc.model) == dumps_model(built)
    assert not doc.is_modified()
    assert len(window.canvas.scene.flows) == len(target.flows)

