"""A worker's heartbeat for log collectors: one JSON line on stderr every WORKER_HEARTBEAT seconds.

{"time": …, "level": "INFO", "logger": "sourcekeeper", "event": "worker_heartbeat", "worker": …,
 "pages": 120, "pages_per_min": 37.5, "queue": 48, "failures": 2, "final": false}

`pages` counts the responses captured (and revisits) since the worker started, `pages_per_min` the
rate over the last interval, `queue` what waits in the shared frontier (start URLs not yet turned
into requests plus queued requests; null when Redis does not answer), `failures` the URLs given
up on (after retries; `failed_attempts` counts every attempt). The line at the close is "final".
`sourcekeeper worker --log-format json` turns it on (`--heartbeat S`, default 60).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from sourcekeeper.jobs.unattended import emit_json

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler

PAGE_STATS = ("archive/responses", "archive/revisits")
FAILURE_STAT = "archive/fetch_failures"


class WorkerHeartbeat:
    """Scrapy extension; NotConfigured unless WORKER_HEARTBEAT is a positive number of seconds."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.loop: Any = None
        self.spider: Spider | None = None
        self._last = (time.monotonic(), 0)
        self.failures = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        from scrapy import signals  # noqa: PLC0415
        from scrapy.exceptions import NotConfigured  # noqa: PLC0415

        interval = crawler.settings.getfloat("WORKER_HEARTBEAT")
        if interval <= 0:
            raise NotConfigured
        extension = cls(crawler, interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        return extension

    def item_scraped(self, item: Any, response: Any = None, spider: Any = None) -> None:
        if getattr(item, "kind", None) in ("final", "seed") and hasattr(item, "reason"):
            self.failures += 1  # a URL given up on (after its retries), as the run summary counts

    def spider_opened(self, spider: Spider) -> None:
        from twisted.internet import task  # noqa: PLC0415

        self.spider = spider
        self._last = (time.monotonic(), 0)
        self.loop = task.LoopingCall(self.beat)
        self.loop.start(self.interval, now=False)

    def spider_closed(self, spider: Spider) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.beat(final=True)

    def beat(self, final: bool = False) -> None:
        stats = self.crawler.stats
        pages = sum(int(stats.get_value(key, 0)) for key in PAGE_STATS) if stats else 0
        now = time.monotonic()
        since, before = self._last
        self._last = (now, pages)
        minutes = max(now - since, 1e-6) / 60
        emit_json(
            "worker_heartbeat",
            worker=getattr(self.spider, "worker_id", None),
            pages=pages,
            pages_per_min=round((pages - before) / minutes, 1),
            queue=self.queue_length(),
            failures=self.failures,
            failed_attempts=int(stats.get_value(FAILURE_STAT, 0)) if stats else 0,
            final=final,
        )

    def queue_length(self) -> int | None:
        """Start URLs waiting plus requests queued in the shared frontier (None: Redis silent)."""
        frontier = getattr(self.spider, "frontier", None)
        if frontier is None:
            return None
        try:
            keys = frontier.keys
            return int(frontier.server.llen(keys.start_urls)) + int(frontier.server.zcard(keys.requests))
        except Exception:  # RedisError, a connection refused: a heartbeat never stops the worker
            return None


def enable_heartbeat(settings: Any) -> None:
    settings.set_in_component_priority_dict("EXTENSIONS", WorkerHeartbeat, 910)
