"""Alembic environment: migrations run against the engine the caller passes in
(`data_model.db.migrate`) or, from the alembic command line, `DATABASE_URL`."""

from alembic import context
from sqlmodel import SQLModel

import data_model.models  # noqa: F401  (registers the tables on the metadata)
from data_model.db import make_engine

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = context.config.attributes.get("engine") or make_engine()
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        context.run_migrations()


run_migrations_online()
