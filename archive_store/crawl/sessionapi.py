"""What spiders and pipelines may use of the crawl's archive session: a small protocol.

`archive_store.crawl.session.ArchiveSession` composes the run's ledger (`runledger`), the exchange
recorder (`exchangerecorder`, the download handler's side: records, revisits, spooled bodies), the
index batcher (`indexbatch`) and the files' evidence (`fileevidence`). Spiders and pipelines need
far less than that: the run they belong to, the index to read and mark, a way to stop the crawl when
the index refuses a write, derived records that refer to a capture, and the media notes of the
summary. They are typed against this protocol (as file-closed hooks are against
`archive_store.hooks.FileClosedContext`) and get the crawl's session from
`capture_session(crawler)`: they import this module, never the session's. The session never imports
this module, so there is no import loop; mypy checks that `ArchiveSession` satisfies the protocol
where `capture_session` returns it.

Who uses what (callers of the session outside the crawl room):
- run_id, index: pipelines (extraction, quotes, recheck, citations, documents), render records,
  scrapers/incremental.py, scrapers/recover.py
- index_error, index_failed: pipelines (extraction, quotes, recheck)
- write_error: pipelines (reextract, documents), the crawl extension
- write_derivative: pipelines (extraction, quotes, reextract), scrapers/recover.py
- write_records: render records, pipelines/document_text.py
- keep_media_info: scrapers/mediafollow.py (yt-dlp's JSON of an embed, written by the capture side)
- note_media, note_stream: scrapers/mediafollow.py
- paths: pipelines/reextract.py, crawl/resume.py
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.exc import SQLAlchemyError

from archive_store.crawl.session import ArchiveSession
from archive_store.index.captureref import CaptureRef
from archive_store.index.database import ArchiveIndex
from archive_store.layout import ArchivePaths
from archive_store.warc.recordbuilder import WarcRecord
from archive_store.warc.writer import ArchiveWriteError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class MediaNotesSink(Protocol):
    """What a spider following media tells the run summary, and hands the capture side to keep."""

    def note_media(self, url: str, state: str, reason: str) -> None: ...

    def note_stream(self, url: str, kind: str, segments: int) -> None: ...

    def keep_media_info(self, url: str, capture: CaptureRef, info: dict[str, Any]) -> str | None: ...


class CaptureSession(MediaNotesSink, Protocol):
    """The narrow interface of the crawl's archive session, for spiders and pipelines."""

    @property
    def run_id(self) -> int | None: ...

    @property
    def index(self) -> ArchiveIndex: ...

    @property
    def paths(self) -> ArchivePaths: ...

    @property
    def write_error(self) -> ArchiveWriteError | None: ...

    @property
    def index_error(self) -> SQLAlchemyError | None: ...

    def index_failed(self, exc: SQLAlchemyError) -> None: ...

    def write_derivative(
        self, uri: str, refers_to: str, block: bytes, content_type: str, record_type: str = "metadata"
    ) -> str | None: ...

    def write_records(self, records: list[WarcRecord]) -> list[Any] | None: ...


def capture_session(crawler: Crawler) -> CaptureSession:
    """The crawl's archive session (one per crawler), as spiders and pipelines see it."""
    return ArchiveSession.for_crawler(crawler)
