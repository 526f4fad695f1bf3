"""What `report` shows per source: its current state, its timeline of captures and re-checks, the
reports citing it, and its last good capture (text and replay link). Plain JSON data.

The index modules (SQLAlchemy) are imported when a report is built: `report` registers its
options with DEFAULT_REPLAY_BASE from here on every start of the CLI."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archive_store.index.database import ArchiveIndex
    from archive_store.index.schema import Capture, RecheckEvent

DEFAULT_REPLAY_BASE = "http://127.0.0.1:8090/archive/"
TEXT_LIMIT = 20_000  # characters of extracted text embedded per source
STATE_ORDER = ("removed", "blocked", "unreachable", "changed", "unchanged", "archived")


def capture_family(state: str) -> str:
    """ok / removed / blocked / other, for colouring captures."""
    family = state.split(":", 1)[0]
    return family if family in ("ok", "removed", "blocked") else "other"


def replay_url(base: str, capture: Capture, url: str) -> str:
    return f"{base.rstrip('/')}/{capture.captured_at.strftime('%Y%m%d%H%M%S')}/{url}"


def source_urls(index: ArchiveIndex) -> tuple[list[str], bool]:
    """The cited URLs when reports were archived (True), else every archived seed URL (False)."""
    from sqlalchemy.exc import OperationalError  # noqa: PLC0415

    from archive_store.export.citations import all_cited_urls  # noqa: PLC0415
    from archive_store.index.baselines import archived_urls  # noqa: PLC0415

    try:
        cited = all_cited_urls(index)
    except OperationalError:
        cited = []
    return (cited, True) if cited else (archived_urls(index), False)


def _events(index: ArchiveIndex, spellings: list[str]) -> list[RecheckEvent]:
    from sqlalchemy.exc import OperationalError  # noqa: PLC0415

    from archive_store.index.events import events_for  # noqa: PLC0415

    try:
        return events_for(index, spellings)
    except OperationalError:
        return []


def current_state(captures: list[Capture], events: list[RecheckEvent]) -> tuple[str, str, str | None]:
    """(state, reason, since): the latest re-check, else what the captures alone say."""
    from archive_store.index.lookup import GOOD_STATE  # noqa: PLC0415

    if events:
        last, since = events[-1], events[-1].checked_at
        for event in reversed(events):  # the state holds since the first re-check of its streak
            if event.state != last.state:
                break
            since = event.checked_at
        return last.state, last.reason, since.isoformat() + "Z"
    if any(c.state == GOOD_STATE for c in captures):
        good = [c for c in captures if c.state == GOOD_STATE][-1]
        return "archived", "captured; not re-checked yet", good.captured_at.isoformat() + "Z"
    if not captures:
        return "unreachable", "never captured", None
    family = captures[-1].state.split(":", 1)[0]
    state = family if family in ("removed", "blocked") else "unreachable"
    return state, captures[-1].state_reason or captures[-1].state, captures[-1].captured_at.isoformat() + "Z"


def source_entry(index: ArchiveIndex, url: str, replay_base: str) -> dict[str, Any]:
    from archive_store.export.citations import cited_by_json  # noqa: PLC0415
    from archive_store.index.lookup import GOOD_STATE, url_variants  # noqa: PLC0415
    from archive_store.index.pagemedia import media_state, page_media  # noqa: PLC0415

    spellings = url_variants(url)
    captures = sorted(
        (c for s in spellings for c in index.captures_for(s)), key=lambda c: (c.captured_at, c.id)
    )
    events = _events(index, spellings)
    state, reason, since = current_state(captures, events)
    good = [c for c in captures if c.state == GOOD_STATE]
    last_good = good[-1] if good else None
    page = index.page_for(last_good.id) if last_good else None
    text = page.text if page else ""
    shown = last_good or (captures[-1] if captures else None)
    media = page_media(index, shown) if shown else []
    return {
        "url": url,
        "state": state,
        "reason": reason,
        "since": since,
        "title": page.title if page else None,
        "cited_by": cited_by_json(index, url),
        "last_good": None
        if last_good is None
        else {
            "captured_at": last_good.captured_at.isoformat() + "Z",
            "record_id": last_good.record_id,
            "replay": replay_url(replay_base, last_good, last_good.url),
            "text": text[:TEXT_LIMIT],
            "text_truncated": len(text) > TEXT_LIMIT,
        },
        "timeline": [_capture_point(c) for c in captures] + [_event_point(e) for e in events],
        # the video/audio of the last good (else last) capture: "complete", "partial" or None (none)
        "media": {"state": media_state(media), "items": media},
    }


def _capture_point(capture: Capture) -> dict[str, Any]:
    return {
        "t": capture.captured_at.isoformat() + "Z",
        "kind": "capture",
        "state": capture_family(capture.state),
        "label": f"capture: HTTP {capture.http_status} {capture.state}",
    }


def _event_point(event: RecheckEvent) -> dict[str, Any]:
    return {
        "t": event.checked_at.isoformat() + "Z",
        "kind": "recheck",
        "state": event.state,
        "label": f"re-check: {event.state} — {event.reason}",
    }


def report_data(
    index: ArchiveIndex, archive_dir: Path, replay_base: str = DEFAULT_REPLAY_BASE
) -> dict[str, Any]:
    urls, cited = source_urls(index)
    sources = [source_entry(index, url, replay_base) for url in urls]
    sources.sort(key=lambda s: STATE_ORDER.index(s["state"]))
    counts = Counter(s["state"] for s in sources)
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "archive": str(archive_dir),
        "basis": "cited URLs" if cited else "archived seed URLs",
        "counts": {state: counts.get(state, 0) for state in STATE_ORDER},
        "sources": sources,
    }
