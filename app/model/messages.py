"""Turn pydantic validation errors into located, plain-words problems.

Pydantic's own messages are written for programmers ("Input should be a valid
dictionary or instance of Point"). People reading ``threatcanvas validate``
output, or the editor's open-file error, need to know what the file said and
what it should say instead: ``layout.elements.a.x: expected a number, found the
string "12"``. Every error type the model can raise has a sentence here; any
other type falls back to pydantic's text, still located.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from app.model.problems import Problem, json_path
from app.model.types import ID_PATTERN, ElementKind

KINDS = tuple(sorted(k.value for k in ElementKind))
_KIND_SET = frozenset(KINDS)
_SHOWN = 40  # characters of a wrong value quoted back


def schema_problems(exc: ValidationError, file: str) -> list[Problem]:
    """One :class:`Problem` per error in ``exc``, located by JSON path."""
    problems = []
    for err in exc.errors(include_url=False, include_input=True):
        loc = list(err["loc"])
        # a discriminated union puts the element kind in the path: elements[3].model.name
        if len(loc) >= 3 and loc[0] == "elements" and isinstance(loc[1], int) and loc[2] in _KIND_SET:
            del loc[2]
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc.append("kind")  # point at the offending key, not the whole element
        is_key = bool(loc) and loc[-1] == "[key]"  # pydantic marks errors in a mapping's key
        if is_key:
            loc.pop()
        message = error_message(err)
        problems.append(Problem(file, json_path(loc), f"invalid key: {message}" if is_key else message))
    return problems


def describe(value: Any) -> str:
    """A short description of a JSON value for messages: ``the string "abc"``, ``null``, ``an array``."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return f"the string {_quote(value)}" if value else "an empty string"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__  # only reachable for objects built in code


def _shown(value: Any) -> str:
    """A string quoted as it stood in the file; anything else described."""
    return _quote(value) if isinstance(value, str) and value else describe(value)


def _quote(text: str) -> str:
    shown = text if len(text) <= _SHOWN else text[:_SHOWN] + "…"
    return '"' + shown.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _expected_values(ctx: dict | None) -> str:
    """``"'a', 'b' or 'c'"`` (pydantic's enum/literal context) → ``a, b, c``."""
    raw = (ctx or {}).get("expected", "")
    values = re.findall(r"'([^']*)'", raw)
    return ", ".join(values) if values else raw


_TYPE_WORDS = {
    "string_type": "text",
    "bool_type": "true or false",
    "float_type": "a number",
    "int_type": "a whole number",
    "tuple_type": "an array",
    "list_type": "an array",
    "set_type": "an array",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "dataclass_type": "an object",
}

_PATTERN_WORDS = {
    ID_PATTERN: 'is not a valid id (an id starts with a letter and uses only letters, digits, "_", "." and "-")',
    r"^(\d{4}-\d{2}-\d{2})?$": "is not a date in YYYY-MM-DD form",
    r"^[0-9a-f]*$": "is not lowercase hexadecimal",
}


def error_message(err: dict) -> str:  # noqa: C901 - one branch per error type is the clearest form
    """The sentence for one pydantic error dict (``include_input=True``)."""
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    if kind == "union_tag_invalid":
        tag = value.get("kind") if isinstance(value, dict) else None
        if not isinstance(tag, str):
            return f"element kind must be text, found {describe(tag)} (expected one of: {', '.join(KINDS)})"
        return f"unknown element kind {_quote(tag)} (expected one of: {', '.join(KINDS)})"
    if kind == "union_tag_not_found":
        return f'element has no "kind" (expected one of: {", ".join(KINDS)})'
    if kind in _TYPE_WORDS:
        return f"expected {_TYPE_WORDS[kind]}, found {describe(value)}"
    if kind == "finite_number":
        return "number must be finite"
    if kind in ("enum", "literal_error"):
        return f"unknown value {_shown(value)}; expected one of: {_expected_values(ctx)}"
    if kind == "string_too_short":
        return "must not be empty" if ctx.get("min_length") == 1 else f"text too short (at least {ctx.get('min_length')} characters)"
    if kind == "string_too_long":
        length = len(value) if isinstance(value, str) else "?"
        return f"text too long ({length:,} characters; the limit is {ctx.get('max_length', 0):,})"
    if kind == "string_pattern_mismatch":
        words = _PATTERN_WORDS.get(ctx.get("pattern", ""), f"does not match the pattern {ctx.get('pattern')}")
        return f"{_shown(value)} {words}"
    if kind == "string_unicode":
        return "text is not valid Unicode (it contains an unpaired surrogate such as \\ud800)"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        op = {"greater_than": ("gt", "greater than"), "greater_than_equal": ("ge", "at least"),
              "less_than": ("lt", "less than"), "less_than_equal": ("le", "at most")}[kind]
        return f"must be {op[1]} {_number(ctx.get(op[0]))}, found {describe(value)}"
    if kind == "too_long":
        actual = ctx.get("actual_length")
        shown = f"{actual:,}" if isinstance(actual, int) else "more"
        return f"too many items ({shown}; the limit is {ctx.get('max_length', 0):,})"
    if kind == "too_short":
        return f"too few items (at least {ctx.get('min_length', 0):,})"
    if kind == "value_error":
        return err["msg"].removeprefix("Value error, ")
    if kind == "recursion_loop":
        return "nested too deeply"
    msg = err.get("msg", kind)
    return msg[:1].lower() + msg[1:]


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return str(value)
