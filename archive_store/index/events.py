"""Re-check events in the index: add them, read them back per URL or per run, count a run's states.

Events are only ever added: a re-check never replaces a capture or an earlier event.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from archive_store.index.database import ArchiveIndex
from archive_store.index.schema import Capture, RecheckEvent, Run

# `restored`: back with content after a confirmed removal (the event says since when it was gone);
# `gone`: never captured with content, still answering as removed (a seed that was already gone at
# its first fetch): no evidence of a removal we saw, so never counted among the removed
STATES = ("unchanged", "changed", "removed", "restored", "gone", "blocked", "unreachable")


def add_event(index: ArchiveIndex, event: RecheckEvent) -> RecheckEvent:
    with index.session() as s:
        s.add(event)
        s.commit()
        return event


def events_for(index: ArchiveIndex, urls: list[str]) -> list[RecheckEvent]:
    """Every event of these URL spellings (see lookup.url_variants), oldest first."""
    with index.session() as s:
        stmt = (
            select(RecheckEvent)
            .where(RecheckEvent.url.in_(urls))
            .order_by(RecheckEvent.checked_at, RecheckEvent.id)
        )
        return list(s.scalars(stmt))


def latest_event(index: ArchiveIndex, url: str) -> RecheckEvent | None:
    with index.session() as s:
        stmt = (
            select(RecheckEvent)
            .where(RecheckEvent.url == url)
            .order_by(RecheckEvent.checked_at.desc(), RecheckEvent.id.desc())
        )
        return s.scalars(stmt).first()


def events_for_run(index: ArchiveIndex, run_id: int) -> list[RecheckEvent]:
    with index.session() as s:
        stmt = select(RecheckEvent).where(RecheckEvent.run_id == run_id).order_by(RecheckEvent.id)
        return list(s.scalars(stmt))


def run_counts(events: list[RecheckEvent]) -> dict[str, Any]:
    """{"unchanged": n, …, "new_removals": [url, …], "restorations": [url, …], "flapped": [url, …]}
    for a run summary."""
    counts = Counter(e.state for e in events)
    return {
        **{state: counts.get(state, 0) for state in STATES},
        "new_removals": [e.url for e in events if e.new_removal],
        "restorations": [e.url for e in events if e.state == "restored"],
        "flapped": [e.url for e in events if e.flapped],
    }


def duration_words(seconds: float) -> str:
    """ "3 d 4 h", "2 h 5 min", "7 min", "40 s": how long a source was gone, for people."""
    total = max(0, int(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else f"{secs} s"


def gone_json(gone_since: datetime | None, back_at: datetime) -> dict[str, Any]:
    """The `gone` object of a restored source: removed when, back when, for how long."""
    if gone_since is None:
        return {}
    seconds = (back_at - gone_since).total_seconds()
    return {
        "gone_since": gone_since.isoformat() + "Z",
        "back_at": back_at.isoformat() + "Z",
        "gone_seconds": int(seconds),
        "gone_for": duration_words(seconds),
    }


def add_to_run_summary(index: ArchiveIndex, run_id: int, extra: dict[str, Any]) -> None:
    """Merge the re-check counts into the run's JSON summary written when the crawl closed."""
    with index.session() as s:
        run = s.get(Run, run_id)
        if run is None:
            return
        summary = json.loads(run.summary) if run.summary else {}
        summary.update(extra)
        s.execute(update(Run).where(Run.id == run_id).values(summary=json.dumps(summary, ensure_ascii=False)))
        s.commit()


def captures_by_id(index: ArchiveIndex, ids: set[int]) -> dict[int, Capture]:
    if not ids:
        return {}
    with index.session() as s:
        return {c.id: c for c in s.scalars(select(Capture).where(Capture.id.in_(ids)))}


def capture_ref(capture: Capture | None) -> dict[str, Any] | None:
    """How JSON output names a capture: enough to read the record back (`show --at`, a WARC reader)."""
    if capture is None:
        return None
    return {
        "record_id": capture.record_id,
        "captured_at": capture.captured_at.isoformat() + "Z",
        "http_status": capture.http_status,
        "state": capture.state,
        "record_type": capture.record_type,
        "url": capture.url,
        "warc_file": capture.warc_file,
        "warc_offset": capture.warc_offset,
        "warc_length": capture.warc_length,
    }


def event_json(event: RecheckEvent, captures: dict[int, Capture]) -> dict[str, Any]:
    """The JSON line of one re-check (the command-line contract: url, state, reason, http_status,
    previous_capture, new_capture), plus the confirmation capture, flap and new-removal flags, a
    changed page's diff and a restored source's gone interval."""

    def ref(capture_id: int | None) -> dict[str, Any] | None:
        return capture_ref(captures.get(capture_id)) if capture_id is not None else None

    return {
        "url": event.url,
        "state": event.state,
        "reason": event.reason,
        "http_status": event.http_status,
        "previous_capture": ref(event.previous_capture_id),
        "new_capture": ref(event.new_capture_id),
        "confirm_capture": ref(event.confirm_capture_id),
        "detail": event.detail,
        "flapped": event.flapped,
        "new_removal": event.new_removal,
        "checked_at": event.checked_at.isoformat() + "Z",
        "run": event.run_id,
        "diff": json.loads(event.diff_json) if event.diff_json else None,
        # a restored source: {gone_since, back_at, gone_seconds, gone_for}; else null
        "gone": gone_json(event.gone_since, event.checked_at) or None,
    }


def referenced_captures(index: ArchiveIndex, events: list[RecheckEvent]) -> dict[int, Capture]:
    ids = {
        i
        for e in events
        for i in (e.previous_capture_id, e.new_capture_id, e.confirm_capture_id)
        if i is not None
    }
    return captures_by_id(index, ids)
