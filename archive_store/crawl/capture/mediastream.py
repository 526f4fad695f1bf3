"""Media bodies (video, audio, stream segments) spooled to a file on their way into the WARC.

Scrapy's HTTP/1.1 handler keeps every body whole in memory (`_ResponseReader._bodybuf`), and the
recording tape did too: a 200 MB video was held two or three times over. A request with
`request.meta["archive_stream"]` is read differently, here: the tape goes on into an unnamed
temporary file inside the archive folder (the recording protocol writes every byte the connection
reads into it), and the body handed to Scrapy is kept only up to `archive_keep_body` bytes (a
playlist the spider must read), otherwise dropped (the response gets the flag `body-not-kept`).

The size limit is ours, not DOWNLOAD_MAXSIZE: Scrapy's check aborts at the headers when the
Content-Length is over the limit and keeps nothing. Here the first `archive_media_max_size` bytes of
the body are read and kept, then the connection is closed and the response ends normally with the
flag `media-size-limit`, which the archive session records as `WARC-Truncated: length`.
"""

from __future__ import annotations

import tempfile
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from scrapy.core.downloader.handlers.http11 import _ResponseReader
from twisted.internet.defer import Deferred

if TYPE_CHECKING:
    from scrapy import Request

    from archive_store.crawl.capture.tape import ExchangeTape

STREAM_META = "archive_stream"
KEEP_BODY_META = "archive_keep_body"
MAX_SIZE_META = "archive_media_max_size"
IDLE_META = "archive_media_idle_timeout"
LIMIT_FLAG = "media-size-limit"
STALLED_FLAG = "media-stalled"
NOT_KEPT_FLAG = "body-not-kept"
# what the tape may take beyond the body limit: the head, chunk framing, one last read
_TAPE_SLACK = 256 * 1024


class _KeptBody:
    """Stands in for the reader's BytesIO: keeps the first `keep` bytes, then nothing."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.parts: list[bytes] = []
        self.size = 0
        self.dropped = False

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.dropped:
            return
        if self.size > self.keep:
            self.dropped, self.parts = True, []
            return
        self.parts.append(data)

    def getvalue(self) -> bytes:
        return b"".join(self.parts)

    def truncate(self, size: int = 0) -> None:
        self.parts, self.dropped = [], True


class _StreamingReader(_ResponseReader):
    """Scrapy's body reader with a kept-body buffer and our own size limit (see the module)."""

    def __init__(self, *args: Any, limit: int, keep: int, idle: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept = _KeptBody(keep)
        self._bodybuf = self._kept  # type: ignore[assignment]
        self._limit = limit
        self._idle = idle
        self._idle_timer: Any = None

    def connectionMade(self) -> None:  # noqa: N802 (Twisted's name)
        super().connectionMade()
        self._rearm()

    def _rearm(self) -> None:
        """A body that stops coming for `idle` seconds ends there (kept, WARC-Truncated: time),
        without waiting out the whole ARCHIVE_MEDIA_TIMEOUT."""
        if not self._idle:
            return
        if self._idle_timer is not None and self._idle_timer.active():
            self._idle_timer.reset(self._idle)
            return
        from twisted.internet import reactor  # noqa: PLC0415 (the installed reactor)

        timer_reactor: Any = reactor
        self._idle_timer = timer_reactor.callLater(self._idle, self._stop, STALLED_FLAG)

    def dataReceived(self, data: bytes) -> None:  # noqa: N802 (Twisted's name)
        if self._finished.called:
            return
        self._rearm()
        super().dataReceived(data)
        if self._limit and self._bytes_received >= self._limit:
            self._stop(LIMIT_FLAG)

    def _stop(self, flag: str) -> None:
        """End the body here: close the connection, hand on what came, flagged."""
        if self._finished.called:
            return
        transport: Any = self.transport
        transport.stopProducing()
        transport.loseConnection()
        self._finish_response(flags=[flag])

    def _finish_response(self, flags: list[str] | None = None, stop_download: Any = None) -> None:
        if self._idle_timer is not None and self._idle_timer.active():
            self._idle_timer.cancel()
        if self._kept.dropped:
            flags = [*(flags or []), NOT_KEPT_FLAG]
        super()._finish_response(flags, stop_download)

    def connectionLost(self, reason: Any = None) -> None:  # noqa: N802 (Twisted's name)
        if self._idle_timer is not None and self._idle_timer.active():
            self._idle_timer.cancel()
        super().connectionLost(reason)


def stream_body(
    agent: Any, txresponse: Any, request: Request, tape: ExchangeTape, spool_dir: str | None
) -> Any:
    """`_ScrapyAgent._cb_bodyready` for a media request: the body spooled, not buffered."""
    if cast("int", txresponse.length) == 0:
        return {
            "txresponse": txresponse,
            "certificate": getattr(txresponse, "_scrapy_certificate", None),
            "ip_address": getattr(txresponse, "_scrapy_ip_address", None),
        }
    limit = int(request.meta.get(MAX_SIZE_META) or 0)
    keep = int(request.meta.get(KEEP_BODY_META) or 0)
    # unnamed (O_TMPFILE, or unlinked at once): nothing is left behind, whatever happens
    spool = tempfile.TemporaryFile(dir=spool_dir)  # noqa: SIM115 (closed by the session once written)
    tape.spool_to(spool, limit + _TAPE_SLACK if limit else 0)
    finished: Deferred[Any] = Deferred(partial(agent._cancel, txresponse=txresponse))
    txresponse.deliverBody(
        _StreamingReader(
            finished=finished,
            txresponse=txresponse,
            request=request,
            maxsize=0,
            warnsize=0,
            fail_on_dataloss=request.meta.get("download_fail_on_dataloss", agent._fail_on_dataloss),
            crawler=agent._crawler,
            tls_verbose_logging=agent._tls_verbose_logging,
            limit=limit,
            keep=keep,
            idle=float(request.meta.get(IDLE_META) or 0),
        )
    )
    agent._txresponse = txresponse  # for timeouts, as Scrapy does
    return finished
