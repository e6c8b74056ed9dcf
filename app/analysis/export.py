"""Analysis results as text, JSON, CSV and SARIF 2.1.0, deterministic to the byte.

No timestamps, no absolute paths added, keys in a fixed order: the same
model, library and arguments always give the same bytes, so results can be
diffed and cached in CI. The JSON layout is documented in docs/analysis.md
(``FINDINGS_FORMAT``/``FINDINGS_SCHEMA_VERSION`` identify it).
"""

from __future__ import annotations

import csv
import io
import json
import re
import textwrap
from typing import Any

from app import __version__
from app.analysis.digest import model_digest
from app.analysis.findings import AnalysisResult, Finding, Severity
from app.model.diagram import ThreatModel
from app.model.types import ReviewStatus

FINDINGS_FORMAT = "threatcanvas-findings"
FINDINGS_SCHEMA_VERSION = 1
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"  # an identifier only: nothing is fetched

_SARIF_LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note"}
# GitHub code scanning reads "security-severity" (0–10) to rank alerts
_SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "2.0"}
_SUPPRESSED = {ReviewStatus.MITIGATED, ReviewStatus.ACCEPTED, ReviewStatus.NOT_APPLICABLE, ReviewStatus.TRANSFERRED}


def is_open(f: Finding) -> bool:
    """Still needs action: open, or reviewed but its inputs changed since."""
    return f.status is ReviewStatus.OPEN or f.needs_rereview


def summary(result: AnalysisResult) -> dict[str, Any]:
    by = {s.value: 0 for s in reversed(Severity)}
    open_by = dict(by)
    for f in result.findings:
        by[f.severity.value] += 1
        if is_open(f):
            open_by[f.severity.value] += 1
    return {
        "total": len(result.findings),
        "by_severity": by,
        "open": sum(open_by.values()),
        "open_by_severity": open_by,
        "needs_rereview": sum(1 for f in result.findings if f.needs_rereview),
        "orphan_reviews": list(result.orphan_reviews),
    }


def finding_dict(f: Finding) -> dict[str, Any]:
    """One finding in the JSON layout (the contract fields first, in a fixed order)."""
    return {
        "id": f.id,
        "threat_id": f.threat_id,
        "title": f.title,
        "family": f.family,
        "severity": f.severity.value,
        "risk": f.risk,
        "likelihood": f.likelihood,
        "impact": f.impact,
        "anchor": f.anchor,
        "anchor_type": f.anchor_type,
        "element_ids": list(f.element_ids),
        "path": list(f.path),
        "rationale": f.rationale,
        "business_impact": f.business_impact,
        "likelihood_factors": [{"name": x.name, "delta": x.delta, "reason": x.reason} for x in f.likelihood_factors],
        "impact_factors": [{"name": x.name, "delta": x.delta, "reason": x.reason} for x in f.impact_factors],
        "atlas": list(f.atlas),
        "owasp": list(f.owasp),
        "stride": list(f.stride),
        "matrix": list(f.matrix),
        "facts": list(f.facts),
        "decision_id": f.decision_id,
        "mitigations": [
            {
                "control_id": m.control_id,
                "name": m.name,
                "atlas": list(m.atlas),
                "in_place": m.in_place,
                "likelihood_delta": m.likelihood_delta,
                "impact_delta": m.impact_delta,
            }
            for m in f.mitigations
        ],
        "residual": {
            "likelihood": f.residual.likelihood,
            "impact": f.residual.impact,
            "risk": f.residual.risk,
            "severity": f.residual.severity.value,
        },
        "status": f.status.value,
        "needs_rereview": f.needs_rereview,
        "justification": f.justification,
        "owner": f.owner,
        "review_date": f.review_date,
        "fingerprint": f.fingerprint,
        "description": f.description,
    }


def to_json(result: AnalysisResult, model: ThreatModel, file: str = "") -> str:
    doc = {
        "format": FINDINGS_FORMAT,
        "schema_version": FINDINGS_SCHEMA_VERSION,
        "tool": {"name": "ThreatCanvas", "version": __version__},
        "library_version": result.library_version,
        "model": {
            "file": file,
            "name": model.info.name,
            "version": model.info.version,
            "digest": model_digest(model),
        },
        "summary": summary(result),
        "findings": [finding_dict(f) for f in result.findings],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------ CSV
CSV_COLUMNS = (
    "id", "severity", "risk", "likelihood", "impact", "residual_risk", "residual_severity", "status",
    "needs_rereview", "threat_id", "title", "family", "anchor", "element_ids", "path", "stride", "owasp", "atlas",
    "controls_recommended", "controls_in_place", "rationale", "business_impact", "owner", "justification",
    "review_date",
)


def _cell(value: Any) -> str:
    text = str(value)
    # a cell a spreadsheet would read as a formula (CSV injection) is quoted with a leading apostrophe
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def to_csv(result: AnalysisResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for f in result.findings:
        row = [
            f.id, f.severity.value, f.risk, f.likelihood, f.impact, f.residual.risk, f.residual.severity.value,
            f.status.value, "yes" if f.needs_rereview else "no", f.threat_id, f.title, f.family, f.anchor,
            " ".join(f.element_ids), " > ".join(f.path), "; ".join(f.stride), " ".join(f.owasp), " ".join(f.atlas),
            " ".join(m.control_id for m in f.mitigations if not m.in_place),
            " ".join(m.control_id for m in f.mitigations if m.in_place),
            f.rationale, f.business_impact, f.owner, f.justification, f.review_date,
        ]
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


# ------------------------------------------------------------------ SARIF
def _id_lines(text: str) -> dict[str, int]:
    """Line number (1-based) where each ``"id": "…"`` first appears in the model file."""
    lines: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), 1):
        m = re.match(r'\s*"id"\s*:\s*"([^"\\]*)"', line)
        if m and m.group(1) not in lines:
            lines[m.group(1)] = n
    return lines


def to_sarif(result: AnalysisResult, model: ThreatModel, file: str = "", file_text: str = "") -> str:
    rules: list[dict] = []
    rule_index: dict[str, int] = {}
    for f in sorted(result.findings, key=lambda f: f.threat_id):
        if f.threat_id in rule_index:
            continue
        rule_index[f.threat_id] = len(rules)
        rules.append(
            {
                "id": f.threat_id,
                "name": "".join(w.capitalize() for w in f.threat_id.split("-")),
                "shortDescription": {"text": f.title},
                "fullDescription": {"text": f.description},
                "help": {"text": "Recommended controls: " + "; ".join(m.name for m in f.mitigations)},
                "properties": {
                    "tags": ["security", f.family, *f.stride, *f.owasp, *f.atlas],
                },
            }
        )
    lines = _id_lines(file_text) if file_text else {}
    results = []
    for f in result.findings:
        location: dict[str, Any] = {
            "logicalLocations": [{"name": f.anchor, "fullyQualifiedName": f.anchor, "kind": f.anchor_type}],
        }
        if file:
            physical: dict[str, Any] = {"artifactLocation": {"uri": file}}
            if f.anchor in lines:
                physical["region"] = {"startLine": lines[f.anchor]}
            location["physicalLocation"] = physical
        entry: dict[str, Any] = {
            "ruleId": f.threat_id,
            "ruleIndex": rule_index[f.threat_id],
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f"{f.title}. {f.rationale}"},
            "locations": [location],
            "partialFingerprints": {"threatcanvasFindingId/v1": f.id},
            "properties": {
                "security-severity": _SECURITY_SEVERITY[f.severity],
                "severity": f.severity.value,
                "risk": f.risk,
                "likelihood": f.likelihood,
                "impact": f.impact,
                "residualRisk": f.residual.risk,
                "path": list(f.path),
                "businessImpact": f.business_impact,
                "status": f.status.value,
                "needsRereview": f.needs_rereview,
            },
        }
        if f.status in _SUPPRESSED and not f.needs_rereview:
            entry["suppressions"] = [
                {"kind": "external", "status": "accepted", "justification": f.justification or f.status.value}
            ]
        results.append(entry)
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ThreatCanvas",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": rules,
                        "properties": {"libraryVersion": result.library_version},
                    }
                },
                "results": results,
                "properties": {"modelName": model.info.name, "modelDigest": model_digest(model)},
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------ text
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """User text made safe for a terminal: control characters (escape sequences, newlines) shown, not obeyed."""
    return _CONTROL.sub(lambda m: " " if m.group() in "\n\t\r" else f"\\x{ord(m.group()):02x}", text)


def _wrap(text: str, indent: str, width: int = 100) -> list[str]:
    return textwrap.wrap(clean(text), width=width, initial_indent=indent, subsequent_indent=indent + "  ") or [indent]


def _factors(score: int, factors) -> str:
    parts = []
    for x in factors:
        parts.append(f"{x.delta} base" if x.name == "base" else f"{x.delta:+d} {x.reason}")
    return f"{score} = " + "; ".join(parts)


def to_text(result: AnalysisResult, model: ThreatModel, names: dict[str, str] | None = None) -> str:
    names = names or {}
    s = summary(result)
    counts = ", ".join(f"{n} {sev}" for sev, n in s["by_severity"].items() if n)
    out = [
        f"ThreatCanvas analysis: {clean(model.info.name)}",
        f"library {result.library_version} · {s['total']} findings" + (f" ({counts})" if counts else "")
        + f" · {s['open']} open" + (f" · {s['needs_rereview']} to re-review" if s["needs_rereview"] else ""),
    ]
    for f in result.findings:
        out.append("")
        out.append(f"{f.severity.value.upper()} {f.risk}  {f.id}  {clean(f.title)}")
        out.append(f"  on: {clean(names.get(f.anchor, f.anchor))} [{f.anchor}]")
        out += _wrap("path: " + " → ".join(names.get(i, i) for i in f.path[::2]), "  ")
        out += _wrap("why: " + f.rationale, "  ")
        out += _wrap("likelihood " + _factors(f.likelihood, f.likelihood_factors), "  ")
        out += _wrap("impact " + _factors(f.impact, f.impact_factors), "  ")
        out += _wrap("business impact: " + f.business_impact, "  ")
        controls = "; ".join(f"{m.name}{' (in place)' if m.in_place else ''}" for m in f.mitigations)
        out += _wrap("controls: " + controls, "  ")
        out.append(
            f"  residual: likelihood {f.residual.likelihood} × impact {f.residual.impact} = {f.residual.risk} "
            f"({f.residual.severity.value})"
        )
        status = f"  status: {f.status.value}"
        if f.owner:
            status += f" · owner {clean(f.owner)}"
        if f.review_date:
            status += f" · {f.review_date}"
        if f.needs_rereview:
            status += " · NEEDS RE-REVIEW (inputs changed since the review)"
        out.append(status)
        if f.justification:
            out += _wrap("justification: " + f.justification, "  ")
        out += _wrap("refs: " + " ".join([*f.owasp, *f.atlas]) + " · STRIDE: " + ", ".join(f.stride), "  ")
    if result.orphan_reviews:
        out.append("")
        out.append("reviews that match no finding any more: " + ", ".join(result.orphan_reviews))
    return "\n".join(out) + "\n"
