"""Generate the reference tables of ``docs/file-format.md`` from the model itself.

The field descriptions in :mod:`app.model.elements` and :mod:`app.model.diagram`,
the vocabularies' meanings in :mod:`app.model.glossary` and the limits in
:mod:`app.model.types` are the one source; the document holds a generated copy
between ``<!-- BEGIN GENERATED: name -->`` and ``<!-- END GENERATED: name -->``
markers, and a test fails when the copy is stale. Regenerate with::

    python3 -m app.model.docgen docs/file-format.md          # rewrite
    python3 -m app.model.docgen --check docs/file-format.md  # exit 1 if stale
"""

from __future__ import annotations

import json
import re
import sys
import typing
from enum import Enum
from pathlib import Path

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from app.model import types as t
from app.model.diagram import FlowLayout, Layout, ModelInfo, Point, Rect, ReviewRecord, ThreatModel
from app.model.elements import PROPERTY_CLASSES, Actor, Boundary, CommonProperties, Flow, FlowProperties
from app.model.glossary import VOCABULARIES, meaning
from app.model.types import ElementKind
from app.model.io import MAX_FILE_BYTES
from app.model.validate import MAX_BOUNDARY_DEPTH

_BLOCK = re.compile(r"(<!-- BEGIN GENERATED: (?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- END GENERATED: (?P=name) -->)", re.S)


# ------------------------------------------------------------------ describing types
def _anchor(enum: type[Enum]) -> str:
    return f"#{enum.__name__.lower()}"


def _constraint(metadata: list, name: str):
    for item in metadata:
        value = getattr(item, name, None)
        if value is not None:
            return value
    return None


def _type_words(annotation, metadata: list) -> str:  # noqa: C901 - one branch per shape
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        flat = []
        for item in extra:  # Field(...) inside Annotated carries its constraints in .metadata
            flat.extend(item.metadata if isinstance(item, FieldInfo) else [item])
        return _type_words(inner, [*metadata, *flat])
    if origin is typing.Literal:
        return " or ".join(f"`{json.dumps(v)}`" for v in typing.get_args(annotation))
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if all(isinstance(a, type) and issubclass(a, BaseModel) for a in args):
            return "object (an [element](#elements) of any kind)"
        return _type_words(args[0], metadata) + " or `null`"
    if origin is tuple:
        item = typing.get_args(annotation)[0]
        limit = _constraint(metadata, "max_length")
        most = f", at most {limit:,}" if limit else ""
        unique = any("sorted_unique" in getattr(getattr(m, "func", None), "__name__", "") for m in metadata)
        kind = "set (sorted list, no duplicates)" if unique else "list"
        return f"{kind} of {_type_words(item, [])}{most}"
    if origin is dict:
        key, value = typing.get_args(annotation)
        return f"object: {_type_words(key, [])} → {_type_words(value, [])}"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        values = ", ".join(f"`{m.value}`" for m in annotation)
        return f"[{annotation.__name__}]({_anchor(annotation)}): {values}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"object ([{annotation.__name__}](#{annotation.__name__.lower()}))"
    if annotation is bool:
        return "`true` or `false`"
    if annotation is float:
        low, high = _constraint(metadata, "ge"), _constraint(metadata, "le")
        if _constraint(metadata, "gt") is not None:
            return f"number > 0 and ≤ {high:,.0f}"
        return f"number from {low:,.0f} to {high:,.0f}"
    if annotation is str:
        pattern = _constraint(metadata, "pattern")
        if pattern == t.ID_PATTERN:
            return f"id (≤ {t.MAX_ID_LEN} characters)"
        if pattern and "\\d{4}" in pattern:
            return "date `YYYY-MM-DD`, or empty"
        if pattern:
            return f"text matching `{pattern}`"
        limit = _constraint(metadata, "max_length")
        least = _constraint(metadata, "min_length")
        return ("non-empty text" if least else "text") + (f" (≤ {limit:,} characters)" if limit else "")
    return getattr(annotation, "__name__", str(annotation))


def _default_words(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.default
    if isinstance(value, BaseModel):
        return "all defaults"
    if isinstance(value, Enum):
        return f"`{value.value}`"
    if isinstance(value, tuple):
        return "`[" + ", ".join(json.dumps(getattr(v, "value", v)) for v in value) + "]`"
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def field_table(
    cls: type[BaseModel], only: typing.Iterable[str] | None = None, override: dict[str, tuple[str, str]] | None = None
) -> str:
    """A Markdown table: key, allowed values, default, meaning (``override``: key → values, default)."""
    rows = ["| key | allowed values | default | meaning |", "| --- | --- | --- | --- |"]
    for name, field in cls.model_fields.items():
        if only is not None and name not in only:
            continue
        values, default = (override or {}).get(name) or (
            _type_words(field.annotation, list(field.metadata)), _default_words(field))
        rows.append(f"| `{name}` | {_cell(values)} | {_cell(default)} | {_cell(field.description or '')} |")
    return "\n".join(rows) + "\n"


# ------------------------------------------------------------------ the generated blocks
def _limits() -> str:
    rows = [
        ("file size", f"{MAX_FILE_BYTES:,} bytes ({MAX_FILE_BYTES // (1024 * 1024)} MiB), checked before reading"),
        ("id", f"{t.MAX_ID_LEN} characters, matching `{t.ID_PATTERN}`"),
        ("names and short text", f"{t.MAX_TEXT:,} characters"),
        ("descriptions, scope, justifications", f"{t.MAX_LONG_TEXT:,} characters"),
        ("small lists (authors, controls, capabilities, carries …)", f"{t.MAX_ITEMS} items"),
        ("elements", f"{t.MAX_ELEMENTS:,}"),
        ("flows", f"{t.MAX_FLOWS:,}"),
        ("boundaries", f"{t.MAX_BOUNDARIES:,}"),
        ("boundary nesting depth", f"{MAX_BOUNDARY_DEPTH} levels"),
        ("reviews", f"{t.MAX_REVIEWS:,}; finding ids up to 128 characters"),
        ("coordinates", f"±{t.MAX_COORD:,.0f}; sizes greater than 0"),
        ("waypoints on one flow", f"{t.MAX_POINTS}"),
    ]
    return "| what | limit |\n| --- | --- |\n" + "".join(f"| {a} | {b} |\n" for a, b in rows)


def _model_sections() -> str:
    parts = [
        "### Top level\n\n", field_table(ThreatModel),
        "\n### info\n\n", "<a id=\"modelinfo\"></a>\n\n", field_table(ModelInfo),
        "\n### Elements\n\nEvery element has these keys, whatever its kind:\n\n",
        field_table(Actor, only=["id", "name", "description", "controls", "kind", "properties"], override={
            "kind": (_type_words(ElementKind, []), "required"),
            "properties": ("object: the kind's properties (below); keys left out take their defaults", "all defaults"),
        }),
        "\n#### Properties every kind has\n\n", field_table(CommonProperties),
    ]
    for kind, cls in PROPERTY_CLASSES.items():
        own = [n for n in cls.model_fields if n not in CommonProperties.model_fields]
        changed = [n for n in CommonProperties.model_fields
                   if cls.model_fields[n].default != CommonProperties.model_fields[n].default]
        parts.append(f"\n<a id=\"{cls.__name__.lower()}\"></a>\n\n#### `{kind.value}` properties\n\n{meaning(kind)}\n\n")
        if own or changed:
            note = ""
            if changed:
                note = " Default changed from the common properties: " + ", ".join(f"`{n}`" for n in changed) + "."
            if note:
                parts.append(note.strip() + "\n\n")
            parts.append(field_table(cls, only=changed + own))
        else:
            parts.append("Only the common properties.\n")
    parts += [
        "\n<a id=\"flow\"></a>\n\n### Flows\n\n", field_table(Flow),
        "\n<a id=\"flowproperties\"></a>\n\n#### Flow properties\n\n", field_table(FlowProperties),
        "\n<a id=\"boundary\"></a>\n\n### Boundaries\n\n", field_table(Boundary),
        "\n### Reviews\n\n<a id=\"reviewrecord\"></a>\n\nEach value of `reviews` (the key is the finding id):\n\n",
        field_table(ReviewRecord),
        "\n### Layout\n\n", field_table(Layout),
        "\n<a id=\"rect\"></a>\n\n#### Rect\n\n", field_table(Rect),
        "\n<a id=\"flowlayout\"></a>\n\n#### FlowLayout\n\n", field_table(FlowLayout),
        "\n<a id=\"point\"></a>\n\n#### Point\n\n", field_table(Point),
    ]
    return "".join(parts)


def _vocabularies() -> str:
    parts = []
    for enum in VOCABULARIES:
        doc = (enum.__doc__ or "").strip().splitlines()[0] if enum.__doc__ and "An enumeration" not in enum.__doc__ else ""
        parts.append(f"\n#### {enum.__name__}\n\n" + (f"{doc}\n\n" if doc else ""))
        parts.append("| value | meaning |\n| --- | --- |\n")
        parts.extend(f"| `{m.value}` | {_cell(meaning(m))} |\n" for m in enum)
    return "".join(parts).lstrip("\n")


GENERATORS = {"limits": _limits, "reference": _model_sections, "vocabularies": _vocabularies}


def render(document: str) -> str:
    """``document`` with every generated block replaced by fresh text."""

    def fill(match: re.Match) -> str:
        name = match.group("name")
        if name not in GENERATORS:
            raise KeyError(f"unknown generated block {name!r}")
        return match.group(1) + "\n" + GENERATORS[name]() + "\n" + match.group(4)

    return _BLOCK.sub(fill, document)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [a for a in argv if a != "--check"] or ["docs/file-format.md"]
    stale = 0
    for name in paths:
        path = Path(name)
        old = path.read_text(encoding="utf-8")
        new = render(old)
        if new != old:
            stale += 1
            if check:
                print(f"{path}: generated sections are stale; run: python3 -m app.model.docgen {path}", file=sys.stderr)
            else:
                path.write_text(new, encoding="utf-8")
                print(f"{path}: regenerated")
    return 1 if (check and stale) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
