"""Search from the bigram index (issue 28): exactly the hits a scan gives, newest first, filters."""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from archive_helpers import ROOT
from sqlalchemy import text

from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.index.reader import ConnectionReader, SqliteReader, open_reader
from archive_store.index.schema import Page
from archive_store.index.search import Filters, _scanned_rows, find
from archive_store.index.search_setup import backfill_search_index
from archive_store.index.search_tables import BACKFILL_TABLE, BIGRAM_TABLE, FTS_TABLE

EDGE_TEXTS = [
    "劝返",  # the whole text
    "劝返在逃人员的通知",  # at the start
    "关于做好劝返",  # at the end
    "劝劝劝返返",  # overlapping repeats
    "劝 返",  # split by a space: not 劝返
    "青公通〔2020〕12号文件",
    "青公通〔2020〕13号",
    "依据１２３号令，Police station 海外警务站",
    "police说明ABC劝返",
    "侨联工作 work_flow 2020年",
    "无关内容",
]
QUERIES = [
    "劝返",
    "劝劝",
    "劝劝劝",
    "返返",
    "劝返 返",
    "青公通〔2020〕12号",
    "〔2020〕",
    "2020",
    "１２",
    "１２３号",
    "Police",
    "police",
    "ABC劝返",
    "C劝",
    "海外警务",
    "侨联 2020",
    "work_flow",
    "_",
    "〔",
    "劝",
    "无关内容",
    "不存在",
]


def _capture(
    index: ArchiveIndex, n: int, url: str, when: datetime, state: str = "ok", ctype: str = "text/html"
) -> int:
    return index.insert_capture(
        {
            "url": url,
            "method": "GET",
            "captured_at": when,
            "warc_date": "",
            "http_status": 200,
            "record_type": "response",
            "record_id": f"<urn:uuid:{n:032x}>",
            "warc_file": "f.warc.gz",
            "warc_offset": n,
            "warc_length": 1,
            "payload_digest": f"sha1:{n}",
            "block_digest": "sha1:x",
            "payload_length": 1,
            "content_type": ctype,
            "chunked": False,
            "state": state,
            "hop": 0,
        }
    )


def _expected(pages: list[tuple[str, str | None, str, str]], query: str) -> set[str]:
    """The URLs a plain substring scan finds: every term in the title or text, state ok."""
    terms = query.split()
    return {
        url
        for url, title, body, state in pages
        if state == "ok" and all(t in (title or "") or t in body for t in terms)
    }


@pytest.fixture
def edge_index(tmp_path: Path) -> tuple[ArchiveIndex, list[tuple[str, str | None, str, str]]]:
    index = ArchiveIndex(default_db_url(tmp_path))
    pages = []
    start = datetime(2024, 1, 1)
    for n, body in enumerate(EDGE_TEXTS):
        url = f"http://gaj.site{n % 3}.gov.cn/{n}.html"
        state = "removed" if n == 6 else "ok"
        cid = _capture(index, n, url, start + timedelta(days=n), state)
        title = "劝返通告" if n == 10 else None
        index.save_page(Page(capture_id=cid, url=url, title=title, text=body))
        pages.append((url, title, body, state))
    yield index, pages
    index.close()


def test_the_bigram_index_finds_exactly_what_a_scan_finds_on_edge_cases(edge_index):
    index, pages = edge_index
    for query in QUERIES:
        results = find(index, query, limit=100)
        assert {h.url for h in results.hits} == _expected(pages, query), query
        with index.engine.connect() as conn:  # and the old path (a scan) agrees
            rows = _scanned_rows(ConnectionReader(conn), query.split(), Filters(), "newest", False)
            scanned = {row[0] for row in rows}
        assert scanned == _expected(pages, query), query
        # only queries without two neighbouring letters or digits read every page
        assert results.scanned == (query in ("_", "〔", "劝")), query


def test_generated_pages_agree_with_a_scan(tmp_path: Path):
    rng = random.Random(28)
    alphabet = "劝返亲属海外警务工作侨联通知〔〕12号 aB"
    index = ArchiveIndex(default_db_url(tmp_path))
    pages = []
    for n in range(300):
        body = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        url = f"http://x{n % 7}.gov.cn/{n}"
        cid = _capture(index, n, url, datetime(2023, 1, 1) + timedelta(hours=n))
        index.save_page(Page(capture_id=cid, url=url, title=None, text=body))
        pages.append((url, None, body, "ok"))
    for _ in range(60):
        start = rng.randrange(0, 40)
        query = pages[rng.randrange(300)][2][start : start + rng.randint(2, 5)] or "劝返"
        got = {h.url for h in find(index, query, limit=1000).hits}
        assert got == _expected(pages, query), query
    index.close()


def test_sqlite_answers_from_the_fts_index(edge_index):
    index, _pages = edge_index
    with index.engine.connect() as conn:
        plan = " ".join(
            str(row[-1])
            for row in conn.execute(
                text(
                    f"EXPLAIN QUERY PLAN SELECT p.url FROM {BIGRAM_TABLE} f "
                    "JOIN pages p ON p.capture_id = f.rowid "
                    f"JOIN captures c ON c.id = f.rowid WHERE {BIGRAM_TABLE} MATCH :q AND c.state = 'ok' "
                    "ORDER BY f.rowid DESC LIMIT 20"
                ),
                {"q": '"劝返"'},
            )
        )
    assert "VIRTUAL TABLE INDEX" in plan and "TEMP B-TREE" not in plan, plan
    assert "SCAN p" not in plan and "SCAN c" not in plan, plan


def test_newest_first_by_capture_time_even_when_ids_are_out_of_order(tmp_path: Path):
    index = ArchiveIndex(default_db_url(tmp_path))
    times = {}
    for n in range(200):  # a crawl, then an import of older captures (higher ids, older times)
        when = (
            datetime(2024, 6, 1) + timedelta(minutes=n)
            if n < 150
            else datetime(2019, 1, 1) + timedelta(days=n)
        )
        url = f"http://a.gov.cn/{n}"
        cid = _capture(index, n, url, when)
        index.save_page(Page(capture_id=cid, url=url, title=None, text=f"第{n}件 工作"))
        times[url] = when
    newest = sorted(times, key=times.__getitem__, reverse=True)
    assert [h.url for h in find(index, "工作", 5).hits] == newest[:5]
    assert [h.url for h in find(index, "工作", 5, offset=148).hits] == newest[148:153]
    index.close()


def test_filters_and_facets(edge_index):
    index, pages = edge_index
    everything = find(index, "劝返", 100, filters=Filters(state="any"), facets=True)
    hosts = [u.split("/")[2] for u, _t, b, _s in pages if "劝返" in b or "劝返" in (_t or "")]
    assert everything.facets == {host: hosts.count(host) for host in set(hosts)}
    by_site = {h.url.split("/")[2] for h in everything.hits}
    assert sum(everything.facets.values()) == len(everything.hits)
    assert set(everything.facets) == by_site
    only = find(index, "劝返", 100, filters=Filters(site="site1.gov.cn", state="any")).hits
    assert only and all("gaj.site1.gov.cn" in h.url for h in only)
    assert len(only) == everything.facets["gaj.site1.gov.cn"]
    removed = find(index, "青公通", 100, filters=Filters(state="removed")).hits
    assert [h.url for h in removed] == ["http://gaj.site0.gov.cn/6.html"]
    # captured 2024-01-01 + n days; no publication dates
    dated = find(index, "劝返", 100, filters=Filters(since="2024-01-02", until="2024-01-04")).hits
    assert {h.url for h in dated} == {
        u for u in _expected(pages, "劝返") if u.endswith(("/1.html", "/2.html", "/3.html"))
    }
    assert find(index, "劝返", 100, filters=Filters(kind="document")).hits == []


def test_a_rewritten_page_is_found_by_its_new_text_only(edge_index):
    index, _pages = edge_index
    index.save_page(Page(capture_id=1, url="http://gaj.site0.gov.cn/0.html", title=None, text="改写后的内容"))
    assert "http://gaj.site0.gov.cn/0.html" not in {h.url for h in find(index, "劝返", 100).hits}
    assert [h.url for h in find(index, "改写", 100).hits] == ["http://gaj.site0.gov.cn/0.html"]
    with index.engine.connect() as conn:
        assert (
            conn.execute(text(f"INSERT INTO {BIGRAM_TABLE}({BIGRAM_TABLE}) VALUES ('integrity-check')"))
            is not None
        )


def test_an_older_archive_upgrades_in_batches_and_searches_meanwhile(tmp_path: Path):
    index = ArchiveIndex(default_db_url(tmp_path))
    for n in range(25):
        url = f"http://a.gov.cn/{n}"
        cid = _capture(index, n, url, datetime(2024, 1, 1) + timedelta(hours=n))
        index.save_page(
            Page(capture_id=cid, url=url, title=None, text=f"第{n}号 劝返工作" if n % 2 else "其他")
        )
    with index.engine.begin() as conn:  # as an earlier version left it: trigram table, no bigram index
        conn.execute(text(f"DROP TABLE {BIGRAM_TABLE}"))
        conn.execute(text(f"DROP TABLE {BACKFILL_TABLE}"))
        conn.execute(
            text(
                f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, text, content='pages', "
                "content_rowid='capture_id', tokenize='trigram')"
            )
        )
        conn.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"))
    index.close()
    index = ArchiveIndex(default_db_url(tmp_path))  # a writing command opens it: the structure is made
    expected = {f"http://a.gov.cn/{n}" for n in range(25) if n % 2}
    assert {h.url for h in find(index, "劝返", 100).hits} == expected  # the old way, meanwhile
    seen: list[tuple[int, int]] = []

    class Stop(Exception):
        pass

    def stop_after_two(done: int, total: int) -> None:
        seen.append((done, total))
        if len(seen) == 2:
            raise Stop

    with pytest.raises(Stop):
        backfill_search_index(index.engine, batch=5, progress=stop_after_two)
    assert seen == [(5, 25), (10, 25)]
    assert {h.url for h in find(index, "劝返", 100).hits} == expected  # still the old way
    seen.clear()
    assert backfill_search_index(index.engine, batch=5, progress=lambda d, t: seen.append((d, t))) == 15
    assert seen[0] == (15, 25) and seen[-1] == (25, 25)
    results = find(index, "劝返 工作", 100)
    assert {h.url for h in results.hits} == expected and not results.scanned
    with index.engine.connect() as conn:
        assert (
            conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = :n"), {"n": FTS_TABLE}).first()
            is None
        )
    index.close()


def test_the_command_says_when_it_scanned_and_loads_no_crawler(edge_index, tmp_path: Path):
    index, _pages = edge_index
    archive = Path(index.db_url.removeprefix("sqlite:///")).parent
    code = (
        "import json, sys\nfrom sourcekeeper.cli import main\n"
        f"main(['search', '劝', '--json', '--facets', '--archive', {str(archive)!r}])\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert lines and all(line["scanned"] is True for line in lines)
    assert lines[-1]["facets"] and sum(lines[-1]["facets"].values()) == len(lines) - 1
    loaded = {name.split(".")[0] for name in json.loads(proc.stderr.strip().splitlines()[-1])}
    # nor SQLAlchemy: on SQLite a read-only command reads the file with sqlite3 (start-up is most
    # of a search's time)
    assert not loaded & {"scrapy", "twisted", "playwright", "alembic", "sqlalchemy"}


def test_relevance_puts_the_page_about_the_term_first_and_offset_pages_through(tmp_path: Path):
    index = ArchiveIndex(default_db_url(tmp_path))
    bodies = [
        "今天开会。" * 40 + "劝返",
        "劝返劝返工作，劝返在逃人员。劝返成效。",
        "会议纪要。" * 30 + "提到劝返",
    ]
    for n, body in enumerate(bodies):
        url = f"http://a.gov.cn/{n}"
        cid = _capture(index, n, url, datetime(2024, 1, 1) + timedelta(days=n))
        index.save_page(Page(capture_id=cid, url=url, title="劝返工作通知" if n == 1 else "通知", text=body))
    for n in range(3, 12):  # pages without the term (BM25 weighs a term by how rare it is)
        cid = _capture(index, n, f"http://b.gov.cn/{n}", datetime(2023, 1, 1))
        index.save_page(Page(capture_id=cid, url=f"http://b.gov.cn/{n}", title="通知", text="其他事项。" * n))
    ranked = [h.url for h in find(index, "劝返", 10, sort="relevance").hits]
    assert ranked[0] == "http://a.gov.cn/1" and sorted(ranked) == [f"http://a.gov.cn/{n}" for n in range(3)]
    newest = [h.url for h in find(index, "劝返", 10).hits]
    assert newest == ["http://a.gov.cn/2", "http://a.gov.cn/1", "http://a.gov.cn/0"]
    assert [h.url for h in find(index, "劝返", 1, offset=1).hits] == newest[1:2]
    index.close()


def test_the_command_filters_pages_and_rejects_a_bad_date(edge_index, capsys):
    from sourcekeeper.cli import main

    index, pages = edge_index
    archive = str(Path(index.db_url.removeprefix("sqlite:///")).parent)
    newest = [h.url for h in find(index, "劝返", 100).hits]
    assert main(["search", "劝返", "--json", "--offset", "1", "--limit", "2", "--archive", archive]) == 0
    shown = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [h["url"] for h in shown] == newest[1:3] and all(h["scanned"] is False for h in shown)
    assert main(["search", "劝返", "--json", "--site", "site2.gov.cn", "--archive", archive]) == 0
    shown = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {h["url"] for h in shown} == {u for u in _expected(pages, "劝返") if "site2" in u}
    assert main(["search", "劝返", "--json", "--kind", "document", "--archive", archive]) == 0
    assert capsys.readouterr().out == ""
    with pytest.raises(SystemExit) as exit_info:
        main(["search", "劝返", "--since", "2024-13", "--archive", archive])
    assert exit_info.value.code == 2
    assert "is not a date" in capsys.readouterr().err


def test_the_read_only_sqlite_reader_answers_as_the_index_does(edge_index):
    index, _pages = edge_index
    with open_reader(index.db_url) as reader:
        assert isinstance(reader, SqliteReader)
        for query in QUERIES:
            for sort in ("newest", "relevance"):
                through_reader = find(reader, query, limit=100, sort=sort, filters=Filters(state="any"))
                through_index = find(index, query, limit=100, sort=sort, filters=Filters(state="any"))
                assert through_reader.hits == through_index.hits, (query, sort)
                assert through_reader.scanned == through_index.scanned
        with pytest.raises(sqlite3.OperationalError):  # read-only: nothing can be written
            reader.connection.execute("DELETE FROM pages")


def test_report_filter_keeps_the_cited_pages_and_the_documents_they_link(tmp_path: Path, capsys):
    from sourcekeeper.cli import main

    index = ArchiveIndex(default_db_url(tmp_path))
    when = datetime(2024, 3, 1)
    cited, other = "http://gaj.a.gov.cn/notice.html", "http://gaj.b.gov.cn/other.html"
    for n, url in enumerate((cited, other)):
        cid = _capture(index, n, url, when + timedelta(hours=n))
        index.save_page(Page(capture_id=cid, url=url, title="通知", text="做好劝返工作。"))
    attachment = "http://gaj.a.gov.cn/files/list.pdf"
    cid = _capture(index, 9, attachment, when + timedelta(hours=5), ctype="application/pdf")
    with index.engine.begin() as conn:
        conn.execute(text("UPDATE captures SET parent_url = :p WHERE id = :i"), {"p": cited, "i": cid})
        conn.execute(
            text(
                "INSERT INTO reports (id, source, format, title, sha256, added_at) "
                "VALUES (1, '/home/analyst/reports/police-stations.html', 'html', '110 Overseas', 'x', :t)"
            ),
            {"t": when},
        )
        conn.execute(
            text(
                "INSERT INTO citations (report_id, position, url, url_as_written, kind, occurrences) "
                "VALUES (1, 1, :u, :u, 'footnote', 1)"
            ),
            {"u": cited},
        )
    index.save_page(Page(capture_id=cid, url=attachment, title=None, text="劝返人员名单"))
    everything = {h.url for h in find(index, "劝返", 10).hits}
    assert everything == {cited, other, attachment}
    for name in ("1", "police-stations.html", "/home/analyst/reports/police-stations.html", "110 Overseas"):
        kept = {h.url for h in find(index, "劝返", 10, filters=Filters(report=name)).hits}
        assert kept == {cited, attachment}, name
    archive = str(tmp_path)
    index.close()
    assert main(["search", "劝返", "--json", "--report", "police-stations.html", "--archive", archive]) == 0
    shown = {json.loads(line)["url"] for line in capsys.readouterr().out.splitlines()}
    assert shown == {cited, attachment}
    assert main(["search", "劝返", "--report", "stations.html", "--archive", archive]) == 2
    assert "no report 'stations.html'" in capsys.readouterr().err


def test_a_writing_command_fills_the_search_index_of_an_older_archive(tmp_path: Path, capsys):
    from scrapy.settings import Settings

    from sourcekeeper.jobs.runner import _index_opens

    index = ArchiveIndex(default_db_url(tmp_path))
    for n in range(30):
        url = f"http://a.gov.cn/{n}"
        cid = _capture(index, n, url, datetime(2024, 1, 1) + timedelta(hours=n))
        index.save_page(Page(capture_id=cid, url=url, title=None, text="劝返工作" if n % 3 == 0 else "其他"))
    with index.engine.begin() as conn:  # as an earlier version left it
        conn.execute(text(f"DROP TABLE {BIGRAM_TABLE}"))
        conn.execute(text(f"DROP TABLE {BACKFILL_TABLE}"))
        conn.execute(text("DELETE FROM alembic_version"))
        conn.execute(text("INSERT INTO alembic_version VALUES ('0008')"))
    index.close()
    _index_opens(Settings({"ARCHIVE_DIR": str(tmp_path)}))  # what `archive`/`crawl` do first
    progress = capsys.readouterr().err
    assert "search index of an earlier version's archive: 30/30 pages" in progress
    with open_reader(default_db_url(tmp_path)) as reader:
        results = find(reader, "劝返", 100)
    assert {h.url for h in results.hits} == {f"http://a.gov.cn/{n}" for n in range(0, 30, 3)}
    assert not results.scanned
    _index_opens(Settings({"ARCHIVE_DIR": str(tmp_path)}))  # done once: nothing again
    assert capsys.readouterr().err == ""
