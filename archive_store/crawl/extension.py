"""Opens the run when the spider opens and closes the WARC, the run and the lock when it closes."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro

from archive_store.crawl.archive_settings import archive_settings
from archive_store.crawl.session import ArchiveSession

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class ArchiveExtension:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.session = ArchiveSession.for_crawler(crawler)
        self.summary: dict[str, Any] | None = None
        self._closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not archive_settings(crawler).enabled:
            raise NotConfigured
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.response_downloaded, signal=signals.response_downloaded)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        identity_of = getattr(spider, "run_identity", None)
        identity = identity_of() if callable(identity_of) else {"spider": spider.name}
        self.session.open_run(spider.name, identity)
        self.response_downloaded(None, None, spider)  # a custody log or index already refusing: stop now

    def response_downloaded(self, response: Any, request: Any, spider: Spider) -> None:
        # A failed WARC write (disk full) stops the crawl: fetching more would archive nothing.
        stop = self.session.write_error is not None and not self._closing
        if stop and self.crawler.engine is not None:
            self._closing = True
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="archive_write_error"))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.summary = self.session.close(reason)
        if self.crawler.stats is not None:
            for key in ("captured", "revisits", "failed", "truncated"):
                self.crawler.stats.set_value(f"archive/run_{key}", self.summary[key])
        logger.info(
            "archive run %s: %s captured, %s revisits, %s failed, files: %s",
            self.summary["run"],
            self.summary["captured"],
            self.summary["revisits"],
            self.summary["failed"],
            ", ".join(self.summary["files"]) or "none",
        )
