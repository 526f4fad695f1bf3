# ruff: noqa: F811 (pytest fixtures imported from services are used as arguments)
"""Search over documents and by 文号: a document's text is a `pages` row of kind "document" for
its own capture; hits name the document and the page linking it (`page_url`); `--kind` filters;
a 文号 is found whatever brackets it is printed or typed with, in the text or in the identity
fields (a number shown only in a page's disclosure box)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from services import pg_url, postgres  # noqa: F401
from sqlalchemy import text

from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.index.docnumbers import normalise, variants
from archive_store.index.schema import Page
from archive_store.index.search import Filters, find
from archive_store.index.search_setup import BACKFILL_TABLE, BIGRAM_TABLE, backfill_search_index
from pipelines.extraction.govdoc import identity_from_text
from sourcekeeper.cli import main

PAGE = "http://gaj.example.gov.cn/tzgg/t20200306_1.html"
DOC = "http://gaj.example.gov.cn/tzgg/P020200306_fujian.pdf"
OTHER = "http://gaj.example.gov.cn/tzgg/t20200401_2.html"
DOC_TEXT = """青海省公安厅文件
青公通〔2020〕12号
关于做好海外警务联络工作的通知
各市（州）公安局：
现将有关事项通知如下，请认真贯彻落实。
青海省公安厅
2020年3月5日"""


def _capture(index: ArchiveIndex, n: int, url: str, ctype: str, parent: str | None = None) -> int:
    return index.insert_capture(
        {
            "url": url,
            "method": "GET",
            "captured_at": datetime(2024, 1, 1) + timedelta(minutes=n),
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
            "state": "ok",
            "hop": 0 if parent is None else 1,
            "parent_url": parent,
        }
    )


def build(archive: Path | str) -> ArchiveIndex:
    index = ArchiveIndex(archive if isinstance(archive, str) else default_db_url(archive))
    page_id = _capture(index, 1, PAGE, "text/html; charset=utf-8")
    # the notice page: its 文号 only in its disclosure box (the identity columns), not its text
    index.save_page(
        Page(
            capture_id=page_id,
            url=PAGE,
            title="关于做好海外联络工作的通知",
            text="各派出所：现将劝返工作方案印发给你们。附件：劝返工作方案.pdf",
            doc_number="青公通〔2020〕12号",
            issuer="示例县公安局",
            index_number="11220000/2024-00012",
        )
    )
    doc_id = _capture(index, 2, DOC, "application/pdf", parent=PAGE)
    # the attachment: a document's text, as the document reader saves it, its identity from it
    index.save_page(
        Page(
            capture_id=doc_id,
            url=DOC,
            kind="document",
            text=DOC_TEXT,
            text_source="layer",
            page_count=1,
            **identity_from_text(DOC_TEXT).to_json(),
        )
    )
    other_id = _capture(index, 3, OTHER, "text/html")
    index.save_page(
        Page(capture_id=other_id, url=OTHER, title="通知", text="依据青公通〔2020〕13号文件执行。")
    )
    return index


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    build(tmp_path).close()
    return tmp_path


def _urls(index: ArchiveIndex, query: str, **filters: str) -> set[str]:
    return {hit.url for hit in find(index, query, limit=50, filters=Filters(**filters)).hits}


@pytest.mark.parametrize(
    "query",
    [
        "青公通〔2020〕12号",
        "青公通[2020]12号",
        "青公通【2020】12号",
        "青公通(2020)12号",
        "青公通（2020）12号",
        "〔2020〕12号",
    ],
)
def test_a_doc_number_finds_the_notice_and_its_attachment_whatever_its_brackets(archive, query):
    index = ArchiveIndex(default_db_url(archive), create=False)
    try:
        results = find(index, query, limit=50)
        assert {hit.url for hit in results.hits} == {PAGE, DOC}
        assert not results.scanned  # answered from the bigram index
    finally:
        index.close()


def test_a_doc_number_is_exact(archive):
    index = ArchiveIndex(default_db_url(archive), create=False)
    try:
        assert _urls(index, "青公通〔2020〕1号") == set()
        assert _urls(index, "青公通[2020]13号") == {OTHER}
        assert _urls(index, "11220000/2024-00012") == {PAGE}  # 索引号, in the box only
    finally:
        index.close()


def test_words_inside_a_document_name_the_document_and_its_page(archive):
    index = ArchiveIndex(default_db_url(archive), create=False)
    try:
        hits = find(index, "海外警务", limit=50).hits
        assert [(h.url, h.kind, h.page_url) for h in hits] == [(DOC, "document", PAGE)]
        assert _urls(index, "青公通〔2020〕12号", kind="page") == {PAGE}
        assert _urls(index, "青公通〔2020〕12号", kind="document") == {DOC}
        assert _urls(index, "海外警务", kind="page") == set()
        snippet = find(index, "青公通[2020]12号", limit=50, filters=Filters(kind="document")).hits[0].snippet
        assert "【青公通〔2020〕12号】" in snippet  # the number as the document prints it
    finally:
        index.close()


def test_search_json_carries_kind_and_page_url(archive, capsys):
    assert main(["search", "青公通[2020]12号", "--archive", str(archive), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {(h["url"], h["kind"], h["page_url"]) for h in lines} == {
        (PAGE, "page", None),
        (DOC, "document", PAGE),
    }
    assert (
        main(["search", "青公通〔2020〕12号", "--archive", str(archive), "--json", "--kind", "document"]) == 0
    )
    assert [json.loads(line)["url"] for line in capsys.readouterr().out.splitlines()] == [DOC]


def test_the_backfill_indexes_the_identity_fields(tmp_path):
    index = build(tmp_path)
    try:
        with index.engine.begin() as conn:  # an index whose pages were written before the bigram index
            conn.execute(text(f"INSERT INTO {BIGRAM_TABLE}({BIGRAM_TABLE}) VALUES ('delete-all')"))
            conn.execute(text(f"UPDATE {BACKFILL_TABLE} SET done_through = 0, finished = 0"))
        assert backfill_search_index(index.engine) == 3
        assert _urls(index, "青公通〔2020〕12号") == {PAGE, DOC}
        assert _urls(index, "示例县公安局") == {PAGE}  # the issuer, in the box only
    finally:
        index.close()


def test_rewriting_a_page_replaces_its_identity_in_the_index(archive):
    index = ArchiveIndex(default_db_url(archive))
    try:
        page = index.page_for(1)
        assert page is not None
        page.doc_number = "青公通〔2020〕99号"
        index.save_page(page)
        assert _urls(index, "青公通〔2020〕12号") == {DOC}
        assert _urls(index, "青公通〔2020〕99号") == {PAGE}
    finally:
        index.close()


def test_variants_and_normal_form():
    assert variants("劝返") == ["劝返"]
    assert variants("青公通[2020]12号")[:2] == ["青公通[2020]12号", "青公通〔2020〕12号"]
    assert len(set(variants("青公通〔2020〕12号"))) == 8
    assert normalise("青公通 （2020） 12号") == normalise("青公通【2020】12号") == "青公通〔2020〕12号"


@pytest.mark.slow
def test_documents_and_doc_numbers_on_postgres(pg_url):
    index = build(pg_url)
    try:
        for query in ("青公通〔2020〕12号", "青公通[2020]12号", "青公通（2020）12号"):
            assert _urls(index, query) == {PAGE, DOC}, query
        assert _urls(index, "示例县公安局") == {PAGE}
        hits = find(index, "海外警务", limit=50).hits
        assert [(h.url, h.kind, h.page_url) for h in hits] == [(DOC, "document", PAGE)]
        assert _urls(index, "青公通〔2020〕12号", kind="page") == {PAGE}
    finally:
        index.close()
