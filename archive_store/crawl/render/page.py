"""One page rendered in the site's browser context, every request fetched by Scrapy's downloader.

CDP `Fetch` pauses each request at the request stage (redirect hops included, which Playwright's
`page.route` never sees); each becomes a Scrapy request through the crawler's engine — so the
recording download handler writes it as WARC records, deduplicated and indexed like any capture —
and the browser is answered (`Fetch.fulfillRequest`) with the decoded body. The first navigation
is answered from the response already fetched: the challenge is not fetched twice.

Cookies: the context's jar is the only jar of a rendered site. A paused request carries no Cookie
header (the network stack adds it later, and never runs here): the context's cookies for the URL
(`Network.getCookies`, HttpOnly ones included) are sent, with `dont_merge_cookies` so Scrapy's own
jar adds nothing; the Set-Cookie headers go back to the browser in the fulfilled response.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import http
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urldefrag

import scrapy

from archive_store.crawl.archive_settings import SnapshotKind
from archive_store.crawl.render.browser import CALL_SECONDS
from archive_store.index.captureref import CaptureRef, capture_in

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from playwright.async_api import CDPSession, Page
    from scrapy.http import Response

    from archive_store.crawl.render.browser import Tab

logger = logging.getLogger(__name__)


class Challenge(Protocol):
    """What the detector (ARCHIVE_RENDER_DETECTOR, by default
    pipelines.extraction.render_detect.challenge_of) says of an answer that is not the page."""

    @property
    def vendor(self) -> str: ...

    @property
    def reason(self) -> str: ...

    @property
    def is_captcha(self) -> bool: ...


# (url, status, headers, body) -> the challenge, or None for a page

# never handed to the browser: the body it gets is decoded and whole
_DROP_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
# after `load`, no request in flight for this long: the network is idle (the page's late XHR and
# images have started by then; Playwright's "networkidle" waits 0.5 s, a tenth of a second per
# page more than the whole load of a small notice)
IDLE_SECONDS = 0.1
_POLL_SECONDS = 0.05  # how often a content selector is looked for
# a 50 ms timer run by the page's renderer before a quiet, loaded page is declared done
_RENDERER_TURN = {"expression": "new Promise(r => setTimeout(r, 50))", "awaitPromise": True}
_RECHECK_SECONDS = 0.25  # the longest a wait for `load` or a request goes without a look
_STUCK_SECONDS = 3.0  # a challenge page that asks for nothing more for this long has given up
_PROBE_SECONDS = 5.0  # a renderer that cannot evaluate `1` in this long is stuck in a script
# after the deadline, what the snapshots of a page that settled may still take: the render's hard
# end, which no page script can move
SNAPSHOT_GRACE_SECONDS = 15.0

# Why a render was stopped (RenderOutcome.state), each with the words the failure record starts with
STOPPED = {
    "render-timeout": "the page's scripts kept the browser busy past the render's deadline",
    "navigation-limit": "its seed navigated more than ARCHIVE_RENDER_MAX_NAVIGATIONS times",
    "popup": "the page opened a window",
    "memory-limit": "the page's renderer used more memory than ARCHIVE_RENDER_MEMORY_MB",
    "renderer-crashed": "the page's renderer process ended",
}


SNAPSHOT_KINDS = tuple(kind.value for kind in SnapshotKind)  # ARCHIVE_RENDER_SNAPSHOTS
MAX_SCREENSHOT_PIXELS = 16384  # Chromium's largest capture side; a longer page is cut there
# Playwright's page.pdf(format="A4", print_background=True), as CDP takes it (inches, 1 cm margins)
A4_PDF = {
    "paperWidth": 8.27,
    "paperHeight": 11.7,
    "printBackground": True,
    "marginTop": 0.4,
    "marginBottom": 0.4,
    "marginLeft": 0.4,
    "marginRight": 0.4,
    "preferCSSPageSize": False,
}


def challenge_in(
    detect: Callable[[str, int, list[tuple[str, str]], bytes], Challenge | None], response: Response
) -> Challenge | None:
    """What the detector says of a Scrapy response (headers as text pairs, as it takes them)."""
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, vs in response.headers.items() for v in vs]
    return detect(response.url, response.status, headers, response.body)


def reason_phrase(status: int) -> str:
    """CDP refuses some codes (521) without a phrase: always give one."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def fulfil_headers(response: Response) -> list[dict[str, str]]:
    """The response's headers for `Fetch.fulfillRequest`: framing/encoding headers dropped (the
    body is decoded), repeated Set-Cookie joined with newlines as CDP wants them."""
    out: list[dict[str, str]] = []
    for raw_name, raw_values in response.headers.items():
        name = raw_name.decode("latin-1")
        if name.lower() in _DROP_HEADERS:
            continue
        values = [v.decode("utf-8", "replace") for v in raw_values]
        if name.lower() == "set-cookie":
            out.append({"name": name, "value": "\n".join(values)})
        else:
            out.extend({"name": name, "value": value} for value in values)
    return out


@dataclass
class Exchange:
    """One request the browser made, as it went."""

    url: str
    method: str
    resource_type: str
    main_document: bool
    status: int | None = None
    record_id: str | None = None
    capture_id: int | None = None
    challenge: str | None = None
    error: str | None = None
    answered_from: str = "downloader"  # or "first-response" for the first navigation
    seconds: float | None = None  # the fetch by Scrapy's downloader, recording included

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class RenderOutcome:
    """What a render ended with. `state`: ok | partial (timed out on the good page) | challenged
    | captcha | failed, or a reason the render was stopped (STOPPED: render-timeout …): then
    `final` is the last good document if any, without snapshots."""

    state: str
    reason: str
    vendor: str | None = None
    final: Response | None = None
    final_capture: CaptureRef | None = None
    exchanges: list[Exchange] = field(default_factory=list)
    screenshot: bytes | None = None
    pdf: bytes | None = None
    dom: str | None = None
    timed_out: bool = False
    started: str = ""
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds from the start, by step
    # sockets the page tried to open that the recorder cannot see (WebRTC, WebTransport), windows
    blocked: list[dict[str, str]] = field(default_factory=list)
    navigations: int = 0  # main-frame navigations after the first

    @property
    def stopped(self) -> bool:
        return self.state in STOPPED


@dataclass
class _Doc:
    response: Response
    capture: CaptureRef | None
    challenge: Challenge | None


class PageRender:
    """Render `first.url` in `tab` (a page of the site's context, interception on); `download`
    fetches a Scrapy request through the engine. Done = the last main-frame document is 2xx and
    no challenge, and either `load` fired with no request in flight for `idle_seconds`, or the
    profile's content selector (`ready_selector`) is in the page."""

    def __init__(
        self,
        tab: Tab,
        download: Callable[[scrapy.Request], Awaitable[Response]],
        detect: Callable[[str, int, list[tuple[str, str]], bytes], Challenge | None],
        first: Response,
        first_capture: CaptureRef | None,
        *,
        deadline: float,
        max_rounds: int,
        snapshots: frozenset[str],
        hop: int = 0,
        parent: str | None = None,
        ready_selector: str | None = None,
        idle_seconds: float = IDLE_SECONDS,
        max_navigations: int = 20,
        seed: str | None = None,
        navigations_before: int = 0,
        killed_for_memory: Callable[[float], bool] | None = None,
    ) -> None:
        self.tab = tab
        self.ready_selector = ready_selector
        self.idle_seconds = idle_seconds
        self.download = download
        self.detect = detect
        self.first: Response | None = first
        self.first_capture = first_capture
        self.url = first.url
        self.deadline_seconds = deadline
        self.max_rounds = max_rounds
        self.snapshots = snapshots  # of SNAPSHOT_KINDS: what is kept of the rendered page
        self.hop = hop
        self.parent = parent  # the page's own parent (its documents are the page, not its children)
        self.exchanges: list[Exchange] = []
        self._pending = 0
        self._last_activity = time.monotonic()
        self._wake = asyncio.Event()  # something the render waits on may have changed
        self._last_doc: _Doc | None = None
        self._rounds = 0
        self._closing = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._main_frame = tab.main_frame
        self._cdp: CDPSession | None = tab.cdp
        self._deadline_at = 0.0
        self._clock = 0.0
        self.timings: dict[str, float] = {}
        self.max_navigations = max_navigations  # what is left of the seed's budget
        self.seed = seed or first.url
        self.navigations_before = navigations_before  # the seed's navigations before this render
        self.killed_for_memory = killed_for_memory
        self.navigations = 0
        self.blocked: list[dict[str, str]] = []
        self._stop: tuple[str, str] | None = None  # (STOPPED name, what happened)
        self._stopped_event = asyncio.Event()
        self._hard_at = 0.0

    def stop(self, name: str, detail: str) -> None:
        """End the render at once (the first reason wins)."""
        if self._stop is None:
            self._stop = (name, detail)
            logger.warning("render of %s stopped, %s: %s (%s)", self.url, name, STOPPED[name], detail)
        self._stopped_event.set()
        self._wake.set()

    def _reported(self, kind: str, detail: str) -> None:
        """What the tab heard: a blocked socket, a window, a crash."""
        if kind == "crash":
            killed = self.killed_for_memory is not None and self.killed_for_memory(self._clock)
            if killed:
                self.stop("memory-limit", "its renderer process was killed at the limit")
            else:
                self.stop("renderer-crashed", detail)
            return
        if len(self.blocked) < 100:
            self.blocked.append(
                {"kind": kind, "detail": detail, "at": f"{time.monotonic() - self._clock:.3f}"}
            )
        if kind == "popup":
            self.stop("popup", detail)

    def _mark(self, step: str) -> None:
        self.timings[step] = round(time.monotonic() - self._clock, 3)

    async def run(self) -> RenderOutcome:
        started = datetime.now(UTC)
        clock = self._clock = time.monotonic()
        self._deadline_at = clock + self.deadline_seconds
        # the hard end: every call to the page's renderer is bounded by it, and the render as a whole
        self._hard_at = self._deadline_at + SNAPSHOT_GRACE_SECONDS
        tab = self.tab
        tab.render = self._on_paused
        tab.on_load = self._wake.set
        tab.on_report = self._reported
        try:
            outcome = await asyncio.wait_for(self._render(tab.page), self._hard_at - clock + 1)
        except TimeoutError:  # a step no bound caught: the render ends all the same
            outcome = self._stopped("render-timeout", "the render passed its hard end")
        except BaseException:
            tab.reusable = False
            raise
        finally:
            self._closing = True
            tab.render = None
            tab.on_load = None
            tab.on_report = None
        if outcome.timed_out or self._pending or outcome.stopped:
            tab.reusable = False  # requests of this page are still in flight: not for the next one
        outcome.blocked = self.blocked
        outcome.navigations = self.navigations
        outcome.exchanges = self.exchanges
        outcome.timings = self.timings
        outcome.started = started.isoformat().replace("+00:00", "Z")
        outcome.seconds = round(time.monotonic() - clock, 3)
        return outcome

    async def _render(self, page: Page) -> RenderOutcome:
        cdp = self._cdp
        assert cdp is not None
        try:
            await self._bounded(cdp.send("Page.navigate", {"url": self.url}), self._deadline_at)
        except TimeoutError:
            return self._stopped("render-timeout", "the navigation did not start before the deadline")
        self._mark("navigated")
        timed_out = not await self._settle(cdp)
        self._mark("settled")
        if self._stop is not None:
            return self._stopped(*self._stop)
        if timed_out and not await self._responsive(cdp):
            return self._stopped(
                "render-timeout", f"no answer from the page after {self.deadline_seconds:g} s"
            )
        doc = self._last_doc
        good = doc is not None and doc.challenge is None and 200 <= doc.response.status < 300
        if doc is not None and doc.challenge is not None and doc.challenge.is_captcha:
            reason = doc.challenge.reason + "; rendered, not solved"
            return RenderOutcome("captcha", reason, doc.challenge.vendor)
        if not good or doc is None:
            vendor = doc.challenge.vendor if doc and doc.challenge else None
            why = "the render timed out" if timed_out else f"after {self._rounds} challenge rounds"
            if doc is not None and doc.challenge is None:
                why += f", last answer HTTP {doc.response.status}"
            # the challenge's own reason first (it names the vendor, as an unrendered capture's does)
            said = f"{doc.challenge.reason}; " if doc is not None and doc.challenge is not None else ""
            return RenderOutcome(
                "challenged", f"{said}rendered, still challenged ({why})", vendor, timed_out=timed_out
            )
        outcome = RenderOutcome(
            "partial" if timed_out else "ok",
            "rendered; the page never finished loading, kept what had come" if timed_out else "rendered",
            final=doc.response,
            final_capture=doc.capture,
            timed_out=timed_out,
        )
        if self.snapshots:
            await self._snapshot(page, outcome)
            if self._stop is not None:  # a snapshot found the renderer stuck (or gone)
                kept = self._stopped(*self._stop)
                kept.screenshot, kept.pdf, kept.dom = outcome.screenshot, outcome.pdf, outcome.dom
                return kept
        return outcome

    def _stopped(self, name: str, detail: str) -> RenderOutcome:
        """The render was stopped: what came so far is kept (the exchanges are in the WARC
        already); the last good main-frame document, if any, is the page."""
        if self._stop is None:
            self._stop = (name, detail)
            logger.warning("render of %s stopped, %s: %s (%s)", self.url, name, STOPPED[name], detail)
        name, detail = self._stop
        reason = f"{name}: {STOPPED[name]} ({detail}); kept what had come"
        doc = self._last_doc
        good = doc is not None and doc.challenge is None and 200 <= doc.response.status < 300
        if doc is None or not good:
            vendor = doc.challenge.vendor if doc is not None and doc.challenge is not None else None
            if doc is not None and doc.challenge is not None:
                reason = f"{doc.challenge.reason}; rendered, still challenged ({reason})"
            return RenderOutcome(name, reason, vendor, timed_out=name == "render-timeout")
        return RenderOutcome(
            name, reason, final=doc.response, final_capture=doc.capture, timed_out=name == "render-timeout"
        )

    async def _bounded(self, awaitable: Awaitable[Any], until: float) -> Any:
        """A call to the page's renderer, given up at `until` (a page script can keep a renderer
        from ever answering) or as soon as the render is stopped (a crashed renderer never
        answers either): TimeoutError then."""
        call = asyncio.ensure_future(awaitable)
        stopped = asyncio.ensure_future(self._stopped_event.wait())
        try:
            await asyncio.wait(
                {call, stopped}, timeout=max(0.05, until - time.monotonic()), return_when="FIRST_COMPLETED"
            )
        finally:
            stopped.cancel()
        if not call.done():
            call.cancel()
            raise TimeoutError
        return call.result()

    async def _responsive(self, cdp: CDPSession) -> bool:
        """Whether the renderer still runs anything but the page's own script."""
        try:
            await asyncio.wait_for(cdp.send("Runtime.evaluate", {"expression": "1"}), _PROBE_SECONDS)
        except TimeoutError:
            return False
        except Exception:  # a navigation replaced the document meanwhile: it answers
            return True
        return True

    async def _settle(self, cdp: CDPSession) -> bool:
        """Wait until the page is done: last main-frame document 2xx and no challenge, `load`
        fired, no request in flight. False when the deadline came first.

        Woken by what can change the answer (a request ending, a document judged, the tab's
        `load` event) or by the time the quiet spell still needs, not by a fixed poll: each
        `document.readyState` check is a CDP round trip through the driver."""
        while True:
            now = time.monotonic()
            if self._stop is not None:
                return True
            if now >= self._deadline_at:
                return False
            self._wake.clear()
            doc = self._last_doc
            since = now - self._last_activity
            quiet = self._pending == 0 and since >= self.idle_seconds
            wait = _RECHECK_SECONDS
            if doc is not None and doc.challenge is not None:
                if doc.challenge.is_captcha or self._rounds > self.max_rounds:
                    return True
                if self._pending == 0 and since >= _STUCK_SECONDS:
                    return True  # the challenge script did nothing more
                if self._pending == 0:
                    wait = _STUCK_SECONDS - since
            elif doc is not None:
                if (quiet or self.ready_selector) and await self._ready(cdp, quiet):
                    return True
                if self.ready_selector:
                    wait = _POLL_SECONDS  # the element may be put in by a script at any time
                elif self._pending == 0 and not quiet:
                    wait = self.idle_seconds - since
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(0.005, min(wait, self._deadline_at - now)))

    async def _ready(self, cdp: CDPSession, quiet: bool) -> bool:
        """`load` fired (and the network is quiet), or the profile's content selector is there."""
        selector = json.dumps(self.ready_selector or "")
        expression = (
            f"[document.readyState, {selector} ? document.querySelector({selector}) !== null : false]"
        )
        try:
            found = await self._bounded(
                cdp.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}),
                self._deadline_at,
            )
        except Exception:  # a navigation replaced the document meanwhile, or the deadline came
            return False
        state, has_content = found.get("result", {}).get("value") or ["", False]
        if has_content:
            self._mark("content_selector")
            return True
        if not (quiet and state == "complete"):
            return False
        # The quiet spell is timed here, but a busy renderer may not yet have run what the last
        # answers started (an XHR's promise filling the page). A timer in the page itself starts
        # only when the renderer gets to it, so it waits longer exactly when the renderer is slow;
        # a request begun meanwhile means the page is not done.
        activity = self._last_activity
        try:
            await self._bounded(cdp.send("Runtime.evaluate", _RENDERER_TURN), self._deadline_at)
        except TimeoutError:
            return False  # the renderer is busy past the deadline
        except Exception:
            logger.debug("render %s: the renderer's turn was cut short", self.url)
        return self._pending == 0 and self._last_activity == activity

    async def _snapshot(self, page: Page, outcome: RenderOutcome) -> None:
        """Full-page PNG, A4 PDF, the rendered DOM: each kept when it could be made.

        Straight CDP calls rather than Playwright's `screenshot(full_page=True)` (which resizes the
        viewport, waits for fonts and animation frames, and sets it back: several round trips) and
        `pdf()`; `optimizeForSpeed` picks the faster PNG encoder (lossless all the same). Each is
        bounded by the render's hard end: a renderer a script keeps busy (a timer started after
        `load`) answers none of them, and the render ends as `render-timeout` with what was made."""
        cdp = self._cdp
        assert cdp is not None
        # all of them: the deadline's remainder plus 15 s (the hard end)
        until = self._hard_at
        steps: list[tuple[str, Callable[[], Awaitable[None]]]] = []
        if "dom" in self.snapshots:
            steps.append(("dom", lambda: self._dom(page, outcome, until)))
        if "screenshot" in self.snapshots:
            steps.append(("screenshot", lambda: self._screenshot(cdp, outcome, until)))
        if "pdf" in self.snapshots:
            steps.append(("pdf", lambda: self._pdf(cdp, outcome, until)))
        for kind, step in steps:
            try:
                await step()
            except TimeoutError:
                self.stop("render-timeout", f"no answer from the page while making its {kind}")
                return
            except Exception as exc:  # the page went away under us: the others are tried
                logger.debug("render %s: no %s (%s)", self.url, kind, exc)
            self._mark(kind)

    async def _dom(self, page: Page, outcome: RenderOutcome, until: float) -> None:
        outcome.dom = await self._bounded(page.content(), until)

    async def _pdf(self, cdp: CDPSession, outcome: RenderOutcome, until: float) -> None:
        printed = await self._bounded(cdp.send("Page.printToPDF", A4_PDF), until)
        outcome.pdf = base64.b64decode(printed["data"])

    async def _screenshot(self, cdp: CDPSession, outcome: RenderOutcome, until: float) -> None:
        metrics = await self._bounded(cdp.send("Page.getLayoutMetrics"), until)
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        clip = {
            "x": 0,
            "y": 0,
            "width": max(1, min(int(size["width"]), MAX_SCREENSHOT_PIXELS)),
            "height": max(1, min(int(size["height"]), MAX_SCREENSHOT_PIXELS)),
            "scale": 1,
        }
        shot = await self._bounded(
            cdp.send(
                "Page.captureScreenshot",
                {"format": "png", "clip": clip, "captureBeyondViewport": True, "optimizeForSpeed": True},
            ),
            until,
        )
        outcome.screenshot = base64.b64decode(shot["data"])

    # interception ------------------------------------------------------------------------------
    def _on_paused(self, event: dict[str, Any]) -> None:
        task = asyncio.ensure_future(self._answer(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer(self, event: dict[str, Any]) -> None:
        cdp = self._cdp
        assert cdp is not None
        request_id = event["requestId"]
        request = event["request"]
        url = request["url"]
        main = event.get("resourceType") == "Document" and event.get("frameId") == self._main_frame
        exchange = Exchange(url, request.get("method", "GET"), event.get("resourceType", ""), main)
        self._pending += 1
        self._last_activity = time.monotonic()
        try:
            if not url.startswith(("http://", "https://")) or self._closing or self._stop is not None:
                exchange.error = "not fetched (not http, or the render had ended)"
                await _fail(cdp, request_id, "BlockedByClient")
                return
            if main and not self._is_first(exchange):
                self.navigations += 1
                if self.navigations > self.max_navigations:
                    number = self.navigations_before + self.navigations
                    exchange.error = f"not fetched: navigation {number} from seed {self.seed}"[:300]
                    self.exchanges.append(exchange)
                    detail = f"{number} navigations from seed {self.seed}, the last to {url} not followed"
                    self.stop("navigation-limit", detail[:300])
                    await _fail(cdp, request_id, "BlockedByClient")
                    return
            self.exchanges.append(exchange)
            response, capture = await self._response_for(event, exchange)
            if response is None:
                await _fail(cdp, request_id, "Failed")
                return
            exchange.status = response.status
            if capture:
                exchange.record_id = capture.record_id
                exchange.capture_id = capture.capture_id
            if main:
                self._judge_document(response, capture, exchange)
            await cdp.send(
                "Fetch.fulfillRequest",
                {
                    "requestId": request_id,
                    "responseCode": response.status,
                    "responsePhrase": reason_phrase(response.status),
                    "responseHeaders": fulfil_headers(response),
                    "body": base64.b64encode(response.body).decode("ascii"),
                },
            )
        except Exception as exc:  # the page closed under us, or the browser went away
            exchange.error = exchange.error or f"{type(exc).__name__}: {exc}"[:300]
            logger.debug("render %s: %s: %s", self.url, url, exc)
        finally:
            self._pending -= 1
            self._last_activity = time.monotonic()
            self._wake.set()

    def _is_first(self, exchange: Exchange) -> bool:
        """The first navigation, answered from the response already fetched."""
        first = self.first
        return (
            exchange.main_document
            and first is not None
            and urldefrag(exchange.url)[0] == urldefrag(first.url)[0]
        )

    def _judge_document(self, response: Response, capture: CaptureRef | None, exchange: Exchange) -> None:
        if 300 <= response.status < 400:
            return  # the browser follows the hop; the document is what comes next
        challenge = challenge_in(self.detect, response)
        self._mark(f"document_{len(self.timings)}_{response.status}")
        if challenge is not None:
            self._rounds += 1
            exchange.challenge = challenge.vendor
        self._last_doc = _Doc(response, capture, challenge)

    async def _response_for(
        self, event: dict[str, Any], exchange: Exchange
    ) -> tuple[Response | None, CaptureRef | None]:
        first = self.first
        if self._is_first(exchange) and first is not None:
            self.first = None  # the first navigation: the answer already fetched
            exchange.answered_from = "first-response"
            return first, self.first_capture
        # the page's own documents keep its hop; its scripts, images, XHR and other navigations
        # are one hop further (a re-check then re-checks the page, not its favicon)
        same_page = exchange.main_document and urldefrag(exchange.url)[0] == urldefrag(self.url)[0]
        if same_page:
            scrapy_request = await self._scrapy_request(event, self.hop, self.parent)
        else:
            scrapy_request = await self._scrapy_request(event, self.hop + 1, self.url)
        fetch_started = time.monotonic()
        try:
            response = await self.download(scrapy_request)
        except Exception as exc:  # a failed fetch is in the index already (recording handler)
            exchange.error = f"{type(exc).__name__}: {exc}"[:300]
            return None, None
        finally:
            exchange.seconds = round(time.monotonic() - fetch_started, 3)
        return response, capture_in(scrapy_request.meta)

    async def _scrapy_request(self, event: dict[str, Any], hop: int, parent: str | None) -> scrapy.Request:
        assert self._cdp is not None
        request = event["request"]
        url = request["url"]
        headers = {k: v for k, v in request.get("headers", {}).items() if k.lower() not in ("cookie", "host")}
        found = await asyncio.wait_for(self._cdp.send("Network.getCookies", {"urls": [url]}), CALL_SECONDS)
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in found.get("cookies", []))
        if cookies:
            headers["Cookie"] = cookies
        body = _post_data(request)
        left = max(1.0, self._deadline_at - time.monotonic())
        return scrapy.Request(
            urldefrag(url)[0],
            method=request.get("method", "GET"),
            headers=headers,
            body=body,
            dont_filter=True,
            meta={
                "archive_render_sub": True,  # no render of its own, no resume from the archive
                "dont_redirect": True,  # the browser follows each hop (each one is captured)
                "dont_retry": True,  # the browser's request is sent once, as a browser would
                "dont_merge_cookies": True,  # the context's jar is the only jar
                "handle_httpstatus_all": True,
                "download_timeout": left,
                "archive_hop": hop,
                "archive_parent": parent,
            },
        )


def _post_data(request: dict[str, Any]) -> bytes | None:
    entries = request.get("postDataEntries")
    if entries:
        return b"".join(base64.b64decode(e.get("bytes", "")) for e in entries)
    data = request.get("postData")
    return data.encode("utf-8") if isinstance(data, str) else None


async def _fail(cdp: CDPSession, request_id: str, reason: str) -> None:
    with contextlib.suppress(Exception):
        await cdp.send("Fetch.failRequest", {"requestId": request_id, "errorReason": reason})
