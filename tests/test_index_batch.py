"""A crawl on a SQLite index adds its captures in batches, through the driver's connection: the
rows are the same as SQLAlchemy's, revisits find originals not committed yet, and everything
else the index does first commits the batch."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.index.schema import Capture


def _capture(run_id: int, n: int, **changes: object) -> Capture:
    fields: dict[str, object] = {
        "run_id": run_id,
        "url": f"http://site.test/通知/{n}.html",
        "method": "GET",
        "captured_at": datetime(2026, 11, 27, 8, 30, 1, 250000 if n % 2 else 0),
        "warc_date": "2026-11-27T08:30:01.250000Z",
        "http_status": 200,
        "record_type": "response",
        "record_id": f"<urn:uuid:{n:08d}-0000-4000-8000-000000000000>",
        "request_record_id": f"<urn:uuid:{n:08d}-0000-4000-8000-000000000001>",
        "warc_file": "x.warc.gz",
        "warc_offset": 100 * n,
        "warc_length": 99,
        "payload_digest": f"sha1:DIGEST{n}",
        "block_digest": f"sha1:BLOCK{n}",
        "payload_length": 5,
        "content_type": "text/html; charset=GBK",
        "truncated": None,
        "chunked": bool(n % 2),
        "ip_address": "127.0.0.1",
        "refers_to": None,
        "state": "ok",
        "state_reason": None,
        "hop": 1,
        "parent_url": "http://site.test/",
    }
    fields.update(changes)
    return Capture(**fields)


def _rows(index: ArchiveIndex) -> list[dict[str, object]]:
    with index.session() as s:
        return [
            {c.key: getattr(row, c.key) for c in Capture.__table__.columns if c.key != "id"}
            for row in s.scalars(select(Capture).order_by(Capture.id))
        ]


def test_batched_rows_equal_the_rows_sqlalchemy_writes(tmp_path: Path) -> None:
    indexes = {}
    for batched in (False, True):
        (tmp_path / str(batched)).mkdir()
        index = ArchiveIndex(default_db_url(tmp_path / str(batched)), create=True)
        run = index.start_run("key", "archive", {}).id
        for n in range(4):
            changes = {"truncated": "length", "state_reason": "原因"} if n == 3 else {}
            index.add_capture(_capture(run, n, **changes), commit=not batched)
        index.commit_captures()
        indexes[batched] = index
    assert _rows(indexes[True]) == _rows(indexes[False])
    # the stored values too, as other readers (sqlite3, cdxj, pywb tools) see them
    stored = {}
    for batched in (False, True):
        with sqlite3.connect(tmp_path / str(batched) / "index.sqlite3") as db:
            stored[batched] = [row[1:] for row in db.execute("SELECT * FROM captures ORDER BY id")]
    assert stored[True] == stored[False]
    assert stored[True][0][3] == "2026-11-27 08:30:01.000000"  # SQLAlchemy's DateTime text
    assert isinstance(_rows(indexes[True])[1]["captured_at"], datetime)
    for index in indexes.values():
        index.close()


def test_a_batch_is_seen_by_revisits_and_committed_before_anything_else(tmp_path: Path) -> None:
    index = ArchiveIndex(default_db_url(tmp_path), create=True)
    run = index.start_run("key", "archive", {}).id
    added = index.add_capture(_capture(run, 1), commit=False)
    assert added.id and index.uncommitted_captures == 1
    # the batch's own connection finds the original not committed yet (chunked=True for n=1)
    original = index.find_original("sha1:DIGEST1", True)
    assert original is not None and original.record_id == added.record_id
    assert index.find_original("sha1:DIGEST1", False) is None
    # another reader does not see it yet; any other call of the index commits it first
    other = ArchiveIndex(default_db_url(tmp_path), create=False)
    assert other.all_captures() == []
    index.add_failure(run, "http://site.test/x", "final", "gone")
    assert index.uncommitted_captures == 0
    assert [c.url for c in other.all_captures()] == ["http://site.test/通知/1.html"]
    other.close()
    index.close()


def test_driver_errors_in_a_batch_are_sqlalchemy_errors(tmp_path: Path) -> None:
    """The crawl stops cleanly on index errors it knows (SQLAlchemy's), a full disk included:
    the driver's own errors from the batched path must arrive as those, not as sqlite3's."""
    index = ArchiveIndex(default_db_url(tmp_path), create=True)
    run = index.start_run("key", "archive", {}).id
    with pytest.raises(SQLAlchemyError):
        index.add_capture(_capture(run, 1, url=None), commit=False)  # url is NOT NULL
    index.add_capture(_capture(run, 2), commit=False)
    index.commit_captures()
    assert [c.url for c in index.all_captures()] == ["http://site.test/通知/2.html"]
    index.close()
