"""Quoted passages and where they were found (the `quotes` table): what `show --quotes`, `report`,
the run's output and the re-check summary read.

A quote is registered by its first row; every capture checked afterwards adds a row, whose
`previous_status` is the quote's status before it, so a change (present → altered) is a row with
both set and different.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError, ProgrammingError

from archive_store.index.database import ArchiveIndex
from archive_store.index.lookup import url_variants
from archive_store.index.schema import QuoteCheck

# the JSON a metadata record of a quote check has (WARC-Refers-To the response it was found in)
QUOTE_RECORD_PROFILE = "sourcekeeper-quote/1"


def add_check(index: ArchiveIndex, row: QuoteCheck) -> int:
    with index.session() as s:
        s.add(row)
        s.commit()
        return row.id


def update_check(index: ArchiveIndex, check_id: int, values: dict[str, Any]) -> None:
    with index.session() as s:
        s.execute(update(QuoteCheck).where(QuoteCheck.id == check_id).values(**values))
        s.commit()


def _rows(index: ArchiveIndex, *where: Any) -> list[QuoteCheck]:
    try:
        with index.session() as s:
            return list(s.scalars(select(QuoteCheck).where(*where).order_by(QuoteCheck.id)))
    except (OperationalError, ProgrammingError):  # an index from before quotes were kept
        return []


def has_quotes(index: ArchiveIndex) -> bool:
    """Whether any passage was ever registered (one indexed lookup)."""
    try:
        with index.session() as s:
            return s.scalars(select(QuoteCheck.id).limit(1)).first() is not None
    except (OperationalError, ProgrammingError):
        return False


def known_quotes(index: ArchiveIndex, urls: Iterable[str]) -> dict[str, tuple[str, str | None]]:
    """quote -> (the URL it was registered for, where it was given), for any spelling of `urls`."""
    spellings = {v for url in urls for v in url_variants(url)}
    found: dict[str, tuple[str, str | None]] = {}
    for row in _rows(index, QuoteCheck.url.in_(spellings)):
        found.setdefault(row.quote, (row.url, row.given_in))
    return found


def latest_checks(index: ArchiveIndex, url: str) -> list[QuoteCheck]:
    """The newest row of each quote of `url` (any spelling), in the order they were registered."""
    latest: dict[str, QuoteCheck] = {}
    for row in _rows(index, QuoteCheck.url.in_(url_variants(url))):
        latest[row.quote] = row
    return list(latest.values())


def first_checks(index: ArchiveIndex, url: str) -> dict[str, QuoteCheck]:
    first: dict[str, QuoteCheck] = {}
    for row in _rows(index, QuoteCheck.url.in_(url_variants(url))):
        first.setdefault(row.quote, row)
    return first


def checks_of_run(index: ArchiveIndex, run_id: int) -> list[QuoteCheck]:
    return _rows(index, QuoteCheck.run_id == run_id)


def check_of_run(index: ArchiveIndex, run_id: int, url: str, quote: str) -> QuoteCheck | None:
    rows = _rows(index, QuoteCheck.run_id == run_id, QuoteCheck.url == url, QuoteCheck.quote == quote)
    return rows[-1] if rows else None


def changes_of_run(index: ArchiveIndex, run_id: int) -> list[QuoteCheck]:
    """Quotes whose status this run changed (present → altered, altered → missing, …)."""
    return [r for r in checks_of_run(index, run_id) if r.previous_status and r.previous_status != r.status]


def unfound_of_run(index: ArchiveIndex, run_id: int) -> list[QuoteCheck]:
    """Quotes first checked in this run and not found as written (a typo?)."""
    return [r for r in checks_of_run(index, run_id) if r.previous_status is None and r.status != "present"]


def check_json(row: QuoteCheck, first: QuoteCheck | None = None) -> dict[str, Any]:
    """One quote's state for `show --quotes --json`, `report --json` and the re-check output."""
    found: dict[str, Any] = {
        "quote": row.quote,
        "url": row.url,
        "status": row.status,
        "previous_status": row.previous_status,
        "checked_at": row.checked_at.isoformat() + "Z",
        "capture_id": row.capture_id,
        "found_in": row.found_url,
        "start": row.start,
        "end": row.end,
        "sentence": row.sentence,
        "quote_sha256": row.quote_sha256,
        "sentence_sha256": row.sentence_sha256,
        "score": row.score,
        "diff": json.loads(row.diff_json) if row.diff_json else [],
        "record_id": row.record_id,
        "given_in": row.given_in,
    }
    if first is not None and first.id != row.id:
        found["first"] = {
            "status": first.status,
            "checked_at": first.checked_at.isoformat() + "Z",
            "sentence": first.sentence,
            "record_id": first.record_id,
        }
    return found


def quotes_json(index: ArchiveIndex, url: str) -> list[dict[str, Any]]:
    first = first_checks(index, url)
    return [check_json(row, first.get(row.quote)) for row in latest_checks(index, url)]


def capture_parent(index: ArchiveIndex, capture_id: int) -> str | None:
    """The page a capture was linked from (a document's page), if any."""
    from archive_store.index.schema import Capture  # noqa: PLC0415

    with index.session() as s:
        capture = s.get(Capture, capture_id)
        return None if capture is None else capture.parent_url


def document_texts(index: ArchiveIndex, page_url: str) -> list[tuple[str, int, str, str]]:
    """(url, capture id, response record id, text) of the newest capture with text of each document
    the page links (pages rows whose capture's parent_url is the page)."""
    from archive_store.index.schema import Capture, Page  # noqa: PLC0415

    stmt = (
        select(Capture.url, Capture.id, Capture.record_id, Page.title, Page.text)
        .join(Page, Page.capture_id == Capture.id)
        .where(Capture.parent_url.in_(url_variants(page_url)))
        .order_by(Capture.captured_at, Capture.id)
    )
    newest: dict[str, tuple[str, int, str, str]] = {}
    with index.session() as s:
        for url, capture_id, record_id, title, text in s.execute(stmt):
            newest[url] = (url, capture_id, record_id, f"{title or ''}\n{text or ''}")
    return list(newest.values())
