"""Columns added to the SQLite index after archives were first written with it.

SQLite indexes are made by ``create_all``, which creates missing tables but never adds a column to
an existing one; PostgreSQL gets the same columns from the Alembic migrations. An archive written
by an earlier version gains each column here (NULL for existing rows) when it is opened.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

logger = logging.getLogger(__name__)

# (table, column, SQLite type) — keep in step with schema.py and migrations/versions
ADDED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("pages", "document_date", "VARCHAR(32)"),
    ("recheck_events", "gone_since", "DATETIME"),
)


def ensure_added_columns(engine: Engine) -> None:
    """Add any missing column of ADDED_COLUMNS to an existing SQLite index."""
    if engine.dialect.name != "sqlite":
        return
    try:
        with engine.begin() as conn:
            inspector = inspect(conn)
            tables = set(inspector.get_table_names())
            for table, column, sql_type in ADDED_COLUMNS:
                if table not in tables:
                    continue  # create_all makes it whole
                if column not in {c["name"] for c in inspector.get_columns(table)}:
                    conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}"))
    except SQLAlchemyError as exc:  # a read-only archive: reads of the new column will fail
        logger.warning("could not add new index columns: %s", exc)
