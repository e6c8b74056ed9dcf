"""Fixtures for the document layer: a Document on a small model, and a signal recorder."""

from __future__ import annotations

import pytest

from app.document import Document
from app.model import Boundary, Flow, Rect, ThreatModel, make_element

ALL_SIGNALS = (
    "element_added", "element_removed", "element_changed",
    "flow_added", "flow_removed", "flow_changed",
    "boundary_added", "boundary_removed", "boundary_changed",
    "layout_changed", "model_reset", "info_changed", "reviews_changed",
    "modified_changed", "file_path_changed", "revision_changed",
)


def small_model() -> ThreatModel:
    """Three elements in a nested pair of boundaries, two flows, one with waypoints.

    b1 (outer) holds e1; b2 (inside b1) holds e2; e3 is outside every boundary.
    e1 → e2 (f1, with waypoints), e2 → e3 (f2).
    """
    return ThreatModel.model_validate(
        {
            "elements": [
                make_element("actor", "e1", "User"),
                make_element("process", "e2", "Chat app", properties={"role": "client"}),
                make_element("model", "e3", "LLM", properties={"model_type": "generative"}),
            ],
            "flows": [
                Flow(id="f1", source="e1", target="e2", carries=("prompts",)),
                Flow(id="f2", source="e2", target="e3", carries=("prompts",)),
            ],
            "boundaries": [
                Boundary(id="b1", name="Internet", members=("e1",)),
                Boundary(id="b2", name="DMZ", parent="b1", members=("e2",)),
            ],
            "layout": {
                "elements": {
                    "e1": Rect(x=0.0, y=0.0, w=100.0, h=50.0),
                    "e2": Rect(x=200.0, y=0.0, w=100.0, h=50.0),
                    "e3": Rect(x=400.0, y=0.0, w=100.0, h=50.0),
                },
                "boundaries": {
                    "b1": Rect(x=-20.0, y=-20.0, w=340.0, h=100.0),
                    "b2": Rect(x=180.0, y=-10.0, w=130.0, h=80.0),
                },
                "flows": {"f1": {"points": [{"x": 150.0, "y": 60.0}]}},
            },
        }
    )


@pytest.fixture(scope="session")
def sample_model() -> ThreatModel:
    return small_model()


@pytest.fixture
def doc(qapp) -> Document:
    document = Document(small_model())
    yield document
    document.close()


class SignalLog:
    """Records every Document signal as ``(name, *args)`` plus what the model looked like then."""

    def __init__(self, document: Document):
        self.events: list[tuple] = []
        self.models: list[ThreatModel] = []
        for name in ALL_SIGNALS:
            getattr(document, name).connect(lambda *args, n=name: self._record(document, n, args))

    def _record(self, document, name, args):
        self.events.append((name, *args))
        self.models.append(document.model)

    def names(self) -> list[str]:
        return [e[0] for e in self.events]

    def clear(self) -> None:
        self.events.clear()
        self.models.clear()


@pytest.fixture
def signals(doc) -> SignalLog:
    return SignalLog(doc)
