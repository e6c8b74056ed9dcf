"""Schema of a threat-library entry, as read from TOML and validated by pydantic.

An entry is data only: where it applies (element kinds or flows, property
conditions, graph facts), how likely and how harmful it is (a base score plus
named drivers), which standards it maps to and which controls mitigate it.
Cross-references (fact and driver names, ATLAS ids, control ids, property
names and values) are checked by :mod:`app.knowledge.library`, which knows the
catalogues; this module checks shapes and ranges.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from app.model.types import ElementKind

THREAT_ID_PATTERN = r"^[a-z][a-z0-9-]{0,39}$"
ATLAS_TECHNIQUE_PATTERN = r"^AML\.T\d{4}(\.\d{3})?$"
MATRIX_PATTERN = r"^T\d{2}$"

ShortText = Annotated[StrictStr, Field(min_length=1, max_length=200)]
Paragraph = Annotated[StrictStr, Field(min_length=1, max_length=4000)]
Name = Annotated[StrictStr, Field(min_length=1, max_length=64)]
Delta = Annotated[StrictInt, Field(ge=-3, le=3)]
Scalar = Union[StrictBool, StrictStr]
ConditionValue = Union[Scalar, Annotated[list[Scalar], Field(min_length=1, max_length=32)]]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Applies(_Data):
    """Where an entry applies. Every listed condition must hold."""

    to: Literal["element", "flow"] = Field("element", description="What a finding annotates.")
    kinds: tuple[ElementKind, ...] = Field(
        (), description="Element kinds the entry applies to (empty: any kind). Elements only."
    )
    where: dict[Name, ConditionValue] = Field(
        {}, description="Property conditions: property = value or [values]; all must hold."
    )
    unless: dict[Name, ConditionValue] = Field(
        {}, description="Property conditions that, when any holds, rule the entry out."
    )
    facts: tuple[Name, ...] = Field((), description="Graph facts that must all hold for the subject.")
    any_facts: tuple[Name, ...] = Field((), description="Graph facts of which at least one must hold.")

    def fact_names(self) -> tuple[str, ...]:
        return self.facts + tuple(f for f in self.any_facts if f not in self.facts)


class ScoreSpec(_Data):
    """A score: the base value plus the drivers that move it (``driver = delta``)."""

    base: Annotated[StrictInt, Field(ge=1, le=5)]
    drivers: dict[Name, Delta] = {}


class MitigationRef(_Data):
    """A control that mitigates the threat and how much it lowers the scores when in place."""

    control: Name
    likelihood: Annotated[StrictInt, Field(ge=-3, le=0)] = -1
    impact: Annotated[StrictInt, Field(ge=-3, le=0)] = 0


class ThreatEntry(_Data):
    """One threat of the library."""

    id: Annotated[StrictStr, Field(pattern=THREAT_ID_PATTERN)]
    title: ShortText
    description: Paragraph
    why: Paragraph = Field(description="One sentence on why the threat matters where it fires.")
    business_impact: Paragraph = Field(description="What typically goes wrong for the business.")
    family: Name
    stride: tuple[Name, ...] = Field(min_length=1)
    atlas: tuple[Annotated[StrictStr, Field(pattern=ATLAS_TECHNIQUE_PATTERN)], ...] = ()
    owasp_llm: tuple[Name, ...] = ()
    owasp_ml: tuple[Name, ...] = ()
    matrix: tuple[Annotated[StrictStr, Field(pattern=MATRIX_PATTERN)], ...] = Field(
        (), description="Rows of the shared AI threat matrix (T01–T30) this entry covers."
    )
    applies: Applies
    likelihood: ScoreSpec
    impact: ScoreSpec
    mitigations: tuple[Union[Name, MitigationRef], ...] = ()

    def mitigation_refs(self) -> tuple[MitigationRef, ...]:
        return tuple(m if isinstance(m, MitigationRef) else MitigationRef(control=m) for m in self.mitigations)

    @property
    def owasp(self) -> tuple[str, ...]:
        return self.owasp_llm + self.owasp_ml


class LibraryInfo(_Data):
    name: ShortText = "threat library"
    version: Annotated[StrictStr, Field(min_length=1, max_length=40)] = "0"


class Defaults(_Data):
    likelihood: dict[Name, Delta] = {}
    impact: dict[Name, Delta] = {}


class ManifestFile(_Data):
    """``library.toml``: the library's name and version, and default score drivers."""

    library: LibraryInfo = LibraryInfo()
    defaults: Defaults = Defaults()


class ThreatFile(_Data):
    """A threat file's top level besides its ``[[threat]]`` entries (validated one by one).

    ``disable`` lists ids of bundled entries an organisation switches off.
    """

    disable: tuple[Annotated[StrictStr, Field(pattern=THREAT_ID_PATTERN)], ...] = ()
