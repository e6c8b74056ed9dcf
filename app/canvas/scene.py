"""The diagram scene: a mirror of the Document, kept in step by its signals.

The scene owns one graphics item per element, flow and boundary, found through
id↔item maps, and never changes the model: the Document's past-tense signals
tell it what changed, and it reads the new state from ``document.model``.
Interaction tools may *preview* geometry (a node following the mouse) with
:meth:`DiagramScene.preview_rects`; the committed command then makes the model
agree, and :meth:`DiagramScene.restore_geometry` puts things back on cancel.

Analysis results arrive through :meth:`DiagramScene.set_analysis` (badges and
tooltips); :meth:`DiagramScene.set_highlight` marks a finding's anchor and
witness path.
"""

from __future__ import annotations

from typing import Iterable

from PySide6.QtCore import QPointF, QRectF, QSizeF, Signal
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from app.analysis.findings import AnalysisResult
from app.canvas.badges import Badge, badges_from
from app.canvas.flows import WRAP_AT, FlowItem, label_size
from app.canvas.nodes import BoundaryItem, NodeItem
from app.canvas.overview import Overview
from app.canvas.routing import LabelPlacer, NodeGrid, detour, lane_offsets, route, segment_hits_rect
from app.canvas.theme import BOUNDARY_H, BOUNDARY_W, NODE_H, NODE_W, current_theme
from app.model import Rect, ThreatModel


def qrect(rect: Rect) -> QRectF:
    return QRectF(rect.x, rect.y, rect.w, rect.h)


def fallback_rects(model: ThreatModel) -> dict[str, QRectF]:
    """Positions for elements and boundaries the layout does not place (hand-written files).

    Unplaced elements go in a grid below everything that is placed; an unplaced
    boundary wraps its members. Deterministic, and never saved unless the user
    moves something.
    """
    layout = model.layout
    out: dict[str, QRectF] = {}
    placed = [qrect(r) for r in layout.elements.values()] + [qrect(r) for r in layout.boundaries.values()]
    bottom = max((r.bottom() for r in placed), default=0.0)
    top = bottom + 60 if placed else 40.0
    missing = [e.id for e in model.elements if e.id not in layout.elements]
    for i, ident in enumerate(missing):
        out[ident] = QRectF(40 + (i % 6) * (NODE_W + 60), top + (i // 6) * (NODE_H + 60), NODE_W, NODE_H)
    parents = {b.id: b.parent for b in model.boundaries}
    for b in sorted(model.boundaries, key=lambda b: -_depth(model, b.id, parents)):
        if b.id in layout.boundaries:
            continue
        rects = [qrect(layout.elements[m]) if m in layout.elements else out.get(m) for m in b.members]
        rects += [out.get(c.id) or (qrect(layout.boundaries[c.id]) if c.id in layout.boundaries else None)
                  for c in model.boundaries if c.parent == b.id]
        rects = [r for r in rects if r is not None]
        if rects:
            box = rects[0]
            for r in rects[1:]:
                box = box.united(r)
            out[b.id] = box.adjusted(-24, -40, 24, 24)
        else:
            out[b.id] = QRectF(40, top, BOUNDARY_W, BOUNDARY_H)
    return out


def _depth(model: ThreatModel, boundary_id: str, parents: dict | None = None) -> int:
    if parents is None:
        parents = {b.id: b.parent for b in model.boundaries}
    depth, node, seen = 0, parents.get(boundary_id), set()
    while node is not None and node not in seen:
        seen.add(node)
        depth += 1
        node = parents.get(node)
    return depth


class DiagramScene(QGraphicsScene):
    """Items for the document's model, updated from its signals."""

    rebuilt = Signal()  # after a model reset has been mirrored

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.theme = current_theme()
        self.nodes: dict[str, NodeItem] = {}
        self.flows: dict[str, FlowItem] = {}
        self.boundaries: dict[str, BoundaryItem] = {}
        self._fallback: dict[str, QRectF] = {}
        self._placer = LabelPlacer()
        self._grid = NodeGrid()
        self._pair_of: dict[str, tuple[str, str]] = {}
        self._badges: dict[str, Badge] = {}
        self._highlighted: set[str] = set()
        self.annotations_visible = True
        self._selection = None
        self._syncing = False
        self._selected_flows: set[str] = set()
        self._reshaped: set[QGraphicsItem] = set()  # items whose geometry changed since the scene rect grew
        self.selectionChanged.connect(self._on_scene_selection_changed_labels)
        self.overview = Overview(self)
        self.overview_mode = False
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        doc = document
        doc.model_reset.connect(self._on_document_model_reset)
        doc.element_added.connect(self._on_document_element_added)
        doc.element_removed.connect(self._on_document_element_removed)
        doc.element_changed.connect(self._on_document_element_changed)
        doc.flow_added.connect(self._on_document_flow_added)
        doc.flow_removed.connect(self._on_document_flow_removed)
        doc.flow_changed.connect(self._on_document_flow_changed)
        doc.boundary_added.connect(self._on_document_boundary_added)
        doc.boundary_removed.connect(self._on_document_boundary_removed)
        doc.boundary_changed.connect(self._on_document_boundary_changed)
        doc.layout_changed.connect(self._on_document_layout_changed)
        doc.revision_changed.connect(self._on_document_revision_changed)
        self.rebuild()

    # ------------------------------------------------------------ lookups
    def item_for(self, ident: str) -> QGraphicsItem | None:
        """The item showing the element, flow or boundary ``ident``."""
        return self.nodes.get(ident) or self.flows.get(ident) or self.boundaries.get(ident)

    @staticmethod
    def id_of(item: QGraphicsItem | None) -> str | None:
        return getattr(item, "item_id", None)

    def selected_ids(self) -> list[str]:
        """Ids of the selected items, elements first, then boundaries, then flows, each sorted."""
        nodes, bounds, flows = [], [], []
        for item in self.selectedItems():
            if isinstance(item, NodeItem):
                nodes.append(item.item_id)
            elif isinstance(item, BoundaryItem):
                bounds.append(item.item_id)
            elif isinstance(item, FlowItem):
                flows.append(item.item_id)
        return sorted(nodes) + sorted(bounds) + sorted(flows)

    def select_ids(self, ids: Iterable[str]) -> None:
        """Make exactly ``ids`` selected (unknown ids are ignored)."""
        wanted = set(ids)
        self.blockSignals(True)
        try:
            for item in self.selectedItems():
                if getattr(item, "item_id", None) not in wanted:
                    item.setSelected(False)
            for ident in wanted:
                item = self.item_for(ident)
                if item is not None and not item.isSelected():
                    item.setSelected(True)
        finally:
            self.blockSignals(False)
        self.selectionChanged.emit()

    def bind_selection(self, selection) -> None:
        """Keep the scene's selection and ``selection`` (a SelectionModel) in step, both ways."""
        self._selection = selection
        selection.selection_changed.connect(self._on_selection_changed)
        self.selectionChanged.connect(self._on_scene_selection_changed)
        self.select_ids(selection.ids())

    def _on_selection_changed(self, ids: list) -> None:
        if not self._syncing:
            self._syncing = True
            try:
                self.select_ids(ids)
            finally:
                self._syncing = False

    def _on_scene_selection_changed(self) -> None:
        # the rubber band and clicks on empty canvas change the scene's selection directly
        if self._selection is not None and not self._syncing:
            self._syncing = True
            try:
                self._selection.set(self.selected_ids(), current=self._selection.current() or None)
            finally:
                self._syncing = False

    def _on_scene_selection_changed_labels(self) -> None:
        self._overview_changed()
        # a flow's label is a separate item: repaint it when the flow's selection changes
        now = {i.item_id for i in self.selectedItems() if isinstance(i, FlowItem)}
        for fid in now ^ self._selected_flows:
            item = self.flows.get(fid)
            if item is not None:
                item.label_item.update()
        self._selected_flows = now

    def model_rect(self, ident: str) -> QRectF:
        """The rectangle of an element or boundary per the model (or its fallback position)."""
        r = self.document.rect(ident)
        if r is not None:
            return qrect(r)
        return QRectF(self._fallback.get(ident, QRectF(0, 0, NODE_W, NODE_H)))

    def node_at(self, scene_pos: QPointF, exclude: Iterable[str] = ()) -> NodeItem | None:
        """The topmost element under ``scene_pos`` (by its box, so a notch still counts)."""
        skip = set(exclude)
        for item in self.items(scene_pos):
            if isinstance(item, NodeItem) and item.item_id not in skip and item.scene_rect().contains(scene_pos):
                return item
        return None

    def content_rect(self) -> QRectF:
        """Bounding box of everything drawn (empty for an empty diagram)."""
        return self.itemsBoundingRect()

    # ------------------------------------------------------------ building
    def rebuild(self) -> None:
        """Throw away every item and mirror the whole model again."""
        self.clearSelection()
        for item in list(self.nodes.values()) + list(self.flows.values()) + list(self.boundaries.values()):
            self.removeItem(item)
        for item in self.flows.values():
            self.removeItem(item.label_item)
        for item in self.boundaries.values():
            self.removeItem(item.title_item)
        self.nodes.clear()
        self.flows.clear()
        self.boundaries.clear()
        self._badges = {}
        self._highlighted = set()
        model = self.document.model
        self._fallback = fallback_rects(model)
        parents = {b.id: b.parent for b in model.boundaries}
        for b in sorted(model.boundaries, key=lambda b: _depth(model, b.id, parents)):
            self._add_boundary(b.id)
        for e in model.elements:
            self._add_node(e.id)
        self._placer = LabelPlacer()
        self._grid = NodeGrid()
        self._pair_of = {}
        for node in self.nodes.values():
            rect = node.scene_rect()
            self._placer.set_obstacle(node.item_id, _with_badge(rect))
            self._placer.set_obstacle("\0badge:" + node.item_id, _badge_zone(rect))
            self._grid.set(node.item_id, rect)
        for ident in self.boundaries:
            self._title_moved(ident)
        for f in model.flows:
            self.flows[f.id] = FlowItem(f.id, f.name, self.theme)
        self._placer.quick = len(model.flows) > QUICK_LABELS_ABOVE
        self._route_all()  # before the flows join the scene: no index updates while routing
        self._placer.quick = False
        for item in self.flows.values():
            self.addItem(item)
            self.addItem(item.label_item)
            if self.overview_mode:
                _set_no_contents(item, True)
        self.overview.invalidate()
        self.grow_scene_rect(reset=True)
        self.rebuilt.emit()

    def grow_scene_rect(self, reset: bool = False) -> None:
        """Keep a generous margin of canvas around the diagram so there is room to draw and scroll.

        ``reset`` fits the rect to every item; otherwise it grows to take in the
        items placed, moved or re-routed since the last call (an edit touches a
        few items; measuring all of a large diagram's took longer than the edit).
        """
        margin = 2000.0
        if reset:
            content = self.itemsBoundingRect()
        else:
            content = QRectF()
            for item in self._reshaped:
                if item.scene() is self:
                    content = content.united(item.sceneBoundingRect())
        self._reshaped.clear()
        if content.isNull() and not reset:
            return  # nothing was placed, moved or re-routed
        want = content.adjusted(-margin, -margin, margin, margin)
        if want.isEmpty():
            want = QRectF(-margin, -margin, 2 * margin, 2 * margin)
        self.setSceneRect(want if reset else self.sceneRect().united(want))

    def _add_node(self, ident: str) -> None:
        e = self.document.element(ident)
        item = NodeItem(ident, e.element_kind, e.name, self.model_rect(ident), self.theme)
        item.set_annotations_visible(self.annotations_visible)
        item.setToolTip("")
        self.nodes[ident] = item
        self.addItem(item)
        self._reshaped.add(item)
        if self.overview_mode:
            _set_no_contents(item, True)

    def _add_boundary(self, ident: str) -> None:
        b = self.document.boundary(ident)
        item = BoundaryItem(ident, b.name, self.model_rect(ident), len(self.document.ancestors(ident)), self.theme)
        self.boundaries[ident] = item
        self.addItem(item)
        self.addItem(item.title_item)
        self._reshaped.add(item)  # its title stays within its bounds
        item.title_item.refresh()
        if self.overview_mode:
            _set_no_contents(item, True)

    # ------------------------------------------------------------ routing
    def _reroute(self, flow_ids: Iterable[str]) -> None:
        """Recompute the routes and labels of these flows (and of the other flows of their pairs)."""
        doc = self.document
        pairs: dict[tuple[str, str], None] = {}
        for fid in flow_ids:
            f = doc.flow(fid)
            if f is None or fid not in self.flows:
                continue
            pairs[_pair(f.source, f.target)] = None
        for a, b in pairs:
            self._route_pair([g.id for g in doc.flows_of(a) if _pair(g.source, g.target) == (a, b)])

    def _route_all(self) -> None:
        """Route every flow (model order is natural id order, so each pair's lanes come out sorted)."""
        groups: dict[tuple[str, str], list[str]] = {}
        for f in self.document.model.flows:
            groups.setdefault(_pair(f.source, f.target), []).append(f.id)
        for siblings in groups.values():
            self._route_pair(siblings)

    def _route_pair(self, siblings: list[str]) -> None:
        # siblings added by the same change may not have their items yet: they route when they arrive
        for fid, lane in zip(siblings, lane_offsets(len(siblings))):
            if fid in self.flows:
                self._route_one(fid, lane)

    def _route_one(self, fid: str, lane: float) -> None:
        doc = self.document
        f = doc.flow(fid)
        item = self.flows[fid]
        self._pair_of[fid] = (f.source, f.target)
        src, dst = self.nodes.get(f.source), self.nodes.get(f.target)
        if src is None or dst is None:
            return
        if f.source > f.target:  # measure every lane from the same side of the pair's axis
            lane = -lane
        points = doc.flow_points(fid)
        waypoints = [QPointF(p.x, p.y) for p in points] if points else ()
        a, b = src.scene_center(), dst.scene_center()
        if not waypoints and not lane:
            # no hand-made route: bend around elements the straight line would cross
            waypoints = detour(a, b, self._grid, (f.source, f.target))
        r = route(
            a, src.outline_polygon(), b, dst.outline_polygon(),
            waypoints, lane, src.pos(), dst.pos(), (src.is_box(), dst.is_box()),
        )
        if f.name:
            w, h, shown = label_size(f.name, _label_width(r))
            label = self._placer.place(r, QSizeF(w, h), key=fid)
        else:
            self._placer.remove_obstacle(fid)
            label, shown = QRectF(), ""
        item.set_name(f.name)
        item.set_route(r, label, shown)
        self._reshaped.add(item)
        self._reshaped.add(item.label_item)

    # ------------------------------------------------------------ previews (tools)
    def preview_rects(self, rects: dict[str, QRectF]) -> None:
        """Show elements/boundaries at ``rects`` before a command commits them."""
        moved_nodes = []
        for ident, rect in rects.items():
            if ident in self.nodes:
                self.nodes[ident].set_rect(rect)
                self._reshaped.add(self.nodes[ident])
                moved_nodes.append(ident)
            elif ident in self.boundaries:
                self.boundaries[ident].set_rect(rect)
                self._reshaped.add(self.boundaries[ident])
                self._title_moved(ident)
        self._nodes_moved(moved_nodes)
        self._overview_changed(geometry=True)

    def _title_moved(self, ident: str) -> None:
        # labels keep off boundary names too
        item = self.boundaries[ident]
        self._placer.set_obstacle("\0title:" + ident, item.title_item.scene_rect())

    def restore_geometry(self, ids: Iterable[str]) -> None:
        """Put items back where the model says (after a cancelled gesture)."""
        self.preview_rects({i: self.model_rect(i) for i in ids if i in self.nodes or i in self.boundaries})

    def _nodes_moved(self, node_ids: list[str]) -> None:
        flows: set[str] = set()
        for ident in node_ids:
            new = self.nodes[ident].scene_rect()
            old = self._grid.rect(ident)
            self._placer.set_obstacle(ident, _with_badge(new))
            self._placer.set_obstacle("\0badge:" + ident, _badge_zone(new))
            self._grid.set(ident, new)
            flows.update(f.id for f in self.document.flows_of(ident))
            # flows that bent around where the node was, or now run through where it is
            for area in (old, new):
                if area is None:
                    continue
                for item in self.items(area):
                    if isinstance(item, FlowItem) and item.item_id not in flows and _route_touches(item, area):
                        flows.add(item.item_id)
        self._reroute(flows)

    # ------------------------------------------------------------ document signals
    def _on_document_model_reset(self) -> None:
        self.rebuild()

    def _on_document_element_added(self, ident: str) -> None:
        self._add_node(ident)
        self._placer.set_obstacle(ident, _with_badge(self.nodes[ident].scene_rect()))
        self._placer.set_obstacle("\0badge:" + ident, _badge_zone(self.nodes[ident].scene_rect()))
        self._grid.set(ident, self.nodes[ident].scene_rect())
        self._apply_badge(ident)

    def _on_document_element_removed(self, ident: str) -> None:
        item = self.nodes.pop(ident, None)
        if item is not None:
            self.removeItem(item)
        self._placer.remove_obstacle(ident)
        self._placer.remove_obstacle("\0badge:" + ident)
        self._grid.remove(ident)

    def _on_document_element_changed(self, ident: str) -> None:
        e = self.document.element(ident)
        item = self.nodes.get(ident)
        if e is not None and item is not None:
            item.set_element(e.element_kind, e.name)
            self._nodes_moved([ident])  # a new kind has a new silhouette to clip against

    def _on_document_flow_added(self, ident: str) -> None:
        f = self.document.flow(ident)
        item = FlowItem(ident, f.name, self.theme)
        item.set_annotations_visible(self.annotations_visible)
        self.flows[ident] = item
        self.addItem(item)
        self.addItem(item.label_item)
        if self.overview_mode:
            _set_no_contents(item, True)
        self._reroute([ident])
        self._apply_badge(ident)

    def _on_document_flow_removed(self, ident: str) -> None:
        item = self.flows.pop(ident, None)
        if item is not None:
            self.removeItem(item.label_item)
            self.removeItem(item)
        self._placer.remove_obstacle(ident)
        self._reroute(self._old_siblings(ident))  # the remaining lanes of its pair close up

    def _old_siblings(self, ident: str) -> list[str]:
        """Flows sharing the pair of elements ``ident`` last connected."""
        pair = self._pair_of.pop(ident, None)
        if pair is None:
            return []
        a, b = pair
        return [f.id for f in self.document.flows_of(a) if {f.source, f.target} == {a, b} and f.id != ident]

    def _on_document_flow_changed(self, ident: str) -> None:
        self._reroute(self._old_siblings(ident) + [ident])  # a reconnected flow leaves its old pair

    def _on_document_boundary_added(self, ident: str) -> None:
        self._add_boundary(ident)
        self._title_moved(ident)

    def _on_document_boundary_removed(self, ident: str) -> None:
        item = self.boundaries.pop(ident, None)
        if item is not None:
            self.removeItem(item.title_item)
            self.removeItem(item)
        self._placer.remove_obstacle("\0title:" + ident)

    def _on_document_boundary_changed(self, ident: str) -> None:
        b = self.document.boundary(ident)
        item = self.boundaries.get(ident)
        if b is not None and item is not None:
            item.set_name(b.name)
        self._restack_boundaries()  # a new parent changes the depth of everything nested inside

    def _restack_boundaries(self) -> None:
        for bid, item in self.boundaries.items():
            depth = len(self.document.ancestors(bid))
            if depth != item.depth:
                item.set_depth(depth)

    def _on_document_revision_changed(self, _revision: int) -> None:
        self.grow_scene_rect()
        self._overview_changed(geometry=True)

    # ------------------------------------------------------------ overview (zoomed far out)
    def set_overview(self, on: bool) -> None:
        """Draw the diagram in batched overview form (items keep their geometry but paint nothing)."""
        if on == self.overview_mode:
            return
        self.overview_mode = on
        for _, item in self.all_items():
            _set_no_contents(item, on)
        self.overview.invalidate()
        self.update()

    def _overview_changed(self, geometry: bool = False) -> None:
        # items without contents do not repaint themselves: repaint the overview instead
        if geometry:
            self.overview.invalidate()
        if self.overview_mode:
            self.update()

    def _on_document_layout_changed(self, ids: list[str]) -> None:
        rects: dict[str, QRectF] = {}
        flows: list[str] = []
        for ident in ids:
            if ident in self.nodes or ident in self.boundaries:
                rects[ident] = self.model_rect(ident)
            elif ident in self.flows:
                flows.append(ident)
        self.preview_rects(rects)
        self._reroute(flows)

    # ------------------------------------------------------------ analysis annotations
    def set_analysis(self, result: AnalysisResult | None) -> None:
        """Show ``result``'s findings as badges and tooltips (``None`` clears them)."""
        self._badges = badges_from(result.by_anchor(), self._badges) if result is not None else {}
        for ident, item in self._all_items():
            item.set_badge(self._badges.get(ident))
        self._overview_changed()

    def _apply_badge(self, ident: str) -> None:
        item = self.item_for(ident)
        if item is not None:
            item.set_badge(self._badges.get(ident))

    def set_annotations_visible(self, on: bool) -> None:
        self.annotations_visible = on
        for _, item in self._all_items():
            item.set_annotations_visible(on)
        self._overview_changed()

    def set_highlight(self, ids: Iterable[str]) -> None:
        """Highlight exactly these items (a finding's anchor and witness path)."""
        wanted = {i for i in ids if self.item_for(i) is not None}
        for ident in self._highlighted - wanted:
            item = self.item_for(ident)
            if item is not None:
                item.set_highlighted(False)
        for ident in wanted:
            self.item_for(ident).set_highlighted(True)
        self._highlighted = wanted
        self._overview_changed()

    def highlighted_ids(self) -> set[str]:
        return set(self._highlighted)

    def apply_theme(self) -> None:
        """Re-read the palette (the system switched between light and dark)."""
        self.theme = current_theme()
        for _, item in self._all_items():
            item.set_theme(self.theme)
        for view in self.views():
            view.resetCachedContent()  # views keep their background (the grid) in a pixmap

    def all_items(self):
        """``(id, item)`` for every element, flow and boundary item."""
        yield from self.nodes.items()
        yield from self.flows.items()
        yield from self.boundaries.items()

    _all_items = all_items


QUICK_LABELS_ABOVE = 1000  # flows; beyond this the first label layout tries fewer places per label


def _route_touches(item: FlowItem, area: QRectF) -> bool:
    """Whether a flow's drawn line passes through ``area`` (its bounding box is not enough)."""
    pts = item.route.points
    probe = area.adjusted(-30, -30, 30, 30)  # detours keep a margin from the boxes they avoid
    return any(segment_hits_rect(a, b, probe) for a, b in zip(pts, pts[1:]))


def _with_badge(rect: QRectF) -> QRectF:
    """A node's box plus the corner where its badge sits: labels keep off both."""
    return rect.adjusted(0, -10, 8, 0)


def _badge_zone(rect: QRectF) -> QRectF:
    """Where a node's badge sits; an obstacle of its own, so covering it costs twice."""
    return QRectF(rect.right() - 16, rect.top() - 10, 24, 20)


def _label_width(r) -> float:
    """How wide a flow's label may be: a short, mostly horizontal line gets a narrow label."""
    a, b = r.points[0], r.points[-1]
    if len(r.points) == 2 and abs(b.x() - a.x()) > abs(b.y() - a.y()):
        return max(50.0, r.length() + 16)
    return WRAP_AT


def _set_no_contents(item, on: bool) -> None:
    item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, on)
    for part in ("label_item", "title_item"):
        extra = getattr(item, part, None)
        if extra is not None:
            extra.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, on)


def _pair(a: str, b: str) -> tuple[str, str]:
    """The unordered pair of two element ids, as a key."""
    return (a, b) if a <= b else (b, a)
