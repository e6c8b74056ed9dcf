"""Fresh ids for new elements, flows and boundaries: ``e12``, ``f7``, ``b3``.

Ids are one namespace across the three sections (see ``app.model.validate``),
so a fresh id is checked against every id in the model, not just those of its
kind. The number is one more than the highest number already used with that
prefix, which keeps ids short, readable and, for the same model, the same on
every machine (a test that builds a model twice gets the same file twice).
"""

from __future__ import annotations

import re
from typing import Iterable

PREFIXES = {"element": "e", "flow": "f", "boundary": "b", "e": "e", "f": "f", "b": "b"}


def prefix_of(kind: str) -> str:
    """``"element"``/``"e"`` → ``"e"``; raise ``ValueError`` for an unknown kind."""
    try:
        return PREFIXES[kind]
    except KeyError:
        raise ValueError(f"unknown id kind {kind!r} (expected element, flow or boundary)") from None


def fresh_ids(kind: str, used: Iterable[str], count: int = 1) -> list[str]:
    """``count`` ids of ``kind`` that are not in ``used``, in increasing order."""
    prefix = prefix_of(kind)
    pattern = re.compile(rf"^{prefix}(\d+)$")
    taken = set(used)
    highest = 0
    for ident in taken:
        m = pattern.match(ident)
        if m:
            highest = max(highest, int(m.group(1)))
    out: list[str] = []
    n = highest
    while len(out) < count:
        n += 1
        candidate = f"{prefix}{n}"
        if candidate not in taken:  # cannot clash by construction; kept as a guard
            out.append(candidate)
    return out
