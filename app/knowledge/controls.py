"""The controls catalogue: what an element or flow can have in place.

Loaded from every ``controls.toml`` in the library folders given (the bundled
one first). A later folder may add controls but not redefine an existing id.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Iterable

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError

from app.model.problems import ModelError, Problem, json_path
from app.model.types import ID_PATTERN
from app.resources import library_dir

ATLAS_MITIGATION = r"^AML\.M\d{4}$"


class Control(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Strict(), Field(max_length=64, pattern=ID_PATTERN)]
    name: Annotated[str, Strict(), Field(min_length=1, max_length=200)]
    description: Annotated[str, Strict(), Field(max_length=4000)]
    atlas: tuple[Annotated[str, Strict(), Field(pattern=ATLAS_MITIGATION)], ...] = ()


class _ControlsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    control: list[Control] = []


class ControlCatalogue:
    """Controls by id, in catalogue order."""

    def __init__(self, controls: Iterable[Control]):
        self._by_id: dict[str, Control] = {}
        for c in controls:
            self._by_id[c.id] = c

    def __contains__(self, control_id: object) -> bool:
        return control_id in self._by_id

    def __getitem__(self, control_id: str) -> Control:
        return self._by_id[control_id]

    def __iter__(self):
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def ids(self) -> list[str]:
        return list(self._by_id)

    def get(self, control_id: str) -> Control | None:
        return self._by_id.get(control_id)


def load_controls(extra_dirs: Iterable[str | Path] = ()) -> ControlCatalogue:
    """Load the bundled catalogue plus ``controls.toml`` from each extra folder.

    Raises :class:`ModelError` naming file, entry and field for a broken file.
    """
    controls: list[Control] = []
    seen: dict[str, str] = {}
    for folder in [library_dir(), *map(Path, extra_dirs)]:
        path = Path(folder) / "controls.toml"
        if not path.is_file():
            continue
        for control in _read_controls_file(path):
            if control.id in seen:
                raise ModelError([Problem(str(path), f"control[id={control.id}]", f"already defined in {seen[control.id]}")])
            seen[control.id] = str(path)
            controls.append(control)
    return ControlCatalogue(controls)


def _read_controls_file(path: Path) -> list[Control]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError([Problem(str(path), "", f"cannot read: {exc}")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ModelError([Problem(str(path), "", f"invalid TOML: {exc}")]) from None
    try:
        return _ControlsFile.model_validate(data).control
    except ValidationError as exc:
        raise ModelError(
            [Problem(str(path), json_path(e["loc"]), e["msg"]) for e in exc.errors(include_url=False)]
        ) from None
