"""Small valid models for tests, built through the public API."""

from __future__ import annotations

from app.model import Boundary, Flow, ThreatModel, make_element


def small_model() -> ThreatModel:
    """Every element kind once, flows between them, two nested boundaries, layout and a review."""
    kinds = ["actor", "process", "datastore", "dataset", "labeller", "trainer", "model", "retriever", "tool"]
    elements = [make_element(kind, f"e{i}", f"{kind.title()} {i}") for i, kind in enumerate(kinds, start=1)]
    flows = [
        Flow(id=f"f{i}", source=f"e{i}", target=f"e{i + 1}", carries=("prompts",)) for i in range(1, len(kinds))
    ]
    return ThreatModel.model_validate(
        {
            "info": {"name": "Small", "date": "2025-06-01", "authors": ["A"], "classification": "INTERNAL"},
            "elements": [e.model_dump() for e in elements],
            "boundaries": [
                Boundary(id="b1", name="Outer", members=("e2", "e3")).model_dump(),
                Boundary(id="b2", name="Inner", parent="b1", members=("e7",)).model_dump(),
            ],
            "flows": [f.model_dump() for f in flows],
            "reviews": {"AI-001-abc": {"status": "accepted", "justification": "ok", "owner": "me", "date": "2025-06-02"}},
            "layout": {
                "elements": {f"e{i}": {"x": 100.0 * i, "y": 50.0, "w": 120.0, "h": 60.0} for i in range(1, 10)},
                "boundaries": {"b1": {"x": 150.0, "y": 0.0, "w": 300.0, "h": 200.0}},
                "flows": {"f1": {"points": [{"x": 150.0, "y": 80.0}]}},
            },
        }
    )
