"""Patches: the immutable unit of change the undo commands apply to a model.

A :class:`Patch` says, for a handful of ids, "this element/flow/boundary/layout
entry/review record is now *this* value" (``None`` = absent). Every undo command
keeps two patches: the values it sets (``after``) and the values it found
(``before``, captured from the document the first time it runs). Redo applies
``after``, undo applies ``before``. Both hold only ids and frozen pydantic
objects, never live canvas items, so a command can be replayed any number of
times and two commands can never share mutable state.

:func:`apply_patch` builds the next :class:`ThreatModel` from the current one.
Untouched objects are passed through by identity, so an edit costs one pass
over the lists, not a re-validation of the whole model, and
:func:`diff_patch` can tell views what changed by comparing only the patched
ids.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping, Optional, Protocol

from app.model import Boundary, ElementBase, Flow, FlowLayout, Layout, ModelInfo, Rect, ReviewRecord, ThreatModel
from app.model.types import natural_key

_EMPTY: Mapping = MappingProxyType({})

# the sections of a patch, in the order they are applied and reported
SECTIONS = ("elements", "flows", "boundaries", "element_rects", "boundary_rects", "flow_layouts", "reviews")


class Lookup(Protocol):
    """What a patch needs to read the current value at an id (the Document provides it)."""

    model: ThreatModel

    def element(self, ident: str) -> Optional[ElementBase]: ...
    def flow(self, ident: str) -> Optional[Flow]: ...
    def boundary(self, ident: str) -> Optional[Boundary]: ...


def _frozen(mapping: Mapping | None) -> Mapping:
    return MappingProxyType(dict(mapping)) if mapping else _EMPTY


@dataclass(frozen=True)
class Patch:
    """New values at ids; ``None`` removes the entry. ``info=None`` leaves the info alone."""

    elements: Mapping[str, Optional[ElementBase]] = field(default_factory=lambda: _EMPTY)
    flows: Mapping[str, Optional[Flow]] = field(default_factory=lambda: _EMPTY)
    boundaries: Mapping[str, Optional[Boundary]] = field(default_factory=lambda: _EMPTY)
    element_rects: Mapping[str, Optional[Rect]] = field(default_factory=lambda: _EMPTY)
    boundary_rects: Mapping[str, Optional[Rect]] = field(default_factory=lambda: _EMPTY)
    flow_layouts: Mapping[str, Optional[FlowLayout]] = field(default_factory=lambda: _EMPTY)
    reviews: Mapping[str, Optional[ReviewRecord]] = field(default_factory=lambda: _EMPTY)
    info: Optional[ModelInfo] = None

    def __post_init__(self) -> None:
        # freeze the mappings so a caller's dict cannot change a recorded command
        for name in SECTIONS:
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    # ------------------------------------------------------------ queries
    def is_empty(self) -> bool:
        return self.info is None and not any(getattr(self, name) for name in SECTIONS)

    def capture(self, doc: Lookup) -> "Patch":
        """The values ``doc`` holds now at this patch's keys: applying it undoes this patch."""
        layout = doc.model.layout
        return Patch(
            elements={k: doc.element(k) for k in self.elements},
            flows={k: doc.flow(k) for k in self.flows},
            boundaries={k: doc.boundary(k) for k in self.boundaries},
            element_rects={k: layout.elements.get(k) for k in self.element_rects},
            boundary_rects={k: layout.boundaries.get(k) for k in self.boundary_rects},
            flow_layouts={k: layout.flows.get(k) for k in self.flow_layouts},
            reviews={k: doc.model.reviews.get(k) for k in self.reviews},
            info=doc.model.info if self.info is not None else None,
        )

    def matches(self, doc: Lookup) -> bool:
        """True when applying this patch to ``doc`` would change nothing."""
        return self == self.capture(doc)

    def then(self, later: "Patch") -> "Patch":
        """One patch with the effect of this one followed by ``later`` (``later`` wins on shared keys)."""
        return Patch(
            **{name: {**getattr(self, name), **getattr(later, name)} for name in SECTIONS},
            info=later.info if later.info is not None else self.info,
        )

    def under(self, earlier: "Patch") -> "Patch":
        """Keys of ``earlier`` that this patch lacks, added: the *before* of a merged command."""
        return earlier.then(self)


# natural_key runs a regex per id; a drag on a 2,000-element model would spend most of its time
# re-deriving keys that never change, so they are cached (ids are short strings; the cache is bounded)
_sort_key = functools.lru_cache(maxsize=1 << 18)(natural_key)


def apply_patch(model: ThreatModel, patch: Patch) -> ThreatModel:
    """The model with ``patch`` applied, in the model's canonical order.

    The values in a patch are already validated objects (commands build them
    with ``model_validate``) and the untouched ones come from a valid model,
    so the container is assembled directly, keeping the canonical order that
    ``ThreatModel``'s validators would produce (ids in natural order) without
    re-sorting and re-checking thousands of unchanged entries on every edit.
    The tests check that the result equals ``ThreatModel.model_validate`` of
    its own dump after every random edit sequence.
    """
    if patch.is_empty():
        return model
    layout = model.layout
    if patch.element_rects or patch.boundary_rects or patch.flow_layouts:
        layout = Layout.model_construct(
            elements=_entries(layout.elements, patch.element_rects),
            boundaries=_entries(layout.boundaries, patch.boundary_rects),
            flows=_entries(layout.flows, patch.flow_layouts),
        )
    return ThreatModel.model_construct(
        format=model.format,
        schema_version=model.schema_version,
        info=patch.info if patch.info is not None else model.info,
        elements=_section(model.elements, patch.elements),
        boundaries=_section(model.boundaries, patch.boundaries),
        flows=_section(model.flows, patch.flows),
        reviews=_entries(model.reviews, patch.reviews),
        layout=layout,
    )


def _section(items: tuple, changes: Mapping) -> tuple:
    """``items`` (sorted by id) with ``changes`` applied, still sorted by id."""
    if not changes:
        return items
    out = []
    for item in items:
        if item.id in changes:
            new = changes[item.id]
            if new is not None:
                out.append(new)  # same id: same place
        else:
            out.append(item)
    present = {item.id for item in items}
    added = [v for k, v in changes.items() if v is not None and k not in present]
    if added:
        out.extend(added)
        out.sort(key=lambda item: _sort_key(item.id))
    return tuple(out)


def _entries(current: dict, changes: Mapping) -> dict:
    """``current`` (keys in natural order) with ``changes`` applied, keys still in natural order."""
    if not changes:
        return current
    out = {}
    for key, value in current.items():
        if key in changes:
            if changes[key] is not None:
                out[key] = changes[key]
        else:
            out[key] = value
    added = [k for k, v in changes.items() if v is not None and k not in current]
    if added:
        out.update((k, changes[k]) for k in added)
        out = {k: out[k] for k in sorted(out, key=_sort_key)}
    return out


@dataclass
class Changes:
    """What a patch changed, grouped the way the Document reports it to views."""

    added: dict[str, list[str]] = field(default_factory=lambda: {"elements": [], "flows": [], "boundaries": []})
    removed: dict[str, list[str]] = field(default_factory=lambda: {"elements": [], "flows": [], "boundaries": []})
    changed: dict[str, list[str]] = field(default_factory=lambda: {"elements": [], "flows": [], "boundaries": []})
    layout: list[str] = field(default_factory=list)
    info: bool = False
    reviews: bool = False

    def any(self) -> bool:
        return bool(
            self.info
            or self.reviews
            or self.layout
            or any(self.added.values())
            or any(self.removed.values())
            or any(self.changed.values())
        )


def _differs(a: object, b: object) -> bool:
    return a is not b and a != b


def diff_patch(old: ThreatModel, old_lookup: Lookup, patch: Patch) -> Changes:
    """What applying ``patch`` to ``old`` changes (read before the patch is applied)."""
    out = Changes()
    getters = {"elements": old_lookup.element, "flows": old_lookup.flow, "boundaries": old_lookup.boundary}
    created: set[str] = set()
    deleted: set[str] = set()
    for name, get in getters.items():
        for ident, new in getattr(patch, name).items():
            before = get(ident)
            if before is None and new is not None:
                out.added[name].append(ident)
                created.add(ident)
            elif before is not None and new is None:
                out.removed[name].append(ident)
                deleted.add(ident)
            elif _differs(before, new):
                out.changed[name].append(ident)
    layout = old.layout
    for name, current in (
        ("element_rects", layout.elements),
        ("boundary_rects", layout.boundaries),
        ("flow_layouts", layout.flows),
    ):
        for ident, new in getattr(patch, name).items():
            if ident in created or ident in deleted:
                continue  # the view learns the geometry from the added/removed signal
            if _differs(current.get(ident), new):
                out.layout.append(ident)
    out.info = patch.info is not None and _differs(old.info, patch.info)
    out.reviews = any(_differs(old.reviews.get(k), v) for k, v in patch.reviews.items())
    return out
