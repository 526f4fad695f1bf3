"""The index schema's one path: Alembic migrations, for SQLite as for PostgreSQL.

`ArchiveIndex` calls `ensure_current()` when it opens an index. An index whose `alembic_version`
already holds the newest revision costs two small queries, and Alembic is not even imported:
the newest revision is read from the scripts' text (`head_revisions`). Otherwise:

- an index made before migrations (every SQLite archive of earlier releases, which `create_all`
  made and a hand-kept list of added columns extended) holds revision 0001 at least: it is stamped
  0001 and upgraded in place, each migration leaving alone what such an index has already;
- an older index is upgraded (`alembic upgrade head`): one transaction that holds the database's
  write lock (SQLite) or an advisory lock (PostgreSQL), so processes opening it together wait
  for one another and upgrade it once;
- a new SQLite index is made from the models (`create_all`, the FTS5 search table) and stamped
  with the head revision, as Alembic's documentation advises for a new database (running every
  migration would load Alembic for each new archive); a test checks that this and the migrations
  build the same schema. A new PostgreSQL index runs the migrations.

Commands that only read (`create=False`) leave a missing index alone, and upgrade an old one if
they can (a read-only archive keeps its schema, with a warning). Operators can upgrade ahead of a
deployment: `python -m archive_store.index.migrations DB_URL`.

How to add a column or a table: see README.md in this folder.
"""

from __future__ import annotations

import ast
import logging
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    create_engine,
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from archive_store.index.search_setup import create_search_structure
from archive_store.index.search_tables import BACKFILL_TABLE, BIGRAM_TABLE, FTS_TABLE, PG_BIGRAM_TABLE

if TYPE_CHECKING:
    from alembic.config import Config

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
VERSIONS = HERE / "versions"
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
# and tables: PostgreSQL's bigram table and the backfill record (archive_store/index/search_setup.py)
MIGRATION_ONLY_TABLES = {PG_BIGRAM_TABLE, BACKFILL_TABLE}
# SQLite's FTS5 tables, with the tables FTS5 keeps for each (pages_fts_data, …)
FTS5_TABLES = (FTS_TABLE, BIGRAM_TABLE)
# the table Alembic keeps the revision in, as Alembic defines it (for stamping a new index)
VERSION_TABLE = Table(
    "alembic_version",
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.+?)\s*$", re.MULTILINE)


def include_name(name: str | None, type_: str, _parents: Any) -> bool:
    """Alembic's `include_name` hook: compare everything but the migration-only indexes and tables
    and SQLite's FTS5 search tables with the tables FTS5 keeps for them."""
    if type_ == "index":
        return name not in MIGRATION_ONLY_INDEXES
    if type_ == "table" and name is not None:
        if name in MIGRATION_ONLY_TABLES:
            return False
        return not any(name == table or name.startswith(f"{table}_") for table in FTS5_TABLES)
    return True


@cache
def script_revisions() -> dict[str, tuple[str, ...]]:
    """Each migration script's revision and the revisions it follows, read from the scripts'
    `revision = "…"` and `down_revision = …` lines (Alembic is not imported for this)."""
    found: dict[str, tuple[str, ...]] = {}
    for script in sorted(VERSIONS.glob("*.py")):
        values = {name: _literal(value) for name, value in _ASSIGNMENT.findall(script.read_text("utf-8"))}
        if "revision" not in values:
            continue  # __init__.py
        down = values.get("down_revision")
        found[str(values["revision"])] = (
            tuple(down) if isinstance(down, (tuple, list)) else (down,) if down else ()
        )
    return found


def _literal(value: str) -> Any:
    """`"0007"`, `None`, `("a", "b")`, with or without a comment after it."""
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return ast.literal_eval(value.partition("#")[0].strip())


def head_revisions() -> frozenset[str]:
    """The newest revisions: those no script follows (one, unless branches are being merged)."""
    revisions = script_revisions()
    followed = {down for downs in revisions.values() for down in downs}
    return frozenset(revisions) - followed


def stored_revisions(connection: Connection) -> frozenset[str] | None:
    """The revisions the database says it is at; None when it has no `alembic_version` table."""
    if not inspect(connection).has_table(VERSION_TABLE.name):
        return None
    return frozenset(str(v) for v in connection.execute(select(VERSION_TABLE.c.version_num)).scalars())


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        stored = stored_revisions(connection)
    return None if not stored else ",".join(sorted(stored))


def ensure_current(engine: Engine, *, create: bool) -> None:
    """Bring the index to the head revision, unless it is there (see the module's text)."""
    heads = head_revisions()
    with engine.connect() as connection:
        stored = stored_revisions(connection)
        if stored == heads:
            return
        if stored is not None and not stored <= set(script_revisions()):
            return  # written by a newer release: its schema has what ours reads
        if stored is None and not create and not inspect(connection).get_table_names():
            return  # nothing to read, and nothing to create
    try:
        _bring_to_head(engine, heads, fresh_from_models=True)
    except SQLAlchemyError as exc:
        if create:
            raise
        logger.warning(
            "could not bring the index to the current schema (reads of newer columns will fail): %s", exc
        )


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the database to `revision` (by default every head) by the migrations; one process
    at a time."""
    _bring_to_head(engine, head_revisions(), fresh_from_models=False, revision=revision)


def _bring_to_head(
    engine: Engine, heads: frozenset[str], *, fresh_from_models: bool, revision: str = "heads"
) -> None:
    locking = _locking_engine(engine)
    try:
        with locking.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
            stored = stored_revisions(connection)  # again, now that no other process is upgrading
            if stored == heads and revision in ("head", "heads"):
                return
            tables = set(inspect(connection).get_table_names())
            if fresh_from_models and stored is None and not tables and connection.dialect.name == "sqlite":
                _create_from_models(connection, heads)
                return
            _run_alembic(connection, revision, adopt=stored is None and "captures" in tables)
    finally:
        if locking is not engine:
            locking.dispose()


def _create_from_models(connection: Connection, heads: frozenset[str]) -> None:
    """A new SQLite index: the models' tables, the bigram search index, stamped with the heads."""
    from archive_store.index.schema import Base  # noqa: PLC0415 (only when an index is made)

    Base.metadata.create_all(connection)
    create_search_structure(connection)
    VERSION_TABLE.create(connection)
    connection.execute(VERSION_TABLE.insert(), [{"version_num": head} for head in sorted(heads)])


def _run_alembic(connection: Connection, revision: str, *, adopt: bool) -> None:
    from alembic import command  # noqa: PLC0415 (Alembic loads only when there is work for it)

    config = alembic_config(connection)
    if adopt:
        # an index made by create_all before migrations existed: it holds revision 0001
        command.stamp(config, FIRST_REVISION)
    command.upgrade(config, revision)


def alembic_config(connection: Connection) -> Config:
    """Alembic configured in code (no alembic.ini): our script folder, this connection."""
    from alembic.config import Config  # noqa: PLC0415

    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    return config


def _locking_engine(engine: Engine) -> Engine:
    """For a SQLite file, an engine whose transactions start with BEGIN IMMEDIATE: the upgrade
    holds the write lock from its first look at the version to its commit, and its DDL is in
    the transaction (Python's driver would otherwise run each statement on its own). Another
    process opening the index meanwhile waits (busy_timeout), then finds it current."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return engine
    locking = create_engine(engine.url, poolclass=NullPool)

    @event.listens_for(locking, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # no implicit transactions: ours is explicit
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(locking, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return locking
