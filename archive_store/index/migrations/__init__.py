"""Alembic migrations of the index schema, for PostgreSQL (the scale-out index).

SQLite (the embedded default) keeps `create_all` plus its FTS5 table; a PostgreSQL index is
created and kept current by these migrations instead: `ArchiveIndex` runs `upgrade()` when it
opens a non-SQLite URL with `create=True` (every command that writes), under an advisory lock so
workers starting together do not race. Operators can also run it ahead of a deployment:

    python -m archive_store.index.migrations postgresql+psycopg://user@host/db
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, inspect, text

HERE = Path(__file__).resolve().parent
FIRST_REVISION = "0001"
# any constant: the key of the advisory lock that serialises concurrent upgrades
_LOCK_KEY = 0x5EC0DE_0001
# Indexes that exist only in the migrations (not in the SQLAlchemy models), like SQLite's FTS5
# table: the pg_trgm indexes for search. Autogenerate and schema comparison leave them alone.
MIGRATION_ONLY_INDEXES = {
    "ix_pages_title_trgm",
    "ix_pages_text_trgm",
    "ix_page_bigrams_grams",
    "ix_captures_captured_at",
}
# and tables: the search index and its backfill record (archive_store/index/search_setup.py)
MIGRATION_ONLY_TABLES = {"page_bigrams", "search_backfill", "pages_bigrams"}


def include_name(name: str | None, type_: str, _parents: Any) -> bool:
    """Alembic's `include_name` hook: compare everything but the migration-only indexes and tables."""
    if type_ == "table" and name in MIGRATION_ONLY_TABLES:
        return False
    return not (type_ == "index" and name in MIGRATION_ONLY_INDEXES)


def alembic_config(connection: Connection) -> Config:
    """Alembic configured in code (no alembic.ini): our script folder, this connection."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to `revision`; one process at a time (PostgreSQL advisory lock)."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        config = alembic_config(connection)
        if _created_without_alembic(connection):
            # an index made by create_all before migrations existed: it holds revision 0001
            command.stamp(config, FIRST_REVISION)
        command.upgrade(config, revision)


def _created_without_alembic(connection: Connection) -> bool:
    tables = set(inspect(connection).get_table_names())
    return "captures" in tables and "alembic_version" not in tables


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        if "alembic_version" not in tables:
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
