"""What every archiving spider shares: how a page is requested, what it yields, what it follows.

A fetched page becomes an :class:`ArchivedResponse` item (the pipelines classify and extract it);
then the spider follows what belongs to the same page: a ``<meta http-equiv=refresh>`` target and
the frames of a frameset (same hop: they *are* the page), its attachments (next hop), and for a
WeChat article with tracking parameters the canonical ``/s?__biz=…`` URL as well.
"""

from __future__ import annotations

import codecs
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.utils.response import get_meta_refresh
from twisted.python.failure import Failure

from archive_store.crawl.archive_settings import ArchiveSettings, archive_settings
from archive_store.crawl.failures import describe_failure
from archive_store.crawl.render.navigations import (
    LIMIT_STAT,
    NAVIGATIONS_META,
    SEED_META,
    limit_reason,
    navigations_used,
)
from archive_store.crawl.stopping import StopRequested
from archive_store.index.captureref import capture_in
from pipelines.extraction import wechat_urls
from pipelines.items import ArchivedResponse, FetchFailure
from scrapers.links import PageLinks, declared_encoding
from scrapers.linkscan import LinkScanner
from scrapers.mediafollow import MEDIA_META, MediaFollowing
from scrapers.statuses import NON_REDIRECT_STATUSES

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler


class ArchivingSpider(MediaFollowing, scrapy.Spider):
    """Base of the `urls` and `listing` spiders (no `name`: Scrapy does not list it)."""

    # The spider follows meta refreshes itself, so the refresh page reaches the pipelines and is
    # classified `redirect:meta-refresh` instead of staying an unexplained "ok" capture.
    custom_settings = {"METAREFRESH_ENABLED": False}  # noqa: RUF012 (Scrapy's class attribute)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._requested: set[str] = set()
        self.link_scanner = LinkScanner(0)  # a crawler's spider gets one from its settings

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.link_scanner = LinkScanner.from_crawler(crawler)
        return spider

    @property
    def archive(self) -> ArchiveSettings:
        """The crawl's archive settings (read once, when the crawl has started); a spider given
        settings without a crawler (tests) reads them each time."""
        crawler = getattr(self, "crawler", None)
        return (
            archive_settings(crawler) if crawler is not None else ArchiveSettings.from_settings(self.settings)
        )

    def page_request(
        self,
        url: str,
        hop: int = 0,
        parent: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        meta: dict[str, Any] | None = None,
    ) -> scrapy.Request:
        # dont_filter: every redirect hop is fetched and captured, so a loop runs into
        # REDIRECT_MAX_TIMES and is reported; the spider deduplicates what it asks for itself.
        self._requested.add(url)
        return scrapy.Request(
            url,
            callback=self.parse,
            errback=self.failed,
            dont_filter=True,
            headers=headers,
            meta={
                "archive_hop": hop,
                "archive_parent": parent,
                "handle_httpstatus_list": NON_REDIRECT_STATUSES,
                **(meta or {}),
            },
        )

    async def parse(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        hop = int(response.meta.get("archive_hop", 0))
        if response.meta.get(MEDIA_META):  # a video, a playlist, a segment: no page to extract
            async for request in self.parse_media(response):
                yield request
            return
        item = archived_item(response, "page" if hop == 0 else "attachment")
        yield item  # first: the pipelines start on it while the links are looked for
        if not isinstance(response, TextResponse):
            return
        response = as_browsers_read_it(response)
        for request in self.same_page_requests(response, item):
            yield request
        if hop < self.archive.attachments.hops:
            found = await self.attachment_links(response)
            for request in self.attachment_requests(response, hop, found):
                yield request
            over = self.attachments_over_limit(response, found)
            if over is not None:
                yield over
            for request in self.media_page_requests(response, hop, found.wechat_article):
                yield request

    def same_page_requests(self, response: TextResponse, item: ArchivedResponse) -> Iterator[Any]:
        """Meta-refresh target, frames, canonical WeChat URL: the same hop as the page."""
        hop = int(response.meta.get("archive_hop", 0))
        steps = int(response.meta.get("archive_refresh_steps", 0))
        refresh = _refresh_target(response, self.settings.getfloat("METAREFRESH_MAXDELAY"))
        frames = _frames(response)
        if (refresh or frames) and steps >= self.settings.getint("REDIRECT_MAX_TIMES"):
            reason = f"meta refresh / frame chain too long, gave up after {steps} steps"
            yield FetchFailure(url=item.requested_url, reason=reason, kind="final")
            return
        # a refresh is a redirect: its target keeps the URL first asked for (redirect-home check)
        step: dict[str, Any] = {"archive_refresh_steps": steps + 1}
        follow = [(u, {**step, "archive_requested": item.requested_url}) for u in refresh]
        follow += [(u, step) for u in frames]
        # each is a navigation of the seed: at most ARCHIVE_RENDER_MAX_NAVIGATIONS per seed
        seed = response.meta.get(SEED_META) or item.requested_url
        number = navigations_used(response.meta)
        limit = self.archive.render.max_navigations
        for target, step_meta in follow:
            if target in self._requested:
                continue
            number += 1
            if number > limit:
                yield self.navigation_over_limit(response.url, number, seed, target, limit)
                continue
            meta = {**step_meta, SEED_META: seed, NAVIGATIONS_META: number}
            yield self.page_request(target, hop, response.url, meta=meta)
        canonical = wechat_urls.canonical_article_url(item.requested_url)
        fetch_canonical = self.settings.getbool("WECHAT_FETCH_CANONICAL") and hop == 0
        if fetch_canonical and canonical and canonical not in self._requested:
            yield self.page_request(canonical, hop, item.requested_url)

    def navigation_over_limit(
        self, url: str, number: int, seed: str, target: str, limit: int
    ) -> FetchFailure:
        """A navigation of `seed` past ARCHIVE_RENDER_MAX_NAVIGATIONS, not followed: named in the
        log, the stats and a failure record of the page that asked for it."""
        reason = limit_reason(number, seed, target, limit)
        self.logger.warning("%s: %s", url, reason)
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(LIMIT_STAT)
        return FetchFailure(url=url, reason=reason, kind="limit")

    async def attachment_links(self, response: TextResponse) -> PageLinks:
        """Linked documents and body images of the page (scanned in the link-scan worker)."""
        extensions = self.archive.attachments.extensions
        # the body as fetched, not response.text: decoding the page (and, without a declared
        # charset, guessing it) costs more than the whole scan; the few links found are decoded
        content_type = response.headers.get(b"Content-Type")
        return await self.link_scanner.links(response.body, response.url, content_type, extensions)

    def attachment_requests(
        self, response: TextResponse, hop: int, found: PageLinks
    ) -> Iterator[scrapy.Request]:
        """Requests for the links `found` on the page, not yet asked for (WeChat images with
        the Referer mmbiz wants)."""
        image_hosts = self.settings.getlist("WECHAT_IMAGE_HOSTS")
        headers, meta = wechat_urls.image_request_headers(self.settings.get("WECHAT_IMAGE_REFERER") or "")
        cap = self.archive.attachments.per_page
        # a document of the page descends from its seed: a render of it spends the seed's navigations
        seed = response.meta.get(SEED_META) or archived_requested(response)
        lineage = {SEED_META: seed, NAVIGATIONS_META: navigations_used(response.meta)}
        followed = 0
        for link in found.links:
            if link in self._requested:
                continue
            if cap > 0 and followed >= cap:
                break
            followed += 1
            if found.wechat_article or wechat_urls.is_wechat_image_host(link, image_hosts):
                yield self.page_request(
                    link, hop + 1, response.url, headers=headers, meta={**meta, **lineage}
                )
            else:
                yield self.page_request(link, hop + 1, response.url, meta=lineage)

    def attachments_over_limit(self, response: TextResponse, found: PageLinks) -> FetchFailure | None:
        """More documents linked than ARCHIVE_ATTACHMENTS_PER_PAGE: the ones not followed are
        named in the log, the stats and a failure record of the page (the page itself is kept)."""
        cap = self.archive.attachments.per_page
        if cap <= 0 or len(found.links) <= cap:
            return None
        left = [link for link in found.links if link not in self._requested]
        if not left:
            return None
        reason = (
            f"attachments-per-page limit: {len(found.links)} documents linked, at most {cap} followed "
            f"(ARCHIVE_ATTACHMENTS_PER_PAGE); not followed: {len(left)}, the first {left[0]}"
        )
        self.logger.warning("%s: %s", response.url, reason)
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("archive/attachments/over_limit", len(left))
            self.crawler.stats.inc_value("archive/attachments/pages_over_limit")
        return FetchFailure(url=response.url, reason=reason, kind="limit")

    def failed(self, failure: Failure) -> Any:
        if isinstance(failure.value, StopRequested):  # Ctrl-C: not failed; the next run fetches it
            return
        request = failure.request  # type: ignore[attr-defined]
        chain = request.meta.get("redirect_urls") or []
        url = chain[0] if chain else request.url
        reason = describe_failure(failure.value or RuntimeError(str(failure)), request)
        if chain and "redirect" in str(failure.value).lower():
            hops = " -> ".join([*chain, request.url])
            reason = f"redirect loop or chain too long, gave up after {len(chain)} hops ({hops})"
        self.media_failed(request, reason)
        yield FetchFailure(url=url, reason=reason, kind="final")


def _refresh_target(response: TextResponse, max_delay: float) -> list[str]:
    """The URL a ``<meta http-equiv=refresh>`` sends the reader to (not a self-reload)."""
    # get_meta_refresh decodes and scans the head: skip it for the many pages without the word
    if b"refresh" not in response.body[:8192].lower():
        return []
    try:
        delay, url = get_meta_refresh(response)
    except ValueError:  # a malformed refresh value is no redirect
        return []
    if url is None or delay is None or delay > max_delay or url.split("#")[0] == response.url:
        return []
    return [url] if url.startswith(("http://", "https://")) else []


def _frames(response: TextResponse) -> list[str]:
    """Frames of a ``<frameset>`` page: its content lives there."""
    if b"frameset" not in response.body[:65536].lower():
        return []
    sources = response.xpath("//frameset//frame/@src").getall()
    urls = (response.urljoin(src.strip()) for src in sources if src.strip())
    return list(dict.fromkeys(u for u in urls if u.startswith(("http://", "https://"))))


def archived_item(response: Response, kind: str) -> ArchivedResponse:
    capture = capture_in(response.meta)
    headers = [
        (k.decode("latin-1"), v.decode("latin-1")) for k, values in response.headers.items() for v in values
    ]
    requested = archived_requested(response)
    return ArchivedResponse(
        url=response.url,
        requested_url=requested,
        status=response.status,
        headers=headers,
        body=response.body,
        capture=capture,
        hop=int(response.meta.get("archive_hop", 0)),
        kind=kind,
        flags=list(response.flags),
    )


def archived_requested(response: Response) -> str:
    """The URL first asked for: a meta-refresh/frame target carries it (redirect-home detection)."""
    redirects = response.meta.get("redirect_urls") or []
    return str(response.meta.get("archive_requested") or (redirects[0] if redirects else response.url))


def as_browsers_read_it(response: TextResponse) -> TextResponse:
    """`response`, decoded as a browser would: a page labelled GBK/GB2312 (which Scrapy, through
    w3lib, decodes with Python's `gbk`) is read as GB18030, Big5 as Big5-HKSCS. Only the label
    is looked at (no body is decoded to decide), and the response is copied only when it differs."""
    declared = declared_encoding(response.body, response.headers.get(b"Content-Type"))
    if declared is None or declared == codecs.lookup(response.encoding).name:
        return response
    return response.replace(encoding=declared)
