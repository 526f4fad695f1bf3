"""The text of every kept document (docs/documents.md): read after capture in worker processes
(pipelines.doctext), stored as two standard records — a `conversion` record holding the text
(WARC-Refers-To the response, WARC-Target-URI the document's URL, text/plain; charset=utf-8) and a
`metadata` record saying how it was read (engines and versions, pages, per-page OCR confidence,
what was skipped and why) — and an index row of kind `document` for the document's own capture,
so `search` finds its words and `show` gives its text. Used by the crawl's extraction pipeline and
by `reextract`; the records go into the WARC the crawl (or the `reextract` run) is writing."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from archive_store.crawl.children import QuietSpawnContext, watch_parent
from archive_store.index.schema import Page
from archive_store.warc.recordbuilder import derived_record, new_record_id, warc_date
from pipelines.doctext.model import OCR_OFF, DocumentText, Limits
from pipelines.doctext.sniff import IMAGE_FORMATS, OLE_MAGIC, declared_kind
from pipelines.doctext.workers import DocumentJob, ReaderPool
from pipelines.extraction.govdoc import identity_from_text

if TYPE_CHECKING:
    from archive_store.crawl.archive_settings import DocumentSettings
    from archive_store.crawl.sessionapi import CaptureSession

logger = logging.getLogger(__name__)
DOCUMENT_TEXT_VERSION = 1  # raised when what a stored document yields changes (`reextract`)
CONVERSION_TYPE = "text/plain; charset=utf-8"
METADATA_TYPE = "application/json"
_DOCUMENT_MAGIC = (b"%PDF-", b"PK\x03\x04", OLE_MAGIC, b"{\\rtf", b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07")
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")
_PAGE_TYPES = ("text/html", "application/xhtml+xml")


def limits_from(documents: DocumentSettings) -> Limits:
    """The reading limits from the ARCHIVE_DOCUMENT_* and ARCHIVE_OCR* settings (read and checked by
    ArchiveSettings; the readers take plain values: pipelines.doctext knows nothing of the archive)."""
    return Limits(
        max_pages=documents.max_pages,
        max_pixels=documents.max_pixels,
        timeout=documents.timeout,
        ocr=documents.ocr.value,
        ocr_min_pixels=documents.ocr_min_pixels,
        max_memory_mb=documents.max_memory_mb,
    )


def is_document(url: str, headers: list[tuple[str, str]], body: bytes, ocr: str) -> bool:
    """Whether a response is a document to read: by its first bytes, else by its URL's extension or
    Content-Type; an HTML page is one only when its name says it is a document (a `.doc` that is
    HTML). Images only when OCR may read them."""
    if not body:
        return False
    content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
    head = body[:16]
    declared = declared_kind(url, content_type)
    if head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and body[8:12] == b"WEBP"):
        return ocr != "never"
    if head.startswith(_DOCUMENT_MAGIC):
        return True
    if declared is None or declared in IMAGE_FORMATS:
        return False
    mime = (content_type or "").split(";")[0].strip().lower()
    return not (mime in _PAGE_TYPES and declared == "text")


def store_document_text(
    session: CaptureSession,
    capture_id: int,
    url: str,
    response_record_id: str,
    doc: DocumentText,
    **extra: Any,
) -> Page | None:
    """Write the conversion and metadata records of one document (one group, into the WARC being
    written) and its index row; the row, or None when the records could not be written."""
    text = doc.text
    records = []
    conversion_id = None
    if text:
        conversion = derived_record(
            url, warc_date(), response_record_id, text.encode("utf-8"), CONVERSION_TYPE, "conversion"
        )
        conversion_id = conversion.record_id
        records.append(conversion)
    metadata = {
        "document_text_version": DOCUMENT_TEXT_VERSION,
        "url": url,
        "refers_to_response": response_record_id,
        "conversion_record_id": conversion_id,
        **extra,
        **doc.to_json(),
    }
    block = json.dumps(metadata, ensure_ascii=False, sort_keys=True).encode("utf-8")
    metadata_id = new_record_id()
    records.append(
        derived_record(
            url,
            warc_date(),
            conversion_id or response_record_id,
            block,
            METADATA_TYPE,
            "metadata",
            record_id=metadata_id,
        )
    )
    if session.write_records(records) is None:
        return None
    page = Page(
        capture_id=capture_id,
        url=url,
        kind="document",
        text=text,
        text_source=doc.text_source,
        page_count=doc.page_count,
        ocr_confidence=doc.ocr_confidence,
        text_skipped=doc.skipped,
        conversion_record_id=conversion_id,
        metadata_record_id=metadata_id,
        metadata_json=json.dumps({k: v for k, v in metadata.items() if k != "pages"}, ensure_ascii=False),
        # what an official document prints of itself: 文号, issuer, 索引号, 成文/发布日期, 主题分类
        **identity_from_text(text).to_json(),
    )
    session.index.save_page(page)
    return page


class DocumentTexts:
    """The crawl's side: which captures are documents, their reading off the reactor thread (a
    thread waits on a worker process for each), and the storing of what they gave."""

    def __init__(self, session: CaptureSession, limits: Limits, processes: int, stats: Any = None) -> None:
        self.session = session
        self.limits = limits
        self.processes = max(processes, 1)
        self.stats = stats
        self._pool: ReaderPool | None = None
        self._threads: ThreadPoolExecutor | None = None

    @classmethod
    def from_settings(
        cls, documents: DocumentSettings, session: CaptureSession, stats: Any
    ) -> DocumentTexts | None:
        if not documents.enabled:
            return None
        return cls(session, limits_from(documents), documents.processes, stats)

    def wants(self, item: Any, analysis: dict[str, Any]) -> bool:
        if analysis.get("page") is not None or analysis.get("error"):
            return False  # a page extraction read (HTML, plain text) is not read twice
        state = str(analysis.get("state") or "")
        if not 200 <= item.status < 300 or state.startswith(("removed", "blocked")):
            return False  # a block page or a soft 404 under a document's name is not the document
        return is_document(item.url, item.headers, item.body, self.limits.ocr)

    def pool(self) -> ReaderPool:
        if self._pool is None:
            # spawned workers that leave Ctrl-C and SIGTERM to the crawl and end if it is killed
            self._pool = ReaderPool(
                self.processes,
                self.limits,
                context=QuietSpawnContext(),
                initializer=watch_parent,
                initargs=(os.getpid(),),
            )
            self._threads = ThreadPoolExecutor(self.processes, thread_name_prefix="document-text")
        return self._pool

    async def read_and_store(self, item: Any) -> None:
        content_type = next((v for k, v in item.headers if k.lower() == "content-type"), None)
        capture = item.capture
        assert capture is not None and capture.capture_id is not None  # only archived documents are read
        job = DocumentJob(item.body, item.url, content_type, truncated=bool(capture.truncated))
        pool = self.pool()
        loop = asyncio.get_running_loop()
        doc: DocumentText = await loop.run_in_executor(self._threads, pool.read, job)
        if doc.format in IMAGE_FORMATS and doc.skipped == OCR_OFF and self.limits.ocr == "auto":
            self._inc("documents/small_images")  # an icon or a decoration: nothing to keep
            return
        stored = store_document_text(self.session, capture.capture_id, item.url, capture.record_id, doc)
        if stored is None:
            return
        self._inc("documents/read")
        if doc.skipped:
            self._inc(f"documents/skipped/{doc.skipped}")
        ocr_pages = sum(1 for page in doc.pages if page.source == "ocr")
        if ocr_pages:
            self._inc("documents/ocr_pages", ocr_pages)
        layer_pages = sum(1 for page in doc.pages if page.source == "layer")
        if layer_pages:
            self._inc("documents/layer_pages", layer_pages)

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(key, count)

    def close(self) -> None:
        if self._threads is not None:
            self._threads.shutdown(wait=True)
        if self._pool is not None:
            self._pool.close()
