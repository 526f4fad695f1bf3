"""The archive a crawl writes to: lock, index, writer, the run and its files' evidence. It composes
the parts: the run's ledger (`runledger`), the exchange recorder (`exchangerecorder`, what each
exchange becomes), the index batcher (`indexbatch`) and the evidence of the run and its files
(`fileevidence`: custody entries, manifest lines, file-closed hooks). Spiders and pipelines see it through the
protocol of `sessionapi`."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.utils.misc import load_object
from sqlalchemy.exc import SQLAlchemyError

from archive_store.crawl.exchangerecorder import ExchangeRecorder
from archive_store.crawl.fileevidence import FileEvidence
from archive_store.crawl.indexbatch import INDEX_FAILED, IndexBatcher
from archive_store.crawl.medianotes import MediaNotes
from archive_store.crawl.recovery import recover_open_files
from archive_store.crawl.runledger import plain_db_error, run_key, run_summary
from archive_store.crawl.warcinfo import warcinfo_fields
from archive_store.evidence.exports import run_config
from archive_store.evidence.fixity import CustodyLog, Manifest
from archive_store.hooks import FileClosedHook
from archive_store.index.captureref import CaptureRef
from archive_store.index.cdxj import fill_missing_cdxj_for_context
from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.index.schema import Capture
from archive_store.layout import ArchivePaths
from archive_store.lock import ArchiveLock
from archive_store.warc.recordbuilder import WarcRecord, derived_record, warc_date
from archive_store.warc.writer import ArchiveWriteError, Member, RotatingWarcWriter

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

    from archive_store.crawl.capture.tape import ExchangeTape

logger = logging.getLogger(__name__)
_SESSION_ATTR = "_sourcekeeper_archive_session"


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
        # captures committed to the index in batches, on size or on a timer (indexbatch)
        self.batcher = IndexBatcher(self.index, self.index_call, lambda: self.index_error)
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
        # callables (session, ClosedFile) run after each WARC is closed: CDXJ, timestamps, upload
        self.file_closed_hooks: list[FileClosedHook] = [
            load_object(path) for path in settings.getlist("ARCHIVE_FILE_CLOSED_HOOKS")
        ]
        # custody entries and each WARC's evidence when it is opened and closed (fileevidence)
        self.evidence = FileEvidence(self)
        self.writer = RotatingWarcWriter(
            self.paths.warcs,
            prefix=settings.get("ARCHIVE_WARC_PREFIX"),
            max_size=settings.getint("ARCHIVE_WARC_MAX_SIZE"),
            compress_level=settings.getint("ARCHIVE_GZIP_LEVEL"),
            warcinfo_fields=lambda name, serial: warcinfo_fields(self.settings, name, serial, self.run_id),
            on_open=self.evidence.file_opened,
            on_close=self.evidence.file_closed,
            before_close=self.batcher.complete_for_file,
        )
        # media of this run (video, audio, stream parts): what the summary must tell (see medianotes)
        self.media = MediaNotes(
            settings.getint("ARCHIVE_MEDIA_MAX_SIZE"), settings.getfloat("ARCHIVE_MEDIA_IDLE_TIMEOUT")
        )
        # what each exchange becomes: records, revisits, index rows (exchangerecorder)
        self.recorder = ExchangeRecorder(self, settings)

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
        key = run_key(identity)
        previous = self.index.unfinished_run(key) if self.settings.getbool("ARCHIVE_RESUME") else None
        if previous is not None:
            self.run_id = previous.id
            self.index.mark_resumed(previous.id)
            self.resumed_captures = self.index.run_captures(previous.id)
            self.evidence.log_custody(
                "run_resumed", run=previous.id, already_captured=len(self.resumed_captures)
            )
            logger.info(
                "resuming unfinished run %d: %d URLs already captured",
                previous.id,
                len(self.resumed_captures),
            )
        else:
            self.run_id = self.index.start_run(key, kind, identity).id
            self.evidence.log_custody(
                "run_started",
                run=self.run_id,
                kind=kind,
                command=identity,
                config=run_config(self.settings),
            )
        self.inc("archive/runs_resumed" if previous else "archive/runs_started")

    def close(self, reason: str) -> dict[str, Any]:
        """Close the open WARC, write the run summary, release the lock. Returns the summary."""
        self.recorder.shutdown()
        self.batcher.cancel()
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
            self.evidence.log_custody("run_finished", run=self.run_id, status=status, summary=summary)
        self.index.close()
        self.lock.release()
        return summary

    def summary(self, reason: str) -> dict[str, Any]:
        """What the run committed to the index (see runledger.run_summary)."""
        return run_summary(
            self.index,
            self.run_id,
            reason,
            self.stats,
            self.paths,
            self.writer.files_written,
            self.write_error,
            self.media.summary(),
        )

    def note_media(self, url: str, state: str, reason: str) -> None:
        """A media fetch the summary must name: cut, partial, failed, a loop, a live stream."""
        self.media.note(url, state, reason)

    def note_stream(self, url: str, kind: str, segments: int) -> None:
        self.media.stream(url, kind, segments)

    # exchanges: the recorder's (exchangerecorder); the download handler calls these ------------
    async def record_exchange(self, request: Request, response: Response, tape: ExchangeTape | None) -> None:
        await self.recorder.record_exchange(request, response, tape)

    def record_failed_exchange(self, request: Request, tape: ExchangeTape | None, exc: BaseException) -> None:
        self.recorder.record_failed_exchange(request, tape, exc)

    async def record_failed_spooled(self, request: Request, tape: ExchangeTape, exc: BaseException) -> None:
        await self.recorder.record_failed_spooled(request, tape, exc)

    # records ------------------------------------------------------------------------------------
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
        written = self.write_group([record])
        return written[0].record_id if written else None

    def keep_media_info(self, url: str, capture: CaptureRef, info: dict[str, Any]) -> str | None:
        """What yt-dlp said of a captured player page (formats, title, extractor): a metadata record
        (JSON) that refers to the page's capture. The spider hands it over; it writes no records."""
        block = json.dumps(info, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return self.write_derivative(url, capture.record_id, block, "application/json")

    def write_records(self, records: list[WarcRecord]) -> list[Any] | None:
        """Write records as one group (render snapshots); the writer's WrittenRecord of each."""
        return self.write_group(records)

    def index_call(self, method: Callable[..., Any], *args: Any) -> bool:
        """Index writes during a crawl; if the index refuses (disk full), stop like a WARC error.
        The open WARC is then left `.open`, so the next run's recovery indexes what it holds."""
        return self.index_result(method, *args) is not INDEX_FAILED

    def index_result(self, method: Callable[..., Any], *args: Any) -> Any:
        """`index_call` that returns what the method returns, or `INDEX_FAILED`."""
        if self.index_error is not None:
            return INDEX_FAILED
        try:
            return method(*args)
        except SQLAlchemyError as exc:
            self.index_failed(exc)
            return INDEX_FAILED

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
        self.inc("archive/index_error")
        logger.error("%s; stopping the crawl", self.write_error)

    def write_group(
        self, records: list[WarcRecord], members: tuple[str, list[Member]] | None = None
    ) -> list[Any] | None:
        if self.write_error is not None:
            return None
        try:
            written = self.writer.write_group(records, members)
        except ArchiveWriteError as exc:
            self.write_error = exc
            self.inc("archive/write_error")
            logger.error("%s; stopping the crawl (the WARC was cut back to its last whole record)", exc)
            return None
        self.inc("archive/records_written", len(records))
        self.inc("archive/bytes_written", sum(w.length for w in written))
        return written

    def inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(key, count)
