"""The exchange recorder: what each fetched exchange becomes. The download handler hands it the taped
exchange; it makes the request and response (or revisit) records, large bodies gzipped on the
compressor thread beside the reactor, writes them through the session's writer and indexes the
capture (committed in batches by `indexbatch`). Failed fetches become failures, and the partial
response a truncated capture. The session (`archive_store.crawl.session`) owns it; the recorder
sees the session only through `RecordingArchive`, so it does not import it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from scrapy.utils.httpobj import urlparse_cached

from archive_store.crawl.capture.fetchfacts import facts_for, facts_record, facts_row
from archive_store.crawl.capture.mediastream import LIMIT_FLAG as MEDIA_LIMIT_FLAG
from archive_store.crawl.capture.mediastream import STALLED_FLAG as MEDIA_STALLED_FLAG
from archive_store.crawl.exchangeprep import (
    Exchange,
    PreparedResponse,
    capture_fields,
    exchange_records,
    parsed_exchange,
    prepared_exchange,
    request_record_for,
)
from archive_store.crawl.failures import FAILURE_REASON_META, describe_failure, truncation_for
from archive_store.crawl.indexbatch import INDEX_FAILED, IndexBatcher
from archive_store.crawl.medianotes import MediaNotes
from archive_store.index.captureref import CAPTURE_META, CaptureRef
from archive_store.index.database import ArchiveIndex
from archive_store.layout import ArchivePaths
from archive_store.warc.httpmessage import ParsedResponse
from archive_store.warc.recordbuilder import (
    OriginalRef,
    WarcRecord,
    gzip_member,
    sha1_digest,
    target_uri,
    warc_date,
)
from archive_store.warc.spool import SpooledMember, gzip_spooled, scan_spooled, spooled_response_record
from archive_store.warc.writer import ArchiveWriteError, Member, RotatingWarcWriter

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

    from archive_store.crawl.capture.tape import ExchangeTape

logger = logging.getLogger(__name__)


class RecordingArchive(Protocol):
    """What the recorder uses of the session that owns it (`ArchiveSession`)."""

    writer: RotatingWarcWriter
    index: ArchiveIndex
    paths: ArchivePaths
    media: MediaNotes
    batcher: IndexBatcher
    run_id: int | None
    write_error: ArchiveWriteError | None

    def write_group(
        self, records: list[WarcRecord], members: tuple[str, list[Member]] | None = None
    ) -> list[Any] | None: ...

    def index_call(self, method: Callable[..., Any], *args: Any) -> bool: ...

    def index_result(self, method: Callable[..., Any], *args: Any) -> Any: ...

    def inc(self, key: str, count: int = 1) -> None: ...


class ExchangeRecorder:
    """Turns the download handler's exchanges into WARC records and index rows."""

    def __init__(self, archive: RecordingArchive, settings: BaseSettings) -> None:
        self.archive = archive
        self.redact = [h.encode("latin-1") for h in settings.getlist("ARCHIVE_REDACT_HEADERS")]
        self.aside_min = settings.getint("ARCHIVE_ASIDE_MIN_SIZE")
        self.dedup_min = (
            settings.getint("ARCHIVE_DEDUP_MIN_SIZE") if settings.getbool("ARCHIVE_DEDUP_ENABLED") else -1
        )
        # digests and gzip of exchanges of ARCHIVE_ASIDE_MIN_SIZE and more run here, beside the
        # reactor (record_exchange); a thread is started only when the first one comes
        self._compressor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive-gzip")

    def shutdown(self) -> None:
        """Wait for the compressor thread's work (the session closes its WARC after)."""
        self._compressor.shutdown(wait=True)

    async def record_exchange(self, request: Request, response: Response, tape: ExchangeTape | None) -> None:
        truncated = "length" if tape is not None and tape.overflowed else None
        if "dataloss" in response.flags:
            truncated = truncated or "disconnect"
        if MEDIA_LIMIT_FLAG in response.flags:
            truncated = "length"
        elif MEDIA_STALLED_FLAG in response.flags:
            truncated = "time"
        if tape is not None and tape.spool is not None:
            await self._record_spooled(request, tape, truncated, note=None)
            return
        warcinfo_id = self.archive.writer.warcinfo_id_for_next_group()
        if tape is None or warcinfo_id is None or len(tape.received) < self.aside_min:
            exchange = parsed_exchange(request, tape, truncated, note=None)
            if exchange is not None:
                self._commit(exchange, *self._build(exchange))
            return
        # a large body (a PDF of megabytes): the parse, digests, the response and request records
        # and their gzip members are made on the compressor thread (hashlib and gzip run there
        # without the GIL, on the second core) while the reactor goes on; the rest happens here
        # without another wait, so whichever of two identical payloads comes back first is the
        # response and the other finds it and becomes a revisit (the extraction pipeline waits on
        # its workers alike)
        exchange, prepared = await asyncio.get_running_loop().run_in_executor(
            self._compressor,
            prepared_exchange,
            request,
            tape,
            truncated,
            warcinfo_id,
            self.archive.writer.compress_level,
            self.redact,
        )
        if exchange is None or prepared is None:
            return
        req, main, original = self._build(exchange, prepared)
        members: tuple[str, list[Member]] | None = None
        if main is prepared.record:  # not a revisit after all: use the gzipped members
            members = (warcinfo_id, [prepared.request_member, prepared.member])
        self._commit(exchange, req, main, original, members)

    def record_failed_exchange(self, request: Request, tape: ExchangeTape | None, exc: BaseException) -> None:
        reason = describe_failure(exc, request, bytes(tape.received) if tape is not None else b"")
        request.meta[FAILURE_REASON_META] = reason  # the errback's reason too (it has no tape)
        recorded = False
        if tape is not None and not isinstance(exc, ArchiveWriteError):
            exchange = parsed_exchange(request, tape, truncation_for(exc), note=reason)
            recorded = exchange is not None and self._commit(exchange, *self._build(exchange))
        self._failed(request.url, reason, recorded)

    async def record_failed_spooled(self, request: Request, tape: ExchangeTape, exc: BaseException) -> None:
        """`record_failed_exchange` for a media body spooled to a file (see mediastream)."""
        reason = describe_failure(exc, request, bytes(tape.received))
        request.meta[FAILURE_REASON_META] = reason
        recorded = False
        if not isinstance(exc, ArchiveWriteError):
            recorded = await self._record_spooled(request, tape, truncation_for(exc), note=reason)
        self._failed(request.url, reason, recorded)

    def _failed(self, url: str, reason: str, recorded: bool) -> None:
        kept = "; the partial response is kept as a truncated capture" if recorded else ""
        self.archive.index_call(
            self.archive.index.add_failure, self.archive.run_id, url, "attempt", reason + kept
        )
        self.archive.inc("archive/fetch_failures")

    async def _record_spooled(
        self, request: Request, tape: ExchangeTape, truncated: str | None, note: str | None
    ) -> bool:
        """Write the records of an exchange whose body is in `tape.spool`: digests and gzip on the
        compressor thread, a file at a time, never the body whole in memory."""
        handle = tape.take_spool()
        loop = asyncio.get_running_loop()
        member: SpooledMember | None = None
        try:
            spooled = await loop.run_in_executor(
                self._compressor, scan_spooled, handle, request.method.encode()
            )
            if spooled is None:
                return False
            if not spooled.complete:
                truncated = truncated or "disconnect"
            exchange = Exchange(
                request, tape, spooled, warc_date(tape.started), truncated, note, spooled.payload_digest
            )
            if self._original_for(exchange) is not None:
                # a revisit: small records (the head), written as any other
                return self._commit(exchange, *self._build(exchange))
            for _attempt in range(2):  # the WARC may roll over while the body is gzipped: redo
                if self.archive.write_error is not None:
                    return False
                try:
                    warcinfo_id = self.archive.writer.open_for_group()
                except ArchiveWriteError as exc:
                    self.archive.write_error = exc
                    logger.error("%s; stopping the crawl", exc)
                    return False
                record = spooled_response_record(
                    request.url, exchange.date, spooled, tape.ip_address, exchange.truncated
                )
                record.set("WARC-Warcinfo-ID", warcinfo_id)
                req = request_record_for(exchange, record.record_id, self.redact)
                req.set("WARC-Warcinfo-ID", warcinfo_id)
                if member is not None:
                    member.close()
                member = await loop.run_in_executor(
                    self._compressor,
                    gzip_spooled,
                    record,
                    spooled,
                    self.archive.writer.compress_level,
                    str(self.archive.paths.root),
                )
                if self.archive.writer.current_warcinfo_id() == warcinfo_id:
                    req_member = gzip_member(req.to_bytes(), self.archive.writer.compress_level)
                    self.archive.inc("archive/streamed_bodies")
                    return self._commit(exchange, req, record, None, (warcinfo_id, [req_member, member]))
            return False
        finally:
            if member is not None:
                member.close()
            handle.close()

    def _may_dedup(self, exchange: Exchange) -> bool:
        size = exchange.parsed.payload_length
        return not exchange.truncated and self.dedup_min >= 0 and size >= max(self.dedup_min, 1)

    def _build(
        self, exchange: Exchange, prepared: PreparedResponse | None = None
    ) -> tuple[WarcRecord, WarcRecord, OriginalRef | None]:
        """The request record and the response (`prepared` if given) or revisit record; the
        original a revisit refers to (see exchangeprep.exchange_records)."""
        if not exchange.payload_digest:
            assert isinstance(exchange.parsed, ParsedResponse)
            exchange.payload_digest = sha1_digest(exchange.parsed.payload)
        return exchange_records(exchange, self._original_for(exchange), prepared, self.redact)

    def _commit(
        self,
        exchange: Exchange,
        req: WarcRecord,
        main: WarcRecord,
        original: OriginalRef | None,
        members: tuple[str, list[Member]] | None = None,
    ) -> bool:
        """Write the records (already gzipped for `members[0]`'s warcinfo, if given) and index them."""
        request, parsed, tape, uri = exchange.request, exchange.parsed, exchange.tape, exchange.request.url
        written = self.archive.write_group([req, main], members)
        if written is None:
            reason = f"fetched but not archived: {self.archive.write_error}"
            self.archive.index_call(self.archive.index.add_failure, self.archive.run_id, uri, "final", reason)
            return False
        capture = capture_fields(exchange, req, main, written[1], original, self.archive.run_id)
        # not committed at once (SQLite): a capture lost with its batch is in a WARC still
        # `.open`, which recovery indexes; a WARC is closed only after its batch is committed
        capture_id = self.archive.index_result(
            partial(self.archive.index.insert_capture, commit=False), capture
        )
        if capture_id is INDEX_FAILED:
            return False
        self.archive.batcher.capture_indexed()
        request.meta[CAPTURE_META] = CaptureRef.of(capture, capture_id)
        facts = facts_for(request, tape.tls, urlparse_cached(request).hostname or "")
        if facts is not None:  # vantage point and TLS facts (issue 16)
            written = self.archive.write_group([facts_record(uri, exchange.date, main.record_id, facts)])
            metadata_id = written[0].record_id if written else None
            self.archive.batcher.pending_facts.append(facts_row(main.record_id, metadata_id, facts))
            if facts.get("tls") is not None:
                self.archive.inc(f"archive/tls/{facts['tls']['protocol']}")
        self.archive.inc("archive/revisits" if original else "archive/responses")
        if request.meta.get("archive_media"):
            self.archive.media.captured(
                uri, str(request.meta["archive_media"]), parsed.payload_length, exchange.truncated
            )
        if exchange.truncated:
            self.archive.inc(f"archive/truncated/{exchange.truncated}")
        if parsed.trailing:
            logger.debug(
                "%s: %d bytes after the end of the response were not part of it",
                uri,
                parsed.trailing,
            )
        return True

    def _original_for(self, exchange: Exchange) -> OriginalRef | None:
        if not self._may_dedup(exchange):
            return None
        digest = exchange.payload_digest
        original = self.archive.index.find_original(digest, exchange.chunked)
        if original is None:
            return None
        return OriginalRef(original.record_id, target_uri(original.url), original.warc_date, digest)
