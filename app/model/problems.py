"""Problems found in a model file: what is wrong, and where.

A problem's location is a JSON path into the file (``flows[3].target``) or,
for syntax errors, ``line L, column C``. ``str(problem)`` is the one-line form
the CLI prints and the editor shows.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Iterable

MAX_KEY_SHOWN = 60  # a hostile file can use a 10,000-character key; show its start

# Line breaks and other control characters in user text would split the one
# line a problem must be (CI logs, editors parsing `file: location: message`).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` with control characters and line breaks escaped (``\\n``), so it stays on one line."""
    return _CONTROL.sub(lambda m: json.dumps(m.group())[1:-1], text)


@dataclass(frozen=True)
class Problem:
    file: str
    location: str
    message: str

    def __str__(self) -> str:
        where = f"{one_line(self.file)}: " if self.file else ""
        loc = f"{one_line(self.location)}: " if self.location else ""
        return f"{where}{loc}{one_line(self.message)}"


class ModelError(Exception):
    """A model file that cannot be used, with every problem found in it."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid model")


def json_path(loc: Iterable[str | int]) -> str:
    """``("flows", 3, "target")`` → ``flows[3].target``.

    A key that is not a plain identifier is written as a JSON string in
    brackets (``reviews["a b"]``), clipped to :data:`MAX_KEY_SHOWN` characters.
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _plain(part):
            out += f".{part}" if out else part
        else:
            shown = part if len(part) <= MAX_KEY_SHOWN else part[:MAX_KEY_SHOWN] + "…"
            out += f"[{json.dumps(shown, ensure_ascii=False)}]"
    return out


_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def _plain(part: str) -> bool:
    return len(part) <= MAX_KEY_SHOWN and _PLAIN.fullmatch(part) is not None
