"""The Alembic migrations build exactly the models' schema, up and down, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import data_model.models  # noqa: F401
from data_model.db import downgrade, make_engine, migrate

EXPECTED_TABLES = {
    "action",
    "activity",
    "activity_type",
    "alembic_version",
    "app_user",
    "audit_event",
    "expected_submission",
    "submission_file",
    "brand",
    "district",
    "enterprise_issue",
    "indicator",
    "indicator_value",
    "issue_category",
    "submission",
    "task",
    "task_snapshot",
    "unit",
    "write_lock",
}


def check_round_trip(url: str) -> None:
    engine = make_engine(url)
    migrate(engine)
    assert set(inspect(engine).get_table_names()) == EXPECTED_TABLES
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert differences == []
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    migrate(engine)
    assert set(inspect(engine).get_table_names()) == EXPECTED_TABLES
    engine.dispose()


def test_migrations_match_models_on_sqlite(tmp_path):
    check_round_trip(f"sqlite:///{tmp_path / 'm.sqlite3'}")


def test_migrations_match_models_on_postgresql(pg_url):
    check_round_trip(pg_url)
