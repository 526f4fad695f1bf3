"""Reading and writing the metadata index through one SQLAlchemy engine."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Engine,
    PoolProxiedConnection,
    bindparam,
    case,
    create_engine,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from archive_store.index.migrations import ensure_current
from archive_store.index.schema import Capture, CaptureOrigin, Failure, Page, Run, WarcFile
from archive_store.index.search_setup import (
    IDENTITY_COLUMNS,
    backfill_state,
    index_page,
    indexed_body,
    unindex_page,
)
from archive_store.layout import INDEX_NAME

INDEX_FILENAME = INDEX_NAME


def _indexed_body(page: Page) -> str:
    return indexed_body(page.text, *(getattr(page, name) for name in IDENTITY_COLUMNS))


def utcnow() -> datetime:
    """Naive UTC: the same value on SQLite (no time zones) and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


def default_db_url(archive_dir: Path) -> str:
    return f"sqlite:///{(archive_dir / INDEX_FILENAME).resolve()}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(db_url: str) -> Engine:
    engine = create_engine(db_url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


_CAPTURE_COLUMNS = tuple(c.key for c in Capture.__table__.columns if c.key != "id")
_INSERT_CAPTURE = insert(Capture)
_C = Capture.__table__.c
_FIND_ORIGINAL = (
    select(_C.record_id, _C.url, _C.warc_date)
    .where(
        _C.payload_digest == bindparam("digest"),
        _C.record_type == "response",
        _C.truncated.is_(None),
        _C.chunked == bindparam("chunked"),
        # never a revisit of an imported or recovered record: they are not what we saw (issue 17)
        ~select(CaptureOrigin.capture_id).where(CaptureOrigin.capture_id == _C.id).exists(),
    )
    .order_by(_C.id)
    .limit(1)
)


# the insert of a crawl's captures on SQLite, sent on the held driver connection (see add_capture)
_SQLITE_INSERT_CAPTURE = (
    f"INSERT INTO captures ({', '.join(_CAPTURE_COLUMNS)}) VALUES ({', '.join('?' * len(_CAPTURE_COLUMNS))})"
)


@contextlib.contextmanager
def _as_sqlalchemy_errors(statement: str, params: Any) -> Iterator[None]:
    """The driver's errors as SQLAlchemy raises them (what callers catch: a full disk stops the
    crawl cleanly, as with every other index write)."""
    try:
        yield
    except sqlite3.Error as exc:
        raise DBAPIError.instance(statement, params, exc, sqlite3.Error) from exc


def _sqlite_find_original(engine: Engine) -> tuple[str, Callable[[str, bool], tuple[Any, ...]]]:
    """`_FIND_ORIGINAL` as SQLAlchemy sends it to this dialect: its text, and its parameters in
    order for a digest and framing (the statement's own constants included)."""
    compiled = _FIND_ORIGINAL.compile(dialect=engine.dialect)
    names = compiled.positiontup or []
    fixed = compiled.construct_params({"digest": "", "chunked": False})

    def binds(digest: str, chunked: bool) -> tuple[Any, ...]:
        given = {"digest": digest, "chunked": int(chunked)}
        return tuple(given.get(name, fixed[name]) for name in names)

    return str(compiled), binds


def _sqlite_capture_binds(engine: Engine) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """A capture's column values as SQLAlchemy would bind them for this dialect (its DateTime as
    text, its Boolean as 0/1): each column's own bind processor, looked up once."""
    columns = Capture.__table__.columns
    dialect = engine.dialect
    processors = [
        (key, columns[key].type.dialect_impl(dialect).bind_processor(dialect)) for key in _CAPTURE_COLUMNS
    ]

    def binds(values: Mapping[str, Any]) -> tuple[Any, ...]:
        bound = []
        for key, process in processors:
            value = values.get(key)
            bound.append(process(value) if process is not None and value is not None else value)
        return tuple(bound)

    return binds


class ArchiveIndex:
    """Small typed API over the schema; every method is one short transaction, except the
    captures a crawl adds in batches (`add_capture(commit=False)`, `commit_captures`)."""

    def __init__(self, db_url: str, *, create: bool = True) -> None:
        self.db_url = db_url
        self.engine = make_engine(db_url)
        # the schema at the newest migration: made (create=True), or an older index upgraded in
        # place; two small queries when it is current (archive_store/index/migrations)
        ensure_current(self.engine, create=create)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # captures added with commit=False wait on this connection for `commit_captures`
        self._held: PoolProxiedConnection | None = None
        self.uncommitted_captures = 0
        self._has_bigrams: bool | None = None  # the search index exists (looked up once)

    def session(self) -> Session:
        self.commit_captures()  # another connection writing now would wait for ours (SQLite)
        return self._sessions()

    def close(self) -> None:
        """Dispose of the engine. Captures not committed by now are dropped: this happens only
        after an index error, and the WARC they are in is left `.open` for recovery to index."""
        if self._held is not None:
            self._held.close()
            self._held = None
        self.engine.dispose()

    # captures, committed in batches ----------------------------------------------------------
    def commit_captures(self) -> None:
        """Commit the captures added with commit=False (a no-op when there are none)."""
        held = self._held
        if held is None or not self.uncommitted_captures:
            return
        try:
            with _as_sqlalchemy_errors("COMMIT", None):
                held.commit()
        except Exception:
            with contextlib.suppress(Exception):
                held.rollback()
            raise
        finally:
            self.uncommitted_captures = 0

    # runs ------------------------------------------------------------------------------------
    def unfinished_run(self, key: str) -> Run | None:
        with self.session() as s:
            stmt = (
                select(Run)
                .where(Run.key == key, Run.status.in_(("running", "interrupted")))
                .order_by(Run.id.desc())
            )
            return s.scalars(stmt).first()

    def start_run(self, key: str, kind: str, command: dict[str, Any]) -> Run:
        with self.session() as s:
            run = Run(
                key=key,
                kind=kind,
                status="running",
                started_at=utcnow(),
                command=json.dumps(command, ensure_ascii=False),
            )
            s.add(run)
            s.commit()
            return run

    def mark_resumed(self, run_id: int) -> None:
        with self.session() as s:
            s.execute(update(Run).where(Run.id == run_id).values(resumed=Run.resumed + 1))
            s.commit()

    def finish_run(self, run_id: int, status: str, summary: dict[str, Any]) -> None:
        with self.session() as s:
            s.execute(
                update(Run)
                .where(Run.id == run_id)
                .values(
                    status=status,
                    finished_at=utcnow(),
                    summary=json.dumps(summary, ensure_ascii=False),
                )
            )
            s.commit()

    # files -----------------------------------------------------------------------------------
    def file_opened(self, filename: str, run_id: int | None) -> None:
        with self.session() as s:
            s.add(WarcFile(filename=filename, status="open", run_id=run_id, created_at=utcnow()))
            s.commit()

    def file_closed(self, filename: str, size: int, sha256: str, location: str | None = None) -> None:
        with self.session() as s:
            row = s.scalars(select(WarcFile).where(WarcFile.filename == filename)).first()
            if row is None:
                row = WarcFile(filename=filename, created_at=utcnow(), run_id=None, status="open")
                s.add(row)
            row.status, row.closed_at, row.size, row.sha256 = "closed", utcnow(), size, sha256
            row.location = location or row.location
            s.commit()

    def files(self) -> list[WarcFile]:
        with self.session() as s:
            return list(s.scalars(select(WarcFile).order_by(WarcFile.id)))

    # captures and failures -------------------------------------------------------------------
    def add_capture(self, capture: Capture, *, commit: bool = True) -> Capture:
        """Insert one capture (see `insert_capture`); sets its id."""
        values = {key: getattr(capture, key) for key in _CAPTURE_COLUMNS}
        capture.id = self.insert_capture(values, commit=commit)
        return capture

    def insert_capture(self, values: Mapping[str, Any], *, commit: bool = True) -> int:
        """Insert one capture given as column values (a column left out is NULL); returns its id.
        Runs for every exchange: Core with one statement built once and values as parameters
        (SQLAlchemy then reuses its compiled form), not the ORM unit of work; a crawl passes plain
        values, as building a mapped `Capture` cost 3 % of its reactor thread.

        commit=False (a crawl on a SQLite index) leaves it in a transaction on a held connection,
        committed by `commit_captures`, which every other method here runs first: a commit per
        capture was half of the index's cost. Used only where a capture lost with an uncommitted
        batch is indexed again from its WARC (recovery re-indexes `.open` files)."""
        if not commit and self.engine.dialect.name == "sqlite":
            # the driver's own connection and the statement SQLAlchemy would send, with the
            # values converted by the columns' own types: a third of Core's cost per capture
            if self._held is None:
                self._held = self.engine.raw_connection()
                self._capture_binds = _sqlite_capture_binds(self.engine)
                self._find_original_sql, self._find_original_binds = _sqlite_find_original(self.engine)
            binds = self._capture_binds(values)
            with _as_sqlalchemy_errors(_SQLITE_INSERT_CAPTURE, binds):
                cursor = self._held.cursor()
                try:
                    cursor.execute(_SQLITE_INSERT_CAPTURE, binds)
                    capture_id = int(cursor.lastrowid or 0)
                finally:
                    cursor.close()
            self.uncommitted_captures += 1
            return capture_id
        self.commit_captures()
        with self.engine.begin() as conn:
            result = conn.execute(_INSERT_CAPTURE, {key: values.get(key) for key in _CAPTURE_COLUMNS})
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def add_failure(self, run_id: int | None, url: str, kind: str, reason: str) -> None:
        with self.session() as s:
            s.add(Failure(run_id=run_id, url=url, kind=kind, reason=reason, failed_at=utcnow()))
            s.commit()

    def known_record_ids(self, record_ids: Iterable[str]) -> set[str]:
        ids = list(record_ids)
        with self.session() as s:
            found: set[str] = set()
            for start in range(0, len(ids), 500):
                stmt = select(Capture.record_id).where(Capture.record_id.in_(ids[start : start + 500]))
                found.update(s.scalars(stmt))
            return found

    def find_original(self, payload_digest: str, chunked: bool) -> Capture | None:
        """The earliest full response with this payload: what a revisit must refer to."""
        if self._held is not None:  # it sees the captures not committed yet
            binds = self._find_original_binds(payload_digest, chunked)
            with _as_sqlalchemy_errors(self._find_original_sql, binds):
                cursor = self._held.cursor()
                try:
                    cursor.execute(self._find_original_sql, binds)
                    found = cursor.fetchone()
                finally:
                    cursor.close()
            if found is None:
                return None
            return Capture(record_id=found[0], url=found[1], warc_date=found[2])
        parameters = {"digest": payload_digest, "chunked": chunked}
        with self.engine.connect() as conn:  # Core, prebuilt: called for every exchange
            row = conn.execute(_FIND_ORIGINAL, parameters).first()
        if row is None:
            return None
        return Capture(record_id=row.record_id, url=row.url, warc_date=row.warc_date)

    def cdxj_rows(self, warc_file: str) -> Iterator[Any]:
        """What a CDXJ line needs of each response and revisit stored in one WARC, streamed (a
        1 GB WARC holds tens of thousands)."""
        stmt = (
            select(
                _C.record_type,
                _C.method,
                _C.url,
                _C.warc_date,
                _C.content_type,
                _C.http_status,
                _C.payload_digest,
                _C.warc_offset,
                _C.warc_length,
            )
            .where(_C.warc_file == warc_file, _C.record_type.in_(("response", "revisit")))
            .order_by(_C.id)
        )
        self.commit_captures()
        with self.engine.connect() as conn:
            yield from conn.execute(stmt)

    def run_captures(self, run_id: int) -> dict[str, Capture]:
        """URL -> latest capture of that URL in the run (what a resumed run need not fetch again)."""
        with self.session() as s:
            stmt = select(Capture).where(Capture.run_id == run_id).order_by(Capture.id)
            return {c.url: c for c in s.scalars(stmt)}

    def captures_for(self, url: str) -> list[Capture]:
        with self.session() as s:
            stmt = select(Capture).where(Capture.url == url).order_by(Capture.captured_at, Capture.id)
            return list(s.scalars(stmt))

    def all_captures(self) -> list[Capture]:
        with self.session() as s:
            return list(s.scalars(select(Capture).order_by(Capture.id)))

    def failures_for_run(self, run_id: int, kinds: Sequence[str] = ("final", "seed")) -> list[Failure]:
        """Failures that still stand: not followed by a capture of the same URL in the run
        (a resumed run may capture what an interrupted one could not)."""
        later_capture = (
            select(Capture.id)
            .where(
                Capture.run_id == run_id,
                Capture.url == Failure.url,
                Capture.captured_at >= Failure.failed_at,
            )
            .exists()
        )
        with self.session() as s:
            stmt = select(Failure).where(Failure.run_id == run_id, Failure.kind.in_(kinds), ~later_capture)
            return list(s.scalars(stmt.order_by(Failure.id)))

    def set_state(self, capture_id: int, state: str, reason: str | None) -> None:
        """A capture's state from classification; "ok" for a body cut short (WARC-Truncated) is
        stored as "truncated": kept and shown, never the latest good capture."""
        cut: Any = state
        if state == "ok":
            cut = case((Capture.truncated.is_not(None), "truncated"), else_=state)
        with self.session() as s:
            s.execute(update(Capture).where(Capture.id == capture_id).values(state=cut, state_reason=reason))
            s.commit()

    def capture_by_record_id(self, record_id: str) -> Capture | None:
        with self.session() as s:
            return s.scalars(select(Capture).where(Capture.record_id == record_id)).first()

    def page_for(self, capture_id: int) -> Page | None:
        """The extracted page of a capture; a revisit without its own row has its original's."""
        with self.session() as s:
            page = s.get(Page, capture_id)
            capture = s.get(Capture, capture_id) if page is None else None
            if capture is not None and capture.record_type == "revisit" and capture.refers_to:
                original = s.scalars(select(Capture.id).where(Capture.record_id == capture.refers_to)).first()
                page = s.get(Page, original) if original is not None else None
            return page

    def original_analysis(self, capture_id: int) -> tuple[Capture, Page | None] | None:
        """For a revisit of the same URL answered with the same status: the capture holding the
        payload and its extracted page, which then stand for the revisit too (same bytes)."""
        with self.session() as s:
            revisit = s.get(Capture, capture_id)
            if revisit is None or revisit.refers_to is None:
                return None
            original = s.scalars(select(Capture).where(Capture.record_id == revisit.refers_to)).first()
            if original is None or (original.url, original.http_status) != (revisit.url, revisit.http_status):
                return None
            return original, s.get(Page, original.id)

    def save_page(self, page: Page) -> None:
        """Store a capture's extracted page (replacing an earlier one) and index it for search."""
        with self.session() as s:
            earlier = s.get(Page, page.capture_id)
            old = None if earlier is None else (earlier.title, _indexed_body(earlier))
            merged = s.merge(page)
            if self._has_bigrams is None:
                self._has_bigrams = backfill_state(s.connection()) is not None
            if self._has_bigrams:
                index_page(s.connection(), page.capture_id, merged.title, _indexed_body(merged), old)
            s.commit()

    def delete_page(self, capture_id: int) -> None:
        """A capture's page no longer exists (re-extraction found no content): out of the index and
        out of search."""
        with self.session() as s:
            earlier = s.get(Page, capture_id)
            if earlier is None:
                return
            unindex_page(s.connection(), capture_id, earlier.title, _indexed_body(earlier))
            s.delete(earlier)
            s.commit()

    def run_counts(self, run_id: int) -> dict[str, int]:
        """Responses, revisits and truncated captures of one run, counted by the database."""
        with self.session() as s:
            rows = s.execute(
                select(Capture.record_type, func.count(Capture.id))
                .where(Capture.run_id == run_id)
                .group_by(Capture.record_type)
            )
            by_type = {str(kind): int(count) for kind, count in rows}
            truncated = s.scalar(
                select(func.count(Capture.id)).where(Capture.run_id == run_id, Capture.truncated.is_not(None))
            )
        return {
            "captured": int(by_type.get("response", 0)),
            "revisits": int(by_type.get("revisit", 0)),
            "truncated": int(truncated or 0),
        }

    def count_captures(self) -> int:
        with self.session() as s:
            return int(s.scalar(select(func.count(Capture.id))) or 0)
