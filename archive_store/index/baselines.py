"""What a re-check compares with: the archived URLs, and each one's last good capture (its baseline).

The baseline is the latest capture in state ``ok`` (what `show` returns). A URL whose own captures
are redirects (an old URL that moved) is followed through the stored Location headers to the page
it led to. The validators of the baseline (ETag, Last-Modified) make the re-check a conditional GET.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin

from sqlalchemy import func, or_, select

from archive_store.index.database import ArchiveIndex
from archive_store.index.events import latest_event
from archive_store.index.lookup import GOOD_STATE, find_capture
from archive_store.index.schema import Capture, RecheckEvent, Run
from archive_store.warc.httpmessage import parse_response
from archive_store.warc.members import BrokenMember, read_record

MAX_STORED_REDIRECTS = 5
RECHECK_KIND = "recheck"


@dataclass(frozen=True)
class Baseline:
    """The last good capture of a URL, and the record that holds its payload."""

    capture_id: int
    url: str
    payload_digest: str
    original_record_id: str  # a response record (a revisit's original), for a 304 revisit
    original_url: str
    original_warc_date: str
    etag: str | None
    last_modified: str | None

    def not_modified_ref(self) -> dict[str, str]:
        """request.meta["archive_not_modified"]: what a 304 revisit must refer to (W-REV-3)."""
        return {
            "for_url": self.url,
            "url": self.original_url,
            "record_id": self.original_record_id,
            "warc_date": self.original_warc_date,
            "payload_digest": self.payload_digest,
        }


@dataclass(frozen=True)
class RecheckTarget:
    url: str
    baseline: Baseline | None  # None: never captured in a good state
    last_capture_id: int | None  # the latest capture of any state
    last_state: str | None  # state of the latest re-check event, if any

    @property
    def previous_capture_id(self) -> int | None:
        return self.baseline.capture_id if self.baseline else self.last_capture_id


def archived_urls(index: ArchiveIndex) -> list[str]:
    """URLs captured as seeds (hop 0) by any run but a re-check, in the order first captured."""
    with index.session() as s:
        stmt = (
            select(Capture.url, func.min(Capture.id).label("first"))
            .outerjoin(Run, Run.id == Capture.run_id)
            .where(Capture.hop == 0, or_(Run.kind.is_(None), Run.kind != RECHECK_KIND))
            .group_by(Capture.url)
            .order_by("first")
        )
        return [row[0] for row in s.execute(stmt)]


def last_checked(index: ArchiveIndex, url: str) -> datetime | None:
    """When the URL was last fetched: its latest capture or re-check event."""
    with index.session() as s:
        captured = s.scalar(select(func.max(Capture.captured_at)).where(Capture.url == url))
        checked = s.scalar(select(func.max(RecheckEvent.checked_at)).where(RecheckEvent.url == url))
    times = [t for t in (captured, checked) if t is not None]
    return max(times) if times else None


def build_target(index: ArchiveIndex, warc_dir: Path, url: str) -> RecheckTarget:
    latest = find_capture(index, url)
    baseline = _baseline_following_redirects(index, warc_dir, url)
    event = latest_event(index, url)
    return RecheckTarget(
        url,
        baseline,
        latest.id if latest else None,
        event.state if event else None,
    )


def _baseline_following_redirects(index: ArchiveIndex, warc_dir: Path, url: str) -> Baseline | None:
    seen = {url}
    current = url
    for _ in range(MAX_STORED_REDIRECTS + 1):
        capture = find_capture(index, current)
        if capture is None:
            return None
        if capture.state == GOOD_STATE:
            return _baseline(index, warc_dir, capture)
        if not 300 <= capture.http_status < 400:
            return None
        location = stored_header(warc_dir, capture, b"location")
        if not location:
            return None
        current = urljoin(capture.url, location)
        if current in seen:
            return None
        seen.add(current)
    return None


def _baseline(index: ArchiveIndex, warc_dir: Path, capture: Capture) -> Baseline:
    holder = capture
    if capture.record_type == "revisit" and capture.refers_to:
        holder = index.capture_by_record_id(capture.refers_to) or capture
    etag = stored_header(warc_dir, capture, b"etag") or stored_header(warc_dir, holder, b"etag")
    modified = stored_header(warc_dir, capture, b"last-modified") or stored_header(
        warc_dir, holder, b"last-modified"
    )
    return Baseline(
        capture_id=capture.id,
        url=capture.url,
        payload_digest=holder.payload_digest,
        original_record_id=holder.record_id,
        original_url=holder.url,
        original_warc_date=holder.warc_date,
        etag=etag,
        last_modified=modified,
    )


def stored_header(warc_dir: Path, capture: Capture, name: bytes) -> str | None:
    """A header of the stored response (None when the record cannot be read)."""
    try:
        record = read_record(warc_dir / capture.warc_file, capture.warc_offset, capture.warc_length)
    except (BrokenMember, OSError, ValueError):
        return None
    parsed = parse_response(record.block)
    value = parsed.head.get(name) if parsed else None
    return value.decode("latin-1").strip() if value else None
