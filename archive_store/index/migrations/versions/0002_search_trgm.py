"""Search: pg_trgm GIN indexes on pages.title and pages.text (PostgreSQL); the FTS5 trigram table
over pages, kept in step by triggers (SQLite; filled from the pages an old index already has).

`search` matches every term as a substring (LIKE '%term%', which pg_trgm indexes answer for terms of
three or more characters; shorter terms such as 劝返 scan, and stay exact). pg_trgm only makes
trigrams of characters the database's LC_CTYPE calls alphanumeric: create the database with a
UTF-8 locale (e.g. `initdb --locale=C.UTF-8 -E UTF8`) so Chinese text is indexed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


# SQLite's search table as this revision makes it (archive_store/index/search_setup.py makes the
# same on a new index; an index made before migrations ran on SQLite may have it already)
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS pages_fts USING fts5("
    "title, text, content='pages', content_rowid='capture_id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS pages_fts_ai AFTER INSERT ON pages BEGIN "
    "INSERT INTO pages_fts(rowid, title, text) VALUES (new.capture_id, new.title, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS pages_fts_ad AFTER DELETE ON pages BEGIN "
    "INSERT INTO pages_fts(pages_fts, rowid, title, text) "
    "VALUES ('delete', old.capture_id, old.title, old.text); END",
    "CREATE TRIGGER IF NOT EXISTS pages_fts_au AFTER UPDATE ON pages BEGIN "
    "INSERT INTO pages_fts(pages_fts, rowid, title, text) "
    "VALUES ('delete', old.capture_id, old.title, old.text); "
    "INSERT INTO pages_fts(rowid, title, text) VALUES (new.capture_id, new.title, new.text); END",
]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        had_it = sa.inspect(bind).has_table("pages_fts")
        for statement in SQLITE_FTS:
            op.execute(statement)
        if not had_it:  # the pages already indexed become searchable
            op.execute("INSERT INTO pages_fts(pages_fts) VALUES ('rebuild')")
        return
    if bind.dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in ("title", "text"):
        op.execute(
            f"CREATE INDEX IF NOT EXISTS ix_pages_{column}_trgm ON pages USING gin ({column} gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS pages_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS pages_fts")
        return
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in ("title", "text"):
        op.execute(f"DROP INDEX IF EXISTS ix_pages_{column}_trgm")
