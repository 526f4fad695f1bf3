# ruff: noqa: F811 (pytest fixtures imported from services are used as arguments)
"""The index on a real PostgreSQL: Alembic migrations equal the models, an index made by
create_all is adopted, and search finds Chinese terms of any length (pg_trgm)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from archive_helpers import run_cli
from services import pg_url, postgres  # noqa: F401
from sqlalchemy import create_engine, inspect, text

from archive_store.index.database import ArchiveIndex
from archive_store.index.migrations import current_revision, include_name, upgrade
from archive_store.index.schema import Base, Capture, Page
from archive_store.index.search import search

pytestmark = pytest.mark.slow

PAGES = {
    "https://gaj.example.gov.cn/tzgg/t20240627_1.html": (
        "关于进一步做好在外人员劝返工作的通知",
        "各派出所：为切实做好本县在外人员劝返工作，现将有关事项通知如下。",
    ),
    "https://qiaolian.example.gov.cn/news/2.html": (
        "县侨联召开海外侨胞座谈会",
        "会议强调要做好海外联谊工作，服务侨胞。劝返一词未出现在正文之外。",
    ),
    "https://www.example.gov.cn/zwgk/3.html": (
        "政府信息公开年度报告",
        "本报告根据条例编制，统计口径为100%覆盖，含 under_score 字样。",
    ),
}


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    from archive_store.index.migrations import HERE

    return str(ScriptDirectory(str(HERE)).get_current_head())


def schema_differences(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_name": include_name, "compare_type": True}
            )
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_migrations_build_exactly_the_models_schema(pg_url):
    index = ArchiveIndex(pg_url)  # create=True on PostgreSQL: alembic upgrade head
    try:
        assert current_revision(index.engine) == head_revision()
        names = {i["name"] for i in inspect(index.engine).get_indexes("pages")}
        assert {"ix_pages_title_trgm", "ix_pages_text_trgm"} <= names
    finally:
        index.close()
    assert schema_differences(pg_url) == []
    ArchiveIndex(pg_url).close()  # opening again is a no-op


def test_an_index_made_by_create_all_is_adopted_and_upgraded(pg_url):
    engine = create_engine(pg_url)
    try:
        old_tables = [
            Base.metadata.tables[n] for n in ("runs", "warc_files", "captures", "failures", "pages")
        ]
        Base.metadata.create_all(engine, tables=old_tables)
        upgrade(engine)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
    assert schema_differences(pg_url) == []


def fill(index: ArchiveIndex) -> None:
    for n, (url, (title, body)) in enumerate(PAGES.items()):
        capture = index.add_capture(
            Capture(
                url=url,
                method="GET",
                hop=0,
                chunked=False,
                captured_at=datetime(2024, 6, 27, 8, n),
                warc_date=f"2024-06-27T08:0{n}:00Z",
                http_status=200,
                record_type="response",
                record_id=f"<urn:uuid:00000000-0000-0000-0000-00000000000{n}>",
                warc_file="test.warc.gz",
                warc_offset=n * 100,
                warc_length=100,
                payload_digest=f"sha1:{n}",
                block_digest=f"sha1:{n}",
                payload_length=len(body),
                state="ok",
            )
        )
        index.save_page(Page(capture_id=capture.id, url=url, title=title, text=body))


@pytest.fixture
def pg_index(pg_url):
    index = ArchiveIndex(pg_url)
    fill(index)
    yield index
    index.close()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("劝返", [0, 1]),  # two characters: below pg_trgm's trigram length, still exact
        ("劝返工作", [0]),
        ("劝返 侨胞", [1]),  # every term must occur
        ("侨", [1]),
        ("100%", [2]),  # LIKE wildcards are matched literally
        ("under_score", [2]),
        ("%", [2]),
        ("不存在的词", []),
    ],
)
def test_search_on_postgres_finds_exactly_the_pages_with_every_term(pg_index, query, expected):
    urls = list(PAGES)
    assert sorted(h.url for h in search(pg_index, query)) == sorted(urls[i] for i in expected)


def test_trigram_indexes_answer_longer_terms(pg_index):
    with pg_index.engine.connect() as connection:
        connection.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(
            row[0]
            for row in connection.execute(
                text("EXPLAIN SELECT capture_id FROM pages WHERE text LIKE :p"), {"p": "%劝返工作%"}
            )
        )
        trigrams = connection.execute(text("SELECT show_trgm('劝返工作')")).scalar()
    assert "ix_pages_text_trgm" in plan
    assert trigrams, "pg_trgm made no trigrams of Chinese text: is the database's ctype UTF-8?"


def test_search_command_reads_postgres(pg_index, tmp_path):
    result = run_cli("search", "劝返", "--json", "--archive", tmp_path / "none", "--db", pg_index.db_url)
    assert result.returncode == 0, result.stderr
    hits = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(h["url"] for h in hits) == sorted(list(PAGES)[:2])
    assert "【劝返】" in hits[0]["snippet"]


def test_two_character_terms_are_answered_from_the_gin_bigram_index(pg_index):
    with pg_index.engine.connect() as connection:
        connection.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(
            row[0]
            for row in connection.execute(
                text("EXPLAIN SELECT capture_id FROM page_bigrams WHERE grams @> CAST(:g AS TEXT[])"),
                {"g": ["劝返"]},
            )
        )
    assert "ix_page_bigrams_grams" in plan, plan
    assert [h.url for h in search(pg_index, "劝返 工作")] == list(PAGES)[1::-1]  # newest first, exact


def test_an_index_from_before_the_bigrams_is_backfilled_and_searched_meanwhile(pg_url):
    from archive_store.index.search import find
    from archive_store.index.search_setup import backfill_search_index

    index = ArchiveIndex(pg_url)
    fill(index)
    with index.engine.begin() as connection:  # as the migration leaves an index that held pages
        connection.execute(text("DELETE FROM page_bigrams"))
        connection.execute(text("UPDATE search_backfill SET done_through = 0, finished = 0"))
    assert sorted(h.url for h in search(index, "劝返")) == sorted(list(PAGES)[:2])  # LIKE, meanwhile
    seen: list[tuple[int, int]] = []
    assert backfill_search_index(index.engine, batch=2, progress=lambda d, t: seen.append((d, t))) == 3
    assert seen == [(2, 3), (3, 3)]
    results = find(index, "劝返", 10)
    assert sorted(h.url for h in results.hits) == sorted(list(PAGES)[:2]) and not results.scanned
    index.close()
