"""Search on PostgreSQL: pg_trgm GIN indexes on pages.title and pages.text.

`search` matches every term as a substring (LIKE '%term%', which pg_trgm indexes answer for terms of
three or more characters; shorter terms such as 劝返 scan, and stay exact). pg_trgm only makes
trigrams of characters the database's LC_CTYPE calls alphanumeric: create the database with a
UTF-8 locale (e.g. `initdb --locale=C.UTF-8 -E UTF8`) so Chinese text is indexed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has its FTS5 trigram table (archive_store/index/search_setup.py)
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in ("title", "text"):
        op.execute(
            f"CREATE INDEX IF NOT EXISTS ix_pages_{column}_trgm ON pages USING gin ({column} gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in ("title", "text"):
        op.execute(f"DROP INDEX IF EXISTS ix_pages_{column}_trgm")
