"""The crawl with extraction on: metadata records in the WARC, pages in the index, show, search."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from archive_helpers import all_records, archive_cli, cli_here

from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.index.schema import Page
from sourcekeeper.demo.rawsite import ServedSite
from sourcekeeper.demo.site import MISSING_NOTICE, NOTICES, SEED_PATHS, WECHAT_PATH

pytestmark = pytest.mark.slow  # crawls in subprocesses (see conftest.py)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[tuple[ServedSite, Path]]:
    archive = tmp_path_factory.mktemp("extract") / "archive"
    with ServedSite("sourcekeeper.demo.site:DEMO_ROUTES") as site:
        result = archive_cli(archive, *(site.url(p) for p in SEED_PATHS))
        # the sample site has no page for one seed: it is gone at its first fetch (exit 1), nothing failed
        assert result.returncode == 1, result.stderr
        assert f"{site.url(MISSING_NOTICE)}: gone (HTTP 404) at first fetch" in result.stderr
        assert ", 0 failed" in result.stderr
        yield site, archive


def _pages(archive: Path) -> list[Page]:
    index = ArchiveIndex(default_db_url(archive), create=False)
    with index.session() as session:
        pages = session.query(Page).all()
    index.close()
    return pages


def test_every_html_capture_has_a_metadata_record_referring_to_it(demo):
    _, archive = demo
    records = all_records(archive)
    by_id = {r.record_id: r for r in records}
    metadata = [r for r in records if r.record_type == "metadata"]
    # a document's text has its own metadata record, about its conversion (docs/documents.md)
    documents = [r for r in metadata if "document_text_version" in json.loads(r.block)]
    metadata = [r for r in metadata if r not in documents]
    assert len(metadata) >= len(NOTICES)
    for record in documents:
        assert by_id[record.get("WARC-Refers-To")].record_type in ("conversion", "response")
    for record in metadata:
        target = by_id[record.get("WARC-Refers-To")]
        assert target.record_type in ("response", "revisit")
        assert target.get("WARC-Target-URI") == record.get("WARC-Target-URI")
        assert record.get("Content-Type") == "application/json"
        assert json.loads(record.block)["state"]


def test_show_json_carries_the_extracted_fields_of_a_gbk_notice(demo):
    site, archive = demo
    notice = NOTICES[0]
    result = cli_here("show", "--archive", archive, "--json", site.url(notice.path))
    fields = json.loads(result.stdout)
    assert fields["title"] == notice.title
    assert fields["date"] == notice.published[:10]
    assert fields["source"] and fields["charset"] == "gb18030"
    assert "\ufffd" not in fields["text"] and len(fields["text"]) > 50


def test_wechat_article_fields(demo):
    site, archive = demo
    fields = json.loads(cli_here("show", "--archive", archive, "--json", site.url(WECHAT_PATH)).stdout)
    assert fields["author"] and fields["title"] and fields["date"]


@pytest.mark.parametrize("term", ["劝返", "服务站", "春雷2024", "劝返 亲属"])
def test_search_hits_are_exactly_the_pages_containing_the_terms(demo, term):
    _, archive = demo
    expected = {
        p.url
        for p in _pages(archive)
        if all(t in (p.text or "") or t in (p.title or "") for t in term.split())
    }
    result = cli_here("search", "--archive", archive, "--json", "--limit", "100", term)
    assert result.returncode == 0, result.stderr
    hits = [json.loads(line) for line in result.stdout.splitlines()]
    assert {h["url"] for h in hits} == expected and expected
    assert all(set(h) >= {"url", "title", "date", "snippet"} for h in hits)
    assert all(term.split()[0] in h["snippet"] for h in hits)


def test_search_with_no_hits_says_so(demo):
    _, archive = demo
    result = cli_here("search", "--archive", archive, "不存在的词语组合")
    assert result.returncode == 0 and result.stdout == "" and "0 page(s)" in result.stderr


def test_no_extract_writes_no_metadata(mocksite, tmp_path):
    archive = tmp_path / "archive"
    assert archive_cli(archive, mocksite.url("/gbk/page.html"), "--no-extract").returncode == 0
    assert not [r for r in all_records(archive) if r.record_type == "metadata"]
    assert _pages(archive) == []


def test_a_second_run_reuses_the_analysis_for_revisits(tmp_path):
    archive = tmp_path / "archive"
    with ServedSite("sourcekeeper.demo.site:DEMO_ROUTES") as site:
        url = site.url(NOTICES[0].path)
        assert archive_cli(archive, url).returncode == 0
        assert archive_cli(archive, url).returncode == 0
        fields = json.loads(cli_here("show", "--archive", archive, "--json", url).stdout)
    from archive_helpers import warc_files

    from archive_store.warc.members import iter_records

    _first, second = warc_files(archive)
    second_types = [r.record_type for r in iter_records(second)]
    assert "revisit" in second_types and "metadata" not in second_types
    assert fields["record_type"] == "revisit" and fields["title"] == NOTICES[0].title
