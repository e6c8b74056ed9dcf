"""Dict-level migrations: older files are brought up to date before validation; newer ones are refused."""

from __future__ import annotations

import json

import pytest

import app.model.diagram as diagram
import app.model.migrations as migrations
from app.model import ModelError, dumps_model, load_model, parse_model

from model_builders import small_model


def _v1_text() -> dict:
    return json.loads(dumps_model(small_model()))


@pytest.fixture
def pretend_version_2(monkeypatch):
    """Pretend the current format is version 2, where v1's ``info.name`` became ``info.title``.

    The model classes stay at version 1, so the test migration runs the other
    way round for validation: it proves the mechanism (chain, order, version
    bump, error wording), not a real schema change.
    """
    calls = []

    def v1_to_v2(data: dict) -> dict:
        calls.append(("1→2", data["schema_version"]))
        info = dict(data.get("info", {}))
        info["title"] = info.pop("name")
        return {**data, "info": info}

    def v2_to_v3(data: dict) -> dict:
        calls.append(("2→3", data["schema_version"]))
        info = dict(data["info"])
        info["name"] = info.pop("title").upper()
        return {**data, "info": info}

    monkeypatch.setattr(migrations, "MIGRATIONS", {1: ("rename name to title", v1_to_v2),
                                                   2: ("back to name, upper case", v2_to_v3)})
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", 3)
    return calls


def test_migrations_run_in_order_and_bump_the_version(pretend_version_2):
    data = _v1_text()
    out = migrations.migrate(data)
    assert pretend_version_2 == [("1→2", 1), ("2→3", 2)]
    assert out["schema_version"] == 3
    assert out["info"]["name"] == "SMALL"
    assert data["info"]["name"] == "Small", "the input dict is not modified"


def test_a_migrated_file_loads_through_the_normal_path(pretend_version_2, monkeypatch, tmp_path):
    # the model class accepts schema_version 1 only; rewrite the final version back for this check
    real_migrate = migrations.migrate
    monkeypatch.setattr("app.model.io.migrate", lambda d: {**real_migrate(d), "schema_version": 1})
    path = tmp_path / "old.tcm.json"
    path.write_text(json.dumps(_v1_text()), encoding="utf-8")
    model = load_model(path)
    assert model.info.name == "SMALL"
    assert len(pretend_version_2) == 2


def test_missing_step_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(migrations, "MIGRATIONS", {})
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", 2)
    with pytest.raises(migrations.MigrationError, match="no migration from version 1"):
        migrations.migrate(_v1_text())


def test_current_version_needs_no_migration():
    data = _v1_text()
    assert migrations.migrate(data) == data
    assert migrations.SCHEMA_VERSION == diagram.SCHEMA_VERSION == 1
    assert migrations.MIGRATIONS == {}, "version 1 is the first format: no migrations yet"


def test_every_registered_migration_says_why():
    for version, (why, step) in migrations.MIGRATIONS.items():
        assert isinstance(version, int) and why.strip() and callable(step)


def test_newer_version_is_refused_with_a_located_message():
    data = _v1_text()
    data["schema_version"] = 2
    with pytest.raises(ModelError) as info:
        parse_model(json.dumps(data).encode(), "future.tcm.json")
    (problem,) = info.value.problems
    assert (problem.file, problem.location) == ("future.tcm.json", "schema_version")
    assert "written by a newer ThreatCanvas (this one reads up to 1)" in problem.message


@pytest.mark.parametrize("version", [0, -1, "1", 1.0, True, None, [1]])
def test_impossible_versions_are_refused(version):
    data = _v1_text()
    data["schema_version"] = version
    with pytest.raises(ModelError) as info:
        parse_model(json.dumps(data).encode())
    assert info.value.problems[0].location == "schema_version"


def test_migration_errors_inside_a_step_are_reported_not_raised(pretend_version_2, monkeypatch):
    """A step that cannot handle a malformed old file must not crash the loader."""

    def fragile(data: dict) -> dict:
        raise migrations.MigrationError("info.name: cannot migrate a model without a name")

    monkeypatch.setattr(migrations, "MIGRATIONS", {1: ("fragile", fragile), 2: ("unused", lambda d: d)})
    data = _v1_text()
    with pytest.raises(ModelError) as info:
        parse_model(json.dumps(data).encode(), "old.tcm.json")
    assert str(info.value.problems[0]) == "old.tcm.json: info.name: cannot migrate a model without a name"


def test_a_step_tripping_over_a_malformed_old_file_is_a_bad_file_not_a_crash(pretend_version_2):
    data = _v1_text()
    del data["info"]  # v1_to_v2 expects info.name
    with pytest.raises(ModelError) as info:
        parse_model(json.dumps(data).encode(), "old.tcm.json")
    (problem,) = info.value.problems
    assert problem.location == "schema_version"
    assert problem.message.startswith("cannot upgrade this version 1 file (rename name to title): KeyError")
