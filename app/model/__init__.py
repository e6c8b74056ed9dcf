"""The domain model of an AI system's data-flow diagram (Qt-free).

Public API: the model classes, the vocabularies, and file I/O.
"""

from app.model.diagram import (
    FILE_SUFFIX,
    FORMAT_NAME,
    SCHEMA_VERSION,
    FlowLayout,
    Layout,
    ModelInfo,
    Point,
    Rect,
    ReviewRecord,
    ThreatModel,
)
from app.model.elements import (
    ELEMENT_CLASSES,
    PROPERTY_CLASSES,
    Boundary,
    CommonProperties,
    Element,
    ElementBase,
    Flow,
    FlowProperties,
    make_element,
)
from app.model.io import MAX_FILE_BYTES, dumps_model, load_model, parse_model, save_model, write_atomic
from app.model.problems import ModelError, Problem
from app.model.types import *  # noqa: F401,F403  (the vocabularies)
from app.model.validate import check_model

__all__ = [
    "FILE_SUFFIX", "FORMAT_NAME", "SCHEMA_VERSION", "FlowLayout", "Layout", "ModelInfo", "Point", "Rect",
    "ReviewRecord", "ThreatModel", "ELEMENT_CLASSES", "PROPERTY_CLASSES", "Boundary", "CommonProperties",
    "Element", "ElementBase", "Flow", "FlowProperties", "make_element", "MAX_FILE_BYTES", "dumps_model",
    "load_model", "parse_model", "save_model", "write_atomic", "ModelError", "Problem", "check_model",
    # the vocabularies, so that `from app.model import *` brings them as the import above promises
    "ElementKind", "Access", "Sensitivity", "Criticality", "Decision", "ProcessRole", "StoreType", "DatasetSource",
    "LabellerType", "TrainerMode", "ModelOrigin", "ModelType", "Serialization", "OutputExposure", "ToolCapability",
    "DataKind", "ReviewStatus", "natural_key",
]
