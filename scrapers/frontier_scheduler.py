"""scrapy-redis pieces of the `distributed` spider: a queue whose pop is a lease, a scheduler that
acknowledges replaced requests and keeps what Redis cannot take yet, and the shared dupefilter seen
as the spider's set of requested URLs. The Redis side of leases is in `scrapers/frontier.py`."""

from __future__ import annotations

import logging
from typing import Any

import scrapy
from redis.exceptions import RedisError
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

logger = logging.getLogger(__name__)
LEASE_META = "frontier_lease"


class SharedRequested:
    """Stands in for ArchivingSpider's per-process `_requested` set: the frontier's dupefilter, so a
    URL any worker has requested is not requested again. Check then add (not atomic): two workers
    meeting the same new link in the same instant may both fetch it, but no link is ever dropped,
    and when Redis cannot answer the link is fetched (a duplicate rather than a loss)."""

    def __init__(self, dupefilter: RFPDupeFilter) -> None:
        self.dupefilter = dupefilter

    def _fingerprint(self, url: str) -> str:
        return str(self.dupefilter.request_fingerprint(scrapy.Request(url)))

    def __contains__(self, url: object) -> bool:
        try:
            return bool(self.dupefilter.server.sismember(self.dupefilter.key, self._fingerprint(str(url))))
        except (RedisError, ValueError):
            return False

    def add(self, url: str) -> None:
        try:
            self.dupefilter.server.sadd(self.dupefilter.key, self._fingerprint(url))
        except (RedisError, ValueError) as exc:
            logger.warning("frontier: could not mark %s as requested (%s)", url, exc)


class LeasedQueue(PriorityQueue):  # type: ignore[misc]
    """scrapy-redis's priority queue whose pop is a lease (see scrapers/frontier.py)."""

    def pop(self, timeout: int = 0) -> scrapy.Request | None:
        leased = self.spider.frontier.lease_request()
        if leased is None:
            return None
        token, data = leased
        request: scrapy.Request = self._decode_request(data)
        request.meta[LEASE_META] = token
        return request


class LeasedScheduler(Scheduler):  # type: ignore[misc]
    """scrapy-redis's scheduler, plus: a request that replaces a leased one (redirect, retry)
    acknowledges that lease once it is queued itself; while Redis cannot take a request, it waits
    here (the spider is not idle meanwhile) instead of being lost."""

    def open(self, spider: scrapy.Spider) -> None:
        super().open(spider)
        self._unsent: list[tuple[scrapy.Request, str | None]] = []
        # scrapy-redis counts with a `spider=` argument Scrapy 2.19 deprecates: count here instead
        self._stats: Any = getattr(self, "stats", None)
        self.stats = None

    def enqueue_request(self, request: scrapy.Request) -> bool:
        self._unsent.append((request, request.meta.pop(LEASE_META, None)))
        self._send_unsent()
        return True

    def _send_unsent(self) -> None:
        while self._unsent:
            request, token = self._unsent[0]
            try:
                super().enqueue_request(request)
            except RedisError as exc:
                logger.warning("frontier unreachable (%s); %d request(s) wait", exc, len(self._unsent))
                return
            self._unsent.pop(0)
            self._count("scheduler/enqueued/redis")
            if token:
                self.spider.frontier.ack(token)

    def next_request(self) -> scrapy.Request | None:
        try:
            self._send_unsent()
            request: scrapy.Request | None = super().next_request()
            if request is None and self.spider.refill(self.enqueue_request):
                request = super().next_request()  # the queue ran dry: start URLs refilled it
        except RedisError as exc:
            logger.warning("frontier unreachable (%s); will try again", exc)
            return None
        if request is not None:
            self._count("scheduler/dequeued/redis")
        return request

    def _count(self, key: str) -> None:
        if self._stats is not None:
            self._stats.inc_value(key)

    def has_pending_requests(self) -> bool:
        try:
            return bool(self._unsent) or bool(super().has_pending_requests())
        except RedisError:
            return True  # unknown: not idle (idle would drop this worker's leases)
