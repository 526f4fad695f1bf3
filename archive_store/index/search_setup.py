"""The SQLite FTS5 trigram index over extracted pages, kept in step with the pages table by triggers.

Part of a new SQLite index (archive_store/index/migrations: made from the models); an older index
got it from migration 0002. A change here needs a migration too (see migrations/README.md)."""

from __future__ import annotations

from sqlalchemy import Connection, text

FTS_TABLE = "pages_fts"
_FTS_SETUP = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "title, text, content='pages', content_rowid='capture_id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS pages_fts_ai AFTER INSERT ON pages BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, title, text) VALUES (new.capture_id, new.title, new.text); END",
    f"CREATE TRIGGER IF NOT EXISTS pages_fts_ad AFTER DELETE ON pages BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, text) "
    f"VALUES ('delete', old.capture_id, old.title, old.text); END",
    f"CREATE TRIGGER IF NOT EXISTS pages_fts_au AFTER UPDATE ON pages BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, text) "
    f"VALUES ('delete', old.capture_id, old.title, old.text); "
    f"INSERT INTO {FTS_TABLE}(rowid, title, text) VALUES (new.capture_id, new.title, new.text); END",
]


def create_search_index(connection: Connection) -> None:
    """The FTS5 table and its triggers, on a SQLite index (nothing elsewhere)."""
    if connection.dialect.name != "sqlite":
        return
    for statement in _FTS_SETUP:
        connection.execute(text(statement))
