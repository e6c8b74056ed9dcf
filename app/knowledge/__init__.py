"""The threat library and the controls catalogue: schemas and loaders (Qt-free).

Library files live in ``resources/library``; organisations may add their own
folders. Nothing here evaluates code: entries are data validated by pydantic.

Public API: :func:`load_library` (threats, controls and ATLAS names, with a
``version``) and :func:`load_controls` (the controls catalogue alone).
"""

from app.knowledge.controls import Control, ControlCatalogue, load_controls
from app.knowledge.library import Condition, Library, load_library
from app.knowledge.schema import Applies, MitigationRef, ScoreSpec, ThreatEntry

__all__ = [
    "Applies",
    "Condition",
    "Control",
    "ControlCatalogue",
    "Library",
    "MitigationRef",
    "ScoreSpec",
    "ThreatEntry",
    "load_controls",
    "load_library",
]
