"""Re-run decode → classify → extract over stored captures after an extractor upgrade.

Derivatives are regenerated from the unchanged WARCs: each capture whose newest metadata record
was written by an older extractor version gets a *new* metadata record (in a new WARC of this run,
``WARC-Refers-To`` the response) carrying ``extractor_version``; nothing already written is
altered. The index's page row and state of the capture are replaced by the new analysis, so
``show`` reads the newest. The versions already written are read from the WARCs themselves.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator

from archive_store.crawl.archive_settings import ArchiveSettings
from archive_store.crawl.sessionapi import CaptureSession
from archive_store.index.hostpages import HostPages, host_of, host_pages
from archive_store.index.schema import Capture, Page
from archive_store.storage.reader import decode_content, load_capture
from pipelines.doctext.model import OCR_OFF
from pipelines.doctext.sniff import IMAGE_FORMATS, declared_kind
from pipelines.doctext.workers import DocumentJob, ReaderPool
from pipelines.document_text import DOCUMENT_TEXT_VERSION, is_document, limits_from, store_document_text
from pipelines.extraction.analyse import analyse
from pipelines.extraction.facts import ResponseFacts
from pipelines.extraction.version import EXTRACTOR_VERSION, version_of
from pipelines.pipeline import METADATA_TYPE

logger = logging.getLogger(__name__)
# States decided by how the fetch went, not by the bytes: a re-run on the bytes cannot judge them.
_FETCH_STATES = ("removed:redirect-home", "redirect")


@dataclass
class ReextractSummary:
    examined: int = 0
    reextracted: int = 0
    up_to_date: int = 0
    skipped: int = 0
    changed_state: list[dict[str, str]] = field(default_factory=list)
    documents_read: int = 0  # documents whose text was read (new conversion + metadata records)
    documents_current: int = 0  # documents already read by this version of the readers
    documents_skipped: dict[str, int] = field(default_factory=dict)  # text_skipped reason: count

    def to_json(self) -> dict[str, Any]:
        return {
            "extractor_version": EXTRACTOR_VERSION,
            "examined": self.examined,
            "reextracted": self.reextracted,
            "up_to_date": self.up_to_date,
            "skipped": self.skipped,
            "changed_state": self.changed_state,
            "document_text_version": DOCUMENT_TEXT_VERSION,
            "documents_read": self.documents_read,
            "documents_current": self.documents_current,
            "documents_skipped": self.documents_skipped,
        }


def _warc_paths(warc_dir: Path) -> Iterator[Path]:
    for path in sorted(warc_dir.iterdir()):
        if path.name.endswith((".warc.gz", ".warc")):
            yield path


def written_versions(warc_dir: Path) -> dict[str, int]:
    """For each response record id: the newest extractor version among its metadata records."""
    versions: dict[str, int] = {}
    for path in _warc_paths(warc_dir):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type != "metadata":
                    continue
                refers_to = record.rec_headers.get_header("WARC-Refers-To")
                if not refers_to:
                    continue
                try:
                    data = json.loads(record.content_stream().read())
                except ValueError:
                    continue
                if isinstance(data, dict) and "document_text_version" not in data:  # not a document's
                    versions[refers_to] = max(versions.get(refers_to, 0), version_of(data))
    return versions


def _facts(
    session: CaptureSession, capture: Capture, hosts: dict[str, HostPages] | None = None
) -> ResponseFacts | None:
    loaded = load_capture(session.index, session.paths.warcs, capture)
    if loaded.parsed is None:
        return None
    body = decode_content(loaded.payload, loaded.content_encoding)
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in loaded.parsed.head.headers]
    # the URL asked for is not kept per capture; states that need it (redirect-home) are kept
    if hosts is None:  # a document's text: no title to learn for
        return ResponseFacts(capture.url, capture.url, loaded.parsed.status, headers, body)
    # the site's name as its other pages give it (read once per host)
    host = host_of(capture.url)
    known = hosts.get(host)
    if known is None:
        known = hosts[host] = host_pages(session.index, capture.url)
    return ResponseFacts(
        capture.url, capture.url, loaded.parsed.status, headers, body, known.titles, known.sites
    )


def _store(session: CaptureSession, capture: Capture, result: dict[str, Any]) -> None:
    """Write the new metadata record, then point the index at it (page row and state)."""
    record = {"url": capture.url, "refers_to": capture.record_id, "reextracted": True, **result}
    block = json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8")
    record_id = session.write_derivative(capture.url, capture.record_id, block, METADATA_TYPE)
    if record_id is None:
        raise OSError(f"could not write the metadata record: {session.write_error}")
    if result.get("state"):
        with session.index.session() as s:  # revisits of these bytes carry the original's state
            revisits = s.scalars(
                select(Capture.id).where(Capture.refers_to == capture.record_id, Capture.url == capture.url)
            ).all()
        for capture_id in [capture.id, *revisits]:
            session.index.set_state(capture_id, result["state"], result.get("reason"))
    page = result.get("page")
    if page is None:
        session.index.delete_page(capture.id)  # no longer content (e.g. now a verification page)
        return
    session.index.save_page(Page.from_analysis(capture.id, capture.url, result, record_id))


def reextract(session: CaptureSession, *, force: bool = False) -> ReextractSummary:
    """Re-analyse every response capture not yet analysed by this extractor version."""
    summary = ReextractSummary()
    versions = written_versions(session.paths.warcs)
    hosts: dict[str, HostPages] = {}
    for capture in session.index.all_captures():
        if capture.record_type != "response" or capture.http_status is None:
            continue  # revisits share their original's analysis (index.page_for)
        summary.examined += 1
        written = versions.get(capture.record_id)
        if not force and written is not None and written >= EXTRACTOR_VERSION:
            summary.up_to_date += 1
            continue
        # redirects are never analysed (the crawl follows them); a capture with no metadata record
        # at all was archived with extraction off, and stays so unless --all asks for it
        redirect = 300 <= capture.http_status < 400 or (capture.state or "").startswith(_FETCH_STATES)
        if redirect or (written is None and not force):
            summary.skipped += 1
            continue
        facts = _facts(session, capture, hosts)
        if facts is None:
            summary.skipped += 1
            continue
        result = analyse(facts)
        if result.get("error"):
            logger.warning("re-extraction failed for %s: %s", capture.url, result["error"])
            summary.skipped += 1
            continue
        before = capture.state
        _store(session, capture, result)
        summary.reextracted += 1
        if result.get("state") and result["state"] != before:
            summary.changed_state.append({"url": capture.url, "from": before or "", "to": result["state"]})
    return summary


def _document_version(page: Page | None) -> int | None:
    if page is None or page.kind != "document":
        return None
    try:
        value = json.loads(page.metadata_json or "{}").get("document_text_version")
    except ValueError:
        return None
    return value if isinstance(value, int) else 0


def _may_be_document(capture: Capture) -> bool:
    """From the index alone (no WARC read): an HTML page is a document only under a document's name."""
    mime = (capture.content_type or "").split(";")[0].strip().lower()
    if mime in ("text/html", "application/xhtml+xml", "text/plain"):
        return declared_kind(capture.url, None) not in (None, "text")
    return True


def reextract_documents(
    session: CaptureSession, summary: ReextractSummary, settings: Any, *, force: bool = False
) -> None:
    """Read the text of every document response not yet read by this version of the readers (an
    archive made before document text, or with it off): new conversion and metadata records in this
    run's WARC, and the document's index row. The WARCs already written are not touched."""
    documents = ArchiveSettings.from_settings(settings).documents
    if not documents.enabled:
        return
    limits = limits_from(documents)
    pool: ReaderPool | None = None
    try:
        for capture in session.index.all_captures():
            if capture.record_type != "response" or not 200 <= (capture.http_status or 0) < 300:
                continue
            if not _may_be_document(capture):
                continue
            page = session.index.page_for(capture.id)
            if page is not None and page.kind != "document":
                continue  # extraction read it as a page
            written = _document_version(page)
            if written is not None and written >= DOCUMENT_TEXT_VERSION and not force:
                summary.documents_current += 1
                continue
            facts = _facts(session, capture)
            if facts is None or not is_document(capture.url, facts.headers, facts.body, limits.ocr):
                continue
            content_type = next((v for k, v in facts.headers if k.lower() == "content-type"), None)
            pool = pool or ReaderPool(documents.processes, limits)
            doc = pool.read(DocumentJob(facts.body, capture.url, content_type, bool(capture.truncated)))
            if doc.format in IMAGE_FORMATS and doc.skipped == OCR_OFF and limits.ocr == "auto":
                continue  # an icon: nothing kept, as in a crawl
            if (
                store_document_text(
                    session, capture.id, capture.url, capture.record_id, doc, reextracted=True
                )
                is None
            ):
                raise OSError(f"could not write the document's records: {session.write_error}")
            summary.documents_read += 1
            if doc.skipped:
                summary.documents_skipped[doc.skipped] = summary.documents_skipped.get(doc.skipped, 0) + 1
    finally:
        if pool is not None:
            pool.close()
