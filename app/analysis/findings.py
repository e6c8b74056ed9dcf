"""What the analysis produces: findings, their scores, and the result as a whole.

This is the contract between the engine and everything that shows its output
(CLI formats, the editor's findings panel and canvas badges, the PDF report).
Fields may be added; existing ones keep their names and meaning.
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict

from app.model.types import ReviewStatus


class Severity(str, Enum):
    """Risk level from ``likelihood × impact`` (1–25); see :func:`severity_of`."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)

    @property
    def label(self) -> str:
        return self.value.capitalize()


# Upper bounds of risk for each band: 1–4 low, 5–9 medium, 10–16 high, 17–25 critical.
SEVERITY_BANDS: tuple[tuple[int, Severity], ...] = (
    (4, Severity.LOW),
    (9, Severity.MEDIUM),
    (16, Severity.HIGH),
    (25, Severity.CRITICAL),
)


def severity_of(risk: int) -> Severity:
    for upper, severity in SEVERITY_BANDS:
        if risk <= upper:
            return severity
    return Severity.CRITICAL


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Factor(_Frozen):
    """One reason a likelihood or impact score moved: ``+1 model returns scores``."""

    name: str  # stable key of the driver, e.g. "untrusted_input"
    delta: int  # how much it moved the score (may be negative)
    reason: str  # plain words naming the elements involved


class Score(_Frozen):
    likelihood: int  # 1–5
    impact: int  # 1–5
    risk: int  # likelihood × impact, 1–25
    severity: Severity


class Mitigation(_Frozen):
    control_id: str
    name: str
    atlas: tuple[str, ...] = ()
    in_place: bool = False  # declared on one of the finding's elements or flows
    description: str = ""
    likelihood_delta: int = 0  # how much the control lowers likelihood when in place (≤ 0)
    impact_delta: int = 0  # how much the control lowers impact when in place (≤ 0)


class Finding(_Frozen):
    id: str  # stable: threat id + the elements involved, never a list index
    threat_id: str
    title: str
    family: str
    description: str
    anchor: str  # the flow or element the finding annotates on the canvas
    element_ids: tuple[str, ...]  # every flow/element involved, anchor first
    path: tuple[str, ...]  # witness path: alternating element and flow ids, source first
    likelihood: int
    impact: int
    risk: int
    severity: Severity
    likelihood_factors: tuple[Factor, ...]
    impact_factors: tuple[Factor, ...]
    rationale: str
    business_impact: str
    atlas: tuple[str, ...]
    owasp: tuple[str, ...]  # "LLM01", "ML02" …
    stride: tuple[str, ...]
    mitigations: tuple[Mitigation, ...]
    residual: Score  # after the controls already in place
    status: ReviewStatus = ReviewStatus.OPEN
    justification: str = ""
    owner: str = ""
    review_date: str = ""
    fingerprint: str = ""  # digest of the finding's inputs
    needs_rereview: bool = False  # reviewed, but its inputs changed since
    anchor_type: str = "element"  # "element" or "flow": what ``anchor`` names
    facts: tuple[str, ...] = ()  # the graph facts that matched, in the library entry's order
    matrix: tuple[str, ...] = ()  # rows of the shared AI threat matrix (T01–T30) the threat covers
    decision_id: str = ""  # the most consequential decision point downstream ("" when none is marked)


class AnalysisResult(_Frozen):
    findings: tuple[Finding, ...]  # in a deterministic order: risk desc, then id
    library_version: str  # the model's digest is not here: exporters take it from the model (digest.py)
    orphan_reviews: tuple[str, ...] = ()  # review keys that match no finding any more

    @property
    def open_findings(self) -> tuple[Finding, ...]:
        """Findings still needing action: status open, or reviewed but changed since."""
        return tuple(f for f in self.findings if f.status is ReviewStatus.OPEN or f.needs_rereview)

    def by_anchor(self) -> dict[str, list[Finding]]:
        out: dict[str, list[Finding]] = {}
        for f in self.findings:
            out.setdefault(f.anchor, []).append(f)
        return out
