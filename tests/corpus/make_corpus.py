"""Regenerate the malformed-model corpus in ``tests/corpus/malformed/``.

Run ``python3 tests/corpus/make_corpus.py`` from the repository root after
changing a case. Each case is a small valid model (``BASE``) with one thing
broken; ``tests/corpus/expectations.toml`` (written by hand, not by this
script) says where ``threatcanvas validate`` must point and what it must say.
The file over the size limit is not here: the test builds it in a temporary
folder (64 MiB does not belong in git).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

OUT = Path(__file__).resolve().parent / "malformed"

BASE: dict = {
    "format": "threatcanvas",
    "schema_version": 1,
    "info": {"name": "Corpus base model", "date": "2025-01-31", "authors": ["QA"]},
    "elements": [
        {"id": "user", "name": "Customer", "kind": "actor"},
        {"id": "app", "name": "Support app", "kind": "process", "controls": ["input-filtering"]},
        {"id": "m1", "name": "Assistant LLM", "kind": "model",
         "properties": {"origin": "hosted_api", "model_type": "generative", "serialization": "not_applicable",
                        "output_exposure": "free_text"}},
        {"id": "kb", "name": "Knowledge base", "kind": "retriever", "properties": {"corpus_writers": "anonymous"}},
        {"id": "refund", "name": "Refund tool", "kind": "tool",
         "properties": {"capabilities": ["move_money", "write"], "human_approval": True}},
    ],
    "boundaries": [
        {"id": "b1", "name": "Company network", "members": ["app", "kb", "refund"]},
        {"id": "b2", "name": "Inference zone", "parent": "b1", "members": ["m1"]},
    ],
    "flows": [
        {"id": "f1", "source": "user", "target": "app", "carries": ["prompts"]},
        {"id": "f2", "source": "app", "target": "m1", "carries": ["prompts", "retrieved_documents"]},
        {"id": "f3", "source": "kb", "target": "app", "carries": ["retrieved_documents"]},
        {"id": "f4", "source": "app", "target": "refund", "carries": ["tool_calls"], "controls": ["human-approval"]},
    ],
    "reviews": {"R-0001": {"status": "accepted", "justification": "Refunds need approval.", "owner": "QA"}},
    "layout": {
        "elements": {
            "user": {"x": 0, "y": 0, "w": 120, "h": 60},
            "app": {"x": 200, "y": 0, "w": 120, "h": 60},
            "m1": {"x": 400, "y": 0, "w": 120, "h": 60},
        },
        "boundaries": {"b1": {"x": 180, "y": -40, "w": 400, "h": 300}},
        "flows": {"f2": {"points": [{"x": 330, "y": 30}]}},
    },
}


def text(data: object) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def variant(change) -> bytes:
    data = copy.deepcopy(BASE)
    change(data)
    return text(data)


def base_text() -> str:
    return text(BASE).decode("utf-8")


def _set(path: str, value):
    """A change setting ``path`` (dots and [i]) to ``value``."""

    def change(data):
        *parents, last = _split(path)
        node = data
        for part in parents:
            node = node[part]
        node[last] = value

    return change


def _split(path: str) -> list:
    parts: list = []
    for token in path.replace("[", ".[").split("."):
        if token.startswith("["):
            parts.append(int(token[1:-1]))
        elif token:
            parts.append(token)
    return parts


def _delete(path: str):
    def change(data):
        *parents, last = _split(path)
        node = data
        for part in parents:
            node = node[part]
        del node[last]

    return change


def _boundary_chain(n: int):
    def change(data):
        data["boundaries"] = [{"id": f"z{i}", "name": f"Zone {i}", **({"parent": f"z{i-1}"} if i else {})}
                              for i in range(n)]
    return change


def cases() -> dict[str, bytes]:
    base = base_text()
    c: dict[str, bytes] = {}
    # ---- bytes, encoding and JSON syntax
    c["truncated.tcm.json"] = base[: base.index('"flows"') + 20].encode()
    c["empty.tcm.json"] = b""
    c["whitespace-only.tcm.json"] = b"  \n\n"
    c["trailing-comma.tcm.json"] = b'{\n  "format": "threatcanvas",\n  "schema_version": 1,\n}\n'
    c["single-quotes.tcm.json"] = b"{\n  'format': 'threatcanvas'\n}\n"
    c["comment.tcm.json"] = b'{\n  // a comment\n  "format": "threatcanvas"\n}\n'
    c["trailing-garbage.tcm.json"] = (base + "}\n").encode()
    c["raw-newline-in-string.tcm.json"] = base.replace('"Corpus base model"', '"Corpus\nbase model"').encode()
    c["invalid-utf8.tcm.json"] = base.encode().replace(b"Knowledge base", b"Knowledge \xff base")
    c["latin1.tcm.json"] = base.replace("Customer", "Client é").encode("latin-1")
    c["utf16.tcm.json"] = base.encode("utf-16")
    c["nan-coordinate.tcm.json"] = base.replace('"x": 200', '"x": NaN').encode()
    c["infinity-coordinate.tcm.json"] = base.replace('"y": 0,\n        "w": 120,\n        "h": 60\n      },\n      "m1"',
                                                     '"y": Infinity,\n        "w": 120,\n        "h": 60\n      },\n      "m1"').encode()
    c["negative-infinity-size.tcm.json"] = base.replace('"w": 400', '"w": -Infinity').encode()
    c["overflowing-number.tcm.json"] = base.replace('"x": 400', '"x": 1e400').encode()
    c["huge-integer.tcm.json"] = base.replace('"y": -40', '"y": -' + "4" * 5000).encode()
    c["duplicate-json-key.tcm.json"] = base.replace('"h": 300', '"h": 300,\n        "w": 10').encode()
    c["deep-nesting-arrays.tcm.json"] = (b'{"format": "threatcanvas", "schema_version": 1, "info": '
                                         + b"[" * 10_000 + b"]" * 10_000 + b"}\n")
    c["deep-nesting-objects.tcm.json"] = (b'{"format": "threatcanvas", "schema_version": 1, "x": '
                                          + b'{"a": ' * 10_000 + b"1" + b"}" * 10_000 + b"}\n")
    c["top-level-array.tcm.json"] = b"[]\n"
    c["top-level-null.tcm.json"] = b"null\n"
    # ---- format marker and version
    c["format-missing.tcm.json"] = variant(_delete("format"))
    c["format-wrong.tcm.json"] = variant(_set("format", "threatdragon"))
    c["format-not-string.tcm.json"] = variant(_set("format", 1))
    c["schema-version-missing.tcm.json"] = variant(_delete("schema_version"))
    c["schema-version-newer.tcm.json"] = variant(_set("schema_version", 99))
    c["schema-version-zero.tcm.json"] = variant(_set("schema_version", 0))
    c["schema-version-string.tcm.json"] = variant(_set("schema_version", "1"))
    c["schema-version-fraction.tcm.json"] = variant(_set("schema_version", 1.5))
    c["schema-version-boolean.tcm.json"] = variant(_set("schema_version", True))
    # ---- structure and types
    c["unknown-top-level-key.tcm.json"] = variant(_set("colour", "blue"))
    c["unknown-element-key.tcm.json"] = variant(_set("elements[1].owner", "team"))
    c["unknown-property-key.tcm.json"] = variant(_set("elements[2].properties.temperature", 0.7))
    c["unknown-flow-property.tcm.json"] = variant(_set("flows[0].properties", {"mtls": True}))
    c["unknown-kind.tcm.json"] = variant(_set("elements[2].kind", "llm"))
    c["kind-with-line-break.tcm.json"] = variant(_set("elements[0].kind", "actor\nfake.tcm.json: all good"))
    c["kind-missing.tcm.json"] = variant(_delete("elements[0].kind"))
    c["kind-number.tcm.json"] = variant(_set("elements[0].kind", 3))
    c["element-not-object.tcm.json"] = variant(_set("elements[3]", "kb"))
    c["elements-not-array.tcm.json"] = variant(_set("elements", {"user": {"name": "Customer"}}))
    c["name-missing.tcm.json"] = variant(_delete("elements[1].name"))
    c["name-empty.tcm.json"] = variant(_set("elements[1].name", ""))
    c["name-number.tcm.json"] = variant(_set("elements[1].name", 42))
    c["boolean-as-string.tcm.json"] = variant(_set("elements[4].properties.human_approval", "true"))
    c["boolean-as-number.tcm.json"] = variant(_set("flows[0].properties", {"encrypted": 1}))
    c["bad-enum-access.tcm.json"] = variant(_set("elements[0].properties", {"access": "everyone"}))
    c["bad-enum-case.tcm.json"] = variant(_set("elements[2].properties.model_type", "Generative"))
    c["bad-data-kind.tcm.json"] = variant(_set("flows[1].carries", ["prompts", "vibes"]))
    c["duplicate-capability.tcm.json"] = variant(_set("elements[4].properties.capabilities", ["write", "write"]))
    c["capabilities-not-array.tcm.json"] = variant(_set("elements[4].properties.capabilities", "write"))
    c["properties-null.tcm.json"] = variant(_set("elements[3].properties", None))
    c["id-bad-pattern.tcm.json"] = variant(_set("elements[0].id", "1st user"))
    c["id-too-long.tcm.json"] = variant(_set("flows[2].id", "f" * 65))
    c["name-too-long.tcm.json"] = variant(_set("elements[1].name", "n" * 10_001))
    c["description-too-long.tcm.json"] = variant(_set("info.scope", "s" * 100_001))
    c["bad-date.tcm.json"] = variant(_set("info.date", "2025-02-30"))
    c["too-many-authors.tcm.json"] = variant(_set("info.authors", [f"author {i}" for i in range(65)]))
    c["lone-surrogate.tcm.json"] = base.replace('"Company network"', '"Company \\ud800 network"').encode()
    c["review-bad-status.tcm.json"] = variant(_set("reviews.R-0001.status", "done"))
    c["review-fingerprint-upper.tcm.json"] = variant(_set("reviews.R-0001.fingerprint", "ABCDEF"))
    c["review-key-too-long.tcm.json"] = variant(_set("reviews", {"R" * 129: {}}))
    # ---- layout
    c["layout-missing-height.tcm.json"] = variant(_delete("layout.elements.app.h"))
    c["layout-zero-width.tcm.json"] = variant(_set("layout.elements.app.w", 0))
    c["layout-coordinate-string.tcm.json"] = variant(_set("layout.elements.m1.y", "10"))
    c["layout-coordinate-boolean.tcm.json"] = variant(_set("layout.elements.m1.x", False))
    c["layout-coordinate-out-of-range.tcm.json"] = variant(_set("layout.boundaries.b1.x", -1e8))
    c["layout-bad-key.tcm.json"] = variant(_set("layout.elements", {"not an id": {"x": 0, "y": 0, "w": 1, "h": 1}}))
    c["layout-unknown-element.tcm.json"] = variant(_set("layout.elements.ghost", {"x": 0, "y": 0, "w": 1, "h": 1}))
    c["layout-too-many-waypoints.tcm.json"] = variant(
        _set("layout.flows.f2.points", [{"x": i, "y": i} for i in range(257)]))
    c["layout-point-as-array.tcm.json"] = variant(_set("layout.flows.f2.points", [[330, 30]]))
    # ---- semantic: references, uniqueness, nesting, catalogue
    c["dangling-flow-target.tcm.json"] = variant(_set("flows[3].target", "m9"))
    c["dangling-flow-source.tcm.json"] = variant(_set("flows[0].source", "nobody"))
    c["flow-self-loop.tcm.json"] = variant(_set("flows[1].target", "app"))
    c["flow-to-boundary.tcm.json"] = variant(_set("flows[2].target", "b1"))
    c["duplicate-element-id.tcm.json"] = variant(_set("elements[3].id", "app"))
    c["duplicate-id-across-sections.tcm.json"] = variant(_set("flows[1].id", "m1"))
    c["boundary-nesting-cycle.tcm.json"] = variant(_set("boundaries[0].parent", "b2"))
    c["boundary-own-parent.tcm.json"] = variant(_set("boundaries[1].parent", "b2"))
    c["boundary-parent-unknown.tcm.json"] = variant(_set("boundaries[1].parent", "b7"))
    c["boundary-member-unknown.tcm.json"] = variant(_set("boundaries[1].members", ["m1", "m2"]))
    c["element-in-two-boundaries.tcm.json"] = variant(_set("boundaries[1].members", ["kb", "m1"]))
    c["boundary-nesting-too-deep.tcm.json"] = variant(_boundary_chain(70))
    c["unknown-control-element.tcm.json"] = variant(_set("elements[1].controls", ["input-filtering", "magic-shield"]))
    c["unknown-control-flow.tcm.json"] = variant(_set("flows[3].controls", ["human-approval", "pinky-promise"]))
    return c


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.tcm.json"):
        old.unlink()
    for name, data in cases().items():
        (OUT / name).write_bytes(data)
    print(f"wrote {len(cases())} files to {OUT}")


if __name__ == "__main__":
    main()
