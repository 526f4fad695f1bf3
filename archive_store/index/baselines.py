"""What a re-check compares with: the archived URLs, and each one's last good capture (its baseline).

The archived URLs a re-check covers by default are the monitored sources: every URL a run of ours
took as a seed (archive, crawl, a report's citations), and the URLs the user asked to keep watching
among imported captures (`import --monitor`, `monitored_sources`). Other tools' captures and
copies from public archives are kept and searchable, but not re-checked unless asked.

The baseline is the latest capture in state ``ok`` (what `show` returns). A URL whose own captures
are redirects (an old URL that moved) is followed through the stored Location headers to the page
it led to. The validators of the baseline (ETag, Last-Modified) make the re-check a conditional GET.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from sqlalchemy import func, or_, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from archive_store.index.database import ArchiveIndex, utcnow
from archive_store.index.events import events_for
from archive_store.index.lookup import GOOD_STATE, find_capture
from archive_store.index.schema import Capture, CaptureOrigin, MonitoredSource, RecheckEvent, Run
from archive_store.warc.httpmessage import parse_response
from archive_store.warc.members import BrokenMember, read_record

if TYPE_CHECKING:
    from sqlalchemy import Select

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
    # when the current confirmed removal was first seen (None: not removed now); an answer with
    # content is then `restored`, gone since this moment
    removed_since: datetime | None = None

    @property
    def previous_capture_id(self) -> int | None:
        return self.baseline.capture_id if self.baseline else self.last_capture_id


def archived_urls(index: ArchiveIndex) -> list[str]:
    """The monitored sources, in the order first captured: URLs captured as seeds (hop 0) by a run
    of ours that is not a re-check, and the URLs marked monitored (`import --monitor`). A URL
    only other tools captured (imported, recovered from a public archive) is not among them."""
    with index.session() as s:
        ours = (
            select(Capture.url, func.min(Capture.id).label("first"))
            .outerjoin(Run, Run.id == Capture.run_id)
            .where(Capture.hop == 0, or_(Run.kind.is_(None), Run.kind != RECHECK_KIND))
            .group_by(Capture.url)
        )
        try:
            stmt = ours.outerjoin(CaptureOrigin, CaptureOrigin.capture_id == Capture.id).where(
                CaptureOrigin.capture_id.is_(None)
            )
            first = {url: int(n) for url, n in s.execute(stmt)}
        except (OperationalError, ProgrammingError):  # an archive from before imports: all our own
            s.rollback()
            first = {url: int(n) for url, n in s.execute(ours)}
        try:
            for url, n in s.execute(_asked_for()):
                first.setdefault(url, int(n))
        except (OperationalError, ProgrammingError):  # an index opened read-only from before it
            s.rollback()
    return sorted(first, key=first.__getitem__)


def _asked_for() -> Select[str, int]:
    """(url, first capture id) of every URL marked monitored that has a capture."""
    marked = select(MonitoredSource.url).scalar_subquery()
    return select(Capture.url, func.min(Capture.id)).where(Capture.url.in_(marked)).group_by(Capture.url)


def monitor_urls(index: ArchiveIndex, urls: list[str], via: str, source: str | None) -> int:
    """Mark these URLs monitored (`recheck` and `report` cover them); returns how many were new."""
    with index.session() as s:
        known = set(s.scalars(select(MonitoredSource.url)))
        new = [u for u in dict.fromkeys(urls) if u not in known]
        now = utcnow()
        s.add_all(MonitoredSource(url=u, via=via, source=source, added_at=now) for u in new)
        s.commit()
    return len(new)


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
    events = events_for(index, [url])
    return RecheckTarget(
        url,
        baseline,
        latest.id if latest else None,
        events[-1].state if events else None,
        removal_start(events),
    )


# re-check states that say nothing about whether the page is there: a removal goes on through them
_INCONCLUSIVE = ("blocked", "unreachable")


def removal_start(events: list[RecheckEvent]) -> datetime | None:
    """When the URL's current confirmed removal was first seen, from its events (oldest first);
    None when its latest conclusive event is not a confirmed removal. A removal without a good
    capture before it (a source gone since its first fetch) is never confirmed."""
    start = None
    for event in reversed(events):
        if event.state in _INCONCLUSIVE:
            continue
        if event.state != "removed" or event.confirm_capture_id is None:
            break
        start = event.checked_at
    return start


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
