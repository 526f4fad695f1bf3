"""Turn each re-check answer into exactly one state per URL, with a reason, as an event in the index.

Runs after the extraction pipeline, which has classified the new capture (captures.state). Mapping:
``removed:*`` → removed; ``blocked:*`` → blocked; network failures and ``error:*`` → unreachable;
``ok`` with the baseline's payload digest, the same extracted text, or a 304 → unchanged; ``ok``
with other text → changed (sentence diff). A removal after a good capture is fetched again after
RECHECK_CONFIRM_DELAY seconds before it is reported; both captures are kept and named. Content
again after a confirmed removal → restored (with how long it was gone); a removal of a URL never
captured with content → gone (it was gone at its first fetch: not a removal we saw).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from sqlalchemy.exc import SQLAlchemyError

from archive_store.crawl.session import ArchiveSession
from archive_store.index.database import utcnow
from archive_store.index.events import add_event, captures_by_id, duration_words
from archive_store.index.schema import Page, RecheckEvent
from archive_store.net.vantage import apply_proxy, fallback_proxy, first_vantage, public
from pipelines.extraction.facts import ResponseFacts
from pipelines.extraction.textdiff import sentence_diff
from pipelines.extraction.worker import analyse_in_worker
from scrapers.recheck import (
    VANTAGE_FIRST,
    RecheckedResponse,
    RecheckNotModified,
    RecheckUnreachable,
)

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

    from archive_store.index.baselines import RecheckTarget
    from archive_store.index.schema import Capture

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What one fetch showed."""

    state: str
    reason: str
    detail: str | None = None
    http_status: int | None = None
    capture_id: int | None = None
    diff: dict[str, Any] | None = None


def state_of_capture(capture_state: str) -> str:
    """The re-check state a classified capture stands for (ok is compared with the baseline)."""
    family = capture_state.split(":", 1)[0]
    if family in ("removed", "blocked"):
        return family
    # "redirect:meta-refresh" / "redirect:frameset" are pages; a bare "redirect" is a 3xx that
    # could not be followed
    return "ok" if family == "ok" or capture_state.startswith("redirect:") else "unreachable"


def verdict_over_time(
    target: RecheckTarget, outcome: Outcome, now: datetime
) -> tuple[Outcome, datetime | None]:
    """What this answer means given the source's past: content again after a confirmed removal is
    `restored` (with the moment the removal was first seen); a removal of a source never captured
    with content is `gone` (it was gone since its first fetch: no removal we saw)."""
    if outcome.state in ("unchanged", "changed") and target.removed_since is not None:
        since = target.removed_since
        gone_for = duration_words((now - since).total_seconds())
        why = (
            f"back after a confirmed removal: gone for {gone_for} "
            f"(removed {since.isoformat(timespec='seconds')}Z); {outcome.reason}"
        )
        return replace(outcome, state="restored", reason=why), since
    if outcome.state == "removed" and target.baseline is None:
        why = (
            f"{outcome.reason}; never captured with content (gone since its first fetch), so no "
            f"removal we saw; `sourcekeeper recover {target.url}` asks public archives for a copy"
        )
        return replace(outcome, state="gone", reason=why), None
    return outcome, None


# a capture whose body was cut short (WARC-Truncated): never compared, fetched once more
TRUNCATED = "truncated"

# states that may be the network's doing rather than the source's: worth a second vantage point
RETRY_ELSEWHERE = ("blocked", "unreachable")


def seen_from_two_vantages(outcome: Outcome, first: dict[str, Any], second: str) -> Outcome:
    """The outcome through the fallback vantage point, its reason saying what each one saw."""
    reason = (
        f"through {second}: {outcome.reason}; from {first.get('vantage')}: "
        f"{first.get('state')} ({first.get('reason')})"
    )
    return replace(outcome, reason=reason)


class RecheckPipeline:
    def __init__(self, crawler: Crawler, session: ArchiveSession) -> None:
        self.crawler = crawler
        self.session = session
        self.index = session.index
        settings = crawler.settings
        self.confirm_delay = settings.getfloat("RECHECK_CONFIRM_DELAY")
        self.max_sentences = settings.getint("RECHECK_DIFF_MAX_SENTENCES")
        # a second vantage point for sources the first one finds blocked or unreachable (issue 16)
        self.fallback = fallback_proxy(settings)
        self.first_vantage = first_vantage(settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("ARCHIVE_ENABLED"):
            raise NotConfigured("re-checks need the archive")
        return cls(crawler, ArchiveSession.for_crawler(crawler))

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
        target, first, via = item.target, item.first, item.vantage_first
        if first is None and outcome.detail == TRUNCATED and self._fetch_again(target, outcome):
            return item  # a body cut short says nothing of the page: fetched once more first
        if via is None and first is None and self.fallback and outcome.state in RETRY_ELSEWHERE:
            self._fetch_elsewhere(self.crawler.spider.fetch(target), outcome)  # type: ignore[union-attr]
            return item
        if via is not None:
            outcome = seen_from_two_vantages(outcome, via, public(self.fallback))
        after_cut = first is not None and first.get("detail") == TRUNCATED  # a whole answer at last
        if (first is None or after_cut) and outcome.state == "removed" and target.baseline is not None:
            await self._confirm_later(target, outcome, via)
        else:
            self._record(target, outcome, first)
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
        if before == after:
            why = "the payload differs but the extracted text is the same"
            return Outcome("unchanged", why, "ok", status, capture.id)
        diff = sentence_diff(before, after, self.max_sentences)
        why = f"text changed: {diff['removed']} sentence(s) removed, {diff['added']} added"
        return Outcome("changed", why, "ok", status, capture.id, diff)

    def _text(self, capture_id: int) -> str | None:
        page = self.index.page_for(capture_id)
        return None if page is None else f"{page.title or ''}\n{page.text}"

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

    # confirmation and recording ---------------------------------------------------------------
    def _fetch_elsewhere(self, request: Any, seen: Outcome | None, via: dict[str, Any] | None = None) -> None:
        """Fetch again through the fallback vantage point; `seen` (or `via`): what the first one saw."""
        if self.crawler.engine is None:
            return
        apply_proxy(request, self.fallback)
        request.meta[VANTAGE_FIRST] = via or {**(asdict(seen) if seen else {}), "vantage": self.first_vantage}
        self._inc("recheck/fallback_vantage")
        self.crawler.engine.crawl(request)

    def _fetch_again(self, target: RecheckTarget, cut: Outcome) -> bool:
        """Fetch a source whose answer was cut short once more, at once (a dropped connection is
        the network's doing far more often than the source's); False if the crawl is ending."""
        engine, spider = self.crawler.engine, self.crawler.spider
        if engine is None or spider is None:
            return False
        self._inc("recheck/truncated_retries")
        engine.crawl(spider.confirm_request(target, asdict(cut)))  # type: ignore[attr-defined]
        return True

    async def _confirm_later(
        self, target: RecheckTarget, first: Outcome, via: dict[str, Any] | None = None
    ) -> None:
        from twisted.internet import reactor  # noqa: PLC0415 (Scrapy installs the reactor)
        from twisted.internet.task import deferLater  # noqa: PLC0415

        self._inc("recheck/confirmations")
        await maybe_deferred_to_future(deferLater(reactor, self.confirm_delay, lambda: None))
        engine, spider = self.crawler.engine, self.crawler.spider
        if engine is None or spider is None:
            return
        request = spider.confirm_request(target, asdict(first))  # type: ignore[attr-defined]
        if via is not None:  # confirmed from the vantage point that saw it
            self._fetch_elsewhere(request, None, via)
            return
        engine.crawl(request)

    def _record(self, target: RecheckTarget, outcome: Outcome, first: dict[str, Any] | None) -> None:
        first_outcome = Outcome(**first) if first else None
        flapped = False
        reason = outcome.reason
        if first_outcome is not None and first_outcome.detail == TRUNCATED:
            if outcome.detail == TRUNCATED:
                reason = f"{outcome.reason}, on two fetches in a row"
            else:
                reason = f"{outcome.reason} (fetched twice: the first answer was cut short)"
            first_outcome = None  # the complete answer is the new capture; the cut one stays in history
        elif first_outcome is not None:
            wait = f"{self.confirm_delay:g} s later"
            if outcome.state == "removed":
                reason = f"{outcome.reason}; confirmed by a second fetch {wait}"
            else:
                flapped = True
                reason = (
                    f"flapped: the first fetch looked removed ({first_outcome.reason}); "
                    f"the confirmation fetch {wait}: {outcome.reason}"
                )
        now = utcnow()
        final, gone_since = verdict_over_time(target, replace(outcome, reason=reason), now)
        new_removal = (
            final.state == "removed" and target.removed_since is None and target.last_state != "removed"
        )
        event = RecheckEvent(
            url=target.url,
            run_id=self.session.run_id,
            checked_at=now,
            state=final.state,
            detail=final.detail,
            reason=final.reason,
            http_status=final.http_status,
            previous_capture_id=target.previous_capture_id,
            new_capture_id=first_outcome.capture_id if first_outcome else final.capture_id,
            confirm_capture_id=final.capture_id if first_outcome else None,
            flapped=flapped,
            new_removal=new_removal,
            diff_json=json.dumps(final.diff, ensure_ascii=False) if final.diff else None,
            gone_since=gone_since,
        )
        try:
            add_event(self.index, event)
        except SQLAlchemyError as exc:
            self.session.index_failed(exc)
            return
        logger.info("recheck %s: %s (%s)", target.url, final.state, final.reason)
        self._inc("recheck/checked")
        self._inc(f"recheck/{final.state}")
        if new_removal:
            self._inc("recheck/new_removals")
        if flapped:
            self._inc("recheck/flapped")

    def _inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)
