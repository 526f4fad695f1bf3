"""A rendered site's session, on Scrapy's side too: the browser context's cookie jar and user agent.

Once a page of a site has been rendered, the site's browser context holds its clearance cookies
(`__jsl_clearance_s`, `wzws_cid`, `acw_sc__v2`, Ruishu's pair…). Every later request Scrapy makes to
that site — the next notice, a listing page, an attachment — is sent with the context's cookies for
its URL and the browser's user agent, with `dont_merge_cookies` so Scrapy's own jar adds nothing,
and the `Set-Cookie` headers of its answer (each redirect hop's included) go back into the context.
The context's jar is then the only jar of a rendered site, and one user agent speaks for the whole
site session on both sides: a site whose clearance holds answers the next page directly, with no
second render. Requests to a site that was never rendered are left alone (a dictionary lookup).

A request that will be rendered anyway (`--render always`, `--screenshot`, a profile's
`render = true`) opens the site's context before its first fetch, so even that first fetch speaks
with the browser's user agent.

Downloader middleware 650: after UserAgentMiddleware (500), before CookiesMiddleware (700) on the
way out; on the way back it sees every answer before RedirectMiddleware (600) follows it.
"""

from __future__ import annotations

import asyncio
import logging
import urllib.request
from http.cookiejar import Cookie, CookieJar, DefaultCookiePolicy
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

from scrapy.exceptions import NotConfigured

from archive_store.crawl.archive_settings import RenderSettings, archive_settings
from archive_store.crawl.render.browser import CALL_SECONDS, RenderBrowser, find_chromium
from archive_store.crawl.warcinfo import package_version

if TYPE_CHECKING:
    from typing import Self

    from playwright.async_api import BrowserContext
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

PRIORITY = 650
# request.meta: set on a request sent with a site session (what it had before, to undo on leaving)
SESSION_META = "archive_site_session"
_BROWSERS: WeakKeyDictionary[Crawler, RenderBrowser | None] = WeakKeyDictionary()


def browser_for(crawler: Crawler) -> RenderBrowser | None:
    """The crawl's one browser (not started until the first render), shared by the render and the
    site-session middlewares; None without Chromium."""
    if crawler not in _BROWSERS:
        render = archive_settings(crawler).render
        executable = find_chromium(render.chromium)
        token = f"sourcekeeper/{package_version('sourcekeeper')}"
        browser = RenderBrowser(executable, token, render.contexts, render.memory_mb) if executable else None
        _BROWSERS[crawler] = browser
    return _BROWSERS[crawler]


def render_settings(crawler: Crawler) -> RenderSettings:
    """The crawl's render settings; NotConfigured (the component is left out) when the archive is
    off or no page will ever be loaded in the browser."""
    settings = archive_settings(crawler)
    if not settings.enabled or not settings.render.wants_browser:
        raise NotConfigured
    return settings.render


def site_of(url: str) -> str:
    return urlsplit(url).netloc


class _SetCookieHeaders:
    """What http.cookiejar reads of a response: its Set-Cookie headers."""

    def __init__(self, values: list[str]) -> None:
        self.values = values

    def info(self) -> _SetCookieHeaders:
        return self

    def get_all(self, name: str, default: list[str]) -> list[str]:
        return self.values if name.lower() == "set-cookie" else default


def browser_cookies(url: str, set_cookie_headers: list[str]) -> list[dict[str, Any]]:
    """The cookies an answer from `url` sets, as Playwright's `add_cookies` takes them (parsed and
    checked by http.cookiejar: domain, path, Max-Age/Expires; a cookie another site's answer may not
    set is dropped). A host-only cookie keeps the bare host as its domain, as `context.cookies()`
    gives it. A deletion (`Max-Age=0`, a past `Expires`) is dropped by http.cookiejar: the browser
    keeps that cookie until it expires or a rendered page's answer deletes it."""
    policy = DefaultCookiePolicy()
    jar = CookieJar(policy)
    request = urllib.request.Request(url)
    made = jar.make_cookies(_SetCookieHeaders(set_cookie_headers), request)  # type: ignore[arg-type]
    return [_as_browser_cookie(c) for c in made if policy.set_ok(c, request)]


def _as_browser_cookie(cookie: Cookie) -> dict[str, Any]:
    found: dict[str, Any] = {
        "name": cookie.name,
        "value": cookie.value or "",
        "domain": cookie.domain,
        "path": cookie.path or "/",
        "secure": bool(cookie.secure),
        "httpOnly": cookie.has_nonstandard_attr("HttpOnly") or cookie.has_nonstandard_attr("httponly"),
        "expires": float(cookie.expires) if cookie.expires is not None else -1,
    }
    return found


def cookie_header(cookies: list[Any]) -> str:
    return "; ".join(f"{c['name']}={c['value']}" for c in cookies)


class SiteSessionMiddleware:
    def __init__(self, browser: RenderBrowser, render_everything: bool) -> None:
        self.browser = browser
        self.render_everything = render_everything  # --render always / --screenshot
        self.stats: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        render = render_settings(crawler)
        browser = browser_for(crawler)
        if browser is None:
            raise NotConfigured  # no Chromium: no render, so no rendered site (the render middleware says so)
        middleware = cls(browser, render.renders_everything)
        middleware.stats = crawler.stats
        return middleware

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        meta = request.meta
        if meta.get("archive_render_sub") or meta.get("dont_render"):
            return  # the render sends the context's cookies itself
        site = site_of(request.url)
        context = self.browser.existing_context(site)
        try:
            if context is None and (self.render_everything or meta.get("archive_render")):
                context = await self.browser.context_for(site)
            found = context.cookies([request.url]) if context is not None else None
            cookies = await asyncio.wait_for(found, CALL_SECONDS) if found is not None else None
        except Exception as exc:  # the browser is gone (crashed, or cannot start): the render says so
            logger.debug("%s: no site session (%s)", request.url, exc)
            cookies = None
        if cookies is None:
            _leave_session(request)  # a redirect out of a rendered site: the crawl's own again
            return
        if SESSION_META not in meta:  # what to put back if a redirect leaves the site
            meta[SESSION_META] = {
                "user_agent": request.headers.get(b"User-Agent"),
                "merged_cookies": not meta.get("dont_merge_cookies"),
            }
        request.headers[b"User-Agent"] = self.browser.user_agent
        if cookies:
            request.headers[b"Cookie"] = cookie_header(cookies)
        else:
            request.headers.pop(b"Cookie", None)
        meta["dont_merge_cookies"] = True
        if self.stats is not None:
            self.stats.inc_value("archive/render/session_requests")

    async def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if request.meta.get(SESSION_META) and not request.meta.get("archive_render_sub"):
            values = [v.decode("latin-1") for v in response.headers.getlist(b"Set-Cookie")]
            context = self.browser.existing_context(site_of(response.url)) if values else None
            if context is not None:
                await _add_cookies(context, browser_cookies(response.url, values))
        return response


def _leave_session(request: Request) -> None:
    """A request that inherited a rendered site's session (RedirectMiddleware copies meta and
    headers to the next hop) but goes to another site: the crawl's user agent and jar again."""
    before = request.meta.pop(SESSION_META, None)
    if not before:
        return
    if before.get("user_agent"):
        request.headers[b"User-Agent"] = before["user_agent"]
    else:
        request.headers.pop(b"User-Agent", None)
    request.headers.pop(b"Cookie", None)  # the other site's cookies never travel on
    if before.get("merged_cookies"):
        request.meta.pop("dont_merge_cookies", None)


async def _add_cookies(context: BrowserContext, cookies: list[dict[str, Any]]) -> None:
    for cookie in cookies:  # one at a time: a cookie the browser refuses leaves the others set
        try:
            await asyncio.wait_for(context.add_cookies([cookie]), CALL_SECONDS)  # type: ignore[list-item]
        except Exception as exc:
            logger.debug("the browser refused cookie %s: %s", cookie.get("name"), exc)
