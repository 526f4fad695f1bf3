"""The names of the search index's tables, and how far its backfill is, read without SQLAlchemy
(search_setup.py creates and fills them; search.py reads them through a `reader.Reader`)."""

from __future__ import annotations

from archive_store.index.reader import Reader

FTS_TABLE = "pages_fts"  # the trigram table of earlier versions (SQLite)
BIGRAM_TABLE = "pages_bigrams"  # SQLite FTS5
PG_BIGRAM_TABLE = "page_bigrams"  # PostgreSQL
BACKFILL_TABLE = "search_backfill"
CAPTURED_AT_INDEX = "ix_captures_captured_at"


def bigram_index_state(reader: Reader) -> tuple[int, bool] | None:
    """(done through capture id, finished) of the bigram index; None when it does not exist."""
    if reader.dialect_name == "sqlite":
        exists = reader.first(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n", {"n": BACKFILL_TABLE}
        )
    else:
        found = reader.first("SELECT to_regclass(:n)", {"n": BACKFILL_TABLE})
        exists = found if found is not None and found[0] is not None else None
    if not exists:
        return None  # an index older than the bigram one, opened without creating anything
    row = reader.first(f"SELECT done_through, finished FROM {BACKFILL_TABLE} WHERE id = 1")
    return None if row is None else (int(row[0]), bool(row[1]))


def has_table(reader: Reader, name: str) -> bool:
    """Whether the SQLite index holds a table (or virtual table) of that name."""
    return reader.first("SELECT 1 FROM sqlite_master WHERE name = :n", {"n": name}) is not None
