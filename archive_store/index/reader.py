"""Reading the index without SQLAlchemy: what read-only commands (`search`) open.

Importing SQLAlchemy costs more than half a second of a short command on these machines, and a
search answers in milliseconds. So a read-only command on a SQLite archive opens the file itself,
read-only (`mode=ro`: nothing is created, migrated or locked for writing), through the standard
library's `sqlite3`; on PostgreSQL (a service, where start-up is not the cost) it reads through
SQLAlchemy's connection. Both speak the same small interface, `Reader`: SQL with `:name`
parameters, which both `sqlite3` and SQLAlchemy's `text()` understand, and plain tuples back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from urllib.parse import quote

from archive_store.layout import INDEX_NAME

if TYPE_CHECKING:
    from sqlalchemy import Connection

SQLITE_PREFIX = "sqlite:///"


@runtime_checkable
class Reader(Protocol):
    """Reading SQL on one connection of either back-end."""

    dialect_name: str  # "sqlite" or "postgresql"

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> Iterator[tuple[Any, ...]]:
        """The rows of a query, read as they are needed."""
        ...

    def first(self, sql: str, params: Mapping[str, Any] | None = None) -> tuple[Any, ...] | None:
        """The first row of a query, or None."""
        ...


class SqliteReader:
    """A read-only `sqlite3` connection to an archive's index file."""

    dialect_name = "sqlite"

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise FileNotFoundError(f"no index at {path}")
        self.connection = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
        self.connection.execute("PRAGMA busy_timeout=30000")  # a crawl may be writing

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> Iterator[tuple[Any, ...]]:
        cursor = self.connection.execute(sql, dict(params or {}))
        try:
            yield from cursor
        finally:
            cursor.close()

    def first(self, sql: str, params: Mapping[str, Any] | None = None) -> tuple[Any, ...] | None:
        row = self.connection.execute(sql, dict(params or {})).fetchone()
        return None if row is None else tuple(row)

    def close(self) -> None:
        self.connection.close()


class ConnectionReader:
    """A SQLAlchemy connection, read as a `Reader` (PostgreSQL, and callers holding an engine)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect_name = connection.dialect.name

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> Iterator[tuple[Any, ...]]:
        from sqlalchemy import text  # noqa: PLC0415

        streamed = self.connection.execution_options(stream_results=True)
        result = streamed.execute(text(sql), dict(params or {}))
        try:
            for row in result:
                yield tuple(row)
        finally:
            result.close()

    def first(self, sql: str, params: Mapping[str, Any] | None = None) -> tuple[Any, ...] | None:
        from sqlalchemy import text  # noqa: PLC0415

        row = self.connection.execute(text(sql), dict(params or {})).first()
        return None if row is None else tuple(row)


def sqlite_path(db_url: str) -> Path | None:
    """The file of a `sqlite:///…` URL (None for any other back-end)."""
    if not db_url.startswith(SQLITE_PREFIX):
        return None
    return Path(db_url[len(SQLITE_PREFIX) :])


def archive_db_url(archive_dir: Path) -> str:
    """The index URL of an archive folder (what `database.default_db_url` gives), without
    importing SQLAlchemy."""
    return f"{SQLITE_PREFIX}{(archive_dir / INDEX_NAME).resolve()}"


@contextmanager
def open_reader(db_url: str) -> Iterator[Reader]:
    """A read-only view of the index at `db_url`: SQLite through `sqlite3`, anything else through
    SQLAlchemy (imported only then). Nothing is created or migrated."""
    path = sqlite_path(db_url)
    if path is not None:
        reader = SqliteReader(path)
        try:
            yield reader
        finally:
            reader.close()
        return
    from sqlalchemy import create_engine  # noqa: PLC0415

    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            yield ConnectionReader(connection)
    finally:
        engine.dispose()
