"""Capture options a user turns: attachments, robots policy, redaction, the HTTP cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from archive_helpers import all_records, archive_cli, names_failure, records_for

from archive_store.index.database import ArchiveIndex, default_db_url

pytestmark = pytest.mark.slow  # crawls in subprocesses (see conftest.py)

ATTACHMENTS = [
    "/files/notice.pdf",
    "/files/form.doc",
    "/files/form.docx",
    "/files/stats.xls",
    "/files/stats.xlsx",
    "/files/draft.wps",
    "/files/sheet.et",
    "/files/notice.ofd",
    "/files/bundle.zip",
    "/files/bundle.rar",
    "/P020240627.xlsx",
    "/images/W020240627345678.jpg",
]
NOT_ATTACHMENTS = ["/same/a", "/gbk/page.html", "/query?from=attachments"]


@pytest.fixture(scope="module")
def options_crawl(mocksite, tmp_path_factory) -> Path:
    archive = tmp_path_factory.mktemp("options") / "archive"
    headers = json.dumps({"Authorization": "Bearer top-secret-token", "X-Trace": "kept"})
    result = archive_cli(
        archive,
        mocksite.url("/page-with-attachments"),
        mocksite.url("/private/secret"),
        "--no-extract",
        "-s",
        "ROBOTSTXT_OBEY=True",
        "-s",
        f"DEFAULT_REQUEST_HEADERS={headers}",
    )
    assert result.returncode == 1, result.stderr  # robots.txt forbids one seed: a named failure
    assert names_failure(result.stderr, mocksite.url("/private/secret")), result.stderr
    assert "robots.txt" in result.stderr.lower()
    return archive


def test_linked_documents_are_archived_one_hop_and_pages_are_not(options_crawl, mocksite):
    index = ArchiveIndex(default_db_url(options_crawl), create=False)
    captured = {c.url: c for c in index.all_captures()}
    for path in ATTACHMENTS:
        capture = captured[mocksite.url(path)]
        assert capture.hop == 1 and capture.parent_url == mocksite.url("/page-with-attachments")
    for path in NOT_ATTACHMENTS:
        assert mocksite.url(path) not in captured


def test_robots_txt_is_captured_and_the_policy_is_in_warcinfo(options_crawl, mocksite):
    assert records_for(options_crawl, mocksite.url("/robots.txt"))
    infos = [r for r in all_records(options_crawl) if r.record_type == "warcinfo"]
    assert infos and all(b"robots: obey" in r.block for r in infos)


def test_secret_request_headers_are_redacted_and_declared(options_crawl, mocksite):
    requests = records_for(options_crawl, mocksite.url("/page-with-attachments"), "request")
    assert b"Authorization: [redacted]" in requests[0].block
    assert b"X-Trace: kept" in requests[0].block
    raw = b"".join(r.block for r in all_records(options_crawl))
    assert b"top-secret-token" not in raw
    info = next(r for r in all_records(options_crawl) if r.record_type == "warcinfo")
    assert b"redacted-request-headers: Authorization, Proxy-Authorization" in info.block


def test_responses_from_the_http_cache_are_not_captures(mocksite, tmp_path):
    archive = tmp_path / "archive"
    cache = ["-s", "HTTPCACHE_ENABLED=True", "-s", f"HTTPCACHE_DIR={tmp_path / 'cache'}"]
    first = archive_cli(archive, mocksite.url("/query?cache=1"), "--no-extract", *cache)
    second = archive_cli(archive, mocksite.url("/query?cache=1"), "--no-extract", *cache)
    assert first.returncode == second.returncode == 0
    assert "1 captured" in first.stderr
    assert "0 captured, 0 revisits" in second.stderr
    assert len(records_for(archive, mocksite.url("/query?cache=1"))) == 1


def test_a_url_longer_than_2083_characters_is_fetched_not_silently_dropped(mocksite, tmp_path):
    url = mocksite.url("/plain?q=" + "x" * 2100)  # Scrapy's UrlLengthMiddleware dropped these
    result = archive_cli(tmp_path / "archive", url, "--no-extract")
    assert result.returncode == 0, result.stderr
    index = ArchiveIndex(default_db_url(tmp_path / "archive"), create=False)
    assert [c.url for c in index.all_captures()] == [url]
    index.close()
