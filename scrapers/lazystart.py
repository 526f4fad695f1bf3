"""Start requests handed to Scrapy only as fast as the crawl uses them.

Scrapy's engine drains ``Spider.start()`` eagerly: a 20,000-line seed file becomes 20,000 pending
Request objects in the scheduler at once, and the crawl's memory grows with the seed list. This
follows Scrapy's own recipe for lazy start requests (:ref:`start-requests-lazy`): after each batch,
while the engine is backing out (downloader full), wait for the scheduler to run empty.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, TypeVar

from scrapy import signals

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

T = TypeVar("T")


async def lazily(crawler: Crawler, produce: Iterable[T], total: int | None = None) -> AsyncIterator[T]:
    """Yield from ``produce``, pausing after every 2 x CONCURRENT_REQUESTS items while the
    downloader has no room, until the scheduler has handed out everything it holds. With the
    `total` it will yield, the spider's `start_left` says how many are still to come (a stop
    counts them among the requests not yet fetched)."""
    batch = max(1, 2 * crawler.settings.getint("CONCURRENT_REQUESTS"))
    spider = crawler.spider
    for count, item in enumerate(produce, start=1):
        if total is not None:
            setattr(spider, "start_left", total - count)  # noqa: B010 (no such attribute on Spider)
        yield item
        engine = crawler.engine
        if count % batch == 0 and engine is not None and engine.needs_backout():
            await crawler.signals.wait_for(signals.scheduler_empty)
