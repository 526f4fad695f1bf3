"""Following the video and audio of an archived page, and the streams they are made of.

A page's media links (`medialinks`) are requested one hop from the page, as its attachments are,
with `request.meta["archive_stream"]`: their bodies go to the WARC through a spool file, never
whole in memory (archive_store/crawl/capture/mediastream.py), cut at ARCHIVE_MEDIA_MAX_SIZE. A
media answer that is an HLS playlist or a DASH manifest is followed (`streams`): variants, segments,
init segments, keys, each its own exchange. Work is bounded: each URL once (a playlist naming itself is not
fetched again), manifests nested at most ARCHIVE_MEDIA_PLAYLIST_DEPTH deep, at most
ARCHIVE_MEDIA_MAX_SEGMENTS segments per playlist, a live playlist polled ARCHIVE_MEDIA_LIVE_ROUNDS
times. Whatever is cut, partial or failed is told in the run summary (`CaptureSession.note_media`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater
from twisted.internet.threads import deferToThread

from archive_store.crawl.capture.mediastream import (
    IDLE_META,
    KEEP_BODY_META,
    MAX_SIZE_META,
    NOT_KEPT_FLAG,
    STREAM_META,
)
from archive_store.crawl.sessionapi import MediaNotesSink, capture_session
from archive_store.index.captureref import capture_in
from archive_store.index.pagemedia import media_kind
from pipelines.extraction import wechat_urls
from scrapers.embeds import INSTALL_HINT, resolve_embed, ytdlp_available
from scrapers.medialinks import MediaLink, page_media_links
from scrapers.statuses import NON_REDIRECT_STATUSES
from scrapers.streams import StreamPlan, stream_plan

if TYPE_CHECKING:
    from scrapy.http import Response

MEDIA_META = "archive_media"  # the kind of media a request fetches (video, audio, hls, segment …)
_DEPTH_META = "archive_stream_depth"
_ROUND_META = "archive_live_round"


class MediaFollowing:
    """Mixed into ArchivingSpider: the media requests of a page, and what a media answer leads to."""

    settings: Any
    crawler: Any
    _requested: set[str]

    def parse(self, response: Response, **kwargs: Any) -> Any:  # the spider's; typed here for mypy
        raise NotImplementedError

    def failed(self, failure: Any) -> Any:
        raise NotImplementedError

    def media_page_requests(
        self, response: Response, hop: int, wechat_article: bool
    ) -> Iterator[scrapy.Request]:
        """Requests for the media of a fetched page (not yet asked for)."""
        if not self.settings.getbool("ARCHIVE_MEDIA_ENABLED"):
            return
        content_type = response.headers.get(b"Content-Type")
        links = page_media_links(
            response.body,
            response.url,
            content_type,
            wechat=wechat_article,
            all_formats=self.settings.getbool("ARCHIVE_MEDIA_ALL_VARIANTS"),
            voice_url=self.settings.get("WECHAT_VOICE_URL"),
            embed_hosts=tuple(self.settings.getlist("ARCHIVE_MEDIA_EMBED_HOSTS")),
        )
        for link in links:
            if link.url not in self._requested:
                yield self.media_request(link, response.url, hop + 1)

    def media_request(
        self,
        link: MediaLink,
        parent: str,
        hop: int,
        *,
        depth: int = 0,
        live_round: int = 0,
        extra_headers: dict[str, str] | None = None,
    ) -> scrapy.Request:
        self._requested.add(link.url)
        headers: dict[str, str] = dict(extra_headers or {})
        meta: dict[str, Any] = {}
        if link.wechat or wechat_urls.is_wechat_image_host(
            link.url, self.settings.getlist("WECHAT_MEDIA_HOSTS")
        ):
            wechat_headers, meta = wechat_urls.image_request_headers(
                self.settings.get("WECHAT_IMAGE_REFERER") or ""
            )
            headers.update(wechat_headers)
        return scrapy.Request(
            link.url,
            callback=self.parse,
            errback=self.failed,
            dont_filter=True,  # a live playlist is fetched again; the spider dedups the rest itself
            # what a browser's media element sends; never a Range header: the whole file is kept
            headers={"Accept": "*/*", **headers},
            meta={
                **meta,
                "archive_hop": hop,
                "archive_parent": parent,
                "handle_httpstatus_list": NON_REDIRECT_STATUSES,
                MEDIA_META: link.kind,
                STREAM_META: True,
                KEEP_BODY_META: self.settings.getint("ARCHIVE_MEDIA_MANIFEST_MAX_SIZE"),
                MAX_SIZE_META: self.settings.getint("ARCHIVE_MEDIA_MAX_SIZE"),
                "download_timeout": self.settings.getfloat("ARCHIVE_MEDIA_TIMEOUT"),
                IDLE_META: self.settings.getfloat("ARCHIVE_MEDIA_IDLE_TIMEOUT"),
                _DEPTH_META: depth,
                _ROUND_META: live_round,
            },
        )

    async def parse_media(self, response: Response) -> AsyncIterator[scrapy.Request]:
        """A media answer: noted when partial or refused; a manifest is followed."""
        kind = str(response.meta.get(MEDIA_META))
        session = self._session()
        if response.status == 206:
            session.note_media(
                response.url, "partial", "the server answered 206 (part of the file) to a full request"
            )
        elif response.status >= 400:
            what = "the key of an encrypted stream" if kind == "key" else kind
            session.note_media(response.url, "failed", f"{what} answered HTTP {response.status}")
        if response.status != 200 or kind in ("segment", "key", "init", "poster", "track"):
            return
        if kind == "embed":
            for request in await self._embed_requests(response, session):
                yield request
            return
        if NOT_KEPT_FLAG in response.flags:
            return  # larger than any manifest: a media file
        # on a thread: a playlist of thousands of segments takes the parser a good part of a second
        plan = await maybe_deferred_to_future(
            deferToThread(
                partial(
                    stream_plan,
                    response.body,
                    response.url,
                    all_variants=self.settings.getbool("ARCHIVE_MEDIA_ALL_VARIANTS"),
                    max_segments=self.settings.getint("ARCHIVE_MEDIA_MAX_SEGMENTS"),
                )
            )
        )
        if plan is None:
            return
        for request in self._plan_requests(response, plan, session):
            yield request
        if plan.live:
            again = await self._next_live_round(response, plan, session)
            if again is not None:
                yield again

    def _plan_requests(
        self, response: Response, plan: StreamPlan, session: MediaNotesSink
    ) -> Iterable[scrapy.Request]:
        depth = int(response.meta.get(_DEPTH_META, 0)) + 1
        hop = int(response.meta.get("archive_hop", 0))
        if plan.error:
            session.note_media(response.url, "failed", plan.error)
            return []
        if plan.cut:
            limit = self.settings.getint("ARCHIVE_MEDIA_MAX_SEGMENTS")
            session.note_media(
                response.url, "cut", f"{plan.cut} segments not fetched (ARCHIVE_MEDIA_MAX_SEGMENTS = {limit})"
            )
        if plan.skipped_variants:
            session.note_media(
                response.url,
                "variants",
                f"the best variant kept, {plan.skipped_variants} other(s) not fetched: a player that starts "
                "on another one cannot replay it (ARCHIVE_MEDIA_ALL_VARIANTS = True keeps all)",
            )
        max_depth = self.settings.getint("ARCHIVE_MEDIA_PLAYLIST_DEPTH")
        requests = []
        for url, role in plan.urls():
            if url in self._requested:
                if role == "playlist":
                    session.note_media(
                        url, "loop", "playlist named again by a playlist it leads to: not fetched twice"
                    )
                continue
            if role == "playlist" and depth >= max_depth:
                session.note_media(
                    url, "cut", f"playlist nested deeper than ARCHIVE_MEDIA_PLAYLIST_DEPTH = {max_depth}"
                )
                continue
            kind = plan.kind if role == "playlist" else role
            if role == "segment" and plan.kind == "dash" and media_kind(url, "", "") in ("hls", "dash"):
                kind = media_kind(url)
            requests.append(self.media_request(MediaLink(url, kind), response.url, hop + 1, depth=depth))
        session.note_stream(response.url, plan.kind, len(plan.segments))
        return requests

    async def _next_live_round(
        self, response: Response, plan: StreamPlan, session: MediaNotesSink
    ) -> scrapy.Request | None:
        """A live playlist is fetched again (new segments appear) a bounded number of times."""
        done = int(response.meta.get(_ROUND_META, 0)) + 1
        rounds = self.settings.getint("ARCHIVE_MEDIA_LIVE_ROUNDS")
        if done >= rounds:
            session.note_media(
                response.url,
                "live",
                f"live stream: fetched {done} times, then stopped (ARCHIVE_MEDIA_LIVE_ROUNDS = {rounds})",
            )
            return None
        delay = self.settings.getfloat("ARCHIVE_MEDIA_LIVE_INTERVAL")
        if delay > 0:
            from twisted.internet import reactor  # noqa: PLC0415 (the installed reactor)

            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))
        link = MediaLink(response.url, str(response.meta.get(MEDIA_META)))
        parent = str(response.meta.get("archive_parent") or response.url)
        hop = int(response.meta.get("archive_hop", 0))
        return self.media_request(
            link, parent, hop, depth=int(response.meta.get(_DEPTH_META, 0)), live_round=done
        )

    async def _embed_requests(self, response: Response, session: MediaNotesSink) -> list[scrapy.Request]:
        """A platform player page, captured: its media resolved by yt-dlp and fetched by the crawl."""
        if not self.settings.getbool("ARCHIVE_MEDIA_EMBEDS_RESOLVE"):
            session.note_media(
                response.url,
                "embed",
                "player page kept; its media not fetched (ARCHIVE_MEDIA_EMBEDS_RESOLVE)",
            )
            return []
        if not ytdlp_available():
            session.note_media(
                response.url,
                "embed",
                f"player page kept; its video was NOT captured: yt-dlp is not installed ({INSTALL_HINT})",
            )
            return []
        resolved = await maybe_deferred_to_future(
            deferToThread(
                partial(
                    resolve_embed,
                    response.url,
                    all_formats=self.settings.getbool("ARCHIVE_MEDIA_ALL_VARIANTS"),
                )
            )
        )
        capture = capture_in(response.meta)
        if resolved.info is not None and capture is not None:
            session.keep_media_info(response.url, capture, resolved.info)
        if resolved.error:
            session.note_media(
                response.url, "embed", f"could not resolve this player's video: {resolved.error}"
            )
        hop = int(response.meta.get("archive_hop", 0))
        requests = []
        for url, kind, headers in resolved.requests:
            if url not in self._requested:
                link = MediaLink(url, kind)
                requests.append(self.media_request(link, response.url, hop + 1, extra_headers=headers))
        if requests:
            extractor = (resolved.info or {}).get("extractor") or "yt-dlp"
            session.note_media(
                response.url, "embed", f"resolved by yt-dlp ({extractor}): {len(requests)} media fetched"
            )
        return requests

    def media_failed(self, request: scrapy.Request, reason: str) -> None:
        if request.meta.get(MEDIA_META):
            self._session().note_media(request.url, "failed", reason)

    def _session(self) -> MediaNotesSink:
        return capture_session(self.crawler)
