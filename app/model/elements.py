"""Diagram content: elements with typed, per-kind properties, flows and trust boundaries.

Every model class is frozen and forbids unknown keys. Properties are grouped per
element kind; the fields common to every kind live in :class:`CommonProperties`.
Each field's ``description`` is the help text the editor's inspector shows and
``docs/file-format.md`` documents (a test keeps them in step).
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from app.model.types import (
    Access,
    Criticality,
    DatasetSource,
    DataKind,
    Decision,
    ElementKind,
    Flag,
    Id,
    LabellerType,
    LongText,
    ModelOrigin,
    ModelType,
    Name,
    OutputExposure,
    ProcessRole,
    Sensitivity,
    Serialization,
    SetOf,
    StoreType,
    Text,
    ToolCapability,
    TrainerMode,
)


class Strict(BaseModel):
    """Base of every model class: immutable, unknown keys refused, no NaN/Infinity."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        allow_inf_nan=False,
        validate_default=False,
        use_enum_values=False,
    )


# ------------------------------------------------------------------ properties
class CommonProperties(Strict):
    access: Access = Field(
        Access.INTERNAL,
        description="The least-trusted party that can reach or write this element "
        "(for an actor: the kind of party it is).",
    )
    sensitivity: Sensitivity = Field(
        Sensitivity.INTERNAL, description="Classification of the data this element holds or handles."
    )
    personal_data: Flag = Field(False, description="Whether the element holds or handles personal data.")
    decision: Decision = Field(
        Decision.NONE,
        description="What happens to model output that reaches this element: none, informational, "
        "human-reviewed, automated, or automated at scale.",
    )
    criticality: Criticality = Field(
        Criticality.MEDIUM, description="How much the business depends on this element working correctly."
    )
    business_function: Text = Field(
        "", description='The business activity this element serves, in business words ("card-payment fraud decisions").'
    )


class ActorProperties(CommonProperties):
    access: Access = Field(Access.ANONYMOUS, description=CommonProperties.model_fields["access"].description)
    human: Flag = Field(True, description="A person (true) or an external system (false).")


class ProcessProperties(CommonProperties):
    role: ProcessRole = Field(
        ProcessRole.SERVICE,
        description="service, application, agent (orchestrates model and tools), sensor (captures the physical "
        "world), gateway, or client (shows output to a person).",
    )
    holds_credentials: Flag = Field(
        False, description="Holds secrets such as pay-per-use model API keys or service credentials."
    )
    renders_markup: Flag = Field(
        False, description="Renders model output as markdown, HTML, links or images (an exfiltration channel)."
    )
    physically_exposed: Flag = Field(
        False, description="A sensor whose scene outsiders can reach (public camera, unattended kiosk)."
    )


class DatastoreProperties(CommonProperties):
    store_type: StoreType = Field(StoreType.DATABASE, description="What kind of store this is.")
    encrypted_at_rest: Flag = Field(False, description="Whether stored data is encrypted at rest.")


class DatasetProperties(CommonProperties):
    source: DatasetSource = Field(
        DatasetSource.INTERNAL,
        description="Where the data comes from: internal, third_party, public_web or user_generated.",
    )
    integrity_verified: Flag = Field(
        False, description="Whether the data's integrity is checked (hashes, signatures, provenance records)."
    )


class LabellerProperties(CommonProperties):
    labeller_type: LabellerType = Field(
        LabellerType.IN_HOUSE,
        description="Who produces the labels: in_house staff, crowd/outsourced workers, end_user_feedback, "
        "or an automated model or heuristic.",
    )


class TrainerProperties(CommonProperties):
    mode: TrainerMode = Field(
        TrainerMode.OFFLINE, description="offline (once, by hand), scheduled retraining, online/continual, or federated."
    )
    fine_tunes_third_party: Flag = Field(
        False, description="Starts from third-party pretrained weights and fine-tunes them."
    )


class ModelProperties(CommonProperties):
    origin: ModelOrigin = Field(
        ModelOrigin.IN_HOUSE, description="in_house, fine_tuned, third_party_weights, or hosted_api."
    )
    model_type: ModelType = Field(
        ModelType.CLASSIFIER, description="classifier, regressor, generative (LLM) or embedding."
    )
    serialization: Serialization = Field(
        Serialization.SAFETENSORS,
        description="How the weights are stored; pickle executes code when loaded.",
    )
    output_exposure: OutputExposure = Field(
        OutputExposure.LABEL_ONLY,
        description="What callers get back: label_only, scores (confidences) or free_text.",
    )
    system_prompt_secrets: Flag = Field(
        False, description="The system prompt or configuration holds secrets or authorisation rules."
    )
    public_architecture: Flag = Field(
        False, description="The architecture or base model is publicly known (eases transfer attacks)."
    )


class RetrieverProperties(CommonProperties):
    corpus: Text = Field("", description="What the retriever searches (e.g. 'support knowledge base').")
    corpus_writers: Access = Field(
        Access.INTERNAL, description="The least-trusted party that can write into the corpus."
    )
    permission_aware: Flag = Field(
        False, description="Filters results by the asking user's permissions."
    )


class ToolProperties(CommonProperties):
    capabilities: SetOf(ToolCapability) = Field(  # type: ignore[valid-type]
        (ToolCapability.READ,),
        description="What the tool can do: read, write, execute_code, send_messages, move_money.",
    )
    human_approval: Flag = Field(False, description="A person approves each action before it takes effect.")
    third_party: Flag = Field(False, description="Supplied by a third party (plugin, MCP server, skill).")


PROPERTY_CLASSES: dict[ElementKind, type[CommonProperties]] = {
    ElementKind.ACTOR: ActorProperties,
    ElementKind.PROCESS: ProcessProperties,
    ElementKind.DATASTORE: DatastoreProperties,
    ElementKind.DATASET: DatasetProperties,
    ElementKind.LABELLER: LabellerProperties,
    ElementKind.TRAINER: TrainerProperties,
    ElementKind.MODEL: ModelProperties,
    ElementKind.RETRIEVER: RetrieverProperties,
    ElementKind.TOOL: ToolProperties,
}


# ------------------------------------------------------------------ elements
_KIND_HELP = "What the element is: actor, process, datastore, dataset, labeller, trainer, model, retriever or tool."
_PROPERTIES_HELP = "The element's typed properties; which ones depends on the kind."


class ElementBase(Strict):
    id: Id = Field(description="Unique id of the element; flows, boundaries, layout and findings refer to it.")
    name: Name = Field(description="Name shown on the diagram and in the report.")
    description: LongText = Field("", description="Free-text notes: what the element is and does.")
    controls: SetOf(Id) = Field((), description="Ids of controls in place, from the controls catalogue.")  # type: ignore[valid-type]

    @property
    def element_kind(self) -> ElementKind:
        return ElementKind(self.kind)  # type: ignore[attr-defined]


class Actor(ElementBase):
    kind: Literal["actor"] = Field("actor", description=_KIND_HELP)
    properties: ActorProperties = Field(ActorProperties(), description=_PROPERTIES_HELP)


class Process(ElementBase):
    kind: Literal["process"] = Field("process", description=_KIND_HELP)
    properties: ProcessProperties = Field(ProcessProperties(), description=_PROPERTIES_HELP)


class Datastore(ElementBase):
    kind: Literal["datastore"] = Field("datastore", description=_KIND_HELP)
    properties: DatastoreProperties = Field(DatastoreProperties(), description=_PROPERTIES_HELP)


class Dataset(ElementBase):
    kind: Literal["dataset"] = Field("dataset", description=_KIND_HELP)
    properties: DatasetProperties = Field(DatasetProperties(), description=_PROPERTIES_HELP)


class Labeller(ElementBase):
    kind: Literal["labeller"] = Field("labeller", description=_KIND_HELP)
    properties: LabellerProperties = Field(LabellerProperties(), description=_PROPERTIES_HELP)


class Trainer(ElementBase):
    kind: Literal["trainer"] = Field("trainer", description=_KIND_HELP)
    properties: TrainerProperties = Field(TrainerProperties(), description=_PROPERTIES_HELP)


class Model(ElementBase):
    kind: Literal["model"] = Field("model", description=_KIND_HELP)
    properties: ModelProperties = Field(ModelProperties(), description=_PROPERTIES_HELP)


class Retriever(ElementBase):
    kind: Literal["retriever"] = Field("retriever", description=_KIND_HELP)
    properties: RetrieverProperties = Field(RetrieverProperties(), description=_PROPERTIES_HELP)


class Tool(ElementBase):
    kind: Literal["tool"] = Field("tool", description=_KIND_HELP)
    properties: ToolProperties = Field(ToolProperties(), description=_PROPERTIES_HELP)


Element = Annotated[
    Union[Actor, Process, Datastore, Dataset, Labeller, Trainer, Model, Retriever, Tool],
    Field(discriminator="kind"),
]

ELEMENT_CLASSES: dict[ElementKind, type[ElementBase]] = {
    ElementKind.ACTOR: Actor,
    ElementKind.PROCESS: Process,
    ElementKind.DATASTORE: Datastore,
    ElementKind.DATASET: Dataset,
    ElementKind.LABELLER: Labeller,
    ElementKind.TRAINER: Trainer,
    ElementKind.MODEL: Model,
    ElementKind.RETRIEVER: Retriever,
    ElementKind.TOOL: Tool,
}


def make_element(kind: ElementKind | str, id: str, name: str, **fields) -> ElementBase:
    """Build (and validate) an element of ``kind``; ``properties`` may be a dict."""
    cls = ELEMENT_CLASSES[ElementKind(kind)]
    return cls.model_validate({"id": id, "name": name, **fields})


# ------------------------------------------------------------------ flows
class FlowProperties(Strict):
    authenticated: Flag = Field(False, description="The receiver authenticates the sender.")
    encrypted: Flag = Field(False, description="The flow is encrypted in transit.")
    least_privilege: Flag = Field(
        False, description="The sender's credentials on this flow grant only what the flow needs."
    )
    logged: Flag = Field(False, description="Traffic on this flow is logged so actions can be attributed.")
    sensitivity: Sensitivity = Field(Sensitivity.INTERNAL, description="Classification of what the flow carries.")


class Flow(Strict):
    id: Id = Field(description="Unique id of the flow.")
    source: Id = Field(description="Id of the element the data leaves.")
    target: Id = Field(description="Id of the element the data enters.")
    name: Text = Field("", description="Label shown on the arrow.")
    description: LongText = Field("", description="Free-text notes about the flow.")
    carries: SetOf(DataKind) = Field((), description="What the flow carries.")  # type: ignore[valid-type]
    protocol: Text = Field("", description='Transport or protocol, free text ("HTTPS", "Kafka", "SFTP").')
    controls: SetOf(Id) = Field((), description="Ids of controls in place on this flow, from the controls catalogue.")  # type: ignore[valid-type]
    properties: FlowProperties = Field(FlowProperties(), description="Security properties of the flow.")


# ------------------------------------------------------------------ boundaries
class Boundary(Strict):
    """A trust boundary. Membership is explicit; nesting goes through ``parent``."""

    id: Id = Field(description="Unique id of the boundary.")
    name: Name = Field(description="Name shown on the diagram.")
    description: LongText = Field("", description="What separates the inside from the outside.")
    parent: Id | None = Field(None, description="Id of the enclosing boundary, if nested.")
    members: SetOf(Id, max_items=100_000) = Field(  # type: ignore[valid-type]
        (), description="Ids of the elements directly inside this boundary (not those of nested boundaries)."
    )
