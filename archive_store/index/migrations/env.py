"""Alembic environment: the index schema's metadata, run on the connection `upgrade()` passes."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine

from archive_store.index.migrations import include_name
from archive_store.index.schema import Base


def run_migrations() -> None:
    if context.is_offline_mode():
        raise SystemExit("offline (--sql) migrations are not supported; give a database URL")
    config = context.config
    connection = config.attributes.get("connection")
    if connection is None:  # plain `alembic -x` use: a URL in the config
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.begin() as own_connection:
            _run(own_connection)
        engine.dispose()
        return
    _run(connection)


def _run(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_name=include_name,
        compare_type=True,
        # SQLite alters few things in place: autogenerate writes batch operations (copy and move)
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
