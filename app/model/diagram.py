"""The whole threat model: metadata, content, review records and layout.

Content (elements, boundaries, flows) and layout (positions, sizes, waypoints)
are separate sections of the file, so a reviewer can read a content diff alone
and moving a node touches only the ``layout`` section.

Lists are kept in canonical order (ids in natural order, ``e2`` before ``e10``)
whatever order the file had, so the same model always serialises to the same
bytes and analysis never depends on file order.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from app.model.elements import Boundary, Element, ElementBase, Flow, Strict
from app.model.types import (
    MAX_BOUNDARIES,
    MAX_ELEMENTS,
    MAX_FLOWS,
    MAX_ITEMS,
    MAX_POINTS,
    MAX_REVIEWS,
    Coord,
    Id,
    IsoDate,
    LongText,
    Name,
    ReviewStatus,
    Size,
    Text,
    natural_key,
)

SCHEMA_VERSION = 1
FORMAT_NAME = "threatcanvas"
FILE_SUFFIX = ".tcm.json"


def _by_id(items: tuple) -> tuple:
    return tuple(sorted(items, key=lambda item: natural_key(item.id)))


def _keys_sorted(mapping: dict) -> dict:
    return {k: mapping[k] for k in sorted(mapping, key=natural_key)}


class ModelInfo(Strict):
    name: Name = Field("Untitled model", description="Name of the system under review.")
    version: Text = Field("", description="Version of this threat model.")
    date: IsoDate = Field("", description="Date of this version (YYYY-MM-DD).")
    authors: Annotated[tuple[Text, ...], Field(max_length=MAX_ITEMS)] = Field((), description="Who wrote the model.")
    reviewers: Annotated[tuple[Text, ...], Field(max_length=MAX_ITEMS)] = Field(
        (), description="Who reviewed or approved it."
    )
    classification: Text = Field("", description="Marking printed on every report page, e.g. CONFIDENTIAL.")
    description: LongText = Field("", description="What the system does, for the report's introduction.")
    scope: LongText = Field("", description="What the assessment covers.")
    assumptions: LongText = Field("", description="What the assessment takes as given.")
    out_of_scope: LongText = Field("", description="What the assessment deliberately leaves out.")


class ReviewRecord(Strict):
    """A reviewer's decision on one finding, keyed by the finding's stable id."""

    status: ReviewStatus = Field(ReviewStatus.OPEN, description="The reviewers' decision on the finding.")
    justification: LongText = Field("", description="Why: the mitigation in place, or the reason for accepting the risk.")
    owner: Text = Field("", description="Who is responsible for the decision or the follow-up.")
    date: IsoDate = Field("", description="When the decision was taken (YYYY-MM-DD).")
    fingerprint: Annotated[str, Field(max_length=128, pattern=r"^[0-9a-f]*$")] = Field(
        "", description="Digest of the finding's inputs when it was reviewed; a change flags it for re-review."
    )


class Rect(Strict):
    x: Coord = Field(description="Left edge, in diagram units (1 unit = 1 pixel at 100% zoom).")
    y: Coord = Field(description="Top edge; y grows downwards.")
    w: Size = Field(description="Width, greater than 0.")
    h: Size = Field(description="Height, greater than 0.")


class Point(Strict):
    x: Coord = Field(description="Horizontal position, in diagram units.")
    y: Coord = Field(description="Vertical position; y grows downwards.")


class FlowLayout(Strict):
    points: Annotated[tuple[Point, ...], Field(max_length=MAX_POINTS)] = Field(
        (), description="Waypoints between the two ends, in order."
    )


class Layout(Strict):
    elements: Annotated[dict[Id, Rect], AfterValidator(_keys_sorted)] = Field(
        {}, description="Position and size of each element, by element id."
    )
    boundaries: Annotated[dict[Id, Rect], AfterValidator(_keys_sorted)] = Field(
        {}, description="Position and size of each boundary, by boundary id."
    )
    flows: Annotated[dict[Id, FlowLayout], AfterValidator(_keys_sorted)] = Field(
        {}, description="Waypoints of each flow, by flow id."
    )


class ThreatModel(Strict):
    format: Literal["threatcanvas"] = Field(FORMAT_NAME, description='Always "threatcanvas": marks the file as a model.')
    schema_version: Literal[1] = Field(SCHEMA_VERSION, description="Version of the file format; older versions are migrated.")
    info: ModelInfo = Field(ModelInfo(), description="What the model is about: name, scope, authors, classification.")
    elements: Annotated[tuple[Element, ...], Field(max_length=MAX_ELEMENTS), AfterValidator(_by_id)] = Field(
        (), description="The diagram's nodes, in natural id order."
    )
    boundaries: Annotated[tuple[Boundary, ...], Field(max_length=MAX_BOUNDARIES), AfterValidator(_by_id)] = Field(
        (), description="Trust boundaries, in natural id order."
    )
    flows: Annotated[tuple[Flow, ...], Field(max_length=MAX_FLOWS), AfterValidator(_by_id)] = Field(
        (), description="Directed data flows between elements, in natural id order."
    )
    reviews: Annotated[
        dict[Annotated[str, Field(max_length=128)], ReviewRecord],
        Field(max_length=MAX_REVIEWS),
        AfterValidator(_keys_sorted),
    ] = Field({}, description="Review decisions, keyed by the stable finding id the analysis gives each finding.")
    layout: Layout = Field(Layout(), description="Where things are drawn; kept apart from content.")

    # -- read-only conveniences (O(n); cache the result when calling in a loop)
    def element_map(self) -> dict[str, ElementBase]:
        return {e.id: e for e in self.elements}

    def flow_map(self) -> dict[str, Flow]:
        return {f.id: f for f in self.flows}

    def boundary_map(self) -> dict[str, Boundary]:
        return {b.id: b for b in self.boundaries}

    def all_ids(self) -> set[str]:
        return {e.id for e in self.elements} | {b.id for b in self.boundaries} | {f.id for f in self.flows}

    def replace(self, **changes) -> "ThreatModel":
        """A new model with ``changes`` applied, validated like a loaded file."""
        data = self.model_dump(mode="python", round_trip=True)
        data.update(changes)
        return ThreatModel.model_validate(data)
