"""One schema path for the SQLite index: the Alembic migrations.

An index as the first release made it, and one as the previous release made it (`create_all`,
never stamped), open with today's code and are migrated in place: every column and table of
today's schema, every row kept, search still finds the pages. A new index made from the models
has exactly the schema the migrations build. Opening a current index loads no Alembic.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from archive_helpers import ROOT
from sqlalchemy import create_engine, text

from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.index.migrations import (
    HERE,
    head_revisions,
    include_name,
    script_revisions,
    upgrade,
)
from archive_store.index.schema import Base, Capture, Page
from archive_store.index.search import search
from archive_store.index.search_setup import backfill_search_index, create_search_index

URL = "https://gaj.example.gov.cn/tzgg/t20240627_1.html"
TITLE = "关于进一步做好在外人员劝返工作的通知"
BODY = "各派出所：为切实做好本县在外人员劝返工作，现将有关事项通知如下。"
RECORD_ID = "<urn:uuid:00000000-0000-0000-0000-0000000000a1>"


def structure(path: Path) -> dict[str, Any]:
    """What an index is made of, whatever order its statements put things in: each table's
    columns, foreign keys and indexes, and the search table's and triggers' SQL."""
    with sqlite3.connect(path) as db:
        objects = db.execute("select type, name, tbl_name, sql from sqlite_master").fetchall()
        found: dict[str, Any] = {}
        for kind, name, _table, sql in objects:
            if kind == "table" and not name.startswith(("sqlite_", "pages_fts_")) and name != "pages_fts":
                found[name] = {
                    "columns": sorted(tuple(c[1:]) for c in db.execute(f"pragma table_info('{name}')")),
                    "foreign keys": sorted(
                        tuple(f[2:5]) for f in db.execute(f"pragma foreign_key_list('{name}')")
                    ),
                    "indexes": sorted(
                        (i[1], bool(i[2]), tuple(c[2] for c in db.execute(f"pragma index_info('{i[1]}')")))
                        for i in db.execute(f"pragma index_list('{name}')")
                    ),
                }
            elif kind == "trigger" or name == "pages_fts":
                found[name] = " ".join(sql.split())
    return found


def schema_differences(db_url: str) -> list[object]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_name": include_name, "compare_type": True}
            )
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def stored_versions(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("select version_num from alembic_version")}


def fill(db: sqlite3.Connection) -> None:
    """One run, WARC, capture, page and failure, written as an old release's code wrote them."""
    db.execute(
        "insert into runs (id, key, kind, status, started_at, command, resumed) "
        "values (1, 'k1', 'archive', 'finished', '2024-06-27 08:00:00', '{}', 0)"
    )
    db.execute(
        "insert into warc_files (id, filename, status, run_id, created_at, size, sha256) "
        "values (1, 'a.warc.gz', 'closed', 1, '2024-06-27 08:00:00', 1234, 'ab')"
    )
    db.execute(
        "insert into captures (id, run_id, url, method, captured_at, warc_date, http_status, record_type,"
        " record_id, warc_file, warc_offset, warc_length, payload_digest, block_digest, payload_length,"
        " content_type, chunked, state, hop) values (1, 1, ?, 'GET', '2024-06-27 08:00:00',"
        " '2024-06-27T08:00:00Z', 200, 'response', ?, 'a.warc.gz', 0, 900, 'sha1:P', 'sha1:B', 500,"
        " 'text/html', 0, 'ok', 0)",
        (URL, RECORD_ID),
    )
    db.execute(
        "insert into pages (capture_id, url, title, date, text) values (1, ?, ?, '2024-06-27', ?)",
        (URL, TITLE, BODY),
    )
    db.execute(
        "insert into failures (run_id, url, failed_at, kind, reason) "
        "values (1, 'https://x.example.gov.cn/', '2024-06-27 08:01:00', 'final', 'connection refused')"
    )


def assert_whole_and_current(archive: Path, index: ArchiveIndex) -> None:
    path = archive / "index.sqlite3"
    assert stored_versions(path) == set(head_revisions())
    # the upgrade's second step moves the pages into the bigram index and drops the trigram one
    backfill_search_index(index.engine)
    assert [hit.url for hit in search(index, "劝返")] == [URL]
    # today's schema, to the column: what a new index has
    fresh = archive.parent / "fresh"
    fresh.mkdir()
    ArchiveIndex(default_db_url(fresh)).close()
    assert structure(path) == structure(fresh / "index.sqlite3")
    assert schema_differences(index.db_url) == []
    # every row kept, and readable through the new columns
    capture = index.capture_by_record_id(RECORD_ID)
    assert capture is not None and (capture.url, capture.http_status, capture.state) == (URL, 200, "ok")
    page = index.page_for(capture.id)
    assert page is not None and (page.title, page.text, page.document_date) == (TITLE, BODY, None)
    assert [f.reason for f in index.failures_for_run(1)] == ["connection refused"]
    assert [(f.filename, f.size) for f in index.files()] == [("a.warc.gz", 1234)]
    # the pages it had are searchable (long and short terms), and new ones too
    assert [h.url for h in search(index, "劝返工作")] == [URL]
    assert [h.url for h in search(index, "劝返")] == [URL]
    index.save_page(Page(capture_id=capture.id, url=URL, title=TITLE, text=BODY, document_date="2024-06-20"))
    page = index.page_for(capture.id)
    assert page is not None and page.document_date == "2024-06-20"
    assert [h.url for h in search(index, "现将有关事项")] == [URL]


def test_the_heads_read_from_the_scripts_are_alembics() -> None:
    scripts = ScriptDirectory(str(HERE))
    assert head_revisions() == set(scripts.get_heads())
    assert set(script_revisions()) == {s.revision for s in scripts.walk_revisions()}


def test_a_new_index_has_the_schema_the_migrations_build(tmp_path: Path) -> None:
    made, migrated = tmp_path / "made", tmp_path / "migrated"
    made.mkdir()
    migrated.mkdir()
    ArchiveIndex(default_db_url(made)).close()  # from the models, stamped
    engine = create_engine(default_db_url(migrated))
    upgrade(engine)  # every migration, from nothing
    engine.dispose()
    assert stored_versions(made / "index.sqlite3") == stored_versions(migrated / "index.sqlite3")
    assert structure(made / "index.sqlite3") == structure(migrated / "index.sqlite3")
    assert "pages_bigrams" in structure(made / "index.sqlite3")  # the search index, the bigram one
    assert "pages_fts" not in structure(made / "index.sqlite3")
    assert schema_differences(default_db_url(made)) == []
    assert schema_differences(default_db_url(migrated)) == []


@pytest.mark.parametrize("opened_by", ["a reading command", "a writing command"])
def test_an_index_of_the_first_release_is_migrated_in_place(tmp_path: Path, opened_by: str) -> None:
    """As first released (revision 0001: no search table, no document_date, none of the later
    tables) and never stamped, as SQLite indexes were not."""
    archive = tmp_path / "archive"
    archive.mkdir()
    engine = create_engine(default_db_url(archive))
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(text("drop table alembic_version"))
    engine.dispose()
    with sqlite3.connect(archive / "index.sqlite3") as db:
        fill(db)
        assert "document_date" not in {c[1] for c in db.execute("pragma table_info('pages')")}
    index = ArchiveIndex(default_db_url(archive), create=opened_by == "a writing command")
    try:
        assert_whole_and_current(archive, index)
    finally:
        index.close()


def test_an_index_of_the_previous_release_is_adopted(tmp_path: Path) -> None:
    """As the previous release made every SQLite index: `create_all`, the search table, no
    Alembic version. Opening it adds nothing twice and stamps it."""
    archive = tmp_path / "archive"
    archive.mkdir()
    engine = create_engine(default_db_url(archive))
    Base.metadata.create_all(engine)
    with engine.begin() as connection:
        create_search_index(connection)
    engine.dispose()
    with sqlite3.connect(archive / "index.sqlite3") as db:
        fill(db)
    index = ArchiveIndex(default_db_url(archive))
    try:
        with sqlite3.connect(archive / "index.sqlite3") as db:  # each page indexed once
            assert db.execute(
                "select count(*) from pages_fts where pages_fts match '劝返工作'"
            ).fetchone() == (1,)
        assert_whole_and_current(archive, index)
    finally:
        index.close()


def test_opening_a_current_index_loads_no_alembic(tmp_path: Path) -> None:
    ArchiveIndex(default_db_url(tmp_path)).close()
    url = default_db_url(tmp_path)
    code = (
        "import json, sys\n"
        "from archive_store.index.database import ArchiveIndex\n"
        f"assert ArchiveIndex({url!r}, create=False).count_captures() == 0\n"
        f"assert ArchiveIndex({url!r}).count_captures() == 0\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    loaded = set(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert "sqlalchemy" in loaded
    assert not {m for m in loaded if m.split(".")[0] == "alembic"}, "a current index paid for Alembic"


def test_a_new_capture_after_migration_is_written(tmp_path: Path) -> None:
    """The crawl's fast insert (its own statement, on the driver's connection) fits a migrated index."""
    archive = tmp_path / "archive"
    archive.mkdir()
    engine = create_engine(default_db_url(archive))
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(text("drop table alembic_version"))
    engine.dispose()
    index = ArchiveIndex(default_db_url(archive))
    try:
        values = {
            "url": URL,
            "method": "GET",
            "captured_at": datetime(2024, 6, 27, 9, 0),
            "warc_date": "2024-06-27T09:00:00Z",
            "http_status": 200,
            "record_type": "response",
            "record_id": RECORD_ID,
            "warc_file": "b.warc.gz",
            "warc_offset": 0,
            "warc_length": 10,
            "payload_digest": "sha1:Q",
            "block_digest": "sha1:C",
            "payload_length": 5,
            "chunked": False,
            "state": "ok",
            "hop": 0,
        }
        index.insert_capture(values, commit=False)
        index.commit_captures()
        assert [c.record_id for c in index.all_captures()] == [RECORD_ID]
        assert isinstance(index.all_captures()[0], Capture)
    finally:
        index.close()
