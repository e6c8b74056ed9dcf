"""Everything the report sections share: the model, the findings and derived lookups.

:class:`ReportContext` is computed once per report. It numbers the findings
(``R1`` is the highest risk), names every element and flow the way the tables
print them, and ranks the controls by the risk they would address, so the
summary, the findings, the mitigation plan and the standards sections agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.analysis.findings import AnalysisResult, Finding, Severity
from app.knowledge.controls import ControlCatalogue
from app.model import ThreatModel
from app.model.types import ReviewStatus
from app.report.doc import Heading
from app.report.geometry import flow_numbers
from app.report.styles import ReportStyles
from app.report.text import NAME_LIMIT, clean, clip, markup

# statuses that still need action; the rest were decided by a reviewer
UNRESOLVED = (ReviewStatus.OPEN,)


@dataclass
class ControlRank:
    """A control and the findings it would address."""

    control_id: str
    name: str
    atlas: tuple[str, ...]
    description: str
    findings: list[Finding] = field(default_factory=list)  # unresolved, control not yet in place
    in_place_for: int = 0  # findings where it is already in place
    risk_addressed: int = 0  # sum of residual risk of ``findings``


@dataclass
class ReportContext:
    model: ThreatModel
    result: AnalysisResult
    styles: ReportStyles
    controls: ControlCatalogue | None
    model_sha256: str
    tool_version: str
    library_version: str
    generated: str  # ISO date-time (UTC) of the build
    refs: dict[str, str] = field(default_factory=dict)  # finding id -> "R12"
    flow_no: dict[str, int] = field(default_factory=dict)
    elements: dict = field(default_factory=dict)
    flows: dict = field(default_factory=dict)
    boundaries: dict = field(default_factory=dict)
    ranking: list[ControlRank] = field(default_factory=list)
    _headings: int = 0

    @classmethod
    def build(cls, model: ThreatModel, result: AnalysisResult, styles: ReportStyles, controls, *,
              model_sha256: str, tool_version: str, library_version: str, generated: str) -> "ReportContext":
        ctx = cls(model, result, styles, controls, model_sha256, tool_version, library_version, generated)
        ctx.refs = {f.id: f"R{i}" for i, f in enumerate(result.findings, start=1)}
        ctx.flow_no = flow_numbers(model)
        ctx.elements = model.element_map()
        ctx.flows = model.flow_map()
        ctx.boundaries = model.boundary_map()
        ctx.ranking = rank_controls(result.findings, controls)
        return ctx

    def heading(self, text: str, level: int, *, toc: bool = True, style=None) -> Heading:
        """A heading flowable that also lands in the outline (and the TOC up to level 1).

        ``text`` is raw: it is escaped here. Keys are numbered in story order, so
        they are the same on every build.
        """
        self._headings += 1
        styles = (self.styles.h1, self.styles.h2, self.styles.h3)
        return Heading(
            markup(text, NAME_LIMIT),
            style or styles[min(level, 2)],
            level=level,
            key=f"h{self._headings}",
            outline=clip(clean(text), 100),  # logical order: viewers apply bidi themselves
            toc=toc and level <= 1,
        )

    # ---------------------------------------------------------------- naming
    def ref(self, finding: Finding) -> str:
        return self.refs.get(finding.id, "R?")

    def name_of(self, item_id: str) -> str:
        """Raw (unescaped) display name of an element, flow or boundary id."""
        if item_id in self.elements:
            return self.elements[item_id].name
        if item_id in self.flows:
            flow = self.flows[item_id]
            no = self.flow_no.get(item_id, 0)
            src = self.elements[flow.source].name if flow.source in self.elements else flow.source
            dst = self.elements[flow.target].name if flow.target in self.elements else flow.target
            label = f"#{no} {src} → {dst}"
            return f"{label} ({flow.name})" if flow.name else label
        if item_id in self.boundaries:
            return self.boundaries[item_id].name
        return item_id

    def short_name_of(self, item_id: str) -> str:
        """Like :meth:`name_of`, but a flow is just ``#3`` (for witness paths)."""
        if item_id in self.flows:
            return f"#{self.flow_no.get(item_id, 0)}"
        return self.name_of(item_id)

    def status_counts(self) -> dict[tuple[Severity, ReviewStatus], int]:
        counts: dict[tuple[Severity, ReviewStatus], int] = {}
        for f in self.result.findings:
            key = (f.severity, f.status)
            counts[key] = counts.get(key, 0) + 1
        return counts


def rank_controls(findings, controls: ControlCatalogue | None) -> list[ControlRank]:
    """Controls ranked by the residual risk of the unresolved findings they would address.

    A control "addresses" a finding when the finding recommends it and it is not
    yet in place there. Ties break on the number of findings, then the id, so the
    order is deterministic.
    """
    ranks: dict[str, ControlRank] = {}
    for f in findings:
        for m in f.mitigations:
            rank = ranks.get(m.control_id)
            if rank is None:
                known = controls.get(m.control_id) if controls is not None else None
                rank = ControlRank(
                    m.control_id,
                    known.name if known else m.name,
                    tuple(known.atlas) if known else tuple(m.atlas),
                    known.description if known else "",
                )
                ranks[m.control_id] = rank
            if m.in_place:
                rank.in_place_for += 1
            elif f.status in UNRESOLVED:
                rank.findings.append(f)
                rank.risk_addressed += f.residual.risk
    return sorted(ranks.values(), key=lambda r: (-r.risk_addressed, -len(r.findings), r.control_id))
