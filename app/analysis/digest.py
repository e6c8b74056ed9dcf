"""SHA-256 of a model's canonical text, fast enough to take on every re-analysis.

The canonical text (``app.model.io.dumps_model``) of a 10,000-element model
is 14 MB of indented JSON; producing it takes longer than the analysis. Here
it is assembled from per-item pieces (one element, one flow, one layout
rectangle …) kept in a bounded memo keyed by the item itself (frozen models
hash and compare by value), so
after a one-element edit only that element is serialised again. The bytes
hashed are exactly those ``dumps_model`` writes (a test checks it).
"""

from __future__ import annotations

import hashlib
import json
import threading
import re
from pydantic import BaseModel

from app.model.diagram import ThreatModel
from app.model.types import ID_PATTERN

_PLAIN_ID = re.compile(ID_PATTERN)

_LIMIT = 400_000  # pieces; when full the memo starts again (cheaper than LRU bookkeeping per hit)
_pieces: dict[tuple, str] = {}
_lock = threading.Lock()


def _piece(item: BaseModel, indent: str) -> str:
    """``item`` as it appears in the canonical text, nested under ``indent``."""
    key = (indent, item)  # frozen models hash and compare by value: an equal item reuses its text
    text = _pieces.get(key)  # a dict read is atomic under the GIL
    if text is not None:
        return text
    text = json.dumps(item.model_dump(mode="json"), indent=2, ensure_ascii=False, allow_nan=False)
    text = text.replace("\n", "\n" + indent)
    with _lock:
        if len(_pieces) >= _LIMIT:
            _pieces.clear()
        _pieces[key] = text
    return text


def _key(k: str) -> str:
    # ids match ID_PATTERN (letters, digits, "_.-"): nothing to escape, skip the encoder
    return f'"{k}"' if _PLAIN_ID.match(k) else json.dumps(k, ensure_ascii=False)


def _list(items, depth: int) -> str:
    if not items:
        return "[]"
    pad = "  " * (depth + 1)
    return "[\n" + pad + (",\n" + pad).join(_piece(i, pad) for i in items) + "\n" + "  " * depth + "]"


def _dict(mapping: dict, depth: int) -> str:
    if not mapping:
        return "{}"
    pad = "  " * (depth + 1)
    return (
        "{\n" + pad + (",\n" + pad).join(f"{_key(k)}: {_piece(v, pad)}" for k, v in mapping.items())
        + "\n" + "  " * depth + "}"
    )


def canonical_text(model: ThreatModel) -> str:
    """The same text as ``dumps_model(model)``, built from memoised pieces."""
    parts = []
    for name in ThreatModel.model_fields:
        value = getattr(model, name)
        if name in ("elements", "boundaries", "flows"):
            text = _list(value, 1)
        elif name == "reviews":
            text = _dict(value, 1)
        elif name == "layout":
            inner = [f"{_key(k)}: {_dict(getattr(value, k), 2)}" for k in type(value).model_fields]
            text = "{\n    " + ",\n    ".join(inner) + "\n  }"
        elif isinstance(value, BaseModel):
            text = json.dumps(value.model_dump(mode="json"), indent=2, ensure_ascii=False).replace("\n", "\n  ")
        else:
            text = json.dumps(value, ensure_ascii=False)
        parts.append(f"{_key(name)}: {text}")
    return "{\n  " + ",\n  ".join(parts) + "\n}\n"


def model_digest(model: ThreatModel) -> str:
    """SHA-256 (hex) of the model's canonical text."""
    return hashlib.sha256(canonical_text(model).encode("utf-8")).hexdigest()
