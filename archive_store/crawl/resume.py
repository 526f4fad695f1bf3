"""On a resumed run, answer already-captured URLs from the archive instead of fetching them again.

Like HttpCacheMiddleware, it returns the response from process_request, so the download handler
(and with it the capture) is skipped, while redirects and decoding still run and the spider still
finds the links and attachments of pages fetched before the crash.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured
from scrapy.http import Headers
from scrapy.http import Response as ScrapyResponse
from scrapy.responsetypes import responsetypes

from archive_store.crawl.archive_settings import archive_settings
from archive_store.crawl.capture.mediastream import KEEP_BODY_META, NOT_KEPT_FLAG, STREAM_META
from archive_store.crawl.session import ArchiveSession
from archive_store.index.captureref import CAPTURE_META, CaptureRef
from archive_store.storage.reader import load_capture

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from archive_store.index.schema import Capture

_DROP = {b"transfer-encoding"}  # the body handed on is de-chunked, as Twisted hands it


class ResumeMiddleware:
    def __init__(self, session: ArchiveSession) -> None:
        self.session = session

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        archive = archive_settings(crawler)
        if not (archive.enabled and archive.resume):
            raise NotConfigured
        return cls(ArchiveSession.for_crawler(crawler))

    def process_request(self, request: Request, spider: Spider | None = None) -> Response | None:
        if request.meta.get("archive_render_sub"):  # a browser's request is always fetched (issue 14)
            return None
        capture = self.session.resumed_captures.get(request.url)
        if capture is None or request.method != "GET":
            return None
        if request.meta.get(STREAM_META) and capture.payload_length > int(
            request.meta.get(KEEP_BODY_META) or 0
        ):
            # a media body archived before the crash (gigabytes, maybe): not read back into memory,
            # the spider reads only manifests
            request.meta[CAPTURE_META] = CaptureRef.of(capture)
            flags = ["archived-earlier", NOT_KEPT_FLAG]
            return ScrapyResponse(request.url, status=capture.http_status, flags=flags, request=request)
        response = archived_response(self.session, capture, request)
        if response is not None and self.session.stats is not None:
            self.session.stats.inc_value("archive/resumed_from_archive")
        return response


def archived_response(session: ArchiveSession, capture: Capture, request: Request) -> Response | None:
    loaded = load_capture(session.index, session.paths.warcs, capture)
    if loaded.parsed is None:
        return None
    headers = Headers([(k, v) for k, v in loaded.parsed.head.headers if k.lower() not in _DROP])
    cls = responsetypes.from_args(headers=headers, url=request.url, body=loaded.payload)
    request.meta[CAPTURE_META] = CaptureRef.of(capture)
    return cls(
        url=request.url,
        status=loaded.parsed.status,
        headers=headers,
        body=loaded.payload,
        flags=["archived-earlier"],
        request=request,
        protocol=loaded.parsed.version,
    )
