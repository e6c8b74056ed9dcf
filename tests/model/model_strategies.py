"""Hypothesis strategies that generate valid ThreatModels.

The property values are derived from the model's own field annotations
(enum → one of its members, bool → either, str → hostile text, set of enum →
a duplicate-free subset), so a property added to ``app/model/elements.py`` is
exercised without touching this file.
"""

from __future__ import annotations

import typing
from enum import Enum

from hypothesis import strategies as st

from app.knowledge import load_controls
from app.model import PROPERTY_CLASSES, DataKind, ElementKind, FlowProperties, ReviewStatus, ThreatModel

CONTROL_IDS = load_controls().ids()

_ID_HEAD = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ID_TAIL = _ID_HEAD + "0123456789_.-"

ids = st.one_of(
    st.builds(lambda head, tail: head + tail, st.sampled_from(_ID_HEAD), st.text(_ID_TAIL, max_size=10)),
    # ids that natural order finds hard to tell apart: numbers with leading zeros, prefixes
    st.sampled_from(["a1", "a01", "a001", "a", "a1a", "e2", "e10", "E2", "e2.1", "e-2"]),
)

# Text people should not be able to break the format with: controls, bidi
# overrides, quotes and backslashes, BOMs, astral emoji, combining marks,
# JSON-looking words. Surrogates (category Cs) are not text and are refused.
_HOSTILE = [
    "\u202eevil\u202c", '"}, {"kind": "tool"', "\\u0000", "\x00", "\r\n", "\u2028\u2029", "\ufeff",
    "<script>alert(1)</script>", "NaN", "-Infinity", "🛡️👩🏽‍💻", "e\u0301", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\t", "]]}",
]


def _text(min_size: int) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(st.characters(blacklist_categories=("Cs",)), min_size=min_size, max_size=24),
        st.sampled_from(_HOSTILE),
        st.lists(st.sampled_from(_HOSTILE), min_size=max(min_size, 1), max_size=3).map("".join),
    )


text = _text(0)
names = _text(1)  # names must not be empty
dates = st.one_of(st.just(""), st.dates().map(lambda d: d.isoformat()))
coords = st.floats(-10_000_000, 10_000_000, allow_nan=False, allow_infinity=False)
sizes = st.floats(0, 10_000_000, exclude_min=True, allow_nan=False, allow_infinity=False)


def _value_for(annotation) -> st.SearchStrategy:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return st.sampled_from(list(annotation))
    if annotation is bool:
        return st.booleans()
    if annotation is str:
        return text
    if typing.get_origin(annotation) is tuple:
        (item, _ellipsis) = typing.get_args(annotation)
        return st.lists(st.sampled_from(list(item)), unique=True).map(tuple)
    raise NotImplementedError(f"no strategy for property type {annotation!r}: add one here")


def properties_for(cls) -> st.SearchStrategy[dict]:
    """A dict with a random subset of ``cls``'s fields set to random valid values."""
    fields = {name: _value_for(field.annotation) for name, field in cls.model_fields.items()}
    return st.fixed_dictionaries({}, optional=fields)


element_properties = {kind: properties_for(cls) for kind, cls in PROPERTY_CLASSES.items()}
flow_properties = properties_for(FlowProperties)


@st.composite
def threat_models(draw, max_elements: int = 6) -> ThreatModel:
    n_elements = draw(st.integers(0, max_elements))
    n_boundaries = draw(st.integers(0, 3))
    n_flows = draw(st.integers(0, 8)) if n_elements >= 2 else 0
    all_ids = draw(st.lists(ids, min_size=n_elements + n_boundaries + n_flows,
                            max_size=n_elements + n_boundaries + n_flows, unique=True))
    element_ids = all_ids[:n_elements]
    boundary_ids = all_ids[n_elements:n_elements + n_boundaries]
    flow_ids = all_ids[n_elements + n_boundaries:]
    controls = st.lists(st.sampled_from(CONTROL_IDS), unique=True, max_size=4)

    elements = []
    for ident in element_ids:
        kind = draw(st.sampled_from(list(ElementKind)))
        elements.append({
            "id": ident, "kind": kind.value, "name": draw(names), "description": draw(text),
            "controls": draw(controls), "properties": draw(element_properties[kind]),
        })

    # nesting without cycles: a boundary's parent is one generated before it
    boundaries = []
    owner = {e: draw(st.sampled_from([None, *boundary_ids])) for e in element_ids} if boundary_ids else {}
    for i, ident in enumerate(boundary_ids):
        parent = draw(st.sampled_from([None, *boundary_ids[:i]]))
        boundaries.append({
            "id": ident, "name": draw(names), "description": draw(text), "parent": parent,
            "members": [e for e, b in owner.items() if b == ident],
        })

    flows = []
    for ident in flow_ids:
        source, target = draw(st.lists(st.sampled_from(element_ids), min_size=2, max_size=2, unique=True))
        flows.append({
            "id": ident, "source": source, "target": target, "name": draw(text), "protocol": draw(text),
            "carries": draw(st.lists(st.sampled_from(list(DataKind)), unique=True, max_size=4)),
            "controls": draw(controls), "properties": draw(flow_properties),
        })

    rect = st.fixed_dictionaries({"x": coords, "y": coords, "w": sizes, "h": sizes})
    point = st.fixed_dictionaries({"x": coords, "y": coords})
    layout = {
        "elements": {e: draw(rect) for e in element_ids if draw(st.booleans())},
        "boundaries": {b: draw(rect) for b in boundary_ids if draw(st.booleans())},
        "flows": {f: {"points": draw(st.lists(point, max_size=3))} for f in flow_ids if draw(st.booleans())},
    }
    review = st.fixed_dictionaries({}, optional={
        "status": st.sampled_from(list(ReviewStatus)), "justification": text, "owner": text, "date": dates,
        "fingerprint": st.text("0123456789abcdef", max_size=64),
    })
    info = st.fixed_dictionaries({"name": names}, optional={
        "version": text, "date": dates, "authors": st.lists(text, max_size=3), "reviewers": st.lists(text, max_size=3),
        "classification": text, "description": text, "scope": text, "assumptions": text, "out_of_scope": text,
    })
    return ThreatModel.model_validate({
        "format": "threatcanvas", "schema_version": 1, "info": draw(info),
        "elements": elements, "boundaries": boundaries, "flows": flows,
        "reviews": draw(st.dictionaries(st.text(max_size=40), review, max_size=3)),
        "layout": layout,
    })
