"""The archive a crawl writes to: lock, index, writer, run bookkeeping, and what each exchange becomes."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import load_object
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from archive_store.crawl.capture.fetchfacts import facts_for, facts_record, facts_row
from archive_store.crawl.capture.mediastream import LIMIT_FLAG as MEDIA_LIMIT_FLAG
from archive_store.crawl.capture.mediastream import STALLED_FLAG as MEDIA_STALLED_FLAG
from archive_store.crawl.capture.redact import redact_request
from archive_store.crawl.failures import FAILURE_REASON_META, describe_failure, truncation_for
from archive_store.crawl.medianotes import MediaNotes
from archive_store.crawl.recovery import recover_open_files
from archive_store.crawl.warcinfo import warcinfo_fields
from archive_store.evidence.custodychain import ChainLink
from archive_store.evidence.exports import run_config
from archive_store.evidence.fixity import CustodyLog, Manifest
from archive_store.hooks import FileClosedHook
from archive_store.index.captureref import CAPTURE_META, CaptureRef
from archive_store.index.cdxj import fill_missing_cdxj_for_context
from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.index.facts import add_facts
from archive_store.index.schema import Capture
from archive_store.index.stored import initial_state, parse_warc_date
from archive_store.layout import WARCS_DIR, ArchivePaths
from archive_store.lock import ArchiveLock
from archive_store.warc.httpmessage import ParsedResponse, parse_response
from archive_store.warc.recordbuilder import (
    REVISIT_IDENTICAL,
    REVISIT_NOT_MODIFIED,
    OriginalRef,
    WarcRecord,
    derived_record,
    gzip_member,
    request_record,
    response_record,
    revisit_record,
    sha1_digest,
    target_uri,
    warc_date,
)
from archive_store.warc.spool import (
    SpooledMember,
    SpooledResponse,
    gzip_spooled,
    scan_spooled,
    spooled_response_record,
)
from archive_store.warc.writer import OPEN_SUFFIX, ArchiveWriteError, ClosedFile, Member, RotatingWarcWriter

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

    from archive_store.crawl.capture.tape import ExchangeTape

logger = logging.getLogger(__name__)
_SESSION_ATTR = "_sourcekeeper_archive_session"
# a crawl's captures are committed to the index in batches: at most this many, this long after
# the first (a commit per capture was half the index's cost on the reactor thread)
_INDEX_BATCH_ROWS = 200
_INDEX_BATCH_SECONDS = 1.0
_INDEX_FAILED = object()  # what `_index_result` returns when the index refused a write


@dataclass
class _Exchange:
    """One fetched exchange, parsed, on its way to becoming WARC records and an index row."""

    request: Request
    tape: ExchangeTape
    parsed: ParsedResponse | SpooledResponse
    date: str
    truncated: str | None
    note: str | None
    payload_digest: str = ""  # set once computed (inline, or on the compressor thread)

    @property
    def chunked(self) -> bool:
        return self.parsed.framing == "chunked"


class ArchiveSession:
    """Owned by one crawler; the download handler, extension, middlewares and pipelines share it."""

    def __init__(self, settings: BaseSettings, stats: Any = None) -> None:
        self.settings = settings
        self.stats = stats
        self.enabled = settings.getbool("ARCHIVE_ENABLED")
        self.paths = ArchivePaths(Path(settings.get("ARCHIVE_DIR")).expanduser())
        self.lock = ArchiveLock(self.paths.root)
        self.lock.acquire()
        self.index = ArchiveIndex(settings.get("ARCHIVE_DB_URL") or default_db_url(self.paths.root))
        self.manifest = Manifest(self.paths.manifest)
        self.custody = CustodyLog(self.paths.custody)
        self.run_id: int | None = None
        self.resumed_captures: dict[str, Capture] = {}
        self.write_error: ArchiveWriteError | None = None
        self.index_error: SQLAlchemyError | None = None
        self.recovered: list[Any] = []
        try:
            self.recovered = recover_open_files(self.paths.warcs, self.index, self.manifest, self.custody)
        except SQLAlchemyError as exc:  # the index's disk is full: the run stops before fetching
            self.index_failed(exc)
        except OSError as exc:  # the WARC or evidence disk is full
            self.write_error = ArchiveWriteError(
                exc.errno or 0, f"cannot recover unfinished WARCs: {exc.strerror or exc}"
            )
            logger.error("%s; stopping the crawl", self.write_error.strerror)
        # WARCs closed without the file-closed hooks (by the recovery above) get their CDXJ here
        if self.write_error is None:
            fill_missing_cdxj_for_context(self)
        self.redact = [h.encode("latin-1") for h in settings.getlist("ARCHIVE_REDACT_HEADERS")]
        self.aside_min = settings.getint("ARCHIVE_ASIDE_MIN_SIZE")
        self.dedup_min = (
            settings.getint("ARCHIVE_DEDUP_MIN_SIZE") if settings.getbool("ARCHIVE_DEDUP_ENABLED") else -1
        )
        # callables (session, ClosedFile) run after each WARC is closed: CDXJ, timestamps, upload
        self.file_closed_hooks: list[FileClosedHook] = [
            load_object(path) for path in settings.getlist("ARCHIVE_FILE_CLOSED_HOOKS")
        ]
        # digests and gzip of exchanges of ARCHIVE_ASIDE_MIN_SIZE and more run here, beside the
        # reactor (record_exchange); a thread is started only when the first one comes
        self._compressor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive-gzip")
        self.writer = RotatingWarcWriter(
            self.paths.warcs,
            prefix=settings.get("ARCHIVE_WARC_PREFIX"),
            max_size=settings.getint("ARCHIVE_WARC_MAX_SIZE"),
            compress_level=settings.getint("ARCHIVE_GZIP_LEVEL"),
            warcinfo_fields=lambda name, serial: warcinfo_fields(self.settings, name, serial, self.run_id),
            on_open=self._file_opened,
            on_close=self._file_closed,
            before_close=self._index_complete_for_file,
        )
        self._index_batch_timer: Any = None
        # media of this run (video, audio, stream parts): what the summary must tell (see medianotes)
        self.media = MediaNotes(
            settings.getint("ARCHIVE_MEDIA_MAX_SIZE"), settings.getfloat("ARCHIVE_MEDIA_IDLE_TIMEOUT")
        )
        # capture_facts rows (issue 16), written with the batch of the captures they describe
        self.pending_facts: list[Any] = []

    @classmethod
    def for_crawler(cls, crawler: Crawler) -> ArchiveSession:
        session = getattr(crawler, _SESSION_ATTR, None)
        if session is None:
            session = cls(crawler.settings, crawler.stats)
            setattr(crawler, _SESSION_ATTR, session)
        return session

    # runs --------------------------------------------------------------------------------------
    def open_run(self, kind: str, identity: dict[str, Any]) -> None:
        """Start a run, or continue the unfinished run of the same command (after a crash).
        Not when the archive already refused a write (recovery on a full disk): the crawl stops."""
        if self.write_error is not None:
            return
        try:
            self._open_run(kind, identity)
        except SQLAlchemyError as exc:
            self.index_failed(exc)

    def _open_run(self, kind: str, identity: dict[str, Any]) -> None:
        key = hashlib.sha256(json.dumps(identity, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        previous = self.index.unfinished_run(key) if self.settings.getbool("ARCHIVE_RESUME") else None
        if previous is not None:
            self.run_id = previous.id
            self.index.mark_resumed(previous.id)
            self.resumed_captures = self.index.run_captures(previous.id)
            self._log_custody("run_resumed", run=previous.id, already_captured=len(self.resumed_captures))
            logger.info(
                "resuming unfinished run %d: %d URLs already captured",
                previous.id,
                len(self.resumed_captures),
            )
        else:
            self.run_id = self.index.start_run(key, kind, identity).id
            self._log_custody(
                "run_started",
                run=self.run_id,
                kind=kind,
                command=identity,
                config=run_config(self.settings),
            )
        self._inc("archive/runs_resumed" if previous else "archive/runs_started")

    def close(self, reason: str) -> dict[str, Any]:
        """Close the open WARC, write the run summary, release the lock. Returns the summary."""
        self._compressor.shutdown(wait=True)
        if self._index_batch_timer is not None and self._index_batch_timer.active():
            self._index_batch_timer.cancel()
        try:
            if self.index_error is None:
                self.writer.close()
            else:
                self.writer.abandon()
        except SQLAlchemyError as exc:
            self.index_failed(exc)
        except OSError as exc:
            # a full disk here is already reported as the run's write error: no traceback
            logger.error("could not close %s: %s", self.writer.current_filename, exc)
        summary = self.summary(reason)
        if self.run_id is not None:
            # a run stopped by Ctrl-C, a full disk or a kill is resumed by the same command
            clean = reason == "finished" and self.write_error is None
            status = "finished" if clean else "interrupted"
            try:
                self.index.finish_run(self.run_id, status, summary)
            except SQLAlchemyError as exc:
                logger.error(
                    "could not record the end of run %s in the index: %s", self.run_id, plain_db_error(exc)
                )
            # the custody log may live on another disk than the index: tried either way
            self._log_custody("run_finished", run=self.run_id, status=status, summary=summary)
        self.index.close()
        self.lock.release()
        return summary

    def summary(self, reason: str) -> dict[str, Any]:
        """What the run committed to the index (also after the index refused a write: what was
        committed before it counts; a batch that was not is in a WARC left `.open`)."""
        counts = {"captured": 0, "revisits": 0, "truncated": 0}
        failures = []
        if self.run_id is not None:
            try:
                counts = self.index.run_counts(self.run_id)
                failures = self.index.failures_for_run(self.run_id)
            except SQLAlchemyError as exc:
                logger.error("could not count the run's captures in the index: %s", plain_db_error(exc))
                counts = self._counted_captures()
        return {
            "run": self.run_id,
            "reason": reason,
            **counts,
            "failed": len(failures),
            "failures": [{"url": f.url, "reason": f.reason} for f in failures],
            # a file left `.open` (the index refused a write) is named so: the next run recovers it
            "files": [
                name + OPEN_SUFFIX if (self.paths.warcs / (name + OPEN_SUFFIX)).exists() else name
                for name in self.writer.files_written
            ],
            "archive": str(self.paths.root),
            # never the password of a database URL (credentials stay out of logs)
            "index": make_url(self.index.db_url).render_as_string(hide_password=True),
            "write_error": (self.write_error.strerror or str(self.write_error)) if self.write_error else None,
            "media": self.media.summary(),
        }

    def _counted_captures(self) -> dict[str, int]:
        """The run's captures as the crawl counted them, when the index cannot be read."""
        stats = self.stats
        if stats is None:
            return {"captured": 0, "revisits": 0, "truncated": 0}
        responses = int(stats.get_value("archive/responses", 0))
        revisits = int(stats.get_value("archive/revisits", 0))
        cut = sum(
            int(stats.get_value(f"archive/truncated/{why}", 0)) for why in ("length", "time", "disconnect")
        )
        return {"captured": responses + revisits, "revisits": revisits, "truncated": cut}

    def note_media(self, url: str, state: str, reason: str) -> None:
        """A media fetch the summary must name: cut, partial, failed, a loop, a live stream."""
        self.media.note(url, state, reason)

    def note_stream(self, url: str, kind: str, segments: int) -> None:
        self.media.stream(url, kind, segments)

    # exchanges -----------------------------------------------------------------------------------
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
        warcinfo_id = self.writer.warcinfo_id_for_next_group()
        if tape is None or warcinfo_id is None or len(tape.received) < self.aside_min:
            exchange = _parsed_exchange(request, tape, truncated, note=None)
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
            _prepared_exchange,
            request,
            tape,
            truncated,
            warcinfo_id,
            self.writer.compress_level,
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
            exchange = _parsed_exchange(request, tape, truncation_for(exc), note=reason)
            recorded = exchange is not None and self._commit(exchange, *self._build(exchange))
        kept = "; the partial response is kept as a truncated capture" if recorded else ""
        self._index_call(self.index.add_failure, self.run_id, request.url, "attempt", reason + kept)
        self._inc("archive/fetch_failures")

    async def record_failed_spooled(self, request: Request, tape: ExchangeTape, exc: BaseException) -> None:
        """`record_failed_exchange` for a media body spooled to a file (see mediastream)."""
        reason = describe_failure(exc, request, bytes(tape.received))
        request.meta[FAILURE_REASON_META] = reason
        recorded = False
        if not isinstance(exc, ArchiveWriteError):
            recorded = await self._record_spooled(request, tape, truncation_for(exc), note=reason)
        kept = "; the partial response is kept as a truncated capture" if recorded else ""
        self._index_call(self.index.add_failure, self.run_id, request.url, "attempt", reason + kept)
        self._inc("archive/fetch_failures")

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
            exchange = _Exchange(
                request, tape, spooled, warc_date(tape.started), truncated, note, spooled.payload_digest
            )
            if self._original_for(exchange) is not None:
                # a revisit: small records (the head), written as any other
                return self._commit(exchange, *self._build(exchange))
            for _attempt in range(2):  # the WARC may roll over while the body is gzipped: redo
                if self.write_error is not None:
                    return False
                try:
                    warcinfo_id = self.writer.open_for_group()
                except ArchiveWriteError as exc:
                    self.write_error = exc
                    logger.error("%s; stopping the crawl", exc)
                    return False
                record = spooled_response_record(
                    request.url, exchange.date, spooled, tape.ip_address, exchange.truncated
                )
                record.set("WARC-Warcinfo-ID", warcinfo_id)
                req = _request_record(exchange, record.record_id, self.redact)
                req.set("WARC-Warcinfo-ID", warcinfo_id)
                if member is not None:
                    member.close()
                member = await loop.run_in_executor(
                    self._compressor,
                    gzip_spooled,
                    record,
                    spooled,
                    self.writer.compress_level,
                    str(self.paths.root),
                )
                if self.writer.current_warcinfo_id() == warcinfo_id:
                    req_member = gzip_member(req.to_bytes(), self.writer.compress_level)
                    self._inc("archive/streamed_bodies")
                    return self._commit(exchange, req, record, None, (warcinfo_id, [req_member, member]))
            return False
        finally:
            if member is not None:
                member.close()
            handle.close()

    def _may_dedup(self, exchange: _Exchange) -> bool:
        size = exchange.parsed.payload_length
        return not exchange.truncated and self.dedup_min >= 0 and size >= max(self.dedup_min, 1)

    def _build(
        self, exchange: _Exchange, prepared: _PreparedResponse | None = None
    ) -> tuple[WarcRecord, WarcRecord, OriginalRef | None]:
        """The request record and the response (`prepared` if given) or revisit record; the
        original a revisit refers to."""
        parsed, tape, uri, date = exchange.parsed, exchange.tape, exchange.request.url, exchange.date
        if not exchange.payload_digest:
            assert isinstance(parsed, ParsedResponse)
            exchange.payload_digest = sha1_digest(parsed.payload)
        original = self._original_for(exchange)
        profile = REVISIT_IDENTICAL
        not_modified = _not_modified_original(exchange.request, parsed.status)
        if not_modified is not None:  # a 304 to a conditional re-check
            original, profile = not_modified, REVISIT_NOT_MODIFIED
            exchange.payload_digest = not_modified.payload_digest
        if original is None and prepared is not None:
            return prepared.request, prepared.record, None
        if original is not None:
            main: WarcRecord = revisit_record(
                uri, date, parsed.head_bytes, original, tape.ip_address, profile
            )
        else:
            assert isinstance(parsed, ParsedResponse)
            main = response_record(
                uri,
                date,
                parsed.block,
                parsed.payload,
                tape.ip_address,
                exchange.truncated,
                exchange.payload_digest,
            )
        return _request_record(exchange, main.record_id, self.redact), main, original

    def _commit(
        self,
        exchange: _Exchange,
        req: WarcRecord,
        main: WarcRecord,
        original: OriginalRef | None,
        members: tuple[str, list[Member]] | None = None,
    ) -> bool:
        """Write the records (already gzipped for `members[0]`'s warcinfo, if given) and index them."""
        request, parsed, tape, uri = exchange.request, exchange.parsed, exchange.tape, exchange.request.url
        written = self._write([req, main], members)
        if written is None:
            reason = f"fetched but not archived: {self.write_error}"
            self._index_call(self.index.add_failure, self.run_id, uri, "final", reason)
            return False
        content_type = parsed.head.get(b"content-type")
        capture = dict(
            run_id=self.run_id,
            url=uri,
            method=request.method,
            captured_at=parse_warc_date(exchange.date),
            warc_date=exchange.date,
            http_status=parsed.status,
            record_type=main.record_type,
            record_id=main.record_id,
            request_record_id=req.record_id,
            warc_file=written[1].filename,
            warc_offset=written[1].offset,
            warc_length=written[1].length,
            payload_digest=exchange.payload_digest,
            block_digest=main.get("WARC-Block-Digest") or "",
            payload_length=parsed.payload_length,
            content_type=content_type.decode("latin-1") if content_type is not None else None,
            truncated=exchange.truncated,
            chunked=exchange.chunked,
            ip_address=tape.ip_address,
            refers_to=original.record_id if original else None,
            state=initial_state(parsed.status, exchange.truncated),
            state_reason=exchange.note,
            hop=int(request.meta.get("archive_hop", 0)),
            parent_url=request.meta.get("archive_parent"),
        )
        # not committed at once (SQLite): a capture lost with its batch is in a WARC still
        # `.open`, which recovery indexes; a WARC is closed only after its batch is committed
        capture_id = self._index_result(partial(self.index.insert_capture, commit=False), capture)
        if capture_id is _INDEX_FAILED:
            return False
        self._capture_indexed()
        request.meta[CAPTURE_META] = CaptureRef.of(capture, capture_id)
        facts = facts_for(request, tape.tls, urlparse_cached(request).hostname or "")
        if facts is not None:  # vantage point and TLS facts (issue 16)
            written = self._write([facts_record(uri, exchange.date, main.record_id, facts)])
            metadata_id = written[0].record_id if written else None
            self.pending_facts.append(facts_row(main.record_id, metadata_id, facts))
            if facts.get("tls") is not None:
                self._inc(f"archive/tls/{facts['tls']['protocol']}")
        self._inc("archive/revisits" if original else "archive/responses")
        if request.meta.get("archive_media"):
            self.media.captured(
                uri, str(request.meta["archive_media"]), parsed.payload_length, exchange.truncated
            )
        if exchange.truncated:
            self._inc(f"archive/truncated/{exchange.truncated}")
        if parsed.trailing:
            logger.debug(
                "%s: %d bytes after the end of the response were not part of it",
                uri,
                parsed.trailing,
            )
        return True

    def _original_for(self, exchange: _Exchange) -> OriginalRef | None:
        if not self._may_dedup(exchange):
            return None
        digest = exchange.payload_digest
        original = self.index.find_original(digest, exchange.chunked)
        if original is None:
            return None
        return OriginalRef(original.record_id, target_uri(original.url), original.warc_date, digest)

    def write_derivative(
        self,
        uri: str,
        refers_to: str,
        block: bytes,
        content_type: str,
        record_type: str = "metadata",
    ) -> str | None:
        """Write a record derived from a capture (extracted text, metadata JSON); returns its id."""
        record = derived_record(uri, warc_date(), refers_to, block, content_type, record_type)
        written = self._write([record])
        return written[0].record_id if written else None

    def write_records(self, records: list[WarcRecord]) -> list[Any] | None:
        """Write records as one group (render snapshots); the writer's WrittenRecord of each."""
        return self._write(records)

    def _index_call(self, method: Callable[..., Any], *args: Any) -> bool:
        """Index writes during a crawl; if the index refuses (disk full), stop like a WARC error.
        The open WARC is then left `.open`, so the next run's recovery indexes what it holds."""
        return self._index_result(method, *args) is not _INDEX_FAILED

    def _index_result(self, method: Callable[..., Any], *args: Any) -> Any:
        """`_index_call` that returns what the method returns, or `_INDEX_FAILED`."""
        if self.index_error is not None:
            return _INDEX_FAILED
        try:
            return method(*args)
        except SQLAlchemyError as exc:
            self.index_failed(exc)
            return _INDEX_FAILED

    def index_failed(self, exc: SQLAlchemyError) -> None:
        """The index refused a write (its disk is full): stop the crawl as for a WARC error,
        saying why in one line (the driver's words, never the statement and its parameters,
        which hold page text)."""
        if self.index_error is not None:
            return
        self.index_error = exc
        self.write_error = self.write_error or ArchiveWriteError(
            0, f"cannot write to the index: {plain_db_error(exc)}"
        )
        self._inc("archive/index_error")
        logger.error("%s; stopping the crawl", self.write_error)

    def _capture_indexed(self) -> None:
        if self.index.uncommitted_captures >= _INDEX_BATCH_ROWS:
            self._commit_index_batch()
        elif self.index.uncommitted_captures and self._index_batch_timer is None:
            from twisted.internet import reactor  # noqa: PLC0415 (the installed reactor, at call time)

            timer_reactor: Any = reactor
            self._index_batch_timer = timer_reactor.callLater(_INDEX_BATCH_SECONDS, self._commit_index_batch)

    def _commit_index_batch(self) -> bool:
        if self._index_batch_timer is not None:
            if self._index_batch_timer.active():
                self._index_batch_timer.cancel()
            self._index_batch_timer = None
        if not self._index_call(self.index.commit_captures):
            return False
        facts, self.pending_facts = self.pending_facts, []
        return not facts or self._index_call(add_facts, self.index, facts)

    def _index_complete_for_file(self) -> None:
        """Before the writer closes a WARC: every capture in it is committed to the index (after
        the close, recovery would no longer find the file), or the WARC stays `.open`."""
        if not self._commit_index_batch():
            raise ArchiveWriteError(0, f"cannot write to the index: {self.index_error}")

    def _write(
        self, records: list[WarcRecord], members: tuple[str, list[Member]] | None = None
    ) -> list[Any] | None:
        if self.write_error is not None:
            return None
        try:
            written = self.writer.write_group(records, members)
        except ArchiveWriteError as exc:
            self.write_error = exc
            self._inc("archive/write_error")
            logger.error("%s; stopping the crawl (the WARC was cut back to its last whole record)", exc)
            return None
        self._inc("archive/records_written", len(records))
        self._inc("archive/bytes_written", sum(w.length for w in written))
        return written

    # bookkeeping --------------------------------------------------------------------------------
    def _log_custody(self, event: str, **details: Any) -> ChainLink | None:
        """A custody entry; a log that cannot take it (its disk is full) stops the crawl as a
        WARC error does (nothing is archived that the log does not account for), in one line."""
        try:
            return self.custody.record(event, **details)
        except OSError as exc:
            why = exc.strerror or str(exc)
            if self.write_error is None:
                self.write_error = ArchiveWriteError(
                    exc.errno or 0, f"cannot write to the custody log: {why}"
                )
                logger.error("%s; stopping the crawl", self.write_error.strerror)
            else:
                logger.error("could not log %s in the custody log: %s", event, why)
            self._inc("archive/custody_error")
            return None

    def _file_opened(self, filename: str) -> None:
        self.index.file_opened(filename, self.run_id)
        self._log_custody("file_created", file=filename, run=self.run_id)
        self._inc("archive/files_opened")

    def _file_closed(self, closed: ClosedFile) -> None:
        # the file is closed on disk: its evidence (manifest, custody) is written even when the
        # index cannot take its row any more
        self._index_call(self.index.file_closed, closed.filename, closed.size, closed.sha256)
        self.manifest.add(f"{WARCS_DIR}/{closed.filename}", closed.sha256)
        head = self._log_custody("file_closed", file=closed.filename, bytes=closed.size, sha256=closed.sha256)
        if head is not None:
            self.manifest.add_head(f"{WARCS_DIR}/{closed.filename}", head)
        for hook in self.file_closed_hooks:
            name = getattr(hook, "__name__", hook)
            try:
                hook(self, closed)
            except OSError as exc:  # a full disk, a permission: the machine's, not a bug of ours
                logger.error("%s failed for %s: %s", name, closed.filename, exc)
                self._inc("archive/file_hook_errors")
            except Exception:  # a failed index/timestamp/upload must not lose the capture itself
                logger.exception("%s failed for %s", name, closed.filename)
                self._inc("archive/file_hook_errors")

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(key, count)


def plain_db_error(exc: BaseException) -> str:
    """The database driver's own words ("database or disk is full"), without SQLAlchemy's
    statement and parameters (page text) or its background link."""
    cause = getattr(exc, "orig", None) or exc
    return str(cause).strip().splitlines()[0] if str(cause).strip() else "the database refused the write"


def _parsed_exchange(
    request: Request, tape: ExchangeTape | None, truncated: str | None, note: str | None
) -> _Exchange | None:
    """The taped exchange parsed; None when nothing usable was received."""
    if tape is None:
        return None
    parsed = parse_response(bytes(tape.received), request_method=request.method.encode())
    if parsed is None:
        return None
    if not parsed.complete:
        truncated = truncated or "disconnect"
    return _Exchange(request, tape, parsed, warc_date(tape.started), truncated, note)


def _prepared_exchange(
    request: Request,
    tape: ExchangeTape,
    truncated: str | None,
    warcinfo_id: str,
    level: int,
    redact: list[bytes],
) -> tuple[_Exchange | None, _PreparedResponse | None]:
    """On the compressor thread: the exchange parsed, and its records prepared (see below)."""
    exchange = _parsed_exchange(request, tape, truncated, note=None)
    if exchange is None:
        return None, None
    prepared = _prepared_response(exchange, warcinfo_id, level, redact)
    exchange.payload_digest = prepared.payload_digest
    return exchange, prepared


def _request_record(exchange: _Exchange, concurrent_to: str, redact: list[bytes]) -> WarcRecord:
    tape = exchange.tape
    block = redact_request(bytes(tape.sent), redact)
    return request_record(exchange.request.url, exchange.date, block, tape.ip_address, concurrent_to)


@dataclass(frozen=True)
class _PreparedResponse:
    payload_digest: str
    record: WarcRecord
    member: bytes
    request: WarcRecord  # the request record that goes with `record` (not with a revisit)
    request_member: bytes


def _prepared_response(
    exchange: _Exchange, warcinfo_id: str, level: int, redact: list[bytes]
) -> _PreparedResponse:
    """On the compressor thread: the payload digest, the response record and the request record
    that goes with it, their gzip members."""
    parsed, tape = exchange.parsed, exchange.tape
    assert isinstance(parsed, ParsedResponse)  # spooled bodies take _record_spooled
    digest = sha1_digest(parsed.payload)
    record = response_record(
        exchange.request.url,
        exchange.date,
        parsed.block,
        parsed.payload,
        tape.ip_address,
        exchange.truncated,
        digest,
    )
    record.set("WARC-Warcinfo-ID", warcinfo_id)
    request = _request_record(exchange, record.record_id, redact)
    request.set("WARC-Warcinfo-ID", warcinfo_id)
    return _PreparedResponse(
        digest,
        record,
        gzip_member(record.to_bytes(), level),
        request,
        gzip_member(request.to_bytes(), level),
    )


def _not_modified_original(request: Request, status: int) -> OriginalRef | None:
    """The capture a conditional re-check sent validators for (request.meta "archive_not_modified":
    for_url, and the url, record_id, warc_date, payload_digest of the record holding its payload),
    when the server answers 304 for that URL: the 304 becomes a server-not-modified revisit of it."""
    ref = request.meta.get("archive_not_modified")
    if status != 304 or not ref or ref.get("for_url") != request.url:
        return None
    return OriginalRef(ref["record_id"], target_uri(ref["url"]), ref["warc_date"], ref["payload_digest"])
