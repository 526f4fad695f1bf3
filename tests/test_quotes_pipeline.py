"""The quotes pipeline in process: a passage not in the page is looked for in the page's document as
it arrives in the same run, and the proof then refers to the document's response."""

from __future__ import annotations

import json
from pathlib import Path

from crawler_harness import QuietSpider, archive_crawler, capture, http_response, run
from scrapy.utils.misc import build_from_crawler

from archive_store.crawl.session import ArchiveSession
from archive_store.index.captureref import CaptureRef
from archive_store.index.quotes import checks_of_run
from archive_store.index.schema import Page
from archive_store.warc.members import iter_records
from pipelines.items import ArchivedResponse
from pipelines.quotes import QuotesPipeline

PAGE = "http://www.example.gov.cn/xxgk/t1.html"
DOC = "http://www.example.gov.cn/xxgk/P020240105.pdf"


def _item(session: ArchiveSession, url: str, text: str, parent: str | None) -> ArchivedResponse:
    meta = {"archive_parent": parent, "archive_hop": 1} if parent else {}
    request = capture(
        session, url, http_response(text.encode(), headers=[("Content-Type", "text/plain")]), meta=meta
    )
    info: CaptureRef = request.meta["archive_capture"]
    title, body = text.split("\n", 1)
    session.index.save_page(
        Page(capture_id=info.capture_id, url=url, title=title, text=body)
    )  # as extraction does
    return ArchivedResponse(url, url, 200, [], text.encode(), info, kind="attachment" if parent else "page")


def test_a_passage_missing_from_the_page_is_found_in_its_document(tmp_path: Path) -> None:
    crawler = archive_crawler(tmp_path / "archive", QuietSpider)
    spider = QuietSpider()
    spider.seed_quotes = {PAGE: [("附件第三條規定", "seeds.txt:1")]}  # type: ignore[attr-defined]
    crawler.spider = spider
    pipeline = build_from_crawler(QuotesPipeline, crawler)
    session = pipeline.session
    session.open_run("urls", {"urls": [PAGE]})
    page = _item(session, PAGE, "关于印发办法的通知\n现将办法印发给你们，请认真执行。", None)
    run(pipeline.process_item(page))
    [row] = checks_of_run(session.index, session.run_id or 0)
    assert (row.status, row.found_url) == ("missing", PAGE)
    document = _item(session, DOC, "附件\n附件第三条规定：各单位按时报送。", PAGE)
    run(pipeline.process_item(document))
    [row] = checks_of_run(session.index, session.run_id or 0)
    assert (row.status, row.found_url, row.found_capture_id) == (
        "present",
        DOC,
        document.capture.capture_id,
    )
    assert row.sentence == "附件第三条规定：各单位按时报送。"
    session.close("finished")
    blocks = [
        (r.get("WARC-Refers-To"), json.loads(r.block))
        for path in sorted((tmp_path / "archive" / "warcs").glob("*.warc.gz"))
        for r in iter_records(path)
        if r.record_type == "metadata"
    ]
    found = [(refers, b) for refers, b in blocks if b.get("status") == "present"]
    assert [(refers, b["url"], b["source_url"]) for refers, b in found] == [
        (document.capture.record_id, DOC, PAGE)
    ]
