"""Dict-level migrations from older ``schema_version``s to the current one.

A migration takes the parsed JSON of version N and returns version N+1. They
run before validation, so the validator only ever sees the current schema.
Each entry says *why* the format changed. Version 1 is the first released
format, so the table is empty; the mechanism is exercised by the tests with a
registered test migration.
"""

from __future__ import annotations

from typing import Callable

from app.model.diagram import SCHEMA_VERSION

Migration = Callable[[dict], dict]

# from_version -> (why, function producing from_version + 1)
MIGRATIONS: dict[int, tuple[str, Migration]] = {}


class MigrationError(ValueError):
    pass


def migrate(data: dict) -> dict:
    """Bring ``data`` up to :data:`SCHEMA_VERSION`; raise ``MigrationError`` when impossible."""
    if "schema_version" not in data:
        raise MigrationError("schema_version: required key is missing")
    version = data["schema_version"]
    if type(version) is not int:  # bool is an int subclass: refuse it too
        raise MigrationError("schema_version: expected a whole number")
    if version > SCHEMA_VERSION:
        raise MigrationError(
            f"schema_version: {version} was written by a newer ThreatCanvas (this one reads up to {SCHEMA_VERSION})"
        )
    if version < 1:
        raise MigrationError(f"schema_version: {version} is not a ThreatCanvas schema version")
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise MigrationError(f"schema_version: no migration from version {version}")
        try:
            data = step[1](dict(data))
        except MigrationError:
            raise
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            # a malformed old file can trip a migration written for well-formed
            # ones: report it as a bad file, never as a crash
            raise MigrationError(
                f"schema_version: cannot upgrade this version {version} file ({step[0]}): "
                f"{type(exc).__name__}: {exc}"
            ) from None
        if not isinstance(data, dict):
            raise MigrationError(f"schema_version: migration from version {version} did not produce an object")
        version += 1
        data["schema_version"] = version
    return data
