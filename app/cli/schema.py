"""``threatcanvas schema``: print the JSON Schema of the model file format."""

from __future__ import annotations

import json
import sys

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
    text = json.dumps(model_json_schema(), indent=2, sort_keys=True, ensure_ascii=False)
    try:
        text.encode(getattr(sys.stdout, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):  # an ASCII-only terminal: JSON escapes are still the same schema
        text = json.dumps(model_json_schema(), indent=2, sort_keys=True, ensure_ascii=True)
    print(text)
    return 0
