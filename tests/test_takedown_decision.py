"""The take-down decision as a table: what the archive knew before (`previous`), what this fetch
showed and why it was made (`now`), the settings → what the re-check pipeline does next (fetch
again at once, through the fallback vantage point, again after the confirmation delay) or the
event it records. Then the pipeline carrying the decisions out: the confirmation fetch is handed
to the engine by the clock after the delay, never before, and nothing is recorded until it answers."""

from __future__ import annotations

import asyncio
from dataclasses import asdict, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from crawler_harness import archive_crawler, capture, http_response, run
from scrapy import Request
from scrapy.utils.misc import build_from_crawler
from twisted.internet.task import Clock

from archive_store.crawl.session import ArchiveSession
from archive_store.index.baselines import Baseline, RecheckTarget, build_target
from archive_store.index.captureref import CaptureRef
from archive_store.index.events import events_for
from pipelines.items import VANTAGE_FIRST, RecheckedResponse, RecheckRequests, RecheckUnreachable
from pipelines.recheck import RecheckPipeline
from pipelines.takedown import (
    ConfirmAfter,
    Decision,
    Fetch,
    FetchAgain,
    Outcome,
    Record,
    RetryElsewhere,
    TakedownSettings,
    decide,
)
from scrapers.recheck import RecheckSpider

URL = "http://www.example.gov.cn/xxgk/t1.html"
AT = datetime(2026, 3, 4, 5, 6, 7)
REMOVED_SINCE = datetime(2026, 3, 2, 2, 0, 0)  # 2 d 3 h before AT
BASELINE = Baseline(1, URL, "sha1:A", "<urn:uuid:1>", URL, "2026-01-01T00:00:00Z", None, None)

# previous: what the archive knew
GOOD = RecheckTarget(URL, BASELINE, 1, "unchanged")  # captured with content, not removed
NEVER_GOOD = RecheckTarget(URL, None, 1, None)  # never captured with content
REMOVED = RecheckTarget(URL, BASELINE, 1, "removed", REMOVED_SINCE)  # a confirmed removal, ongoing
UNCONFIRMED = RecheckTarget(URL, BASELINE, 1, "removed")  # last event removed, never confirmed

# settings
PLAIN = TakedownSettings(confirm_delay=5.0)
FALLBACK = TakedownSettings(confirm_delay=5.0, fallback="socks5h://proxy.example:1080")
QUICK = TakedownSettings(confirm_delay=0.2)

# outcomes: what one fetch showed
GONE = Outcome("removed", "HTTP 404: gone", "removed:http-404", 404, 12)
GONE_AGAIN = Outcome("removed", "HTTP 404: still gone", "removed:http-404", 404, 13)
SAME = Outcome("unchanged", "same payload as the last good capture", "ok", 200, 13)
EDITED = Outcome("changed", "text changed: 1 sentence(s) removed, 1 added", "ok", 200, 13, {"removed": 1})
CUT = Outcome("unreachable", "the body was cut short (disconnect): 10 bytes came", "truncated", 200, 12)
CUT_AGAIN = Outcome("unreachable", "the body was cut short (disconnect): 9 bytes came", "truncated", 200, 13)
BLOCKED = Outcome("blocked", "ruishu challenge", "blocked:ruishu", 202, 12)
NO_ANSWER = Outcome("unreachable", "timed out", "network", None, None)
DIRECT_BLOCKED = {**asdict(BLOCKED), "vantage": "direct"}  # what the first vantage point saw
BACK = "back after a confirmed removal: gone for 2 d 3 h (removed 2026-03-02T02:00:00Z)"
TWO_VANTAGES = "through socks5h://proxy.example:1080: {}; from direct: blocked (ruishu challenge)"


def record(
    outcome: Outcome,
    *,
    new: int | None = None,
    confirm: int | None = None,
    flapped: bool = False,
    new_removal: bool = False,
    gone_since: datetime | None = None,
) -> Record:
    new = outcome.capture_id if new is None else new
    return Record(outcome, new, confirm, flapped, new_removal, gone_since, checked_at=AT)


def reason(outcome: Outcome, why: str, state: str | None = None) -> Outcome:
    return Outcome(state or outcome.state, why, *list(asdict(outcome).values())[2:])


TABLE = [
    # a body cut short says nothing of the page: fetched once more, at once
    pytest.param(GOOD, Fetch(CUT, AT), PLAIN, FetchAgain(CUT), id="cut-short-fetched-again"),
    pytest.param(
        GOOD, Fetch(CUT, AT, via=DIRECT_BLOCKED), FALLBACK, FetchAgain(CUT), id="cut-short-via-fallback-again"
    ),
    # ... unless the crawl is ending: then it is what it is (or worth the other vantage point)
    pytest.param(GOOD, Fetch(CUT, AT, can_fetch=False), PLAIN, record(CUT), id="cut-short-crawl-ending"),
    pytest.param(
        GOOD, Fetch(CUT, AT, can_fetch=False), FALLBACK, RetryElsewhere(CUT), id="cut-short-ending-fallback"
    ),
    # the fetch again after a cut: a whole answer at last, or cut again
    pytest.param(
        GOOD,
        Fetch(SAME, AT, first=CUT),
        PLAIN,
        record(reason(SAME, f"{SAME.reason} (fetched twice: the first answer was cut short)")),
        id="whole-after-a-cut",
    ),
    pytest.param(
        GOOD,
        Fetch(CUT_AGAIN, AT, first=CUT),
        PLAIN,
        record(reason(CUT_AGAIN, f"{CUT_AGAIN.reason}, on two fetches in a row")),
        id="cut-twice",
    ),
    pytest.param(
        GOOD, Fetch(GONE_AGAIN, AT, first=CUT), PLAIN, ConfirmAfter(5.0, GONE_AGAIN), id="removed-after-a-cut"
    ),
    # blocked or unreachable: the other vantage point first, when there is one
    pytest.param(GOOD, Fetch(BLOCKED, AT), FALLBACK, RetryElsewhere(BLOCKED), id="blocked-tries-elsewhere"),
    pytest.param(
        GOOD, Fetch(NO_ANSWER, AT), FALLBACK, RetryElsewhere(NO_ANSWER), id="unreachable-tries-elsewhere"
    ),
    pytest.param(GOOD, Fetch(BLOCKED, AT), PLAIN, record(BLOCKED), id="blocked-no-fallback"),
    pytest.param(GOOD, Fetch(NO_ANSWER, AT), PLAIN, record(NO_ANSWER), id="unreachable-no-fallback"),
    pytest.param(
        GOOD,
        Fetch(BLOCKED, AT, via=DIRECT_BLOCKED),
        FALLBACK,
        record(reason(BLOCKED, TWO_VANTAGES.format(BLOCKED.reason))),
        id="blocked-from-both",
    ),
    pytest.param(
        GOOD,
        Fetch(SAME, AT, via=DIRECT_BLOCKED),
        FALLBACK,
        record(reason(SAME, TWO_VANTAGES.format(SAME.reason))),
        id="fine-from-the-fallback",
    ),
    # a removal of a source captured with content is confirmed after the delay
    pytest.param(GOOD, Fetch(GONE, AT), PLAIN, ConfirmAfter(5.0, GONE), id="removal-confirmed-later"),
    pytest.param(GOOD, Fetch(GONE, AT), QUICK, ConfirmAfter(0.2, GONE), id="confirm-delay-setting"),
    pytest.param(
        GOOD, Fetch(GONE, AT), FALLBACK, ConfirmAfter(5.0, GONE), id="removal-is-not-retried-elsewhere"
    ),
    pytest.param(
        GOOD,
        Fetch(GONE, AT, via=DIRECT_BLOCKED),
        FALLBACK,
        ConfirmAfter(5.0, reason(GONE, TWO_VANTAGES.format(GONE.reason)), DIRECT_BLOCKED),
        id="removal-seen-through-the-fallback-confirmed-there",
    ),
    pytest.param(REMOVED, Fetch(GONE, AT), PLAIN, ConfirmAfter(5.0, GONE), id="still-removed-confirmed-too"),
    # ... never captured with content: gone since its first fetch, no removal we saw
    pytest.param(
        NEVER_GOOD,
        Fetch(GONE, AT),
        PLAIN,
        record(
            reason(
                GONE,
                f"{GONE.reason}; never captured with content (gone since its first fetch), so no removal "
                f"we saw; `sourcekeeper recover {URL}` asks public archives for a copy",
                "gone",
            )
        ),
        id="never-good-is-gone",
    ),
    # the confirmation fetch
    pytest.param(
        GOOD,
        Fetch(GONE_AGAIN, AT, first=GONE),
        PLAIN,
        record(
            reason(GONE_AGAIN, f"{GONE_AGAIN.reason}; confirmed by a second fetch 5 s later"),
            new=12,
            confirm=13,
            new_removal=True,
        ),
        id="removal-confirmed",
    ),
    pytest.param(
        GOOD,
        Fetch(GONE_AGAIN, AT, first=GONE),
        QUICK,
        record(
            reason(GONE_AGAIN, f"{GONE_AGAIN.reason}; confirmed by a second fetch 0.2 s later"),
            new=12,
            confirm=13,
            new_removal=True,
        ),
        id="removal-confirmed-quick",
    ),
    pytest.param(
        REMOVED,
        Fetch(GONE_AGAIN, AT, first=GONE),
        PLAIN,
        record(
            reason(GONE_AGAIN, f"{GONE_AGAIN.reason}; confirmed by a second fetch 5 s later"),
            new=12,
            confirm=13,
        ),
        id="still-removed-is-no-new-removal",
    ),
    pytest.param(
        UNCONFIRMED,
        Fetch(GONE_AGAIN, AT, first=GONE),
        PLAIN,
        record(
            reason(GONE_AGAIN, f"{GONE_AGAIN.reason}; confirmed by a second fetch 5 s later"),
            new=12,
            confirm=13,
        ),
        id="removed-last-time-is-no-new-removal",
    ),
    pytest.param(
        GOOD,
        Fetch(SAME, AT, first=GONE),
        PLAIN,
        record(
            reason(
                SAME,
                f"flapped: the first fetch looked removed ({GONE.reason}); the confirmation fetch 5 s later: "
                f"{SAME.reason}",
            ),
            new=12,
            confirm=13,
            flapped=True,
        ),
        id="flapped",
    ),
    # content again after a confirmed removal: restored, with how long it was gone
    pytest.param(
        REMOVED,
        Fetch(SAME, AT),
        PLAIN,
        record(
            reason(
                SAME,
                f"{BACK}; {SAME.reason}",
                "restored",
            ),
            gone_since=REMOVED_SINCE,
        ),
        id="restored",
    ),
    pytest.param(
        REMOVED,
        Fetch(EDITED, AT),
        PLAIN,
        record(
            reason(
                EDITED,
                f"{BACK}; {EDITED.reason}",
                "restored",
            ),
            gone_since=REMOVED_SINCE,
        ),
        id="restored-edited",
    ),
    pytest.param(REMOVED, Fetch(BLOCKED, AT), PLAIN, record(BLOCKED), id="removal-goes-on-through-blocked"),
    # nothing happened
    pytest.param(GOOD, Fetch(SAME, AT), PLAIN, record(SAME), id="unchanged"),
    pytest.param(GOOD, Fetch(EDITED, AT), FALLBACK, record(EDITED), id="changed-keeps-its-diff"),
    pytest.param(UNCONFIRMED, Fetch(SAME, AT), PLAIN, record(SAME), id="back-after-an-unconfirmed-removal"),
]


@pytest.mark.parametrize(("previous", "now", "settings", "expected"), TABLE)
def test_decide(previous: RecheckTarget, now: Fetch, settings: TakedownSettings, expected: Decision) -> None:
    assert decide(previous, now, settings) == expected


# the pipeline carrying the decisions out --------------------------------------------------------
NOTICE = "<html><head><title>通知</title></head><body><p>各单位要高度重视。</p></body></html>".encode()
NOT_FOUND = b"<html><head><title>404</title></head><body>not found</body></html>"


class Engine:
    """The part of Scrapy's engine the pipeline uses: it takes requests."""

    def __init__(self) -> None:
        self.requests: list[Request] = []

    def crawl(self, request: Request) -> None:
        self.requests.append(request)


class Rechecks:
    """A re-check pipeline in a crawl that has started: its spider, an engine, a clock."""

    def __init__(self, tmp_path: Path, **settings: Any) -> None:
        crawler = archive_crawler(tmp_path / "archive", RecheckSpider, **settings)
        self.pipeline = build_from_crawler(RecheckPipeline, crawler)
        self.session = ArchiveSession.for_crawler(crawler)
        self.session.open_run("recheck", {"test": str(tmp_path)})
        self.engine, self.clock = Engine(), Clock()
        crawler.spider = RecheckSpider.from_crawler(crawler, targets=[])
        crawler.engine = self.engine  # type: ignore[assignment]
        crawler.crawling = True
        self.pipeline.clock = self.clock
        self.stats = crawler.stats

    def fetch(self, body: bytes, status: str = "200 OK") -> CaptureRef:
        request = capture(self.session, URL, http_response(body, status))
        info: CaptureRef = request.meta["archive_capture"]
        if status.startswith("404"):
            self.session.index.set_state(info.capture_id, "removed:http-404", "HTTP 404: gone")
        return info

    def target(self) -> RecheckTarget:
        return build_target(self.session.index, self.session.paths.warcs, URL)

    def answered(self, body: bytes, status: str, target: RecheckTarget) -> RecheckedResponse:
        info = self.fetch(body, status)
        code = int(status.split(maxsplit=1)[0])
        return RecheckedResponse(URL, URL, code, [], body, info, target=target)


def test_the_spider_gives_the_pipeline_its_follow_up_requests(tmp_path: Path) -> None:
    spider = RecheckSpider.from_crawler(archive_crawler(tmp_path / "archive", RecheckSpider), targets=[])
    assert isinstance(spider, RecheckRequests)


def test_a_removal_is_confirmed_by_the_clock_after_the_delay(tmp_path: Path) -> None:
    rechecks = Rechecks(tmp_path, RECHECK_CONFIRM_DELAY=3.0, RECHECK_CONDITIONAL=True)
    rechecks.fetch(NOTICE)
    good = rechecks.target()
    assert good.baseline is not None
    target = replace(good, baseline=replace(good.baseline, etag='"v1"'))  # a re-check is conditional
    assert rechecks.pipeline.crawler.spider.fetch(target).headers[b"If-None-Match"] == b'"v1"'
    item = rechecks.answered(NOT_FOUND, "404 Not Found", target)

    async def carried_out() -> None:
        task = asyncio.ensure_future(rechecks.pipeline.process_item(item))
        for _ in range(5):
            await asyncio.sleep(0)
        assert not task.done() and rechecks.engine.requests == []  # waiting on the clock
        rechecks.clock.advance(2.9)
        await asyncio.sleep(0)
        assert not task.done() and rechecks.engine.requests == []
        rechecks.clock.advance(0.1)
        assert await task is item

    run(carried_out())
    [request] = rechecks.engine.requests
    assert request.url == URL and request.callback is not None
    first = request.meta["recheck_first"]
    assert (first["state"], first["detail"], first["capture_id"]) == (
        "removed",
        "removed:http-404",
        item.capture.capture_id,
    )
    assert b"If-None-Match" not in request.headers and b"If-Modified-Since" not in request.headers
    assert VANTAGE_FIRST not in request.meta and "proxy" not in request.meta
    assert events_for(rechecks.session.index, [URL]) == []  # reported only once confirmed
    assert rechecks.stats.get_value("recheck/confirmations") == 1
    rechecks.session.close("finished")


def test_blocked_is_fetched_through_the_fallback_before_it_is_recorded(tmp_path: Path) -> None:
    rechecks = Rechecks(tmp_path, ARCHIVE_PROXY_FALLBACK="http://127.0.0.1:9")
    rechecks.fetch(NOTICE)
    target = rechecks.target()
    run(rechecks.pipeline.process_item(RecheckUnreachable(target, URL, "timed out")))
    [request] = rechecks.engine.requests
    assert request.meta["proxy"] == "http://127.0.0.1:9" and request.meta["recheck_first"] is None
    seen = request.meta[VANTAGE_FIRST]
    assert (seen["state"], seen["reason"], seen["vantage"]) == ("unreachable", "timed out", "direct")
    assert events_for(rechecks.session.index, [URL]) == []
    # the answer through the fallback names both vantage points
    run(rechecks.pipeline.process_item(RecheckUnreachable(target, URL, "refused", vantage_first=seen)))
    [event] = events_for(rechecks.session.index, [URL])
    assert event.state == "unreachable"
    assert event.reason == "through http://127.0.0.1:9: refused; from direct: unreachable (timed out)"
    assert len(rechecks.engine.requests) == 1
    rechecks.session.close("finished")


def test_a_crawl_that_is_stopping_gets_no_follow_up(tmp_path: Path) -> None:
    rechecks = Rechecks(tmp_path, ARCHIVE_PROXY_FALLBACK="http://127.0.0.1:9")
    rechecks.pipeline.crawler.crawling = False  # Ctrl-C: the next run checks it
    rechecks.fetch(NOTICE)
    run(rechecks.pipeline.process_item(RecheckUnreachable(rechecks.target(), URL, "timed out")))
    assert rechecks.engine.requests == [] and events_for(rechecks.session.index, [URL]) == []
    rechecks.session.close("finished")


def test_a_body_cut_short_is_fetched_again_at_once(tmp_path: Path) -> None:
    rechecks = Rechecks(tmp_path)
    rechecks.fetch(NOTICE)
    item = rechecks.answered(NOTICE[:20], "200 OK", rechecks.target())
    rechecks.session.index.set_state(item.capture.capture_id, "truncated", "cut")
    assert run(rechecks.pipeline.process_item(item)) is item  # no clock involved
    [request] = rechecks.engine.requests
    first = request.meta["recheck_first"]
    assert (first["state"], first["detail"], first["capture_id"]) == (
        "unreachable",
        "truncated",
        item.capture.capture_id,
    )
    assert first["reason"].startswith("the body was cut short (disconnect): ")
    assert events_for(rechecks.session.index, [URL]) == []  # the cut answer says nothing yet
    assert rechecks.stats.get_value("recheck/truncated_retries") == 1
    rechecks.session.close("finished")
