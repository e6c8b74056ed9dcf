"""Load the threat library: the bundled folder plus an organisation's own folders.

A library folder holds:

* ``library.toml`` (optional): the library's name and version, and default
  score drivers applied to every entry;
* ``controls.toml`` (optional): controls, see :mod:`app.knowledge.controls`;
* any other ``*.toml``: threat files with ``[[threat]]`` entries and an
  optional ``disable = [ids]`` that switches off bundled entries.

Nothing is evaluated: entries are data. Every name an entry uses (element
kind, property and value, graph fact, score driver, ATLAS id, OWASP id,
STRIDE category, family, control) is checked, and a broken file is refused with
:class:`~app.model.problems.ModelError` naming file, entry and field.
"""

from __future__ import annotations

import csv
import hashlib
import threading
import tomllib
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from pydantic import TypeAdapter, ValidationError

from app.knowledge.controls import ControlCatalogue, load_controls
from app.knowledge.schema import ManifestFile, ThreatEntry, ThreatFile
from app.knowledge.vocabulary import (
    FACTS,
    FAMILIES,
    FLOW_SPECIAL_KEYS,
    IMPACT_DRIVERS,
    LIKELIHOOD_DRIVERS,
    OWASP_LLM,
    OWASP_ML,
    STRIDE,
)
from app.model.elements import PROPERTY_CLASSES, CommonProperties, FlowProperties
from app.model.problems import ModelError, Problem
from app.model.types import DataKind, ElementKind, ProcessRole
from app.resources import library_dir

MAX_LIBRARY_FILE_BYTES = 4 * 1024 * 1024
MANIFEST = "library.toml"
CONTROLS = "controls.toml"


@dataclass(frozen=True)
class Condition:
    """A compiled property condition: ``key`` has one of ``values``.

    ``is_set`` marks set-valued properties (a tool's capabilities, a flow's
    ``carries``): those match when they share at least one value.
    """

    key: str
    values: frozenset
    is_set: bool = False

    def holds(self, value: Any) -> bool:
        if self.is_set:
            return not self.values.isdisjoint(value)
        return value in self.values


@dataclass(frozen=True)
class CompiledApplies:
    where: tuple[Condition, ...]
    unless: tuple[Condition, ...]


class Library:
    """The loaded threat library: entries, controls, ATLAS names, score defaults."""

    def __init__(
        self,
        threats: Iterable[ThreatEntry],
        controls: ControlCatalogue,
        version: str,
        name: str,
        defaults_likelihood: dict[str, int],
        defaults_impact: dict[str, int],
        compiled: dict[str, CompiledApplies],
        atlas_techniques: dict[str, str],
        atlas_mitigations: dict[str, str],
        digest: str,
    ):
        self.threats: tuple[ThreatEntry, ...] = tuple(threats)
        self.controls = controls
        self.version = version
        self.name = name
        self.defaults_likelihood = dict(defaults_likelihood)
        self.defaults_impact = dict(defaults_impact)
        self._compiled = dict(compiled)
        self.atlas_techniques = dict(atlas_techniques)
        self.atlas_mitigations = dict(atlas_mitigations)
        self.digest = digest  # SHA-256 over every file read: a cache key for the engine
        self._by_id = {t.id: t for t in self.threats}
        self._refs: dict[str, tuple] = {}
        self._drivers = {
            t.id: (
                _overlay(self.defaults_likelihood, t.likelihood.drivers),
                _overlay(self.defaults_impact, t.impact.drivers),
            )
            for t in self.threats
        }
        # an entry's scores depend on its own text and on the defaults: both go in its digest
        defaults = repr((sorted(self.defaults_likelihood.items()), sorted(self.defaults_impact.items())))
        self._entry_digests = {
            t.id: hashlib.sha256((t.model_dump_json() + defaults).encode("utf-8")).hexdigest()[:16] for t in self.threats
        }

    def __len__(self) -> int:
        return len(self.threats)

    def __iter__(self):
        return iter(self.threats)

    def get(self, threat_id: str) -> ThreatEntry | None:
        return self._by_id.get(threat_id)

    def mitigations(self, threat_id: str):
        """The entry's mitigations as :class:`MitigationRef` (strings expanded), computed once."""
        refs = self._refs.get(threat_id)
        if refs is None:
            refs = self._refs[threat_id] = self._by_id[threat_id].mitigation_refs()
        return refs

    def entry_digest(self, threat_id: str) -> str:
        """Digest of an entry's content and the defaults: part of each finding's fingerprint."""
        return self._entry_digests[threat_id]

    def compiled(self, threat_id: str) -> CompiledApplies:
        """The entry's ``where``/``unless`` conditions with values parsed to model types."""
        return self._compiled[threat_id]

    def likelihood_drivers(self, entry: ThreatEntry) -> dict[str, int]:
        """Default likelihood drivers overlaid with the entry's own (a delta of 0 switches one off)."""
        return self._drivers[entry.id][0]

    def impact_drivers(self, entry: ThreatEntry) -> dict[str, int]:
        return self._drivers[entry.id][1]


def _overlay(defaults: dict[str, int], own: dict[str, int]) -> dict[str, int]:
    merged = dict(defaults)
    merged.update(own)
    return {k: v for k, v in merged.items() if v != 0}


# ------------------------------------------------------------------ loading
_default_lock = threading.Lock()
_default_library: Library | None = None


def load_library(extra_dirs: Iterable[str | Path] = ()) -> Library:
    """Load the bundled library plus every extra folder, in order.

    The bundled library alone is loaded once per process and shared (it is
    immutable). Raises :class:`ModelError` listing every problem, each naming
    file, entry and field.
    """
    extras = [Path(d) for d in extra_dirs]
    if extras:
        return _load([library_dir(), *extras])
    global _default_library
    with _default_lock:
        if _default_library is None:
            _default_library = _load([library_dir()])
        return _default_library


def _load(folders: list[Path]) -> Library:
    problems: list[Problem] = []
    for folder in folders[1:]:
        if not folder.is_dir():
            problems.append(Problem(str(folder), "", "not a folder"))
    if problems:
        raise ModelError(problems)
    controls = load_controls(folders[1:])  # raises its own located problems
    techniques = _read_atlas(library_dir() / "atlas" / "techniques.csv")
    mitigations = _read_atlas(library_dir() / "atlas" / "mitigations.csv")
    digest = hashlib.sha256()

    manifest = ManifestFile()
    manifest_path = folders[0] / MANIFEST
    if manifest_path.is_file():
        data, raw = _read_toml(manifest_path, problems)
        digest.update(raw)
        if data is not None:
            try:
                manifest = ManifestFile.model_validate(data)
            except ValidationError as exc:
                problems.extend(_pydantic_problems(manifest_path, exc))
    for kind, table, known in (
        ("likelihood", manifest.defaults.likelihood, LIKELIHOOD_DRIVERS),
        ("impact", manifest.defaults.impact, IMPACT_DRIVERS),
    ):
        for name in table:
            if name not in known:
                problems.append(
                    Problem(str(manifest_path), f"defaults.{kind}.{name}", f"unknown {kind} driver {name!r}")
                )

    entries: list[ThreatEntry] = []
    origin: dict[str, str] = {}
    disabled: list[tuple[str, str, int]] = []
    compiled: dict[str, CompiledApplies] = {}
    extra_parts: list[str] = []
    for n, folder in enumerate(folders):
        for path in sorted(folder.glob("*.toml")):
            if path.name in (MANIFEST, CONTROLS):
                continue
            data, raw = _read_toml(path, problems)
            digest.update(path.name.encode() + b"\0" + raw)
            if n:
                extra_parts.append(hashlib.sha256(raw).hexdigest())
            if data is None:
                continue
            raw_entries = data.pop("threat", [])
            try:
                parsed = ThreatFile.model_validate(data)
            except ValidationError as exc:
                problems.extend(_pydantic_problems(path, exc, data))
                continue
            if not isinstance(raw_entries, list):
                problems.append(Problem(str(path), "threat", "expected [[threat]] tables"))
                continue
            # entry by entry, so one broken entry does not hide the problems of the others
            for i, raw in enumerate(raw_entries):
                try:
                    entry = ThreatEntry.model_validate(raw)
                except ValidationError as exc:
                    problems.extend(_pydantic_problems(path, exc, {"threat": raw_entries}, prefix=("threat", i)))
                    continue
                where = f"threat[{i}] ({entry.id})"
                if entry.id in origin:
                    problems.append(Problem(str(path), f"{where}.id", f"threat id {entry.id!r} is already defined in {origin[entry.id]}"))
                    continue
                origin[entry.id] = str(path)
                entry_problems, comp = _check_entry(entry, controls, techniques)
                problems.extend(Problem(str(path), f"{where}.{loc}", msg) for loc, msg in entry_problems)
                compiled[entry.id] = comp
                entries.append(entry)
            for j, ident in enumerate(parsed.disable):
                disabled.append((str(path), ident, j))
    for file, ident, j in disabled:
        if ident not in origin:
            problems.append(Problem(file, f"disable[{j}]", f"no threat with id {ident!r} to disable"))
    if problems:
        raise ModelError(problems)
    off = {ident for _, ident, _ in disabled}
    version = manifest.library.version
    if extra_parts:
        version += "+custom." + hashlib.sha256("".join(extra_parts).encode()).hexdigest()[:8]
    return Library(
        threats=[e for e in entries if e.id not in off],
        controls=controls,
        version=version,
        name=manifest.library.name,
        defaults_likelihood=manifest.defaults.likelihood,
        defaults_impact=manifest.defaults.impact,
        compiled=compiled,
        atlas_techniques=techniques,
        atlas_mitigations=mitigations,
        digest=digest.hexdigest(),
    )


def _read_toml(path: Path, problems: list[Problem]) -> tuple[dict | None, bytes]:
    try:
        size = path.stat().st_size
        if size > MAX_LIBRARY_FILE_BYTES:
            problems.append(Problem(str(path), "", f"file is {size:,} bytes; the limit is {MAX_LIBRARY_FILE_BYTES:,}"))
            return None, b""
        raw = path.read_bytes()
        return tomllib.loads(raw.decode("utf-8")), raw
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(str(path), "", f"cannot read: {exc}"))
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(str(path), "", f"invalid TOML: {exc}"))
    return None, b""


def _read_atlas(path: Path) -> dict[str, str]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = csv.reader(line for line in fh if not line.startswith("#"))
        next(rows)  # header
        return {row[0]: row[1] for row in rows if row}


def _pydantic_problems(path: Path, exc: ValidationError, data: dict | None = None, prefix: tuple = ()) -> list[Problem]:
    out = []
    for err in exc.errors(include_url=False):
        loc = [*prefix, *err["loc"]]
        # name the entry by id as well as by position: `threat[3] (evasion).applies.kinds[0]`
        text = ""
        if len(loc) >= 2 and loc[0] == "threat" and isinstance(loc[1], int):
            ident = _entry_id(data, loc[1])
            text = f"threat[{loc[1]}]" + (f" ({ident})" if ident else "")
            loc = loc[2:]
        for part in loc:
            if isinstance(part, int):
                text += f"[{part}]"
            elif part in ("str", "MitigationRef", "bool", "list[union[bool,str]]", "union[bool,str]"):
                continue  # union branch names pydantic puts in the path
            else:
                text += f".{part}" if text else str(part)
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "missing":
            msg = "required field is missing"
        elif isinstance(err.get("input"), (str, int, float, bool)) and len(str(err["input"])) <= 80:
            msg = f"{msg} (found {err['input']!r})"
        out.append(Problem(str(path), text, msg))
    return out


def _entry_id(data: dict | None, index: int) -> str:
    try:
        ident = data["threat"][index]["id"]  # type: ignore[index]
    except (KeyError, IndexError, TypeError):
        return ""
    return ident if isinstance(ident, str) and len(ident) <= 64 else ""


# ------------------------------------------------------------------ entry checks
def _check_entry(
    entry: ThreatEntry, controls: ControlCatalogue, techniques: dict[str, str]
) -> tuple[list[tuple[str, str]], CompiledApplies]:
    problems: list[tuple[str, str]] = []

    def bad(loc: str, msg: str) -> None:
        problems.append((loc, msg))

    if entry.family not in FAMILIES:
        bad("family", f"unknown family {entry.family!r} (expected one of: {', '.join(FAMILIES)})")
    for i, s in enumerate(entry.stride):
        if s not in STRIDE:
            bad(f"stride[{i}]", f"unknown STRIDE category {s!r} (expected one of: {', '.join(STRIDE)})")
    for i, t in enumerate(entry.atlas):
        if t not in techniques:
            bad(f"atlas[{i}]", f"unknown MITRE ATLAS technique {t!r}")
    for field, known in (("owasp_llm", OWASP_LLM), ("owasp_ml", OWASP_ML)):
        for i, ident in enumerate(getattr(entry, field)):
            if ident not in known:
                bad(f"{field}[{i}]", f"unknown OWASP id {ident!r} (expected {min(known)}–{max(known)})")
    applies = entry.applies
    if applies.to == "flow" and applies.kinds:
        bad("applies.kinds", "kinds apply to elements only; use source_kind/target_kind for flows")
    for field in ("facts", "any_facts"):
        for i, name in enumerate(getattr(applies, field)):
            info = FACTS.get(name)
            if info is None:
                bad(f"applies.{field}[{i}]", f"unknown fact {name!r}")
            elif info.subject != applies.to:
                bad(f"applies.{field}[{i}]", f"fact {name!r} holds for {info.subject}s, but the entry applies to {applies.to}s")
    where = _compile(applies.where, applies, "applies.where", bad)
    unless = _compile(applies.unless, applies, "applies.unless", bad)
    for kind, spec, known in (("likelihood", entry.likelihood, LIKELIHOOD_DRIVERS), ("impact", entry.impact, IMPACT_DRIVERS)):
        for name in spec.drivers:
            if name not in known:
                other = "impact" if kind == "likelihood" else "likelihood"
                hint = f" (it is {'an' if other == 'impact' else 'a'} {other} driver)" if name in (IMPACT_DRIVERS if kind == "likelihood" else LIKELIHOOD_DRIVERS) else ""
                bad(f"{kind}.drivers.{name}", f"unknown {kind} driver {name!r}{hint}")
    seen: set[str] = set()
    for i, ref in enumerate(entry.mitigation_refs()):
        if ref.control not in controls:
            bad(f"mitigations[{i}]", f"unknown control {ref.control!r} (not in any controls.toml)")
        if ref.control in seen:
            bad(f"mitigations[{i}]", f"control {ref.control!r} listed twice")
        seen.add(ref.control)
    return problems, CompiledApplies(where, unless)


_SPECIAL_FLOW_TYPES = {
    "carries": (DataKind, True),
    "source_kind": (ElementKind, False),
    "target_kind": (ElementKind, False),
    "source_role": (ProcessRole, False),
    "target_role": (ProcessRole, False),
}


def _compile(table: dict[str, Any], applies, loc: str, bad) -> tuple[Condition, ...]:
    out: list[Condition] = []
    for key, raw in sorted(table.items()):
        values = raw if isinstance(raw, list) else [raw]
        where = f"{loc}.{key}"
        item_type, is_set = _property_type(key, applies, where, bad)
        if item_type is None:
            continue
        adapter = TypeAdapter(item_type)
        parsed = []
        for v in values:
            try:
                parsed.append(adapter.validate_python(v, strict=isinstance(v, bool) or item_type is bool))
            except ValidationError:
                bad(where, f"{v!r} is not a valid value for {key!r}{_choices(item_type)}")
        if len(parsed) == len(values):
            out.append(Condition(key, frozenset(parsed), is_set))
    return tuple(out)


def _property_type(key: str, applies, where: str, bad) -> tuple[Any, bool]:
    """The type of one value of property ``key`` for the entry's subjects (None after reporting)."""
    if applies.to == "flow":
        if key in _SPECIAL_FLOW_TYPES:
            return _SPECIAL_FLOW_TYPES[key]
        field = FlowProperties.model_fields.get(key)
        if field is None:
            known = sorted([*FlowProperties.model_fields, *FLOW_SPECIAL_KEYS])
            bad(where, f"unknown flow property {key!r} (known: {', '.join(known)})")
            return None, False
        return _field_item_type(field.annotation)
    classes = [PROPERTY_CLASSES[k] for k in applies.kinds] or [CommonProperties]
    for cls in classes:
        if key not in cls.model_fields:
            kind = next((k.value for k, c in PROPERTY_CLASSES.items() if c is cls), "every element kind")
            bad(where, f"unknown property {key!r} for {kind} (known: {', '.join(cls.model_fields)})")
            return None, False
    return _field_item_type(classes[0].model_fields[key].annotation)


def _field_item_type(annotation: Any) -> tuple[Any, bool]:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) is tuple:
        return _field_item_type(typing.get_args(annotation)[0])[0], True
    return annotation, False


def _choices(item_type: Any) -> str:
    if isinstance(item_type, type) and issubclass(item_type, __import__("enum").Enum):
        return f" (expected one of: {', '.join(m.value for m in item_type)})"
    if item_type is bool:
        return " (expected true or false)"
    return ""
