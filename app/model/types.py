"""Vocabulary of the domain model: enumerations and constrained scalar types.

Every enumeration is a ``str`` enum whose values are what the file stores, so
``Access.ANONYMOUS == "anonymous"``. Scalars are *strict* (a file that says
``"true"`` where a boolean belongs is an error, not a guess) and bounded (no
NaN, no unbounded strings), because model files arrive from other people.
"""

from __future__ import annotations

import re
from datetime import date
from enum import Enum
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, Field, Strict

# ---------------------------------------------------------------- limits
MAX_ID_LEN = 64
MAX_TEXT = 10_000  # names, short fields: the report must survive this much
MAX_LONG_TEXT = 100_000  # descriptions, scope, justifications
MAX_ITEMS = 64  # authors, controls, capabilities and other small lists
MAX_ELEMENTS = 50_000
MAX_FLOWS = 100_000
MAX_BOUNDARIES = 10_000
MAX_REVIEWS = 200_000
MAX_COORD = 10_000_000.0
MAX_POINTS = 256  # waypoints on one flow

ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_.-]*$"
_ID_RE = re.compile(ID_PATTERN)

# ---------------------------------------------------------------- scalars
Id = Annotated[str, Strict(), Field(min_length=1, max_length=MAX_ID_LEN, pattern=ID_PATTERN)]
Text = Annotated[str, Strict(), Field(max_length=MAX_TEXT)]
Name = Annotated[str, Strict(), Field(min_length=1, max_length=MAX_TEXT)]
LongText = Annotated[str, Strict(), Field(max_length=MAX_LONG_TEXT)]
Flag = Annotated[bool, Strict()]
Coord = Annotated[float, Strict(), Field(ge=-MAX_COORD, le=MAX_COORD, allow_inf_nan=False)]
Size = Annotated[float, Strict(), Field(gt=0, le=MAX_COORD, allow_inf_nan=False)]


def _check_iso_date(value: str) -> str:
    if value:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValueError(f'"{value}" is not a valid date (YYYY-MM-DD)') from None
    return value


IsoDate = Annotated[
    str,
    Strict(),
    Field(max_length=10, pattern=r"^(\d{4}-\d{2}-\d{2})?$"),
    AfterValidator(_check_iso_date),
]

T = TypeVar("T")


def _sorted_unique(values: tuple[Any, ...]) -> tuple[Any, ...]:
    seen = set()
    for v in values:
        if v in seen:
            raise ValueError(f'duplicate value "{getattr(v, "value", v)}" (the list is a set)')
        seen.add(v)
    return tuple(sorted(values, key=lambda v: str(getattr(v, "value", v))))


def SetOf(item: Any, max_items: int = MAX_ITEMS) -> Any:
    """A set stored as a sorted, duplicate-free list (order never shows in a diff)."""
    return Annotated[tuple[item, ...], Field(max_length=max_items), AfterValidator(_sorted_unique)]


_DIGIT_RUNS = re.compile(r"([0-9]+)")


def natural_key(ident: str) -> tuple:
    """Sort key putting ``e2`` before ``e10``: the canonical order of ids in files.

    The order is total: ids that read as the same number (``a1``, ``a01``) are
    told apart by their text, so the canonical order never depends on the
    order of the file (it would, with a sort that sees them as equal).
    """
    # only ASCII digit runs count as numbers: str.isdigit() is also true for
    # "²" and friends, which int() refuses (hypothesis found that one)
    parts = _DIGIT_RUNS.split(ident)
    return tuple((0, int(p), "") if i % 2 else (1, 0, p) for i, p in enumerate(parts)), ident


def is_valid_id(value: str) -> bool:
    return 0 < len(value) <= MAX_ID_LEN and bool(_ID_RE.match(value))


# ---------------------------------------------------------------- enums
class _Vocab(str, Enum):
    """Base of the vocabularies: the value is what files store; ``label`` is for people."""

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    def __str__(self) -> str:  # pragma: no cover - convenience
        return self.value


class ElementKind(_Vocab):
    ACTOR = "actor"
    PROCESS = "process"
    DATASTORE = "datastore"
    DATASET = "dataset"
    LABELLER = "labeller"
    TRAINER = "trainer"
    MODEL = "model"
    RETRIEVER = "retriever"
    TOOL = "tool"


class Access(_Vocab):
    """Who can reach or write an element, from least to most trusted.

    For an actor it is the kind of party the actor is.
    """

    ANONYMOUS = "anonymous"
    AUTHENTICATED = "authenticated"
    PARTNER = "partner"
    INTERNAL = "internal"
    PRIVILEGED = "privileged"

    @property
    def rank(self) -> int:
        """0 for anonymous (least trusted) up to 4 for privileged."""
        return _ACCESS_ORDER.index(self)


_ACCESS_ORDER = list(Access)


class Sensitivity(_Vocab):
    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    RESTRICTED = "restricted"

    @property
    def rank(self) -> int:
        return _SENSITIVITY_ORDER.index(self)


_SENSITIVITY_ORDER = list(Sensitivity)


class Criticality(_Vocab):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _CRITICALITY_ORDER.index(self)


_CRITICALITY_ORDER = list(Criticality)


class Decision(_Vocab):
    """What happens to a model output that reaches this element."""

    NONE = "none"  # not a decision point
    INFORMATIONAL = "informational"  # shown to someone, no decision taken on it
    HUMAN_REVIEWED = "human_reviewed"  # a person decides, the output advises
    AUTOMATED = "automated"  # acted on without a person, case by case
    AUTOMATED_AT_SCALE = "automated_at_scale"  # acted on without a person, in bulk

    @property
    def rank(self) -> int:
        return _DECISION_ORDER.index(self)


_DECISION_ORDER = list(Decision)


class ProcessRole(_Vocab):
    SERVICE = "service"
    APPLICATION = "application"
    AGENT = "agent"  # agent orchestrator: plans and calls tools
    SENSOR = "sensor"  # captures the physical world (camera, microphone …)
    GATEWAY = "gateway"
    CLIENT = "client"  # shows output to a person (web UI, chat widget, e-mail)


class StoreType(_Vocab):
    DATABASE = "database"
    OBJECT_STORE = "object_store"
    FILE_SHARE = "file_share"
    VECTOR_STORE = "vector_store"
    MODEL_REGISTRY = "model_registry"
    FEATURE_STORE = "feature_store"
    AGENT_MEMORY = "agent_memory"
    CONFIGURATION = "configuration"
    LOGS = "logs"


class DatasetSource(_Vocab):
    INTERNAL = "internal"
    THIRD_PARTY = "third_party"
    PUBLIC_WEB = "public_web"
    USER_GENERATED = "user_generated"


class LabellerType(_Vocab):
    IN_HOUSE = "in_house"
    CROWD = "crowd"  # crowd-sourced or outsourced
    END_USER_FEEDBACK = "end_user_feedback"
    AUTOMATED = "automated"  # labels produced by another model or heuristic


class TrainerMode(_Vocab):
    OFFLINE = "offline"  # trained once, by hand
    SCHEDULED = "scheduled"  # periodic retraining on fresh data
    ONLINE = "online"  # continual learning from live data
    FEDERATED = "federated"


class ModelOrigin(_Vocab):
    IN_HOUSE = "in_house"
    FINE_TUNED = "fine_tuned"  # third-party weights fine-tuned here
    THIRD_PARTY_WEIGHTS = "third_party_weights"
    HOSTED_API = "hosted_api"  # someone else's model behind an API


class ModelType(_Vocab):
    CLASSIFIER = "classifier"
    REGRESSOR = "regressor"
    GENERATIVE = "generative"  # LLMs and other generators
    EMBEDDING = "embedding"


class Serialization(_Vocab):
    PICKLE = "pickle"  # executes code on load
    SAFETENSORS = "safetensors"
    ONNX = "onnx"
    FRAMEWORK_NATIVE = "framework_native"  # SavedModel, TorchScript …
    GGUF = "gguf"
    NOT_APPLICABLE = "not_applicable"  # hosted API: no artefact here

    @property
    def executes_code_on_load(self) -> bool:
        return self is Serialization.PICKLE


class OutputExposure(_Vocab):
    """What a model's callers get back."""

    LABEL_ONLY = "label_only"
    SCORES = "scores"  # confidences or probabilities
    FREE_TEXT = "free_text"


class ToolCapability(_Vocab):
    READ = "read"
    WRITE = "write"
    EXECUTE_CODE = "execute_code"
    SEND_MESSAGES = "send_messages"
    MOVE_MONEY = "move_money"


class DataKind(_Vocab):
    """What a flow carries."""

    TRAINING_DATA = "training_data"
    LABELS = "labels"
    PROMPTS = "prompts"
    QUERIES = "queries"  # inference inputs that are not prompts (features, images …)
    RETRIEVED_DOCUMENTS = "retrieved_documents"
    DOCUMENTS = "documents"  # raw content: web pages, e-mails, files
    EMBEDDINGS = "embeddings"
    MODEL_WEIGHTS = "model_weights"
    PREDICTIONS = "predictions"  # model outputs: labels, scores, generated text
    TOOL_CALLS = "tool_calls"
    TOOL_RESULTS = "tool_results"
    FEEDBACK = "feedback"
    CREDENTIALS = "credentials"
    PERSONAL_DATA = "personal_data"
    CONFIGURATION = "configuration"
    SENSOR_DATA = "sensor_data"
    TELEMETRY = "telemetry"


class ReviewStatus(_Vocab):
    OPEN = "open"
    MITIGATED = "mitigated"
    ACCEPTED = "accepted"
    NOT_APPLICABLE = "not_applicable"
    TRANSFERRED = "transferred"
