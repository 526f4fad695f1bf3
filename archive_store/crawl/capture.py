"""Record each HTTP exchange below every Scrapy middleware, from the bytes on the connection.

Scrapy's HTTP/1.1 handler swaps its connection pool's protocol factory for a lenient one; ours
subclasses that protocol and tees what it writes and reads (plaintext, after TLS, before Twisted
de-chunks or HttpCompressionMiddleware decodes). The handler then hands the tape to the archive
session, which writes the request/response records. Responses served from a cache never reach a
download handler, so they are never recorded as captures.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
    _ScrapyAgent,
)
from scrapy.exceptions import ResponseDataLossError
from scrapy.utils._download_handlers import get_dataloss_msg, wrap_twisted_exceptions
from scrapy.utils.defer import maybe_deferred_to_future

from archive_store.crawl.session import ArchiveSession

if TYPE_CHECKING:
    from collections.abc import Iterable

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.internet.defer import Deferred
    from twisted.internet.interfaces import IAddress
    from twisted.web._newclient import HTTP11ClientProtocol
    from twisted.web._newclient import Request as TxRequest
    from twisted.web.iweb import IResponse

logger = logging.getLogger(__name__)


class ExchangeTape:
    """The bytes of one request and its response as they crossed the connection."""

    __slots__ = ("ip_address", "limit", "overflowed", "received", "sent", "started")

    def __init__(self, ip_address: str | None, limit: int) -> None:
        self.started = datetime.now(UTC)
        self.ip_address = ip_address
        self.sent = bytearray()
        self.received = bytearray()
        self.limit = limit  # stop taping past the size limit; the record is marked truncated
        self.overflowed = False

    def on_received(self, data: bytes) -> None:
        room = self.limit - len(self.received) if self.limit else len(data)
        if room < len(data):
            self.overflowed = True
            data = data[: max(room, 0)]
        self.received += data


class _TeeTransport:
    """Passes writes through to the real transport and copies them onto the tape."""

    def __init__(self, transport: Any, tape: ExchangeTape) -> None:
        self._transport = transport
        self._tape = tape

    def write(self, data: bytes) -> None:
        self._tape.sent += data
        self._transport.write(data)

    def writeSequence(self, data: Iterable[bytes]) -> None:  # noqa: N802 (Twisted's name)
        joined = b"".join(data)
        self._tape.sent += joined
        self._transport.write(joined)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class RecordingHTTP11ClientProtocol(_LenientHTTP11ClientProtocol):
    """Starts a tape for each request on the connection and tees both directions onto it."""

    tape_limit = 0
    _archive_tape: ExchangeTape | None = None

    def request(self, request: TxRequest) -> Deferred[IResponse]:
        get_peer = getattr(self.transport, "getPeer", None)
        peer = getattr(get_peer(), "host", None) if get_peer else None
        tape = ExchangeTape(peer, self.tape_limit)
        self._archive_tape = tape
        write_to = request.writeTo

        def write_to_tee(transport: Any) -> Any:
            return write_to(_TeeTransport(transport, tape))  # type: ignore[no-untyped-call]

        request.writeTo = write_to_tee  # type: ignore[method-assign]
        d = super().request(request)

        def attach_tape(response: IResponse) -> IResponse:
            response._archive_tape = tape
            return response

        d.addCallback(attach_tape)
        return d

    def dataReceived(self, data: bytes) -> None:  # noqa: N802 (Twisted's name)
        if self._archive_tape is not None:
            self._archive_tape.on_received(data)
        super().dataReceived(data)  # type: ignore[no-untyped-call]


class RecordingHTTP11ClientFactory(_LenientHTTP11ClientFactory):
    tape_limit = 0

    def buildProtocol(self, addr: IAddress | None) -> HTTP11ClientProtocol:  # noqa: N802
        protocol = RecordingHTTP11ClientProtocol(self._quiescentCallback)  # type: ignore[no-untyped-call]
        protocol.tape_limit = self.tape_limit
        return protocol


class _RecordingAgent(_ScrapyAgent):
    """Keeps the tape of the response once its head has arrived, for failures mid-body too."""

    archive_tape: ExchangeTape | None = None

    def _cb_bodyready(self, txresponse: Any, request: Request) -> Any:
        self.archive_tape = getattr(txresponse, "_archive_tape", None)
        return super()._cb_bodyready(txresponse, request)


class ArchivingDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler, plus a WARC request/response pair for every exchange."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._archive = ArchiveSession.for_crawler(crawler)
        limit = self._default_maxsize + 256 * 1024 if self._default_maxsize else 0
        factory: type[RecordingHTTP11ClientFactory] = type(
            "_SizedRecordingFactory", (RecordingHTTP11ClientFactory,), {"tape_limit": limit}
        )
        self._pool._factory = factory

    async def download_request(self, request: Request) -> Response:
        if request.meta.get("dont_archive") or not self._archive.enabled:
            return await super().download_request(request)
        request.meta.pop("archive_capture", None)
        # built as HTTP11DownloadHandler.download_request builds it (scrapy_seams.AGENT_ARGUMENTS)
        agent = _RecordingAgent(
            contextFactory=self._contextFactory,
            bindAddress=self._bind_address,
            pool=self._pool,
            maxsize=self._default_maxsize,
            warnsize=self._default_warnsize,
            fail_on_dataloss=self._fail_on_dataloss,
            crawler=self._crawler,
            tls_verbose_logging=self._tls_verbose_logging,
        )
        try:
            with wrap_twisted_exceptions():
                response = await maybe_deferred_to_future(agent.download_request(request))
        except Exception as exc:
            self._archive.record_failed_exchange(request, agent.archive_tape, exc)
            if isinstance(exc, ResponseDataLossError) and not self._fail_on_dataloss_warned:
                logger.warning(get_dataloss_msg(request.url))
                self._fail_on_dataloss_warned = True
            raise
        await self._archive.record_exchange(request, response, agent.archive_tape)
        return response
