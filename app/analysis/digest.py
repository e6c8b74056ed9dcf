"""SHA-256 of a model's canonical text, fast enough to take on every re-analysis.

The canonical text (``app.model.io.dumps_model``) of a 10,000-element model
is 14 MB of indented JSON; the standard-library encoder needs seconds for it.
Here it is assembled from per-item pieces (one element, one flow, one layout
rectangle …):

* items without floats (elements, flows, boundaries, reviews) are printed by
  pydantic's serializer, which writes the same bytes as ``json.dumps`` for
  strings, booleans and integers, ten times faster;
* layout rectangles are printed by hand with ``float.__repr__``, which is what
  ``json.dumps`` uses (pydantic prints ``1e-05`` as ``0.00001``);
* every piece is memoised, first by object identity (the editor's snapshots
  share untouched objects), then by value, so a one-element edit re-prints one
  element.

The bytes hashed are exactly those ``dumps_model`` writes (tests check it,
escapes and odd floats included).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading

from pydantic import BaseModel

from app.model.diagram import FlowLayout, Rect, ThreatModel
from app.model.types import ID_PATTERN

_LIMIT = 400_000  # pieces per memo; when full a memo starts again (cheaper than LRU bookkeeping per hit)
_by_identity: dict[tuple[int, bytes], tuple[object, bytes]] = {}
_by_value: dict[tuple[bytes, object], bytes] = {}
_lock = threading.Lock()
_PLAIN_ID = re.compile(ID_PATTERN)


def _render(item: BaseModel, indent: str) -> bytes:
    if type(item) is Rect:
        p = indent + "  "
        return (
            f"{{\n{p}\"x\": {float.__repr__(item.x)},\n{p}\"y\": {float.__repr__(item.y)},\n"
            f"{p}\"w\": {float.__repr__(item.w)},\n{p}\"h\": {float.__repr__(item.h)}\n{indent}}}"
        ).encode("utf-8")
    if type(item) is FlowLayout:  # floats again; rare enough for the standard encoder
        text = json.dumps(item.model_dump(mode="json"), indent=2, ensure_ascii=False, allow_nan=False)
    else:
        text = item.model_dump_json(indent=2)
    return text.replace("\n", "\n" + indent).encode("utf-8")


def _piece(item: BaseModel, indent: bytes) -> bytes:
    """``item`` as it appears in the canonical text, nested under ``indent``."""
    ident = (id(item), indent)
    hit = _by_identity.get(ident)  # dict reads are atomic under the GIL
    if hit is not None and hit[0] is item:
        return hit[1]
    key = (indent, item)  # frozen models hash and compare by value: an equal item reuses its text
    text = _by_value.get(key)
    if text is None:
        text = _render(item, indent.decode())
    with _lock:
        for memo in (_by_identity, _by_value):
            if len(memo) >= _LIMIT:
                memo.clear()
        _by_value[key] = text
        _by_identity[ident] = (item, text)  # holding the item keeps its id from being reused
    return text


def _key(k: str) -> bytes:
    # ids match ID_PATTERN (letters, digits, "_.-"): nothing to escape, skip the encoder
    return (f'"{k}"' if _PLAIN_ID.match(k) else json.dumps(k, ensure_ascii=False)).encode("utf-8")


def _list(items, depth: int) -> bytes:
    if not items:
        return b"[]"
    pad = b"  " * (depth + 1)
    sep = b",\n" + pad
    return b"[\n" + pad + sep.join([_piece(i, pad) for i in items]) + b"\n" + b"  " * depth + b"]"


def _dict(mapping: dict, depth: int) -> bytes:
    if not mapping:
        return b"{}"
    pad = b"  " * (depth + 1)
    sep = b",\n" + pad
    return (
        b"{\n" + pad + sep.join([_key(k) + b": " + _piece(v, pad) for k, v in mapping.items()])
        + b"\n" + b"  " * depth + b"}"
    )


_SECTIONS = ("elements", "boundaries", "flows", "reviews", "layout")
_sections: dict[tuple[str, int], tuple[object, bytes]] = {}  # (field, id(value)) -> (value, its text)


def canonical_bytes(model: ThreatModel) -> bytes:
    """The same bytes as ``dumps_model(model).encode()``, built from memoised pieces.

    A whole section (the elements, the flows, the layout …) that is the very
    object of an earlier call is not even looked through again.
    """
    return b"".join(_chunks(model))


def _chunks(model: ThreatModel) -> list[bytes]:
    """The canonical text in chunks (joined, they are :func:`canonical_bytes`)."""
    parts = []
    for name in ThreatModel.model_fields:
        value = getattr(model, name)
        if name in _SECTIONS:
            hit = _sections.get((name, id(value)))
            if hit is not None and hit[0] is value:
                parts.append(hit[1])
                continue
        if name in ("elements", "boundaries", "flows"):
            text = _list(value, 1)
        elif name == "reviews":
            text = _dict(value, 1)
        elif name == "layout":
            inner = [_key(k) + b": " + _dict(getattr(value, k), 2) for k in type(value).model_fields]
            text = b"{\n    " + b",\n    ".join(inner) + b"\n  }"
        elif isinstance(value, BaseModel):
            text = value.model_dump_json(indent=2).replace("\n", "\n  ").encode("utf-8")
        else:
            text = json.dumps(value, ensure_ascii=False).encode("utf-8")
        part = _key(name) + b": " + text
        if name in _SECTIONS:
            with _lock:
                if len(_sections) >= 64:
                    _sections.clear()
                _sections[(name, id(value))] = (value, part)  # holding value keeps its id from being reused
        parts.append(part)
    out = [b"{\n  "]
    for part in parts:
        out += (part, b",\n  ")
    out[-1] = b"\n}\n"
    return out


def canonical_text(model: ThreatModel) -> str:
    """The same text as ``dumps_model(model)``."""
    return canonical_bytes(model).decode("utf-8")


def model_digest(model: ThreatModel) -> str:
    """SHA-256 (hex) of the model's canonical text."""
    h = hashlib.sha256()
    for chunk in _chunks(model):  # hashed as they come: the whole text is never copied together
        h.update(chunk)
    return h.hexdigest()
