"""`recheck`: fetch archived URLs again and hand each answer to the re-check pipeline.

Every fetch goes through the recording handler, so it is a capture like any other. The request is
conditional (If-None-Match / If-Modified-Since) when the last good capture had validators; a 304
is then written as a server-not-modified revisit of that capture. What each answer means
(unchanged, changed, removed, blocked, unreachable) is decided by `pipelines.takedown` and carried
out by `pipelines.recheck`, which asks this spider for follow-up fetches through the
`RecheckRequests` protocol (`fetch`, `confirm_request`).

sourcekeeper recheck [URL ...]      (targets are built from the index by the command)
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.http import Response
from scrapy.utils.misc import load_object
from twisted.python.failure import Failure

from archive_store.crawl.failures import describe_failure
from archive_store.crawl.stopping import StopRequested
from archive_store.index.baselines import RecheckTarget
from archive_store.index.captureref import capture_in
from pipelines.items import (
    VANTAGE_FIRST,
    RecheckedResponse,
    RecheckNotModified,
    RecheckRequests,
    RecheckUnreachable,
)
from scrapers.lazystart import lazily
from scrapers.urls import NON_REDIRECT_STATUSES, add_quotes_pipeline, archived_item

# registered by import path: the spiders never import the item pipelines (docs/architecture.md)
RECHECK_PIPELINE = "pipelines.recheck.RecheckPipeline"

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

NOT_MODIFIED = 304
STATUSES = sorted({*NON_REDIRECT_STATUSES, NOT_MODIFIED})


def network_reason(exc: BaseException, request: scrapy.Request) -> str:
    """Why no answer came, in plain words (describe_failure looks inside Scrapy's wrapped
    failure lists itself)."""
    return describe_failure(exc, request)


class _UnreachableIsAnOutcome(logging.Filter):
    """A re-check records a source that does not answer as `unreachable`: Scrapy's "Gave up
    retrying" is then an expected outcome (INFO), not an error for cron to mail."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR and str(record.msg).startswith("Gave up retrying"):
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


_GIVE_UP_FILTER = _UnreachableIsAnOutcome()


class RecheckSpider(scrapy.Spider, RecheckRequests):
    name = "recheck"

    def __init__(self, targets: list[RecheckTarget] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        logging.getLogger("scrapy.downloadermiddlewares.retry").addFilter(_GIVE_UP_FILTER)
        self.targets = list(targets or [])
        self.progress_total = len(self.targets)
        self.start_left = len(self.targets)  # counted down as they are handed over (lazystart)
        self._started = datetime.now(UTC).isoformat()

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # at "spider" priority: the runner merges its own (default-priority) settings in later
        pipelines = settings.getdict("ITEM_PIPELINES")
        pipelines[load_object(RECHECK_PIPELINE)] = 400  # after extraction (300), which classifies the capture
        settings.set("ITEM_PIPELINES", pipelines, priority="spider")
        add_quotes_pipeline(settings)  # every passage quoted for a source, looked for again

    def run_identity(self) -> dict[str, Any]:
        # Each re-check is its own run: a killed one is simply run again, never "resumed" from
        # captures that describe an earlier moment.
        return {"spider": self.name, "urls": [t.url for t in self.targets], "started": self._started}

    async def start(self) -> AsyncIterator[Any]:
        async for request in lazily(self.crawler, map(self.fetch, self.targets), len(self.targets)):
            yield request

    def fetch(self, target: RecheckTarget, first: dict[str, Any] | None = None) -> scrapy.Request:
        """The re-check request; a confirmation fetch (`first` set) is never conditional, so the
        server must show the page itself."""
        headers: dict[str, str] = {}
        meta: dict[str, Any] = {
            "archive_hop": 0,
            "handle_httpstatus_list": STATUSES,
            "recheck_target": target,
            "recheck_first": first,
        }
        baseline = target.baseline
        conditional = self.settings.getbool("RECHECK_CONDITIONAL") and first is None
        if conditional and baseline is not None and baseline.url == target.url:
            if baseline.etag:
                headers["If-None-Match"] = baseline.etag
            if baseline.last_modified:
                headers["If-Modified-Since"] = baseline.last_modified
            if headers:
                meta["archive_not_modified"] = baseline.not_modified_ref()
        return scrapy.Request(
            target.url,
            callback=self.parse,
            errback=self.failed,
            headers=headers,
            meta=meta,
            dont_filter=True,
        )

    def confirm_request(self, target: RecheckTarget, first: dict[str, Any]) -> scrapy.Request:
        return self.fetch(target, first)

    def parse(self, response: Response) -> Any:
        target: RecheckTarget = response.meta["recheck_target"]
        first = response.meta.get("recheck_first")
        capture = capture_in(response.meta)
        via = response.meta.get(VANTAGE_FIRST)
        if response.status == NOT_MODIFIED:
            yield RecheckNotModified(target, response.url, capture, first, via)
            return
        plain = archived_item(response, "page")
        yield RecheckedResponse(**vars(plain), target=target, first=first, vantage_first=via)

    def failed(self, failure: Failure) -> Any:
        if isinstance(failure.value, StopRequested):  # Ctrl-C: not unreachable; the next run checks it
            return
        request = failure.request  # type: ignore[attr-defined]
        reason = network_reason(failure.value or RuntimeError(str(failure)), request)
        chain = request.meta.get("redirect_urls") or []
        if chain and "redirect" in str(failure.value).lower():
            reason = f"redirect loop or chain too long, gave up after {len(chain)} hops"
        yield RecheckUnreachable(
            request.meta["recheck_target"],
            request.url,
            reason,
            capture_in(request.meta),
            request.meta.get("recheck_first"),
            request.meta.get(VANTAGE_FIRST),
        )
