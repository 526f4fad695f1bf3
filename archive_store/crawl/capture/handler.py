"""Record each HTTP exchange below every Scrapy middleware, from the bytes on the connection.

Scrapy's HTTP/1.1 handler swaps its connection pool's protocol factory for a lenient one; ours
subclasses that protocol and tees what it writes and reads (plaintext, after TLS, before Twisted
de-chunks or HttpCompressionMiddleware decodes). The handler then hands the tape to the archive
session, which writes the request/response records. Responses served from a cache never reach a
download handler, so they are never recorded as captures.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, Any

from OpenSSL import SSL
from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
    _ScrapyAgent,
)
from scrapy.exceptions import ResponseDataLossError
from scrapy.utils._download_handlers import (
    get_dataloss_msg,
    normalize_bind_address,
    wrap_twisted_exceptions,
)
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler

from archive_store.crawl.archive_settings import archive_settings
from archive_store.crawl.capture.endpoints import CheckedAgent
from archive_store.crawl.capture.mediastream import stream_body
from archive_store.crawl.capture.tape import ExchangeTape
from archive_store.crawl.capture.tlspolicy import ArchiveContextFactory
from archive_store.crawl.failures import HEADER_LINE_LIMIT, RECEIVED_ATTR, describe_failure
from archive_store.crawl.session import ArchiveSession
from archive_store.crawl.stopping import CrawlStop, StopRequested
from archive_store.index.captureref import CAPTURE_META
from archive_store.net.netpolicy import AddressPolicy, ip_literal
from archive_store.net.tlsfacts import connection_facts
from archive_store.net.vantage import SOCKS_META, socks_config

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


def _note_received(failure: Any, tape: ExchangeTape) -> Any:
    """A failure before the response head was whole carries the first bytes the server sent
    (`RECEIVED_ATTR`), so its reason can tell a head line this client refused from the server
    closing the connection (failures.describe_failure)."""
    if tape.received:
        with contextlib.suppress(AttributeError, TypeError):
            setattr(failure.value, RECEIVED_ATTR, bytes(tape.received[: 2 * HEADER_LINE_LIMIT]))
    return failure


class RecordingHTTP11ClientProtocol(_LenientHTTP11ClientProtocol):
    """Starts a tape for each request on the connection and tees both directions onto it."""

    tape_limit = 0
    _archive_tape: ExchangeTape | None = None
    _tls_facts: dict[str, Any] | None = None

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
        d.addErrback(_note_received, tape)
        return d

    def dataReceived(self, data: bytes) -> None:  # noqa: N802 (Twisted's name)
        tape = self._archive_tape
        if tape is not None:
            if not tape.received:
                tape.tls = self._connection_tls()
            tape.on_received(data)
        super().dataReceived(data)  # type: ignore[no-untyped-call]

    def _connection_tls(self) -> dict[str, Any] | None:
        """The TLS facts of this connection (once per connection: a kept-alive one is reused)."""
        if self._tls_facts is None:
            get_handle = getattr(self.transport, "getHandle", None)
            handle = get_handle() if get_handle is not None else None
            if isinstance(handle, SSL.Connection):
                self._tls_facts = connection_facts(handle, "modern")
        return self._tls_facts


class RecordingHTTP11ClientFactory(_LenientHTTP11ClientFactory):
    tape_limit = 0

    def buildProtocol(self, addr: IAddress | None) -> HTTP11ClientProtocol:  # noqa: N802
        protocol = RecordingHTTP11ClientProtocol(self._quiescentCallback)  # type: ignore[no-untyped-call]
        protocol.tape_limit = self.tape_limit
        return protocol


class _RecordingAgent(_ScrapyAgent):
    """Keeps the tape of the response once its head has arrived, for failures mid-body too;
    connects through `CheckedAgent` (private-address policy, SOCKS5 vantage points)."""

    archive_tape: ExchangeTape | None = None
    spool_dir: str | None = None
    # set by the handler after construction (the constructor takes exactly Scrapy's arguments,
    # scrapy_seams.AGENT_ARGUMENTS); the default refuses every non-public address
    policy = AddressPolicy()

    def _get_agent(self, request: Request, timeout: float) -> Any:
        from twisted.internet import reactor  # noqa: PLC0415 (the installed reactor)

        if request.meta.get("proxy"):
            # an HTTP(S) proxy resolves the name itself: only an address in the URL can be checked
            host = urlparse_cached(request).hostname or ""
            literal = ip_literal(host)
            if literal is not None:
                self.policy.check(str(literal), host)
            return super()._get_agent(request, timeout)
        bind = normalize_bind_address(request.meta.get("bindaddress") or self._bindAddress)
        return CheckedAgent(
            reactor=reactor,
            contextFactory=self._contextFactory,
            connectTimeout=timeout,
            bindAddress=bind,
            pool=self._pool,
            policy=self.policy,
            socks=socks_config(request.meta.get(SOCKS_META)),
        )

    def _cb_bodyready(self, txresponse: Any, request: Request) -> Any:
        self.archive_tape = getattr(txresponse, "_archive_tape", None)
        if request.meta.get("archive_stream") and self.archive_tape is not None:
            # media: the body is spooled to a file and streamed into the WARC, not kept
            return stream_body(self, txresponse, request, self.archive_tape, self.spool_dir)
        return super()._cb_bodyready(txresponse, request)


class ArchivingDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler, plus a WARC request/response pair for every exchange, the
    private-address policy on every connection and the legacy-TLS fallback per host."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        # the network rules hold whether or not the archive records (issue 16)
        self._tls: ArchiveContextFactory = build_from_crawler(
            ArchiveContextFactory, crawler, method=SSL.SSLv23_METHOD
        )
        self._contextFactory = self._tls  # type: ignore[assignment]  # provides IPolicyForHTTPS
        archive = archive_settings(crawler)
        self._tls_legacy = archive.tls_legacy
        self._policy = AddressPolicy.from_settings(crawler.settings)
        # ARCHIVE_ENABLED=False: no recording, without the session (its lock, index and recovery)
        self._archive: ArchiveSession | None = None
        if not archive.enabled:
            return
        self._archive = ArchiveSession.for_crawler(crawler)
        limit = self._default_maxsize + 256 * 1024 if self._default_maxsize else 0
        factory: type[RecordingHTTP11ClientFactory] = type(
            "_SizedRecordingFactory", (RecordingHTTP11ClientFactory,), {"tape_limit": limit}
        )
        self._pool._factory = factory

    def _agent(self) -> _RecordingAgent:
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
        agent.policy = self._policy
        agent.spool_dir = str(self._archive.paths.root) if self._archive is not None else None
        return agent

    async def download_request(self, request: Request) -> Response:
        archive = None if request.meta.get("dont_archive") else self._archive
        if archive is not None:
            request.meta.pop(CAPTURE_META, None)
        parsed = urlparse_cached(request)
        netloc = ((parsed.hostname or "").encode("idna"), parsed.port or 443)
        stop = CrawlStop.for_crawler(self._crawler)
        while True:
            if stop.requested:  # Ctrl-C or SIGTERM: nothing new is fetched (stopping.py)
                raise StopRequested
            mode = self._tls.mode_for(*netloc) if parsed.scheme == "https" else None
            agent = self._agent()
            download: Deferred[Response] | None = None
            try:
                with wrap_twisted_exceptions():
                    download = agent.download_request(request)
                    stop.track(download)
                    response = await maybe_deferred_to_future(download)
                break
            except Exception as exc:
                if stop.cancelled:  # cancelled by the stop after its grace: not a failure
                    raise StopRequested from exc
                step = mode is not None and self._tls_legacy and handshake_failed(exc)
                following = self._tls.next_mode(netloc[0], netloc[1], mode) if step and mode else None
                if following is not None:
                    self._tls.fallback_reasons.setdefault(netloc, describe_failure(exc, request))
                    logger.info(
                        "%s: TLS handshake failed (%s mode); trying %s TLS", request.url, mode, following
                    )
                    if self._crawler.stats is not None:
                        self._crawler.stats.inc_value(f"archive/tls_fallback/{following}")
                    continue
                if archive is not None:
                    failed_tape = agent.archive_tape
                    if failed_tape is not None and failed_tape.spool is not None:  # a media body
                        await archive.record_failed_spooled(request, failed_tape, exc)
                    else:
                        archive.record_failed_exchange(request, failed_tape, exc)
                if isinstance(exc, ResponseDataLossError) and not self._fail_on_dataloss_warned:
                    logger.warning(get_dataloss_msg(request.url))
                    self._fail_on_dataloss_warned = True
                raise
            finally:
                if download is not None:
                    stop.untrack(download)
        tape = agent.archive_tape
        if tape is not None and tape.tls is not None:
            reason = self._tls.fallback_reasons.get(netloc) if mode != "modern" else None
            tape.tls = {**tape.tls, "mode": mode, "fallback_reason": reason}
        if archive is not None:
            await archive.record_exchange(request, response, tape)
        return response


def handshake_failed(exc: BaseException) -> bool:
    """Whether a download failed in the TLS handshake (an OpenSSL error before any response)."""
    seen: set[int] = set()
    pending: list[Any] = [exc]
    while pending:
        item = pending.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, SSL.Error):
            return True
        pending.extend([getattr(item, "__cause__", None), getattr(item, "__context__", None)])
        pending.extend(getattr(reason, "value", None) for reason in getattr(item, "reasons", []) or [])
    return False
