"""A prompt graceful stop: what the first Ctrl-C (or SIGTERM) does to a crawl.

Scrapy's own graceful stop (`CrawlerProcess._signal_shutdown` → `Crawler.stop_async`) waits for
every request the engine has handed to the downloader: those being fetched and those still queued
in the downloader's per-site slots, which leave one by one at the site's download delay (with
AutoThrottle and a slow site, 15 queued requests were a minute of fetching after Ctrl-C). The
command line calls `CrawlStop.begin` from its signal handler, just before Scrapy's stop starts:

- the requests still queued in the downloader are dropped at once (`StopRequested`), and a request
  that reaches the download handler after that is not fetched either;
- the requests being fetched get `ARCHIVE_STOP_GRACE` seconds to finish (a capture half a second
  from done is kept), then they are cancelled: nothing of them is recorded, no failure either;
- everything else is Scrapy's graceful stop: the scraper and the item pipelines finish what they
  hold, the WARC is closed, the run is marked interrupted, so the same command resumes it.

A dropped request is not a failure (the next run fetches it): the spiders' errbacks yield nothing
for `StopRequested`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest

from archive_store.crawl.archive_settings import archive_settings
from archive_store.crawl.scrapy_seams import drop_queued_downloads

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)
_STOP_ATTR = "_archive_stop"


class StopRequested(IgnoreRequest):
    """Not fetched: the run was stopping (Ctrl-C or SIGTERM). Not a failure; the next run fetches it."""

    def __init__(self) -> None:
        super().__init__("not fetched: the run was stopped")


@dataclass(frozen=True)
class StopCounts:
    """What a stop found: requests answered so far, and requests known but not yet fetched."""

    captured: int = 0
    not_fetched: int = 0

    def __add__(self, other: StopCounts) -> StopCounts:
        return StopCounts(self.captured + other.captured, self.not_fetched + other.not_fetched)


class CrawlStop:
    """One per crawler (`CrawlStop.for_crawler`): shared by the download handler, which registers
    each download in flight, and the command line, which begins the stop."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.requested = False
        self.cancelled = False
        self._in_flight: set[Deferred[Any]] = set()
        self._cancel_call: Any = None

    @classmethod
    def for_crawler(cls, crawler: Crawler) -> CrawlStop:
        stop = getattr(crawler, _STOP_ATTR, None)
        if stop is None:
            stop = cls(crawler)
            setattr(crawler, _STOP_ATTR, stop)
        return stop

    # the download handler's side ----------------------------------------------------------------
    def track(self, download: Deferred[Any]) -> None:
        self._in_flight.add(download)

    def untrack(self, download: Deferred[Any]) -> None:
        self._in_flight.discard(download)

    # the command line's side --------------------------------------------------------------------
    def begin(self, grace: float | None = None) -> StopCounts:
        """Stop fetching: drop what waits in the downloader, give what is in flight `grace`
        seconds (default ARCHIVE_STOP_GRACE). Called on the reactor thread; once."""
        from twisted.internet import reactor  # noqa: PLC0415 (the installed reactor, at call time)

        if self.requested:
            return StopCounts()
        self.requested = True
        engine = getattr(self.crawler, "_engine", None)  # None before the crawl starts (_LateAttribute)
        dropped = 0
        waiting = 0  # handed to the downloader (queued, in its middlewares, being fetched) or scheduled
        if engine is not None:
            waiting = len(engine.downloader.active)
            dropped = drop_queued_downloads(engine.downloader, StopRequested)
            scheduler = engine.scheduler
            waiting += len(scheduler) if scheduler is not None and hasattr(scheduler, "__len__") else 0
        spider = getattr(self.crawler, "spider", None)
        not_started = int(getattr(spider, "start_left", 0) or 0)
        stats = getattr(self.crawler, "_stats", None)
        captured = 0
        if stats is not None:
            captured = int(stats.get_value("archive/responses", 0)) + int(
                stats.get_value("archive/revisits", 0)
            )
            stats.set_value("archive/stop_dropped", dropped)
        if grace is None:
            grace = archive_settings(self.crawler).stop_grace
        if self._in_flight:
            clock: Any = reactor  # zope interfaces do not type-check as methods
            self._cancel_call = clock.callLater(max(0.0, grace), self.cancel_in_flight)
        return StopCounts(captured, waiting + not_started)

    def cancel_in_flight(self) -> None:
        """The grace is over: cancel every download still running (nothing of it is recorded)."""
        self._cancel_call = None
        if not self._in_flight:
            return
        self.cancelled = True
        logger.info("stopping: %d download(s) still running cancelled", len(self._in_flight))
        for download in list(self._in_flight):
            download.cancel()
