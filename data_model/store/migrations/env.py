"""Alembic environment: migrations run against the engine the caller passes in
(`data_model.store.db.migrate`) or, from the alembic command line, `DATABASE_URL`."""

from alembic import context
from sqlmodel import SQLModel

import data_model.store.models  # noqa: F401  (registers the tables on the metadata)
from data_model.store.db import make_engine

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = context.config.attributes.get("engine") or make_engine()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch migration rebuilds a table (copy, drop, rename); with foreign keys
            # enforced, dropping a table other rows refer to fails. The pragma works only
            # outside a transaction; the references are checked again before the commit.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                context.configure(
                    connection=connection, target_metadata=target_metadata, render_as_batch=sqlite
                )
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
                    if broken is not None:
                        raise RuntimeError(f"migration broke a reference: {tuple(broken)}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


run_migrations_online()
