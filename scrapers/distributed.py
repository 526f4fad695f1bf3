"""`distributed`: the `urls` spider's pages and attachments, from a Redis frontier shared by workers.

sourcekeeper enqueue --frontier redis://HOST:6379/0 --seeds FILE
sourcekeeper worker  --frontier redis://HOST:6379/0 --db postgresql+psycopg://… --store s3://b/p
scrapy crawl distributed -s REDIS_URL=redis://HOST:6379/0        (from the checkout, or scrapyd)

scrapy-redis (0.9.1, lightly maintained: pinned, used through this shim) gives the shared priority
queue and dupefilter. The shim: Scrapy 2.13+ calls `async def start()`, not `start_requests()`;
SCHEDULER_IDLE_BEFORE_CLOSE stays 0 (its blocking pop would stall the reactor); idling and closing
are decided here (FRONTIER_IDLE_EXIT); pops are leases (`scrapers/frontier.py`) so a SIGKILLed
worker loses nothing. The scrapy-redis settings are applied by this spider only (update_settings),
never project-wide: `archive` and the other spiders keep Scrapy's own scheduler.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import time
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

import scrapy
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.spiders import RedisSpider
from twisted.internet import task

from archive_store.crawl import default_settings
from pipelines.documents.seeds import check_url
from scrapers.common import ArchivingSpider
from scrapers.frontier import Frontier, FrontierKeys
from scrapers.frontier_scheduler import LEASE_META, SharedRequested

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)
SPIDER_NAME = "distributed"


def frontier_settings() -> dict[str, Any]:
    """What turns scrapy-redis on for this spider (priority "spider": -s can still override)."""
    retry = Retry(ExponentialBackoff(cap=1.0, base=0.05), retries=30)
    return {
        "SCHEDULER": "scrapers.frontier_scheduler.LeasedScheduler",
        "SCHEDULER_QUEUE_CLASS": "scrapers.frontier_scheduler.LeasedQueue",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        # the queue and dupefilter are shared: a worker that finishes must not flush them
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_IDLE_BEFORE_CLOSE": 0,
        "SCHEDULER_SERIALIZER": "scrapy_redis.picklecompat",
        # a Redis restart is ridden out: commands are retried (~20 s) before an error surfaces
        "REDIS_PARAMS": {
            "socket_timeout": 30,
            "socket_connect_timeout": 5,
            "retry": retry,
            "retry_on_error": [RedisConnectionError, RedisTimeoutError],
            "health_check_interval": 15,
        },
    }


# request.meta key: the start-URL entry a request was made from (its claim is released once queued)
CLAIM_META = "frontier_claim"


def redis_url_for_log(url: str) -> str:
    """The URL without its password (never in logs, run identities or custody records)."""
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        rest = "***@" + rest.rpartition("@")[2]
    return scheme + sep + rest


class DistributedSpider(RedisSpider, ArchivingSpider):  # type: ignore[misc]
    name = SPIDER_NAME
    redis_key = "%(name)s:start_urls"
    frontier: Frontier

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.worker_id = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        self._idle_since: float | None = None
        self._beat: task.LoopingCall | None = None

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        for name, value in frontier_settings().items():
            settings.set(name, value, priority="spider")
        # two workers on one host must never name two WARCs alike: names meet in a shared index
        base = settings.get("ARCHIVE_WARC_PREFIX") or default_settings.ARCHIVE_WARC_PREFIX
        priority = settings.getpriority("ARCHIVE_WARC_PREFIX") or 0
        settings.set("ARCHIVE_WARC_PREFIX", f"{base}-{secrets.token_hex(3)}", priority=max(priority, 30))

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> DistributedSpider:
        spider: DistributedSpider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        keys = FrontierKeys(spider.name)
        lease = settings.getfloat("FRONTIER_LEASE_SECONDS") or 60.0
        spider.frontier = Frontier(spider.server, keys, spider.worker_id, lease)
        spider.fetch_data = spider.frontier.claim_start_urls  # start URLs are claimed, not popped
        # set-like: ArchivingSpider only asks `url in _requested` and calls `_requested.add(url)`
        spider._requested = SharedRequested(RFPDupeFilter.from_spider(spider))  # type: ignore[assignment]
        crawler.signals.connect(spider._opened, signal=signals.spider_opened)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(spider._item_done, signal=signal)
        return spider

    def run_identity(self) -> dict[str, Any]:
        """One run per worker process and archive folder (a restarted worker resumes its own)."""
        return {
            "spider": self.name,
            "frontier": redis_url_for_log(self.settings.get("REDIS_URL") or ""),
            "host": socket.gethostname(),
            "archive": os.path.abspath(self.settings.get("ARCHIVE_DIR")),
            "extract": self.settings.getbool("EXTRACT_ENABLED"),
        }

    async def start(self) -> AsyncIterator[Any]:
        """The shim: Scrapy 2.19 calls this, never `start_requests()`. Nothing to yield: requests
        come from the frontier when the spider is idle (`spider_idle`), which it is at once."""
        return
        yield  # an async generator

    # frontier bookkeeping ---------------------------------------------------------------------
    def _opened(self, spider: scrapy.Spider) -> None:
        self.frontier.heartbeat()
        self.frontier.reap()
        every = max(0.5, self.frontier.lease_ms / 4000)
        self._beat = task.LoopingCall(self._tick)
        self._beat.start(every, now=False)
        self.logger.info("worker %s on frontier %s", self.worker_id, self.frontier.keys.name)

    def _tick(self) -> None:
        try:
            self.frontier.heartbeat()
            self.frontier.flush_acks()
            self.frontier.reap()
        except RedisError as exc:
            self.logger.warning("frontier heartbeat failed (%s); will try again", exc)

    def _closed(self, spider: scrapy.Spider, reason: str) -> None:
        if self._beat is not None and self._beat.running:
            self._beat.stop()
        try:
            if reason == "finished":
                self.frontier.drop_leases()
            elif returned := self.frontier.return_own():
                self.logger.warning("closing (%s): %d unfinished requests queued again", reason, returned)
            self.frontier.retire()
        except RedisError as exc:  # the leases expire with the heartbeat and are reaped
            self.logger.warning("could not hand back to the frontier (%s)", exc)

    def _item_done(self, item: Any, response: Any = None, spider: Any = None, **kwargs: Any) -> None:
        request = getattr(response, "request", None)
        token = request.meta.get(LEASE_META) if request is not None else None
        if token:
            self.frontier.ack(token)

    # what comes out of the frontier -------------------------------------------------------------
    def make_request_from_data(self, data: bytes) -> list[scrapy.Request]:
        """An entry of `<name>:start_urls`: JSON {"url": …} (from `enqueue`) or a bare URL."""
        text = data.decode("utf-8", "replace").strip()
        url = json.loads(text).get("url", "") if text.startswith("{") else text
        problem = check_url(url) if isinstance(url, str) else "no url"
        if problem:
            self.logger.error("frontier entry skipped: %s: %r", problem, text[:200])
            self.frontier.handled(data)  # dropped on purpose: its claim is released
            return []
        return [self.page_request(url, meta={CLAIM_META: data})]

    async def parse(self, response: scrapy.http.Response, **kwargs: Any) -> AsyncIterator[Any]:
        """ArchivingSpider's parse with the item last: the lease is acknowledged when the item is
        done, and by then every request the page produced is in the shared queue."""
        outputs = [output async for output in super().parse(response, **kwargs)]
        for request in (o for o in outputs if isinstance(o, scrapy.Request)):
            yield request
        for item in (o for o in outputs if not isinstance(o, scrapy.Request)):
            yield item

    def schedule_next_requests(self) -> None:
        self.refill(self.crawler.engine.crawl)

    def refill(self, schedule: Callable[[scrapy.Request], object]) -> int:
        """Claim a batch of start URLs (CONCURRENT_REQUESTS) and queue their requests; called
        whenever this worker finds the shared queue empty, so fetching never waits for idleness."""
        count = 0
        for request in self.next_requests():
            entry = request.meta.pop(CLAIM_META)  # not stored with the queued request
            schedule(request)
            self.frontier.handled(entry)
            count += 1
        self.frontier.release_claims()
        return count

    def spider_idle(self) -> None:
        """Fill from the start URLs; stay open while the frontier has work (here or held by another
        worker that may yet die); close after FRONTIER_IDLE_EXIT seconds of nothing (0: never)."""
        try:
            if dropped := self.frontier.drop_leases():  # idle: what we still hold was processed
                self.logger.warning("%d request(s) ended without an item; their leases dropped", dropped)
            self.frontier.reap()
            self.schedule_next_requests()
            busy = self.frontier.has_work()
        except RedisError as exc:
            self.logger.warning("frontier unreachable (%s); staying open", exc)
            raise DontCloseSpider from exc
        if busy:
            self._idle_since = None
            self._wake_up_soon()
            raise DontCloseSpider
        limit = self.settings.getfloat("FRONTIER_IDLE_EXIT")
        self._idle_since = self._idle_since or time.monotonic()
        if limit <= 0 or time.monotonic() - self._idle_since < limit:
            self._wake_up_soon()
            raise DontCloseSpider
        self.logger.info("frontier empty for %.0fs: closing", limit)

    def _wake_up_soon(self) -> None:
        """The engine looks at an idle spider every 5 s; look again after 1 s for new work."""
        engine = self.crawler.engine
        if engine is not None and engine._slot is not None:
            engine._slot.nextcall.schedule(1.0)
