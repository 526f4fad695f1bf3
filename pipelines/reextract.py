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

from archive_store.crawl.session import ArchiveSession
from archive_store.index.schema import Capture, Page
from archive_store.storage.reader import decode_content, load_capture
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

    def to_json(self) -> dict[str, Any]:
        return {
            "extractor_version": EXTRACTOR_VERSION,
            "examined": self.examined,
            "reextracted": self.reextracted,
            "up_to_date": self.up_to_date,
            "skipped": self.skipped,
            "changed_state": self.changed_state,
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
                if isinstance(data, dict):
                    versions[refers_to] = max(versions.get(refers_to, 0), version_of(data))
    return versions


def _facts(session: ArchiveSession, capture: Capture) -> ResponseFacts | None:
    loaded = load_capture(session.index, session.paths.warcs, capture)
    if loaded.parsed is None:
        return None
    body = decode_content(loaded.payload, loaded.content_encoding)
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in loaded.parsed.head.headers]
    # the URL asked for is not kept per capture; states that need it (redirect-home) are kept
    return ResponseFacts(capture.url, capture.url, loaded.parsed.status, headers, body)


def _store(session: ArchiveSession, capture: Capture, result: dict[str, Any]) -> None:
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


def reextract(session: ArchiveSession, *, force: bool = False) -> ReextractSummary:
    """Re-analyse every response capture not yet analysed by this extractor version."""
    summary = ReextractSummary()
    versions = written_versions(session.paths.warcs)
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
        facts = _facts(session, capture)
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
