"""`--render auto|always|never`: a page answered by a JavaScript challenge is rendered in Chromium.

A downloader middleware between HttpCompressionMiddleware (590) and MetaRefreshMiddleware (580): it
sees each request's last answer after the redirect hops (each captured already) with its body
decoded. When that answer is a challenge (pipelines/extraction/render_detect.py), or the mode is
`always`, or a screenshot is wanted, the page is loaded in the site's browser context and every
request the browser makes is fetched through the crawler's engine — so through the recording
download handler (archive_store/crawl/render/page.py). The spider then gets the final page, whose
capture is the URL's capture; the challenge exchanges stay in the WARC and the index, marked
`blocked:<vendor>` with a reason naming the capture that passed them.

What the item pipeline must store instead of its own classification travels in the capture info
(`render_state`): `blocked:captcha` (never solved), `blocked:<vendor>` "rendered, still challenged".
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.http import TextResponse

from archive_store.crawl.archive_settings import RenderMode, RenderSettings
from archive_store.crawl.render.browser import CALL_SECONDS, INSTALL_HINT
from archive_store.crawl.render.navigations import (
    LIMIT_STAT,
    RENDER_NAVIGATIONS_META,
    navigations_used,
    seed_of,
)
from archive_store.crawl.render.page import Challenge, PageRender, RenderOutcome, challenge_in
from archive_store.crawl.render.records import provenance_block, write_rendered
from archive_store.crawl.render.session import browser_for, render_settings
from archive_store.crawl.session import ArchiveSession
from archive_store.index.captureref import CAPTURE_META, CaptureRef, capture_in

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

PRIORITY = 585  # process_response after HttpCompression (590) and Redirect (600), before MetaRefresh


def _asyncio_reactor() -> bool:
    from scrapy.utils.reactor import is_asyncio_reactor_installed  # noqa: PLC0415

    try:
        return bool(is_asyncio_reactor_installed())
    except Exception:  # no reactor installed yet: Scrapy installs the one TWISTED_REACTOR names
        return True


class RenderMiddleware:
    def __init__(self, crawler: Crawler, render: RenderSettings) -> None:
        self.crawler = crawler
        self.mode = render.mode
        self.screenshot = render.screenshot
        self.session = ArchiveSession.for_crawler(crawler)
        self.stats = crawler.stats
        # DOWNLOAD_DELAY is Scrapy's own setting (a float already)
        self.deadline = render.timeout + 10 * crawler.settings.getfloat("DOWNLOAD_DELAY")
        self.max_rounds = render.max_rounds
        self.max_navigations = render.max_navigations
        self.idle_seconds = render.idle
        self.ready_selector = render.selector
        # --screenshot asks for all three; else what ARCHIVE_RENDER_SNAPSHOTS lists (by default all)
        self.snapshots: frozenset[str] = frozenset(render.snapshots)
        # the detector is an object by then: ArchiveSettings loads an import path (-s) itself
        self.detect = render.detector
        self.semaphore = asyncio.Semaphore(max(1, render.concurrency))
        self.browser = browser_for(crawler)
        self._said_unavailable = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        render = render_settings(crawler)  # a bad ARCHIVE_RENDER raises SettingsError there
        if not _asyncio_reactor():
            raise RuntimeError(
                "rendering needs Scrapy's asyncio reactor (TWISTED_REACTOR = "
                "twisted.internet.asyncioreactor.AsyncioSelectorReactor), or use --render never"
            )
        middleware = cls(crawler, render)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    async def spider_closed(self) -> None:
        if self.browser is not None:
            await self.browser.close()

    # deciding ----------------------------------------------------------------------------------
    async def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        meta = request.meta
        if (
            meta.get("archive_render_sub")
            or meta.get("archive_session_retry")  # the answer _with_session judges itself
            or meta.get("dont_render")
            or not isinstance(response, TextResponse)
            or request.method != "GET"  # a browser navigation is a GET: a POSTed listing stays as is
        ):
            return response
        challenge = None if self.mode is RenderMode.NEVER else challenge_in(self.detect, response)
        if challenge is not None and challenge.is_captcha:
            self._force_state(request, f"blocked:{challenge.vendor}", f"{challenge.reason}; never solved")
            self._inc("archive/render/captcha")
            return response
        wanted = self.mode is RenderMode.ALWAYS or (
            bool(meta.get("archive_render")) and self.mode is not RenderMode.NEVER
        )
        snapshot_only = (
            self.screenshot
            and 200 <= response.status < 300
            and b"html" in (response.headers.get(b"Content-Type") or b"html")
        )
        if challenge is None and not wanted and not snapshot_only:
            return response
        if challenge is not None:
            why = f"challenge: {challenge.reason}"
        else:
            why = "render mode always" if wanted else "--screenshot"
        return await self._render(request, response, challenge, why)

    # rendering ---------------------------------------------------------------------------------
    async def _render(
        self, request: Request, response: Response, challenge: Challenge | None, why: str
    ) -> Response:
        if self.browser is None:
            self._unavailable(request, response, challenge)
            return response
        site = urlsplit(response.url).netloc
        first_capture = capture_in(request.meta)
        async with self.semaphore:
            if challenge is not None:
                again = await self._with_session(request, response, challenge, site)
                if again is not None and again[1] is None:
                    return again[0]  # the site's clearance let it through: no render
                if again is not None:  # still challenged: the newer answer is rendered
                    response, challenge = again[0], again[1]
                    first_capture = capture_in(request.meta)
                    if challenge is not None and challenge.is_captcha:
                        reason = f"{challenge.reason}; never solved"
                        self._force_state(request, f"blocked:{challenge.vendor}", reason)
                        self._inc("archive/render/captcha")
                        return response
            self._inc("archive/render/started")
            seed = seed_of(request.meta, request.url)
            before = navigations_used(
                request.meta
            )  # the seed's navigations so far (ARCHIVE_RENDER_MAX_NAVIGATIONS)
            left = max(0, self.max_navigations - before)
            tab = None
            try:
                tab = await self.browser.take_tab(site)
                render = PageRender(
                    tab,
                    self.crawler.engine.download_async,
                    self.detect,
                    response,
                    first_capture,
                    deadline=self.deadline,
                    max_rounds=self.max_rounds,
                    snapshots=self.snapshots,
                    hop=int(request.meta.get("archive_hop", 0)),
                    parent=request.meta.get("archive_parent"),
                    ready_selector=request.meta.get("archive_render_selector", self.ready_selector) or None,
                    idle_seconds=self.idle_seconds,
                    max_navigations=left,
                    seed=seed,
                    navigations_before=before,
                    killed_for_memory=self.browser.killed_for_memory,
                )
                self.browser.active += 1
                try:
                    outcome = await render.run()  # bounded: it ends by its hard end
                finally:
                    self.browser.active -= 1
            except Exception as exc:  # a crashed or unstartable browser: recorded, the crawl goes on
                self.browser.forget(site)
                reason = (
                    f"browser failed while rendering: {type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
                )
                logger.error("%s: %s", response.url, reason)
                self.session.index.add_failure(self.session.run_id, response.url, "attempt", reason)
                self._inc("archive/render/failed")
                if challenge is not None:
                    self._force_state(request, f"blocked:{challenge.vendor}", f"{challenge.reason}; {reason}")
                return response
            finally:
                if tab is not None:
                    await self.browser.give_back(site, tab)
        self._inc(f"archive/render/{outcome.state.replace('-', '_')}")
        if outcome.blocked:
            self._inc("archive/render/blocked_sockets", len(outcome.blocked))
        # the seed's budget: what this render fetched counts for the pages that follow from it
        request.meta[RENDER_NAVIGATIONS_META] = min(outcome.navigations, left)
        if outcome.stopped:  # named in the index's failures, beside the log line and the stats
            kind = "render"
            if outcome.state == "navigation-limit":  # a limit reached, as for attachments per page
                kind = "limit"
                self._inc(LIMIT_STAT)
            self.session.index.add_failure(self.session.run_id, response.url, kind, outcome.reason)
        return self._outcome(request, response, challenge, why, outcome)

    async def _with_session(
        self, request: Request, response: Response, challenge: Challenge, site: str
    ) -> tuple[Response, Challenge | None] | None:
        """A challenge answered to a request sent before the site had a session (the first pages
        of a site are fetched together, before the first render ends): once a render has left
        clearance cookies in the site's context, the page is fetched again with them. The answer
        and its challenge (None: the page itself, no render needed) are returned, and become the
        request's; None when there was nothing to try. The first answer stays in the WARC and the
        index, `blocked:<vendor>`, naming the capture that came next."""
        browser = self.browser
        if browser is None or request.meta.get("archive_site_session"):
            return None  # sent with the session already: its cookies did not clear this page
        context = browser.existing_context(site)
        try:
            if context is None or not await asyncio.wait_for(context.cookies([response.url]), CALL_SECONDS):
                return None
        except Exception:  # the browser does not answer: the render that follows says so
            return None
        retry = request.replace(
            url=response.url,
            dont_filter=True,
            meta={
                "archive_session_retry": True,
                "archive_hop": request.meta.get("archive_hop", 0),
                "archive_parent": request.meta.get("archive_parent"),
            },
        )
        try:
            again = await self.crawler.engine.download_async(retry)
        except Exception as exc:  # recorded as a failed attempt by the recording handler
            logger.debug("%s: fetching again with the site's session: %s", response.url, exc)
            return None
        capture = capture_in(retry.meta)
        if capture is None or not isinstance(again, TextResponse):
            return None
        still = challenge_in(self.detect, again)
        if still is None and not 200 <= again.status < 300:
            return None  # an error page: the first answer is rendered as it was
        first = capture_in(request.meta)
        if first is not None and first.capture_id:
            what = "passed with the site session's clearance cookies" if still is None else "sent again"
            reason = (
                f"{challenge.vendor} JavaScript challenge, {what}: the page is capture "
                f"{capture.capture_id} ({capture.record_id})"
            )
            self.session.index.set_state(first.capture_id, f"blocked:{challenge.vendor}", reason)
        self._inc("archive/render/passed_with_session" if still is None else "archive/render/session_retried")
        request.meta[CAPTURE_META] = capture
        if again.url != request.url:
            requested = (request.meta.get("redirect_urls") or [request.url])[0]
            request.meta.setdefault("archive_requested", requested)
        return again.replace(request=request), still

    def _outcome(
        self,
        request: Request,
        response: Response,
        challenge: Challenge | None,
        why: str,
        outcome: RenderOutcome,
    ) -> Response:
        final, final_capture = outcome.final, outcome.final_capture
        first_capture = capture_in(request.meta)
        if outcome.stopped and challenge is None and first_capture:
            final, final_capture = response, first_capture  # the page as fetched is the page
        summary = self._provenance(request.url, why, challenge, outcome)
        if final is None or final_capture is None:
            vendor = outcome.vendor or (challenge.vendor if challenge else "js-challenge")
            state = f"blocked:{vendor}"  # captcha / rate-limit (never solved) or the challenge's vendor
            self._force_state(request, state, outcome.reason)
            for exchange in outcome.exchanges:  # the browser's own rounds: the same verdict
                if exchange.challenge and exchange.capture_id:
                    self.session.index.set_state(exchange.capture_id, state, outcome.reason)
            if first_capture is not None:
                write_rendered(
                    self.session, request.url, first_capture, {"provenance": provenance_block(summary)}
                )
            return response
        self._mark_challenges(outcome, final_capture)
        blocks = {"provenance": provenance_block(summary)}
        for kind, data in (("screenshot", outcome.screenshot), ("pdf", outcome.pdf)):
            if data:
                blocks[kind] = data
        if outcome.dom is not None:
            blocks["dom"] = outcome.dom.encode("utf-8")
        write_rendered(self.session, final.url, final_capture, blocks)
        if final is response:
            return response  # a page that needed no challenge (screenshots, --render always)
        request.meta[CAPTURE_META] = final_capture.with_render(rendered=True)
        if final.url != request.url:
            request.meta.setdefault(
                "archive_requested", (request.meta.get("redirect_urls") or [request.url])[0]
            )
        return final.replace(request=request, flags=[*final.flags, "rendered"])

    def _mark_challenges(self, outcome: RenderOutcome, final_capture: CaptureRef) -> None:
        """The challenge answers the browser passed: kept, indexed as what they were."""
        for exchange in outcome.exchanges:
            if exchange.challenge and exchange.capture_id and exchange.capture_id != final_capture.capture_id:
                reason = (
                    f"{exchange.challenge} JavaScript challenge, passed by rendering: the page is capture "
                    f"{final_capture.capture_id} ({final_capture.record_id})"
                )
                self.session.index.set_state(exchange.capture_id, f"blocked:{exchange.challenge}", reason)

    def _provenance(
        self, url: str, why: str, challenge: Challenge | None, outcome: RenderOutcome
    ) -> dict[str, Any]:
        browser = self.browser
        assert browser is not None
        from archive_store.crawl.render.browser import VIEWPORT  # noqa: PLC0415

        return {
            "page": url,
            "render_mode": self.mode,
            "render_reason": why,
            "challenge_vendor": challenge.vendor if challenge else None,
            "outcome": outcome.state,
            "outcome_reason": outcome.reason,
            "browser": f"Chromium {browser.version}",
            "browser_executable": browser.executable,
            "browser_flags": list(browser.flags),
            "driver": f"playwright-python {browser.driver_version}",
            "user_agent": browser.user_agent,
            "viewport": VIEWPORT,
            "started": outcome.started,
            "seconds": outcome.seconds,
            "timings": outcome.timings,
            "timed_out": outcome.timed_out,
            "stopped": outcome.state if outcome.stopped else None,
            "navigations": outcome.navigations,
            # sockets the page tried to open that the recorder cannot see, windows it tried to open
            "blocked": outcome.blocked,
            "exchanges": [e.as_json() for e in outcome.exchanges],
            "not_fetched": [e.as_json() for e in outcome.exchanges if e.error],
            "final_record_id": outcome.final_capture.record_id if outcome.final_capture else None,
            "snapshots": [k for k in ("screenshot", "pdf", "dom") if getattr(outcome, k)],
        }

    def _unavailable(self, request: Request, response: Response, challenge: Challenge | None) -> None:
        if not self._said_unavailable:
            self._said_unavailable = True
            logger.error("cannot render %s: Chromium is not installed; %s", response.url, INSTALL_HINT)
        self._inc("archive/render/unavailable")
        if challenge is not None:
            note = f"{challenge.reason}; not rendered: Chromium is not installed"
            self._force_state(request, f"blocked:{challenge.vendor}", note)

    def _force_state(self, request: Request, state: str, reason: str) -> None:
        capture = capture_in(request.meta)
        if capture is not None:
            request.meta[CAPTURE_META] = capture.with_render(render_state=(state, reason))

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(key, count)
