"""``threatcanvas schema``: print the JSON Schema of the model file format."""

from __future__ import annotations

import json

from app.model import ThreatModel

HELP = "print the JSON Schema of model files"


def model_json_schema() -> dict:
    schema = ThreatModel.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "ThreatCanvas model file"
    return schema


def configure(parser) -> None:
    pass


def run(args) -> int:
    print(json.dumps(model_json_schema(), indent=2, sort_keys=True, ensure_ascii=False))
    return 0
