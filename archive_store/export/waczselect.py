"""What an export holds: the captures a filter selects, the originals their revisits need (W-REV-4),
and every gzip member to copy for them (warcinfo, request, response/revisit, metadata records).

The index knows where responses and revisits are; request and metadata records are found by one
pass over the WARCs involved (request by WARC-Concurrent-To, metadata by WARC-Refers-To).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from archive_store.index.database import ArchiveIndex
from archive_store.index.schema import Capture, Page
from archive_store.layout import WARCS_DIR, local_warc
from archive_store.warc.members import iter_record_heads
from archive_store.warc.record import StoredRecord

DERIVED_TYPES = ("metadata", "conversion", "resource")
_CHUNK = 500
_MAX_CHAIN = 20


@dataclass(frozen=True)
class ExportFilter:
    url_prefix: str | None = None
    since: datetime | None = None  # naive UTC, inclusive
    until: datetime | None = None  # naive UTC, inclusive
    # exactly these URLs (a source, a report's citations), beside or instead of the prefix
    urls: tuple[str, ...] | None = None

    def describe(self) -> dict[str, str | None]:
        return {
            **({"urls": " ".join(self.urls)} if self.urls is not None else {}),
            "url_prefix": self.url_prefix,
            "since": self.since.isoformat() + "Z" if self.since else None,
            "until": self.until.isoformat() + "Z" if self.until else None,
        }


@dataclass
class Selection:
    captures: list[Capture]  # what the filter selected, oldest first
    originals: list[Capture]  # originals of selected revisits that the filter left out
    pages: dict[int, Page]  # capture id -> extracted page
    members: dict[str, dict[int, int]] = field(default_factory=dict)  # WARC -> offset -> length
    left_out: list[str] = field(default_factory=list)  # in WARCs still being written
    problems: list[str] = field(default_factory=list)  # records the archive should have but lacks

    @property
    def all_captures(self) -> list[Capture]:
        return [*self.captures, *self.originals]


def select_captures(index: ArchiveIndex, export_filter: ExportFilter) -> list[Capture]:
    stmt = select(Capture)
    if export_filter.url_prefix:
        stmt = stmt.where(Capture.url.startswith(export_filter.url_prefix, autoescape=True))
    if export_filter.urls is not None:
        stmt = stmt.where(Capture.url.in_(export_filter.urls))
    if export_filter.since:
        stmt = stmt.where(Capture.captured_at >= export_filter.since)
    if export_filter.until:
        stmt = stmt.where(Capture.captured_at <= export_filter.until)
    with index.session() as session:
        return list(session.scalars(stmt.order_by(Capture.captured_at, Capture.id)))


def pages_for(index: ArchiveIndex, capture_ids: list[int]) -> dict[int, Page]:
    found: dict[int, Page] = {}
    with index.session() as session:
        for start in range(0, len(capture_ids), _CHUNK):
            chunk = capture_ids[start : start + _CHUNK]
            for page in session.scalars(select(Page).where(Page.capture_id.in_(chunk))):
                found[page.capture_id] = page
    return found


def build_selection(root: Path, index: ArchiveIndex, export_filter: ExportFilter) -> Selection:
    """Captures, originals and the members to copy; captures in unfinished WARCs are left out."""
    closed = set(_closed_names(index))
    selection = Selection([], [], {})
    selected = select_captures(index, export_filter)
    chosen = {c.id for c in selected}
    for capture in selected:
        originals = _originals_of(index, capture, selection)
        unreadable = next(
            (why for c in [capture, *originals] if (why := _unreadable(root, closed, c.warc_file))), None
        )
        if unreadable:
            selection.left_out.append(f"{capture.url} ({unreadable})")
            continue
        selection.captures.append(capture)
        for original in originals:
            if original.id not in chosen:
                chosen.add(original.id)
                selection.originals.append(original)
    selection.pages = pages_for(index, [c.id for c in selection.captures])
    _locate_members(root, index, selection)
    return selection


def _unreadable(root: Path, closed: set[str], name: str) -> str | None:
    """Why a WARC cannot go into an export now, or None (W-FILE-3: never a `.open` file)."""
    if name not in closed:
        return f"{name} is still being written"
    if not local_warc(root, name).exists():
        return f"{name} is not on this machine (fetch it from remote storage first)"
    return None


def _closed_names(index: ArchiveIndex) -> list[str]:
    return [f.filename for f in index.files() if f.status == "closed"]


def _originals_of(index: ArchiveIndex, capture: Capture, selection: Selection) -> list[Capture]:
    """The record a revisit refers to, and so on until a response: a 304 re-check can refer to a
    capture that was itself a revisit."""
    chain: list[Capture] = []
    current = capture
    while current.record_type == "revisit" and current.refers_to and len(chain) < _MAX_CHAIN:
        original = index.capture_by_record_id(current.refers_to)
        if original is None:
            selection.problems.append(
                f"{capture.url}: W-REV-4: the revisit's original {current.refers_to} is not in the archive"
            )
            break
        chain.append(original)
        current = original
    return chain


# locating members -----------------------------------------------------------------------------
def _locate_members(root: Path, index: ArchiveIndex, selection: Selection) -> None:
    captures = selection.all_captures
    by_id = {c.record_id: c for c in captures}
    requests = {c.request_record_id for c in captures if c.request_record_id}
    metadata = {p.metadata_record_id for p in selection.pages.values() if p.metadata_record_id}
    files = sorted({c.warc_file for c in captures})
    for name in files:
        _scan(root, name, by_id, requests, metadata, selection)
    if metadata:  # written after a rollover: look in the other files of the same runs
        for name in _files_of_same_runs(index, files):
            if not metadata:
                break
            _scan(root, name, by_id, set(), metadata, selection)
    selection.problems += [f"metadata record {rid} is not in any WARC of its run" for rid in sorted(metadata)]
    for capture in captures:
        if selection.members.get(capture.warc_file, {}).get(capture.warc_offset) != capture.warc_length:
            selection.problems.append(
                f"{WARCS_DIR}/{capture.warc_file}@{capture.warc_offset}: the index entry for {capture.url} "
                "is not a whole record there (run `sourcekeeper verify`)"
            )


def _scan(
    root: Path,
    name: str,
    by_id: dict[str, Capture],
    requests: set[str],
    metadata: set[str],
    selection: Selection,
) -> None:
    """One pass over a WARC: keep the members of the selected exchanges (and its warcinfo)."""
    kept: dict[int, int] = {}
    warcinfo: tuple[int, int] | None = None
    for record in iter_record_heads(local_warc(root, name)):  # a plain imported `.warc` too
        if record.offset == 0 and record.record_type == "warcinfo":
            warcinfo = (record.offset, record.length)  # every record of the file points at it
        elif _wanted(record, by_id, requests):
            kept[record.offset] = record.length
            metadata.discard(record.record_id)
    if kept and warcinfo is not None:
        kept[warcinfo[0]] = warcinfo[1]
    if kept:
        selection.members.setdefault(name, {}).update(kept)


def _wanted(record: StoredRecord, by_id: dict[str, Capture], requests: set[str]) -> bool:
    kind = record.record_type
    if kind in ("response", "revisit"):
        return record.record_id in by_id
    if kind == "request":
        return record.record_id in requests or record.get("WARC-Concurrent-To") in by_id
    return kind in DERIVED_TYPES and record.get("WARC-Refers-To") in by_id


def _files_of_same_runs(index: ArchiveIndex, files: Iterable[str]) -> list[str]:
    rows = index.files()
    runs = {f.run_id for f in rows if f.filename in set(files) and f.run_id is not None}
    return sorted(
        f.filename for f in rows if f.run_id in runs and f.status == "closed" and f.filename not in files
    )
