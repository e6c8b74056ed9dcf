"""Problems found in a model file: what is wrong, and where.

A problem's location is a JSON path into the file (``flows[3].target``) or,
for syntax errors, ``line L, column C``. ``str(problem)`` is the one-line form
the CLI prints and the editor shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class Problem:
    file: str
    location: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        loc = f"{self.location}: " if self.location else ""
        return f"{where}{loc}{self.message}"


class ModelError(Exception):
    """A model file that cannot be used, with every problem found in it."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid model")


def json_path(loc: Iterable[str | int]) -> str:
    """``("flows", 3, "target")`` → ``flows[3].target``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif out:
            out += f".{part}" if _plain(part) else f"[{part!r}]"
        else:
            out = part if _plain(part) else f"[{part!r}]"
    return out


def _plain(part: str) -> bool:
    return part.replace("_", "a").replace("-", "a").replace(".", "a").isalnum() and "." not in part
