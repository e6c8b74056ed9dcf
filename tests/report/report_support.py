"""Fixtures for the report tests: hand-made findings, so the report is tested on its own.

``fake_result`` builds an :class:`AnalysisResult` with findings on every element
and flow of a model (text taken from the model, so a hostile model's strings
also reach every finding field). The end-to-end tests use the real engine.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from app.analysis.findings import AnalysisResult, Factor, Finding, Mitigation, Score, severity_of
from app.model import ThreatModel
from app.model.types import ReviewStatus

STATUSES = list(ReviewStatus)


def make_finding(i: int, anchor: str, element_ids: tuple[str, ...], path: tuple[str, ...], *, title: str,
                 text: str = "", control: str = "input-filtering", control_name: str = "Input filtering") -> Finding:
    likelihood = 1 + i % 5
    impact = 1 + (i * 3) % 5
    risk = likelihood * impact
    res_l = max(1, likelihood - 1)
    return Finding(
        id=f"TC-{i:03d}-{anchor}"[:120],
        threat_id=f"TC-{i % 7:03d}",
        title=title,
        family="prompt_injection",
        description=f"Description {i}. {text}",
        anchor=anchor,
        element_ids=element_ids,
        path=path,
        likelihood=likelihood,
        impact=impact,
        risk=risk,
        severity=severity_of(risk),
        likelihood_factors=(Factor(name="untrusted_input", delta=1, reason=f"reachable by anonymous users {text}"),),
        impact_factors=(Factor(name="decision", delta=-1, reason=f"a person reviews {text}"),),
        rationale=f"Rationale {i}. {text}",
        business_impact=f"Business impact {i}. {text}",
        atlas=("AML.T0051", "AML.T0051.001") if i % 2 else ("AML.T0020",),
        owasp=("LLM01",) if i % 2 else ("ML02",),
        stride=("Tampering",),
        mitigations=(Mitigation(control_id=control, name=control_name, atlas=("AML.M0015",), in_place=i % 3 == 0),
                     Mitigation(control_id="rate-limiting", name="Rate limiting")),
        residual=Score(likelihood=res_l, impact=impact, risk=res_l * impact, severity=severity_of(res_l * impact)),
        status=STATUSES[i % len(STATUSES)],
        justification=f"Justification {i}. {text}" if i % len(STATUSES) else "",
        owner=f"Owner {text}"[:200] if i % 2 else "",
        review_date="2026-01-02" if i % 2 else "",
    )


def fake_result(model: ThreatModel, text: str = "") -> AnalysisResult:
    """Two findings per element and one per flow, titled after their anchor's name."""
    findings: list[Finding] = []
    i = 0
    for e in model.elements:
        for k in range(2):
            i += 1
            findings.append(make_finding(i, e.id, (e.id,), (e.id,), title=f"Threat {k} on {e.name}", text=text))
    for f in model.flows:
        i += 1
        findings.append(make_finding(i, f.id, (f.id, f.source, f.target), (f.source, f.id, f.target),
                                     title=f"Flow threat on {f.name or f.id}", text=text))
    findings.sort(key=lambda f: (-f.risk, f.id))
    return AnalysisResult(findings=tuple(findings), library_version="test-1")


def pdftotext(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


@pytest.fixture
def epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    return 1767225600


# ---------------------------------------------------------------- hostile models
def text_fields(cls) -> list[str]:
    """Names of the free-text fields of a model class (str fields allowing 10,000+ characters)."""
    from app.model.types import MAX_TEXT

    names = []
    for name, field in cls.model_fields.items():
        limit = next((getattr(m, "max_length", None) for m in field.metadata if getattr(m, "max_length", None)), None)
        if field.annotation is str and limit is not None and limit >= MAX_TEXT:
            names.append(name)
    return names


def poison(model: ThreatModel, payloads: list[str], review_ids: list[str] = ()) -> ThreatModel:
    """A copy of ``model`` with every free-text field replaced, rotating through ``payloads``.

    Fields are discovered from the schema, so a text field added later is poisoned too.
    """
    from app.model.diagram import ModelInfo, ReviewRecord
    from app.model.elements import ELEMENT_CLASSES, PROPERTY_CLASSES, Boundary, Flow

    counter = iter(range(10**9))

    def pick() -> str:
        return payloads[next(counter) % len(payloads)]

    def fill(obj: dict, cls) -> dict:
        for name in text_fields(cls):
            obj[name] = pick()
        return obj

    data = model.model_dump(mode="python")
    fill(data["info"], ModelInfo)
    data["info"]["authors"] = [pick(), pick()]
    data["info"]["reviewers"] = [pick()]
    for el in data["elements"]:
        from app.model.types import ElementKind

        kind = ElementKind(el["kind"])
        fill(el, ELEMENT_CLASSES[kind])
        fill(el["properties"], PROPERTY_CLASSES[kind])
    for fl in data["flows"]:
        fill(fl, Flow)
    for b in data["boundaries"]:
        fill(b, Boundary)
    data["reviews"] = {rid: fill({"status": "accepted"}, ReviewRecord) for rid in review_ids}
    return ThreatModel.model_validate(data)
