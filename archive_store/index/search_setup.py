"""The search index over extracted pages: character bigrams (issue 28), kept in step by `save_page`.

SQLite: a contentless FTS5 table `pages_bigrams(grams)` (rowid = capture id) whose rows are the
space-separated distinct bigrams of a page's title and text (`bigrams.bigram_text`; FTS5's `ascii`
tokenizer makes each bigram one token; `detail=none`: which pages hold a bigram, not where nor how
often — the substring check does the rest — about a third of the text's size).
Contentless: the text is stored once, in `pages`.
PostgreSQL: a table `page_bigrams(capture_id, grams text[])` with a GIN index on the bigrams.
Both: an index on `captures.captured_at`, with which newest-first search knows when it can stop.

Archives made before this index had an FTS5 `trigram` table (SQLite) or pg_trgm indexes
(PostgreSQL): they keep answering `search` until the backfill (`backfill_search_index`) has put
every page into the bigram index, which records how far it got in `search_backfill` and resumes
from there; then the SQLite trigram table is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, text

from archive_store.index.bigrams import bigram_list, bigram_text
from archive_store.index.reader import ConnectionReader
from archive_store.index.search_tables import (
    BACKFILL_TABLE,
    BIGRAM_TABLE,
    CAPTURED_AT_INDEX,
    FTS_TABLE,
    PG_BIGRAM_TABLE,
    bigram_index_state,
)

_TRIGRAM_TRIGGERS = ("pages_fts_ai", "pages_fts_ad", "pages_fts_au")
# a government document's identity is indexed with its text: a 文号 shown only in a page's
# disclosure box is found too (search.py checks the same columns)
IDENTITY_COLUMNS = ("doc_number", "issuer", "index_number", "topic")


def indexed_body(text: str | None, *identity: str | None) -> str:
    """What the bigram index holds of a page besides its title: its text and identity fields."""
    return "\n".join([text or "", *(value for value in identity if value)])


_SQLITE_SETUP = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {BIGRAM_TABLE} USING fts5("
    "grams, content='', tokenize='ascii', detail=none)",
    f"CREATE INDEX IF NOT EXISTS {CAPTURED_AT_INDEX} ON captures (captured_at)",
]
_PG_SETUP = [
    f"CREATE TABLE IF NOT EXISTS {PG_BIGRAM_TABLE} (capture_id INTEGER PRIMARY KEY, grams TEXT[] NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS ix_page_bigrams_grams ON {PG_BIGRAM_TABLE} USING gin (grams)",
    f"CREATE INDEX IF NOT EXISTS {CAPTURED_AT_INDEX} ON captures (captured_at)",
]
_BACKFILL_SETUP = (
    f"CREATE TABLE IF NOT EXISTS {BACKFILL_TABLE} (id INTEGER PRIMARY KEY, done_through INTEGER NOT NULL, "
    "finished INTEGER NOT NULL)"
)


def _tables(conn: Connection) -> set[str]:
    if conn.dialect.name == "sqlite":
        rows = conn.execute(text("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')"))
    else:
        rows = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
    return {str(name) for (name,) in rows}


def create_search_structure(conn: Connection) -> None:
    """The bigram index and its backfill record (what migration XXXX_search_bigrams creates). An
    index that already holds pages starts unfinished: the backfill fills it, `search` meanwhile
    reads the old way."""
    existing = _tables(conn)
    if conn.dialect.name == "sqlite":
        for statement in _SQLITE_SETUP:
            conn.execute(text(statement))
    else:
        for statement in _PG_SETUP:
            conn.execute(text(statement))
    conn.execute(text(_BACKFILL_SETUP))
    if BACKFILL_TABLE not in existing:
        has_pages = "pages" in existing and conn.execute(text("SELECT 1 FROM pages LIMIT 1")).first()
        conn.execute(
            text(f"INSERT INTO {BACKFILL_TABLE} (id, done_through, finished) VALUES (1, 0, :finished)"),
            {"finished": 0 if has_pages else 1},
        )
        if not has_pages:  # nothing to move over: the old index goes at once
            drop_trigram_index(conn)


def drop_trigram_index(conn: Connection) -> None:
    """The SQLite trigram table of earlier versions and its triggers, once the bigram index holds
    every page (nothing on PostgreSQL: its pg_trgm indexes cost nothing to keep)."""
    if conn.dialect.name != "sqlite":
        return
    for trigger in _TRIGRAM_TRIGGERS:
        conn.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
    conn.execute(text(f"DROP TABLE IF EXISTS {FTS_TABLE}"))


FTS_SETUP_OF_EARLIER_VERSIONS = [
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
    """The trigram FTS5 table and its triggers of earlier versions, on a SQLite index (nothing
    elsewhere): what an archive of the previous release holds (tests make one with it)."""
    if connection.dialect.name != "sqlite":
        return
    for statement in FTS_SETUP_OF_EARLIER_VERSIONS:
        connection.execute(text(statement))


def backfill_state(conn: Connection) -> tuple[int, bool] | None:
    """(done through capture id, finished) of the bigram index; None when it does not exist."""
    return bigram_index_state(ConnectionReader(conn))


# keeping the index in step with the pages ------------------------------------------------------
_SQLITE_DELETE = f"INSERT INTO {BIGRAM_TABLE}({BIGRAM_TABLE}, rowid, grams) VALUES ('delete', :k, :g)"


def unindex_page(conn: Connection, capture_id: int, title: str | None, body: str | None) -> None:
    """Take a page out of the bigram index before its row goes (a capture id SQLite may hand out
    again must not keep the old page's bigrams); nothing where there is no bigram index."""
    if backfill_state(conn) is None:
        return
    if conn.dialect.name == "sqlite":
        indexed = conn.execute(
            text(f"SELECT 1 FROM {BIGRAM_TABLE}_docsize WHERE id = :k"), {"k": capture_id}
        ).first()
        if indexed is not None:
            conn.execute(text(_SQLITE_DELETE), {"k": capture_id, "g": bigram_text(title, body)})
        return
    conn.execute(text(f"DELETE FROM {PG_BIGRAM_TABLE} WHERE capture_id = :k"), {"k": capture_id})


def index_page(
    conn: Connection,
    capture_id: int,
    title: str | None,
    body: str | None,
    old: tuple[str | None, str | None] | None = None,
) -> None:
    """Put a page into the bigram index, replacing its earlier entry (`old`: the title and text it
    was indexed with, needed to take it out of a contentless FTS5 table)."""
    if conn.dialect.name == "sqlite":
        # FTS5 keeps one %_docsize row per indexed rowid (columnsize=1, the default)
        indexed = conn.execute(
            text(f"SELECT 1 FROM {BIGRAM_TABLE}_docsize WHERE id = :k"), {"k": capture_id}
        ).first()
        if indexed is not None:
            if old is None:
                return  # already there (the backfill met a page written since it began)
            conn.execute(text(_SQLITE_DELETE), {"k": capture_id, "g": bigram_text(*old)})
        conn.execute(
            text(f"INSERT INTO {BIGRAM_TABLE}(rowid, grams) VALUES (:k, :g)"),
            {"k": capture_id, "g": bigram_text(title, body)},
        )
        return
    conn.execute(
        text(
            f"INSERT INTO {PG_BIGRAM_TABLE} (capture_id, grams) VALUES (:k, :g) "
            "ON CONFLICT (capture_id) DO UPDATE SET grams = excluded.grams"
        ),
        {"k": capture_id, "g": bigram_list(title, body)},
    )


def backfill_search_index(
    engine: Engine, batch: int = 2000, progress: Callable[[int, int], Any] | None = None
) -> int:
    """Put every page not yet in the bigram index into it, `batch` pages per transaction, recording
    the last capture id done: stopped at any point, it resumes there. Returns the pages indexed.
    When done, the trigram table of earlier versions is dropped (SQLite)."""
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite" and BACKFILL_TABLE not in _tables(conn):
            create_search_structure(conn)
        state = backfill_state(conn)
        assert state is not None  # created by the migration (PostgreSQL) or just above
        done_through, finished = state
        total = int(conn.execute(text("SELECT count(*) FROM pages")).scalar() or 0)
        before = int(
            conn.execute(
                text("SELECT count(*) FROM pages WHERE capture_id <= :d"), {"d": done_through}
            ).scalar()
            or 0
        )
    indexed = 0
    while not finished:
        with engine.begin() as conn:
            rows = list(
                conn.execute(
                    text(
                        "SELECT p.capture_id, p.title, p.text, "
                        + ", ".join(f"p.{name}" for name in IDENTITY_COLUMNS)
                        + " FROM pages p WHERE p.capture_id > :d "
                        "ORDER BY p.capture_id LIMIT :n"
                    ),
                    {"d": done_through, "n": batch},
                )
            )
            for capture_id, title, body, *identity in rows:
                index_page(conn, capture_id, title, indexed_body(body, *identity))
            if rows:
                done_through = int(rows[-1][0])
            finished = len(rows) < batch
            conn.execute(
                text(f"UPDATE {BACKFILL_TABLE} SET done_through = :d, finished = :f WHERE id = 1"),
                {"d": done_through, "f": int(finished)},
            )
            if finished:
                drop_trigram_index(conn)
        indexed += len(rows)
        if progress is not None:
            progress(min(before + indexed, total), total)
    return indexed
