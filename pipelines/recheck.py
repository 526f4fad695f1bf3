"""Turn each re-check answer into exactly one state per URL, with a reason, as an event in the index.

Runs after the extraction pipeline, which has classified the new capture (captures.state). Mapping:
``removed:*`` → removed; ``blocked:*`` → blocked; network failures and ``error:*`` → unreachable;
``ok`` with the baseline's payload digest, the same extracted text, or a 304 → unchanged; ``ok``
with other text → changed (sentence diff). A removal after a good capture is fetched again after
RECHECK_CONFIRM_DELAY seconds before it is reported; both captures are kept and named. Content
again after a confirmed removal → restored (with how long it was gone); a removal of a URL never
captured with content → gone (it was gone at its first fetch: not a removal we saw).

What to do with an answer is decided by `pipelines.takedown.decide` (a pure function); this
pipeline judges the answer, asks, and carries the decision out: it records the event, or asks the
spider (`RecheckRequests`) for the follow-up request and hands it to the engine, at once or after
the confirmation delay (scheduled on the reactor's clock; the item waits, the reactor does not).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from sqlalchemy.exc import SQLAlchemyError
from twisted.internet.task import deferLater

from archive_store.crawl.archive_settings import archive_settings
from archive_store.crawl.sessionapi import CaptureSession, capture_session
from archive_store.index.database import utcnow
from archive_store.index.events import add_event, captures_by_id
from archive_store.index.schema import Page, RecheckEvent
from archive_store.net.vantage import apply_proxy, fallback_proxy, first_vantage, public
from pipelines.doccompare import comparable_text
from pipelines.extraction.facts import ResponseFacts
from pipelines.extraction.stealth import STEALTH_DETAIL, recheck_stealth
from pipelines.extraction.textdiff import sentence_diff
from pipelines.extraction.worker import analyse_in_worker
from pipelines.items import (
    VANTAGE_FIRST,
    RecheckedResponse,
    RecheckNotModified,
    RecheckRequests,
    RecheckUnreachable,
)
from pipelines.takedown import (
    TRUNCATED,
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

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.core.engine import ExecutionEngine
    from scrapy.crawler import Crawler
    from twisted.internet.defer import Deferred
    from twisted.internet.interfaces import IReactorTime

    from archive_store.index.baselines import RecheckTarget
    from archive_store.index.schema import Capture

logger = logging.getLogger(__name__)


def state_of_capture(capture_state: str) -> str:
    """The re-check state a classified capture stands for (ok is compared with the baseline)."""
    family = capture_state.split(":", 1)[0]
    if family in ("removed", "blocked"):
        return family
    # "redirect:meta-refresh" / "redirect:frameset" are pages; a bare "redirect" is a 3xx that
    # could not be followed
    return "ok" if family == "ok" or capture_state.startswith("redirect:") else "unreachable"


class RecheckPipeline:
    def __init__(self, crawler: Crawler, session: CaptureSession) -> None:
        self.crawler = crawler
        self.session = session
        self.index = session.index
        settings = crawler.settings
        self.max_sentences = settings.getint("RECHECK_DIFF_MAX_SENTENCES")
        # a second vantage point for sources the first one finds blocked or unreachable (issue 16)
        self.fallback = fallback_proxy(settings)
        self.first_vantage = first_vantage(settings)
        self.rules = TakedownSettings(
            confirm_delay=settings.getfloat("RECHECK_CONFIRM_DELAY"),
            fallback=public(self.fallback) if self.fallback else None,
        )
        # what schedules the confirmation fetch; None: the running reactor (a test sets a Clock)
        self.clock: IReactorTime | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not archive_settings(crawler).enabled:
            raise NotConfigured("re-checks need the archive")
        return cls(crawler, capture_session(crawler))

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, RecheckedResponse) and item.target is not None:
            outcome = await self._judge_response(item.target, item)
        elif isinstance(item, RecheckNotModified):
            outcome = self._judge_not_modified(item)
        elif isinstance(item, RecheckUnreachable):
            capture_id = item.capture.capture_id if item.capture else None
            outcome = Outcome("unreachable", item.reason, "network", None, capture_id)
        else:
            return item
        first = Outcome(**item.first) if item.first else None
        now = Fetch(outcome, utcnow(), first, item.vantage_first, self._follow_up() is not None)
        await self._carry_out(item.target, decide(item.target, now, self.rules))
        return item

    # judging one fetch -------------------------------------------------------------------------
    async def _judge_response(self, target: RecheckTarget, item: RecheckedResponse) -> Outcome:
        capture_id = item.capture.capture_id if item.capture else None
        capture = captures_by_id(self.index, {capture_id}).get(capture_id) if capture_id else None
        if capture is None:
            return Outcome("unreachable", "the answer could not be archived", "not-archived", item.status)
        if capture.state == TRUNCATED:
            cause = capture.truncated or "disconnect"
            why = f"the body was cut short ({cause}): {capture.payload_length:,} bytes came"
            return Outcome("unreachable", why, TRUNCATED, capture.http_status, capture.id)
        state = state_of_capture(capture.state)
        reason = capture.state_reason or f"HTTP {capture.http_status}"
        if state != "ok":
            return Outcome(state, reason, capture.state, capture.http_status, capture.id)
        if item.requested_url != item.url:
            landed = await self._classify_in_context(item)
            if landed is not None:  # e.g. removed:redirect-home
                return Outcome("removed", landed[1], landed[0], capture.http_status, capture.id)
        return self._compare(target, capture)

    async def _classify_in_context(self, item: RecheckedResponse) -> tuple[str, str] | None:
        """Classify a redirected answer knowing where it started. Its capture may be a revisit
        that reused the analysis of the same page fetched directly (the site's home page archived
        as a seed, say), which cannot know that this time an article URL led there."""
        from twisted.internet.threads import deferToThread  # noqa: PLC0415

        facts = ResponseFacts(item.url, item.requested_url, item.status, item.headers, item.body)
        result = await maybe_deferred_to_future(deferToThread(analyse_in_worker, facts))
        state = result.get("state") or ""
        return (state, str(result.get("reason"))) if state.startswith("removed:") else None

    def _compare(self, target: RecheckTarget, capture: Capture) -> Outcome:
        baseline = target.baseline
        status = capture.http_status
        if baseline is None:
            why = "the URL answers with content again; no earlier capture of it was good"
            return Outcome("changed", why, "ok", status, capture.id)
        if capture.payload_digest == baseline.payload_digest:
            return Outcome("unchanged", "same payload as the last good capture", "ok", status, capture.id)
        before, after = self._text(baseline.capture_id), self._text(capture.id)
        if before is None or after is None:
            why = "the payload differs from the last good capture (no extracted text to compare)"
            return Outcome("changed", why, "ok", status, capture.id)
        stealth = recheck_stealth(
            self.index.page_for(baseline.capture_id),
            self.index.page_for(capture.id),
            self._quotes(target.url),
        )
        if stealth is not None:  # only the date, 文号, issuer or a quoted passage: ahead of ordinary edits
            diff = {**sentence_diff(before, after, self.max_sentences), "stealth": stealth.to_json()}
            return Outcome("changed", stealth.reason(), STEALTH_DETAIL, status, capture.id, diff)
        if before == after:
            why = "the payload differs but the extracted text is the same"
            return Outcome("unchanged", why, "ok", status, capture.id)
        diff = sentence_diff(before, after, self.max_sentences)
        why = f"text changed: {diff['removed']} sentence(s) removed, {diff['added']} added"
        return Outcome("changed", why, "ok", status, capture.id, diff)

    def _quotes(self, url: str) -> list[str]:
        """The passages quoted from `url` (the quotes index), watched by the stealth-edit rule."""
        from archive_store.index.quotes import known_quotes  # noqa: PLC0415

        try:
            return list(known_quotes(self.index, [url]))
        except SQLAlchemyError:
            return []

    def _text(self, capture_id: int) -> str | None:
        return comparable_text(self.index, capture_id)  # a document's text unwrapped (doccompare)

    def _judge_not_modified(self, item: RecheckNotModified) -> Outcome:
        capture_id = item.capture.capture_id if item.capture else None
        baseline = item.target.baseline
        if baseline is None:
            why = "HTTP 304 to a request that was not conditional; nothing to compare"
            return Outcome("unreachable", why, "error:http-304", 304, capture_id)
        why = "HTTP 304 Not Modified to a conditional GET (the server says the page is the same)"
        if capture_id and item.capture and item.capture.record_type == "revisit":
            self._mark_not_modified_revisit(int(capture_id), baseline.capture_id, why)
        return Outcome("unchanged", why, "not-modified", 304, capture_id)

    def _mark_not_modified_revisit(self, capture_id: int, baseline_id: int, why: str) -> None:
        """A server-not-modified revisit stands for the baseline's content: state ok, same page."""
        self.index.set_state(capture_id, "ok", why)
        page = self.index.page_for(baseline_id)
        if page is None:
            return
        copied = {c.name: getattr(page, c.name) for c in Page.__table__.columns}
        self.index.save_page(Page(**{**copied, "capture_id": capture_id}))

    # carrying the decision out ---------------------------------------------------------------
    async def _carry_out(self, target: RecheckTarget, decision: Decision) -> None:
        match decision:
            case Record():
                self._record(target, decision)
            case FetchAgain(cut):  # a body cut short says nothing of the page: fetched once more
                self._inc("recheck/truncated_retries")
                self._crawl(lambda spider: spider.confirm_request(target, asdict(cut)))
            case RetryElsewhere(seen):
                seen_here = {**asdict(seen), "vantage": self.first_vantage}
                self._crawl(lambda spider: self._elsewhere(spider.fetch(target), seen_here))
            case ConfirmAfter():
                self._inc("recheck/confirmations")
                await maybe_deferred_to_future(self._confirm_after(target, decision))

    def _confirm_after(self, target: RecheckTarget, decision: ConfirmAfter) -> Deferred[None]:
        """Hand the confirmation fetch to the engine after the delay, scheduled on the clock."""
        clock = self.clock
        if clock is None:
            from twisted.internet import reactor  # noqa: PLC0415 (Scrapy installs the reactor)

            clock = reactor
        return deferLater(clock, decision.delay, self._send_confirmation, target, decision)

    def _send_confirmation(self, target: RecheckTarget, decision: ConfirmAfter) -> None:
        first, via = asdict(decision.first), decision.via
        if via is None:
            self._crawl(lambda spider: spider.confirm_request(target, first))
        else:  # confirmed from the vantage point that saw it
            self._crawl(lambda spider: self._elsewhere(spider.confirm_request(target, first), via))

    def _elsewhere(self, request: Request, seen: Mapping[str, Any]) -> Request:
        """The request through the fallback vantage point; `seen`: what the first one saw."""
        apply_proxy(request, self.fallback)
        request.meta[VANTAGE_FIRST] = dict(seen)
        self._inc("recheck/fallback_vantage")
        return request

    def _follow_up(self) -> tuple[ExecutionEngine, RecheckRequests] | None:
        """The engine and the spider, while the crawl can take another request."""
        spider = self.crawler.spider
        if not self.crawler.crawling or not isinstance(spider, RecheckRequests):
            return None  # never started (a component test) or stopping (Ctrl-C: the next run checks it)
        return self.crawler.engine, spider

    def _crawl(self, make: Callable[[RecheckRequests], Request]) -> None:
        """Hand the spider's follow-up request to the engine (nothing if the crawl is ending)."""
        crawl = self._follow_up()
        if crawl is not None:
            engine, spider = crawl
            engine.crawl(make(spider))

    def _record(self, target: RecheckTarget, decision: Record) -> None:
        final = decision.outcome
        event = RecheckEvent(
            url=target.url,
            run_id=self.session.run_id,
            checked_at=decision.checked_at,
            state=final.state,
            detail=final.detail,
            reason=final.reason,
            http_status=final.http_status,
            previous_capture_id=target.previous_capture_id,
            new_capture_id=decision.new_capture_id,
            confirm_capture_id=decision.confirm_capture_id,
            flapped=decision.flapped,
            new_removal=decision.new_removal,
            diff_json=json.dumps(final.diff, ensure_ascii=False) if final.diff else None,
            gone_since=decision.gone_since,
        )
        try:
            add_event(self.index, event)
        except SQLAlchemyError as exc:
            self.session.index_failed(exc)
            return
        logger.info("recheck %s: %s (%s)", target.url, final.state, final.reason)
        self._inc("recheck/checked")
        self._inc(f"recheck/{final.state}")
        if decision.new_removal:
            self._inc("recheck/new_removals")
        if decision.flapped:
            self._inc("recheck/flapped")

    def _inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)
