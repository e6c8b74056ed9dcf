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
from app.report.fastlayout import Run
from app.report.styles import HEADING_LOOKS, ReportStyles
from app.report.text import NAME_LIMIT, clean, clip



def is_open(finding: Finding) -> bool:
    """Still needs action: no decision yet, or a decision whose inputs changed since."""
    return finding.status is ReviewStatus.OPEN or finding.needs_rereview


@dataclass
class ControlRank:
    """A control and the findings it would address."""

    control_id: str
    name: str
    atlas: tuple[str, ...]
    description: str
    findings: list[Finding] = field(default_factory=list)  # open, control not yet in place
    in_place_for: int = 0  # findings where it is already in place
    risk_addressed: int = 0  # residual risk the control would remove from ``findings``


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
    toc_entries: list[tuple[int, str, str]] = field(default_factory=list)
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

    def heading(self, text: str, level: int, *, toc: bool = True, look: int | None = None) -> Heading:
        """A heading flowable that also lands in the outline (and the TOC up to level 1).

        ``text`` is raw user or report text: it is cleaned and clipped here and set
        as runs, never parsed. ``look`` picks the visual size (default: ``level``).
        Keys are numbered in story order, so they are the same on every build.
        """
        self._headings += 1
        key = f"h{self._headings}"
        font, size, colour, before, after = HEADING_LOOKS[min(look if look is not None else level, 2)]
        shown = clip(clean(text), NAME_LIMIT)
        in_toc = toc and level <= 1
        if in_toc:
            self.toc_entries.append((level, shown, key))
        return Heading(
            [Run(shown, font, size, colour)],
            level=level,
            key=key,
            outline=clip(clean(text), 100),  # logical order: viewers apply bidi themselves
            toc=in_toc,
            space_before=before,
            space_after=after,
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


def _clamp(value: int) -> int:
    return max(1, min(5, value))


def risk_removed(finding: Finding, mitigation) -> int:
    """Residual risk the control would remove from ``finding`` if it were put in place.

    Uses the control's likelihood and impact deltas from the library entry, on
    top of the controls already in place, with scores kept within 1–5.
    """
    r = finding.residual
    after = _clamp(r.likelihood + mitigation.likelihood_delta) * _clamp(r.impact + mitigation.impact_delta)
    return max(0, r.risk - after)


def rank_controls(findings, controls: ControlCatalogue | None) -> list[ControlRank]:
    """Controls ranked by the residual risk they would remove from the open findings.

    A control "addresses" an open finding when the finding recommends it and it
    is not yet in place there. Ties break on the number of findings, then the
    id, so the order is deterministic.
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
                    known.description if known else m.description,
                )
                ranks[m.control_id] = rank
            if m.in_place:
                rank.in_place_for += 1
            elif is_open(f):
                rank.findings.append(f)
                rank.risk_addressed += risk_removed(f, m)
    return sorted(ranks.values(), key=lambda r: (-r.risk_addressed, -len(r.findings), r.control_id))
