"""Component tests: the extraction pipeline, the re-check pipeline and the resume middleware, each
built by Scrapy's `build_from_crawler` from a crawler made with `get_crawler` and the archive
add-on, fed exchanges as the download handler records them. No subprocess, no network; what is
checked is what a crawl leaves behind (index rows, WARC records, stats)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from crawler_harness import archive_crawler, capture, http_response, run
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler

from archive_store.crawl.resume import ResumeMiddleware
from archive_store.crawl.session import ArchiveSession
from archive_store.index.baselines import build_target
from archive_store.index.captureref import CaptureRef
from archive_store.index.events import event_json, events_for
from archive_store.index.schema import RecheckEvent
from archive_store.warc.members import iter_records
from pipelines.items import (
    ArchivedResponse,
    FetchFailure,
    RecheckedResponse,
    RecheckNotModified,
    RecheckUnreachable,
)
from pipelines.pipeline import ExtractionPipeline
from pipelines.recheck import RecheckPipeline
from pipelines.reextract import reextract
from pipelines.takedown import Outcome
from scrapers.recheck import RecheckSpider

URL = "http://www.example.gov.cn/xxgk/202401/t20240114_1.html"
GBK = [("Content-Type", "text/html; charset=GBK")]
SENTENCES = [
    "各乡镇派出所：为进一步做好海外人员劝返工作，现将有关事项通知如下。",
    "一、各单位要高度重视，明确专人负责。",
    "二、对在外人员的国内亲属开展走访工作。",
    "三、工作情况每月报县局。",
]


def notice(sentences: list[str] = SENTENCES, title: str = "关于开展劝返工作的通知", extra: str = "") -> bytes:
    paragraphs = "".join(f"<p>{s}</p>" for s in sentences)
    return (
        f"<html><head><meta charset='gbk'><title>{title}</title></head><body>{extra}"
        f"<div class='article'><h1>{title}</h1><p>发布时间：2024-01-14</p>{paragraphs}</div></body></html>"
    ).encode("gbk")


def not_found_page() -> bytes:
    page = "<html><head><title>404 页面不存在</title></head><body><h1>页面不存在</h1></body></html>"
    return page.encode("gbk")


class Archive:
    """One crawler's archive session and its pipelines."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.extraction = build_from_crawler(ExtractionPipeline, crawler)
        self.session = ArchiveSession.for_crawler(crawler)
        self.session.open_run(crawler.spidercls.name, {"test": str(self.session.paths.root)})

    def fetch(self, url: str, body: bytes, status: str = "200 OK", headers: Any = GBK) -> CaptureRef:
        """Capture an answer and run it through the extraction pipeline; its capture info."""
        request = capture(self.session, url, http_response(body, status, headers))
        info = request.meta["archive_capture"]
        assert isinstance(info, CaptureRef)  # what the recording handler hands the spider
        code = int(status.split(maxsplit=1)[0])
        run(self.extraction.process_item(ArchivedResponse(url, url, code, headers, body, info)))
        return info

    def stat(self, key: str) -> Any:
        assert self.crawler.stats is not None
        return self.crawler.stats.get_value(key)

    def close(self) -> list[Any]:
        """Close the run; every record of the archive's WARCs."""
        self.extraction.close_spider()
        self.session.close("finished")
        return [r for path in sorted(self.session.paths.warcs.glob("*.warc.gz")) for r in iter_records(path)]


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    return Archive(archive_crawler(tmp_path / "archive"))


# the extraction pipeline ------------------------------------------------------------------------
def test_extraction_indexes_the_page_and_writes_a_metadata_record(archive: Archive) -> None:
    info = archive.fetch(URL, notice())
    page = archive.session.index.page_for(info.capture_id)
    assert page is not None
    assert (page.title, page.date, page.charset) == ("关于开展劝返工作的通知", "2024-01-14", "gb18030")
    assert SENTENCES[1] in page.text
    assert archive.stat("extract/pages") == 1
    records = archive.close()
    metadata = [r for r in records if r.record_type == "metadata"]
    assert len(metadata) == 1
    assert metadata[0].get("WARC-Refers-To") == info.record_id
    assert metadata[0].get("WARC-Target-URI") == URL
    assert json.loads(metadata[0].block)["state"] == "ok"
    assert page.metadata_record_id == metadata[0].record_id


def test_each_page_counts_and_records_the_extraction_path_it_took(archive: Archive) -> None:
    sentences = "".join(f"<p>{s}</p>" for s in SENTENCES)
    trs = notice(extra=f"<div class='TRS_Editor'>{sentences}</div>", sentences=[])
    fast = archive.fetch(URL, trs)
    general = archive.fetch("http://www.example.gov.cn/news/2.html", notice())
    assert (archive.stat("extraction/fast_path"), archive.stat("extraction/general")) == (1, 1)
    records = archive.close()
    paths = {
        r.get("WARC-Refers-To"): json.loads(r.block)["page"]["extraction_path"]
        for r in records
        if r.record_type == "metadata"
    }
    assert paths == {fast.record_id: "fast_path", general.record_id: "general"}


def test_a_revisit_reuses_the_analysis_of_its_original(archive: Archive) -> None:
    first = archive.fetch(URL, notice())
    again = archive.fetch(URL, notice())
    assert again.record_type == "revisit"
    page = archive.session.index.page_for(again.capture_id)
    assert page is not None and page.capture_id == first.capture_id
    assert archive.stat("extract/reused_for_revisit") == 1
    records = archive.close()
    assert sum(r.record_type == "metadata" for r in records) == 1


def test_a_soft_404_is_classified_removed(archive: Archive) -> None:
    info = archive.fetch(URL, not_found_page(), headers=[("Content-Type", "text/html; charset=utf-8")])
    state = archive.session.index.all_captures()[0].state
    assert info.http_status == 200 and state == "removed:soft-404"
    assert archive.stat("extract/state/removed") == 1


def test_a_fetch_failure_becomes_a_failure_row_with_its_reason(archive: Archive) -> None:
    run(archive.extraction.process_item(FetchFailure(URL, "DNS lookup failed")))
    failures = archive.session.index.failures_for_run(archive.session.run_id or 0)
    assert [(f.url, f.reason, f.kind) for f in failures] == [(URL, "DNS lookup failed", "final")]


def test_with_extraction_off_the_capture_is_kept_but_not_analysed(tmp_path: Path) -> None:
    archive = Archive(archive_crawler(tmp_path / "archive", EXTRACT_ENABLED=False))
    info = archive.fetch(URL, notice())
    assert archive.session.index.page_for(info.capture_id) is None
    records = archive.close()
    assert [r.record_type for r in records] == ["warcinfo", "request", "response"]


# the site's name learned from the host's other pages (pipelines/extraction/sitenames.py)
SITE = "http://kp.example.cn/news/"
LEAD = "会议指出，要把科学普及放在与科技创新同等重要的位置，推动全民科学素质全面提升。"


def site_page(headline: str, suffix: str = "-示例科普网") -> bytes:
    """A page whose <title> and heading both end with the site's name, and that names its site
    nowhere else (no og:site_name, no logo, no footer)."""
    return (
        f"<html><head><meta charset='gbk'><title>{headline}{suffix}</title></head><body>"
        "<div class='nav'><a href='/'>首页</a><a href='/news/'>新闻动态</a></div>"
        f"<div class='article'><h2 class='title'>{headline}{suffix}</h2><p>发布时间：2024-01-14</p>"
        f"<p>{LEAD}</p><p>{SENTENCES[1]}</p><p>{SENTENCES[2]}</p></div></body></html>"
    ).encode("gbk")


HEADLINES = [
    "全国科普工作座谈会在京召开",
    "科普示范基地名单公布",
    "青少年科学营开营",
    "科技周活动启动仪式举行",
]


@pytest.mark.parametrize("processes", [0, 1])
def test_a_site_name_its_other_pages_share_is_cut_from_the_next_title(tmp_path: Path, processes: int) -> None:
    archive = Archive(archive_crawler(tmp_path / "archive", EXTRACT_PROCESSES=processes))
    try:
        first = archive.fetch(f"{SITE}1.html", site_page(HEADLINES[0]))
        for n, headline in enumerate(HEADLINES[1:3], start=2):
            archive.fetch(f"{SITE}{n}.html", site_page(headline))
        info = archive.fetch(f"{SITE}4.html", site_page(HEADLINES[3]))
        titles = [archive.session.index.page_for(i.capture_id) for i in (first, info)]
        assert [p.title if p else None for p in titles] == [f"{HEADLINES[0]}-示例科普网", HEADLINES[3]]
        # another host with the same ending learns nothing from these
        other = archive.fetch("http://other.example.cn/a/1.html", site_page(HEADLINES[3]))
        page = archive.session.index.page_for(other.capture_id)
        assert page is not None and page.title == f"{HEADLINES[3]}-示例科普网"
    finally:
        archive.close()


def test_a_host_with_a_single_page_keeps_its_title(archive: Archive) -> None:
    info = archive.fetch(f"{SITE}1.html", site_page(HEADLINES[0]))
    page = archive.session.index.page_for(info.capture_id)
    assert page is not None and page.title == f"{HEADLINES[0]}-示例科普网"
    assert json.loads(page.metadata_json or "{}")["page_title"] == f"{HEADLINES[0]}-示例科普网"


def test_a_column_some_pages_share_is_not_cut_as_the_sites_name(archive: Archive) -> None:
    archive.fetch(f"{SITE}1.html", site_page(HEADLINES[0], "_工作动态"))
    archive.fetch(f"{SITE}2.html", site_page(HEADLINES[1], "_工作动态"))
    archive.fetch(f"{SITE}3.html", site_page(HEADLINES[2], "_通知公告"))
    archive.fetch(f"{SITE}4.html", site_page("科普讲解大赛决赛举行", "_图片新闻"))
    info = archive.fetch(f"{SITE}5.html", site_page(HEADLINES[3], "_工作动态"))
    page = archive.session.index.page_for(info.capture_id)
    assert page is not None and page.title == f"{HEADLINES[3]}_工作动态"


def test_reextract_cuts_the_name_the_hosts_other_pages_share(tmp_path: Path) -> None:
    crawl = Archive(archive_crawler(tmp_path / "archive"))
    infos = [crawl.fetch(f"{SITE}{n}.html", site_page(h)) for n, h in enumerate(HEADLINES, start=1)]
    first = crawl.session.index.page_for(infos[0].capture_id)
    assert first is not None and first.title == f"{HEADLINES[0]}-示例科普网"  # nothing to learn from yet
    crawl.close()
    again = Archive(archive_crawler(tmp_path / "archive"))  # a run of its own, as `reextract` opens
    try:
        summary = reextract(again.session, force=True)
        assert summary.reextracted == len(HEADLINES)
        pages = [again.session.index.page_for(i.capture_id) for i in infos]
        assert [p.title if p else None for p in pages] == HEADLINES
    finally:
        again.close()


# the re-check pipeline ------------------------------------------------------------------------
class Rechecks:
    def __init__(self, tmp_path: Path) -> None:
        self.archive = Archive(archive_crawler(tmp_path / "archive", RecheckSpider))
        self.pipeline = build_from_crawler(RecheckPipeline, self.archive.crawler)

    def answer(self, body: bytes, status: str = "200 OK", first: Outcome | None = None) -> RecheckEvent:
        """Re-check URL against what the archive holds now; the event recorded."""
        session = self.archive.session
        target = build_target(session.index, session.paths.warcs, URL)
        info = self.archive.fetch(URL, body, status)
        code = int(status.split(maxsplit=1)[0])
        item = RecheckedResponse(
            URL, URL, code, GBK, body, info, target=target, first=asdict(first) if first else None
        )
        run(self.pipeline.process_item(item))
        return events_for(session.index, [URL])[-1]


@pytest.fixture
def rechecks(tmp_path: Path) -> Rechecks:
    return Rechecks(tmp_path)


def test_recheck_of_an_edited_page_is_changed_with_the_sentences(rechecks: Rechecks) -> None:
    baseline = rechecks.archive.fetch(URL, notice())
    edited = [*SENTENCES[:2], "二、对在外人员的国内亲属开展约谈工作。", SENTENCES[3]]
    event = rechecks.answer(notice(edited))
    assert (event.state, event.previous_capture_id) == ("changed", baseline.capture_id)
    assert event.reason == "text changed: 1 sentence(s) removed, 1 added"
    diff = json.loads(event.diff_json or "{}")
    assert diff["removed"] == 1 and diff["added"] == 1
    assert "走访" in json.dumps(diff, ensure_ascii=False) and "约谈" in json.dumps(diff, ensure_ascii=False)
    assert rechecks.archive.stat("recheck/changed") == 1


def test_recheck_of_the_same_bytes_is_unchanged(rechecks: Rechecks) -> None:
    rechecks.archive.fetch(URL, notice())
    event = rechecks.answer(notice())
    assert (event.state, event.reason) == ("unchanged", "same payload as the last good capture")
    assert event.new_removal is False and event.flapped is False


def test_recheck_of_a_404_without_a_good_capture_is_gone_not_removed(rechecks: Rechecks) -> None:
    event = rechecks.answer(not_found_page(), "404 Not Found")
    assert (event.state, event.detail) == ("gone", "removed:http-404")
    # no earlier good capture: nothing was taken down since we archived it
    assert event.new_removal is False and event.confirm_capture_id is None
    assert "never captured with content" in event.reason and f"sourcekeeper recover {URL}" in event.reason
    assert rechecks.archive.stat("recheck/gone") == 1 and rechecks.archive.stat("recheck/removed") is None


def _confirmed_removal(rechecks: Rechecks) -> RecheckEvent:
    rechecks.archive.fetch(URL, notice())
    gone = rechecks.archive.fetch(URL, not_found_page(), "404 Not Found")
    first = Outcome("removed", "HTTP 404: gone", "removed:http-404", 404, gone.capture_id)
    return rechecks.answer(not_found_page(), "404 Not Found", first=first)


def test_a_source_back_after_a_confirmed_removal_is_restored(rechecks: Rechecks) -> None:
    removal = _confirmed_removal(rechecks)
    event = rechecks.answer(notice())
    assert event.state == "restored" and event.gone_since == removal.checked_at
    assert event.new_removal is False and event.flapped is False
    assert event.reason.startswith("back after a confirmed removal: gone for ")
    assert event.reason.endswith("; same payload as the last good capture")
    line = event_json(event, {})
    assert line["gone"]["gone_since"] == removal.checked_at.isoformat() + "Z"
    assert line["gone"]["back_at"] == event.checked_at.isoformat() + "Z"
    assert line["gone"]["gone_seconds"] == int((event.checked_at - removal.checked_at).total_seconds())
    assert rechecks.archive.stat("recheck/restored") == 1
    # back for good: the next re-check is plain unchanged
    assert rechecks.answer(notice()).state == "unchanged"


def test_a_removal_goes_on_through_unreachable_rechecks(rechecks: Rechecks) -> None:
    removal = _confirmed_removal(rechecks)
    session = rechecks.archive.session
    target = build_target(session.index, session.paths.warcs, URL)
    assert target.removed_since == removal.checked_at
    unreachable = RecheckUnreachable(target, URL, "timed out")
    run(rechecks.pipeline.process_item(unreachable))
    assert events_for(session.index, [URL])[-1].state == "unreachable"
    event = rechecks.answer(notice())  # gone since the removal, not since the unreachable check
    assert event.state == "restored" and event.gone_since == removal.checked_at


def test_a_confirmed_removal_is_a_new_removal_naming_both_fetches(rechecks: Rechecks) -> None:
    rechecks.archive.fetch(URL, notice())
    gone = rechecks.archive.fetch(URL, not_found_page(), "404 Not Found")
    first = Outcome("removed", "HTTP 404: gone", "removed:http-404", 404, gone.capture_id)
    event = rechecks.answer(not_found_page(), "404 Not Found", first=first)
    assert event.state == "removed" and event.new_removal is True
    assert event.reason == "HTTP 404: the server says the page is gone; confirmed by a second fetch 5 s later"
    assert event.new_capture_id == gone.capture_id
    assert event.confirm_capture_id not in (None, gone.capture_id)
    assert rechecks.archive.stat("recheck/new_removals") == 1


def test_a_removal_not_confirmed_is_recorded_as_flapped(rechecks: Rechecks) -> None:
    rechecks.archive.fetch(URL, notice())
    gone = rechecks.archive.fetch(URL, not_found_page(), "404 Not Found")
    first = Outcome("removed", "HTTP 404: gone", "removed:http-404", 404, gone.capture_id)
    event = rechecks.answer(notice(), first=first)
    assert event.state == "unchanged" and event.flapped is True and event.new_removal is False
    assert event.reason.startswith("flapped: the first fetch looked removed")


def test_a_304_is_unchanged_only_against_a_baseline(rechecks: Rechecks) -> None:
    session = rechecks.archive.session
    no_baseline = build_target(session.index, session.paths.warcs, URL)
    run(rechecks.pipeline.process_item(RecheckNotModified(no_baseline, URL, None)))
    rechecks.archive.fetch(URL, notice())
    target = build_target(session.index, session.paths.warcs, URL)
    run(rechecks.pipeline.process_item(RecheckNotModified(target, URL, None)))
    events = events_for(session.index, [URL])
    assert [(e.state, e.detail, e.http_status) for e in events] == [
        ("unreachable", "error:http-304", 304),
        ("unchanged", "not-modified", 304),
    ]


def test_no_answer_is_unreachable_with_the_network_reason(rechecks: Rechecks) -> None:
    session = rechecks.archive.session
    target = build_target(session.index, session.paths.warcs, URL)
    run(rechecks.pipeline.process_item(RecheckUnreachable(target, URL, "DNS lookup failed")))
    event = events_for(session.index, [URL])[-1]
    assert (event.state, event.reason, event.detail) == ("unreachable", "DNS lookup failed", "network")


def test_items_that_are_not_rechecks_pass_through_untouched(rechecks: Rechecks) -> None:
    item = FetchFailure(URL, "timed out")
    assert run(rechecks.pipeline.process_item(item)) is item
    assert events_for(rechecks.archive.session.index, [URL]) == []


# the resume middleware --------------------------------------------------------------------------
CHUNKED = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nTransfer-Encoding: chunked\r\n"
    b"X-Order: kept\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
)


def _interrupted_run(archive_dir: Path) -> CaptureRef:
    """A run that captured URL and was then cut off (it never finished)."""
    crawler = archive_crawler(archive_dir)
    session = ArchiveSession.for_crawler(crawler)
    session.open_run("urls", {"urls": [URL]})
    info = capture(session, URL, CHUNKED).meta["archive_capture"]
    assert isinstance(info, CaptureRef)
    session.close("shutdown")
    return info


def test_a_resumed_run_answers_captured_urls_from_the_archive(tmp_path: Path) -> None:
    archive_dir = tmp_path / "archive"
    earlier = _interrupted_run(archive_dir)
    crawler = archive_crawler(archive_dir)
    middleware = build_from_crawler(ResumeMiddleware, crawler)
    middleware.session.open_run("urls", {"urls": [URL]})
    assert middleware.session.run_id == earlier.capture_id and URL in middleware.session.resumed_captures

    request = Request(URL)
    response = middleware.process_request(request)
    assert response is not None
    assert (response.status, response.body, response.flags) == (200, b"hello world", ["archived-earlier"])
    # de-chunked as Twisted hands bodies on: the framing header goes, the others stay
    assert response.headers.get("Transfer-Encoding") is None
    assert response.headers.get("X-Order") == b"kept"
    assert request.meta["archive_capture"] == earlier  # the same capture, all its fields
    assert crawler.stats is not None and crawler.stats.get_value("archive/resumed_from_archive") == 1

    assert middleware.process_request(Request(URL + "?other")) is None
    assert middleware.process_request(Request(URL, method="POST")) is None
    middleware.session.close("finished")


def test_a_new_run_fetches_again(tmp_path: Path) -> None:
    archive_dir = tmp_path / "archive"
    _interrupted_run(archive_dir)
    middleware = build_from_crawler(ResumeMiddleware, archive_crawler(archive_dir))
    middleware.session.open_run("urls", {"urls": [URL, "http://other.example/"]})
    assert middleware.process_request(Request(URL)) is None
    middleware.session.close("finished")


def test_resume_off_leaves_the_middleware_out(tmp_path: Path) -> None:
    with pytest.raises(NotConfigured):
        build_from_crawler(ResumeMiddleware, archive_crawler(tmp_path / "archive", ARCHIVE_RESUME=False))
