"""Whole-model analysis of an AI system's threat model (Qt-free).

Public API: :func:`analyze` (model + library → :class:`AnalysisResult`) and
the findings contract in :mod:`app.analysis.findings`.
"""

from app.analysis.engine import analyze
from app.analysis.findings import (
    SEVERITY_BANDS,
    AnalysisResult,
    Factor,
    Finding,
    Mitigation,
    Score,
    Severity,
    severity_of,
)

__all__ = [
    "SEVERITY_BANDS",
    "AnalysisResult",
    "Factor",
    "Finding",
    "Mitigation",
    "Score",
    "Severity",
    "analyze",
    "severity_of",
]
