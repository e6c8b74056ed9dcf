"""Synthetic threat models of any size, for benchmarks and scale tests.

``synthetic_model(n_elements, seed)`` builds a realistic model: repeated
"units" that each look like a small AI system (a user, a client, an agent or
service, a model, a retriever over a store, a tool, a decision service, and a
training pipeline of dataset, labeller, trainer and registry), with every
element kind, about two flows per element carrying sensible data kinds, a few
flows between units (so facts travel far and feedback cycles span units),
nested trust boundaries (department > unit > training zone) and a layout: grid
positions and boundary rectangles that enclose their members.

Deterministic for a given ``(n_elements, seed)``. 10,000 elements build in a
few seconds. The editor and report benchmarks reuse it.
"""

from __future__ import annotations

import math
import random

from app.model import ThreatModel

UNIT = 12  # elements per unit
UNITS_PER_DEPARTMENT = 8
COL, ROW = 180.0, 110.0  # grid pitch
W, H = 140.0, 70.0  # element size
UNIT_W, UNIT_H = 4 * COL + 80.0, 5 * ROW + 80.0

# slot -> (kind, grid column, grid row); slot 0 (the user) sits outside the unit's boundary
_SLOTS = [
    ("actor", 0, 0),
    ("process", 1, 0),  # client
    ("process", 2, 0),  # agent / service
    ("model", 3, 0),
    ("retriever", 1, 1),
    ("datastore", 2, 1),  # corpus store
    ("tool", 3, 1),
    ("process", 1, 2),  # decision service
    ("dataset", 1, 3),
    ("labeller", 2, 3),
    ("trainer", 3, 3),
    ("datastore", 3, 4),  # model registry
]
_TRAINING = (8, 9, 10, 11)
_NAMES = ["User", "Client app", "Orchestrator", "Model", "Retriever", "Corpus store", "Tool",
          "Decision service", "Training set", "Labelling", "Trainer", "Model registry"]
_FUNCTIONS = ["fraud decisions", "customer support", "quality inspection", "demand forecasting",
              "claims triage", "security alert triage", "route planning", "credit limits"]

# (from slot, to slot, carries)
_UNIT_FLOWS = [
    (0, 1, ["prompts"]),
    (1, 2, ["prompts"]),
    (2, 3, ["prompts", "retrieved_documents"]),
    (3, 2, ["predictions", "tool_calls"]),
    (2, 4, ["queries"]),
    (4, 2, ["retrieved_documents"]),
    (5, 4, ["embeddings", "retrieved_documents"]),
    (2, 6, ["tool_calls"]),
    (6, 5, ["documents"]),
    (2, 1, ["predictions"]),
    (1, 0, ["predictions"]),
    (2, 7, ["predictions"]),
    (7, 8, ["training_data", "personal_data"]),
    (9, 8, ["labels"]),
    (8, 10, ["training_data", "labels"]),
    (10, 11, ["model_weights"]),
    (11, 3, ["model_weights"]),
    (7, 9, ["predictions"]),
    (0, 5, ["documents"]),
    (6, 7, ["tool_results"]),
    (8, 9, ["training_data"]),
    (5, 2, ["documents"]),
]


def _pick(rng: random.Random, options: list, weights: list[float] | None = None):
    return rng.choices(options, weights=weights)[0]


def _properties(slot: int, rng: random.Random, unit: int) -> dict:
    common: dict = {}
    if rng.random() < 0.3:
        common["personal_data"] = True
    if rng.random() < 0.3:
        common["sensitivity"] = _pick(rng, ["confidential", "restricted", "public"])
    if slot == 0:
        return {"access": _pick(rng, ["anonymous", "authenticated", "partner", "internal"], [3, 3, 2, 2]),
                "human": rng.random() < 0.8}
    if slot == 1:
        return {**common, "role": "client", "renders_markup": rng.random() < 0.3,
                "decision": "informational", "access": _pick(rng, ["anonymous", "internal"])}
    if slot == 2:
        return {**common, "role": _pick(rng, ["agent", "service", "gateway"]), "holds_credentials": rng.random() < 0.4}
    if slot == 3:
        generative = rng.random() < 0.5
        return {**common, "model_type": "generative" if generative else _pick(rng, ["classifier", "regressor"]),
                "origin": _pick(rng, ["in_house", "fine_tuned", "third_party_weights", "hosted_api"], [4, 2, 1, 2]),
                "serialization": _pick(rng, ["safetensors", "pickle", "onnx"], [3, 1, 1]),
                "output_exposure": "free_text" if generative else _pick(rng, ["label_only", "scores"]),
                "system_prompt_secrets": generative and rng.random() < 0.3,
                "public_architecture": rng.random() < 0.3}
    if slot == 4:
        return {**common, "corpus": "unit documents",
                "corpus_writers": _pick(rng, ["anonymous", "authenticated", "internal"], [1, 1, 3]),
                "permission_aware": rng.random() < 0.5}
    if slot == 5:
        return {**common, "store_type": _pick(rng, ["vector_store", "database", "agent_memory"], [3, 3, 1]),
                "encrypted_at_rest": rng.random() < 0.6}
    if slot == 6:
        caps = rng.sample(["read", "write", "send_messages", "move_money", "execute_code"], k=rng.randint(1, 3))
        return {**common, "capabilities": caps, "human_approval": rng.random() < 0.4,
                "third_party": rng.random() < 0.2}
    if slot == 7:
        return {**common, "decision": _pick(rng, ["automated_at_scale", "automated", "human_reviewed"]),
                "criticality": _pick(rng, ["low", "medium", "high", "critical"]),
                "business_function": _FUNCTIONS[unit % len(_FUNCTIONS)]}
    if slot == 8:
        return {**common, "source": _pick(rng, ["internal", "third_party", "public_web", "user_generated"], [4, 2, 1, 1]),
                "integrity_verified": rng.random() < 0.4}
    if slot == 9:
        return {**common, "labeller_type": _pick(rng, ["in_house", "crowd", "end_user_feedback", "automated"])}
    if slot == 10:
        return {**common, "mode": _pick(rng, ["offline", "scheduled", "online"]), "fine_tunes_third_party": rng.random() < 0.3}
    return {**common, "store_type": "model_registry", "encrypted_at_rest": rng.random() < 0.5}


def _flow_props(rng: random.Random) -> dict:
    return {k: rng.random() < 0.8 for k in ("authenticated", "encrypted", "least_privilege", "logged")}


def synthetic_model(n_elements: int, seed: int = 0) -> ThreatModel:
    """A deterministic synthetic model with ``n_elements`` elements (see the module docstring)."""
    rng = random.Random(seed)
    units = max(1, math.ceil(n_elements / UNIT))
    per_row = max(1, math.ceil(math.sqrt(units)))
    elements: list[dict] = []
    flows: list[dict] = []
    boundaries: list[dict] = []
    layout_elements: dict[str, dict] = {}
    layout_boundaries: dict[str, dict] = {}
    slot_id: dict[tuple[int, int], str] = {}

    for u in range(units):
        ux, uy = (u % per_row) * UNIT_W, (u // per_row) * UNIT_H
        for slot, (kind, col, row) in enumerate(_SLOTS):
            n = u * UNIT + slot
            if n >= n_elements:
                break
            eid = f"e{n}"
            slot_id[(u, slot)] = eid
            elements.append({"id": eid, "kind": kind, "name": f"{_NAMES[slot]} {u}",
                             "properties": _properties(slot, rng, u)})
            layout_elements[eid] = {"x": ux + 40 + col * COL, "y": uy + 40 + row * ROW, "w": W, "h": H}
    fid = 0
    for u in range(units):
        for a, b, carries in _UNIT_FLOWS:
            s, t = slot_id.get((u, a)), slot_id.get((u, b))
            if s and t:
                flows.append({"id": f"f{fid}", "source": s, "target": t, "carries": carries,
                              "properties": _flow_props(rng)})
                fid += 1
        # links between units: decisions feed another unit's training data; outputs feed another agent
        if units > 1:
            v = (u + 1) % units
            w = rng.randrange(units)
            for (a, ua), (b, ub), carries in (((7, u), (8, v), ["training_data"]), ((3, u), (2, w), ["predictions"])):
                s, t = slot_id.get((ua, a)), slot_id.get((ub, b))
                if s and t and s != t:
                    flows.append({"id": f"f{fid}", "source": s, "target": t, "carries": carries,
                                  "properties": _flow_props(rng)})
                    fid += 1

    bid = 0
    departments = math.ceil(units / UNITS_PER_DEPARTMENT)
    for d in range(departments):
        dept = f"b{bid}"
        bid += 1
        members_units = range(d * UNITS_PER_DEPARTMENT, min(units, (d + 1) * UNITS_PER_DEPARTMENT))
        boundaries.append({"id": dept, "name": f"Department {d}", "members": []})
        rects = []
        for u in members_units:
            zone, train = f"b{bid}", f"b{bid + 1}"
            bid += 2
            inner = [slot_id[(u, s)] for s in range(1, UNIT) if (u, s) in slot_id and s not in _TRAINING]
            training = [slot_id[(u, s)] for s in _TRAINING if (u, s) in slot_id]
            if not inner and not training:
                continue
            boundaries.append({"id": zone, "name": f"Unit {u}", "parent": dept, "members": inner})
            zrect = _enclose([layout_elements[e] for e in inner + training], 20.0)
            layout_boundaries[zone] = zrect
            rects.append(zrect)
            if training:
                boundaries.append({"id": train, "name": f"Training zone {u}", "parent": zone, "members": training})
                layout_boundaries[train] = _enclose([layout_elements[e] for e in training], 10.0)
        if rects:
            layout_boundaries[dept] = _enclose(rects, 15.0)
        else:
            boundaries.pop()

    return ThreatModel.model_validate({
        "info": {"name": f"Synthetic model ({n_elements} elements, seed {seed})", "version": "1",
                 "description": "Generated for benchmarks and scale tests."},
        "elements": elements,
        "boundaries": boundaries,
        "flows": flows,
        "layout": {"elements": layout_elements, "boundaries": layout_boundaries},
    })


def _enclose(rects: list[dict], margin: float) -> dict:
    x0 = min(r["x"] for r in rects) - margin
    y0 = min(r["y"] for r in rects) - margin
    x1 = max(r["x"] + r["w"] for r in rects) + margin
    y1 = max(r["y"] + r["h"] for r in rects) + margin
    return {"x": x0, "y": y0, "w": x1 - x0, "h": y1 - y0}
