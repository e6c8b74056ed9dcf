"""Find where in a JSON text a duplicate key, a NaN/Infinity or an absurdly long number stands.

Python's ``json`` module tells us *that* a file has a duplicate key or a
non-finite number (through hooks) but not *where*. This scanner walks the text
once more, only when such a problem was found, keeping the JSON path of the
current value, and reports the first offending spot in text order as a path
(``layout.elements.a.x``) plus line and column.

It is iterative (no recursion, so deep nesting cannot crash it) and jumps
between structural characters with one regular expression, so even a file at
the size limit is scanned in well under a second. It assumes the text is JSON
apart from the offending tokens; on anything unexpected it simply stops.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from json.decoder import scanstring

from app.model.problems import json_path

# Outside strings, JSON has no letters N or I except in NaN/Infinity.
MAX_INT_DIGITS = 100  # whole numbers longer than this are refused (Python refuses > 4,300 anyway)
# ... and a whole number is only interesting when it is too long: the regex
# skips ordinary numbers (and long fractions, which are harmless) in C.
_SIGNIFICANT = re.compile(r'["{}\[\],NI]|(?<![\d.eE+-])-?\d{%d,}(?![\d.eE])' % (MAX_INT_DIGITS + 1))


@dataclass(frozen=True)
class Spot:
    """Where a problem stands: JSON path (may be empty at the top), 1-based line and column."""

    path: str
    line: int
    column: int
    message: str

    @property
    def location(self) -> str:
        return self.path or f"line {self.line}, column {self.column}"


class _Frame:
    __slots__ = ("is_object", "keys", "key", "index", "expect_key")

    def __init__(self, is_object: bool):
        self.is_object = is_object
        self.keys: set[str] = set()
        self.key: str | None = None
        self.index = 0
        self.expect_key = is_object


def too_long_int(digits: str) -> bool:
    """Whether a JSON whole number has too many digits to be a sensible value."""
    return len(digits.lstrip("-")) > MAX_INT_DIGITS


def find_json_problem(text: str) -> Spot | None:
    """The first duplicate key, NaN/Infinity token or too-long whole number in ``text``, or None."""
    stack: list[_Frame] = []
    pos = 0
    n = len(text)
    while pos < n:
        m = _SIGNIFICANT.search(text, pos)
        if m is None:
            return None
        i = m.start()
        c = text[i]
        if c == '"':
            try:
                value, end = scanstring(text, i + 1)
            except ValueError:
                return None
            top = stack[-1] if stack else None
            if top is not None and top.is_object and top.expect_key:
                top.expect_key = False
                top.key = value
                if value in top.keys:
                    shown = value if len(value) <= 60 else value[:60] + "…"
                    return _spot(text, i, stack, f"duplicate key {json.dumps(shown, ensure_ascii=False)}")
                top.keys.add(value)
            pos = end
        elif c in "{[":
            stack.append(_Frame(c == "{"))
            pos = i + 1
        elif c in "}]":
            if stack:
                stack.pop()
            pos = i + 1
        elif c == ",":
            if stack:
                top = stack[-1]
                if top.is_object:
                    top.expect_key = True
                else:
                    top.index += 1
            pos = i + 1
        elif c in "NI":
            start = i - 1 if c == "I" and i > 0 and text[i - 1] == "-" else i
            for token in ("NaN", "Infinity"):
                if text.startswith(token, i):
                    name = text[start : i + len(token)]
                    return _spot(text, start, stack, f"{name} is not allowed (JSON numbers must be finite)")
            pos = i + 1
        else:  # a whole number with too many digits
            digits = len(m.group().lstrip("-"))
            return _spot(text, i, stack, f"number with {digits:,} digits is too large")
    return None


def _spot(text: str, offset: int, stack: list[_Frame], message: str) -> Spot:
    parts: list[str | int] = []
    for frame in stack:
        if frame.is_object:
            if frame.key is not None:
                parts.append(frame.key)
        else:
            parts.append(frame.index)
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Spot(json_path(parts), line, column, message)
