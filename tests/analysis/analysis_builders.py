"""Small builders for hand-made test models (imported by the analysis tests)."""

from __future__ import annotations

from app.model import ThreatModel


def build(elements: list[dict], flows: list[tuple], boundaries: list[dict] = (), reviews: dict | None = None) -> ThreatModel:
    """A model from short specs: flows as ``(id, source, target, [carries], {properties})``."""
    return ThreatModel.model_validate(
        {
            "elements": elements,
            "flows": [
                {"id": f[0], "source": f[1], "target": f[2], "carries": list(f[3]) if len(f) > 3 else [],
                 "properties": f[4] if len(f) > 4 else {}}
                for f in flows
            ],
            "boundaries": list(boundaries),
            "reviews": reviews or {},
        }
    )


def el(ident: str, kind: str, **props) -> dict:
    return {"id": ident, "kind": kind, "name": ident.replace("_", " ").title(), "properties": props}
