"""Reference data for the standards-coverage section: OWASP lists and ATLAS tactics.

Shipped in ``resources/report`` (``standards.toml``, ``atlas-techniques.csv``)
and found through the resource locator, so the report lists every category of
each standard, including those no finding touches, with no network and no
files outside the bundle.
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache

from app.resources import resource_path


@dataclass(frozen=True)
class Standard:
    """An ordered list of categories of one standard: ``{id: name}``."""

    title: str
    categories: dict[str, str]


@dataclass(frozen=True)
class Standards:
    owasp_llm: Standard
    owasp_ml: Standard
    atlas_tactics: Standard
    technique_names: dict[str, str] = field(default_factory=dict)
    technique_tactics: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def tactics_of(self, technique: str) -> tuple[str, ...]:
        """Tactic ids of an ATLAS technique; a sub-technique falls back to its parent's."""
        found = self.technique_tactics.get(technique)
        if found:
            return found
        parent = technique.rsplit(".", 1)[0] if technique.count(".") >= 2 else ""
        return self.technique_tactics.get(parent, ())

    def technique_name(self, technique: str) -> str:
        return self.technique_names.get(technique, "")


def _standard(data: dict) -> Standard:
    title = str(data.get("title", ""))
    return Standard(title, {k: str(v) for k, v in data.items() if k != "title"})


@lru_cache(maxsize=1)
def load_standards() -> Standards:
    """The bundled standards data (cached; read once per process)."""
    data = tomllib.loads(resource_path("report", "standards.toml").read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    tactics: dict[str, tuple[str, ...]] = {}
    with resource_path("report", "atlas-techniques.csv").open(encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        for row in rows:
            names[row["id"]] = row["name"]
            tactics[row["id"]] = tuple(t for t in row["tactics"].split(";") if t)
    return Standards(
        owasp_llm=_standard(data["owasp_llm"]),
        owasp_ml=_standard(data["owasp_ml"]),
        atlas_tactics=_standard(data["atlas_tactics"]),
        technique_names=names,
        technique_tactics=tactics,
    )


def owasp_key(value: str) -> str:
    """``"LLM01:2025"`` and ``"LLM01"`` both map to ``"LLM01"``."""
    return value.split(":", 1)[0].strip().upper()
