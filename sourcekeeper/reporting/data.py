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
DOCUMENT_TEXT_LIMIT = 5_000  # characters of each of its documents' text
STATE_ORDER = ("removed", "restored", "gone", "blocked", "unreachable", "changed", "unchanged", "archived")
# a gone-at-first-fetch source is no evidence of a removal: named apart from the removed ones
GONE_REASON = "gone since its first fetch (never captured with content; `sourcekeeper recover URL`)"


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
    if cited:
        return cited, True
    from archive_store.index.origins import memento_originals  # noqa: PLC0415

    # a copy fetched from another archive stands under the URL it is a copy of (issue 17)
    originals = memento_originals(index)
    urls = [originals.get(url, url) for url in archived_urls(index)]
    return list(dict.fromkeys(urls)), False


def _events(index: ArchiveIndex, spellings: list[str]) -> list[RecheckEvent]:
    from sqlalchemy.exc import OperationalError  # noqa: PLC0415

    from archive_store.index.events import events_for  # noqa: PLC0415

    try:
        return events_for(index, spellings)
    except OperationalError:
        return []


def current_state(captures: list[Capture], events: list[RecheckEvent]) -> tuple[str, str, str | None]:
    """(state, reason, since): the latest re-check, else what the captures alone say. A source
    never captured with content that answers as removed is `gone`, not `removed`; a `restored`
    one stays restored while later re-checks find it unchanged."""
    from archive_store.index.lookup import GOOD_STATE  # noqa: PLC0415

    good = [c for c in captures if c.state == GOOD_STATE]
    if events:
        last = _restored_still(events) or events[-1]
        since = last.checked_at
        for event in reversed(events[: events.index(last)]):  # the state holds since its streak began
            if event.state != last.state:
                break
            since = event.checked_at
        if last.state == "removed" and not good:  # recorded as removed before `gone` existed
            return "gone", f"{GONE_REASON}: {last.reason}", since.isoformat() + "Z"
        return last.state, last.reason, since.isoformat() + "Z"
    if good:
        return "archived", "captured; not re-checked yet", good[-1].captured_at.isoformat() + "Z"
    if not captures:
        return "unreachable", "never captured", None
    family = captures[-1].state.split(":", 1)[0]
    state = family if family in ("removed", "blocked") else "unreachable"
    reason = captures[-1].state_reason or captures[-1].state
    if state == "removed":
        state, reason = "gone", f"{GONE_REASON}: {reason}"
    return state, reason, captures[-1].captured_at.isoformat() + "Z"


def _restored_still(events: list[RecheckEvent]) -> RecheckEvent | None:
    """The latest `restored` event when only `unchanged` ones followed it."""
    for event in reversed(events):
        if event.state == "restored":
            return event
        if event.state != "unchanged":
            return None
    return None


def source_entry(index: ArchiveIndex, url: str, replay_base: str) -> dict[str, Any]:
    from archive_store.export.citations import cited_by_json  # noqa: PLC0415
    from archive_store.index.events import gone_json  # noqa: PLC0415
    from archive_store.index.lookup import GOOD_STATE, url_variants  # noqa: PLC0415
    from archive_store.index.origins import origins_for, recovered_captures  # noqa: PLC0415
    from archive_store.index.pagemedia import media_state, page_media  # noqa: PLC0415
    from archive_store.index.quotes import quotes_json  # noqa: PLC0415
    from archive_store.index.robustlinks import robust_entry  # noqa: PLC0415
    from pipelines.extraction.stealth import STEALTH_DETAIL  # noqa: PLC0415

    spellings = url_variants(url)
    every = [c for s in spellings for c in index.captures_for(s)] + recovered_captures(index, spellings)
    origins = origins_for(index, (c.id for c in every))
    # third parties' copies (imported, recovered) are shown apart: never evidence of what we saw
    captures = sorted((c for c in every if c.id not in origins), key=lambda c: (c.captured_at, c.id))
    theirs = sorted((c for c in every if c.id in origins), key=lambda c: (c.captured_at, c.id))
    events = _events(index, spellings)
    state, reason, since = current_state(captures, events)
    restored = _restored_still(events) if state == "restored" else None
    if not captures and theirs:
        reason = f"never captured by us; {len(theirs)} third-party copies (not our evidence)"
    good = [c for c in captures if c.state == GOOD_STATE]
    last_good = good[-1] if good else None
    page = index.page_for(last_good.id) if last_good else None
    text = page.text if page else ""
    cited_by = cited_by_json(index, url)
    label = next((str(c["footnote"]) for c in cited_by if c.get("footnote")), "")  # else numbered below
    anchor = next((c["anchor"] for c in cited_by if c.get("anchor")), None)
    shown = last_good or (captures[-1] if captures else None)
    media = page_media(index, shown) if shown else []
    return {
        "url": url,
        "state": state,
        "reason": reason,
        "since": since,
        # restored: {gone_since, back_at, gone_seconds, gone_for}; else None
        "gone": (gone_json(restored.gone_since, restored.checked_at) or None) if restored else None,
        "title": page.title if page else None,
        # a change limited to the date, 文号 or issuer (the latest re-check said so, or its diff)
        "stealth": state == "changed" and bool(events) and events[-1].detail == STEALTH_DETAIL,
        "cited_by": cited_by,
        "robust_links": robust_entry(index, url, replay_base, label, anchor),
        "third_party": [_third_party(c, origins[c.id]) for c in theirs],
        "last_good": None
        if last_good is None
        else {
            "captured_at": last_good.captured_at.isoformat() + "Z",
            "capture_id": last_good.id,
            "record_id": last_good.record_id,
            "replay": replay_url(replay_base, last_good, last_good.url),
            "text": text[:TEXT_LIMIT],
            "text_truncated": len(text) > TEXT_LIMIT,
        },
        "timeline": [_capture_point(c) for c in captures]
        + [_event_point(e) for e in events]
        + [_third_party_point(c, origins[c.id]) for c in theirs],
        # the video/audio of the last good (else last) capture: "complete", "partial" or None (none)
        "media": {"state": media_state(media), "items": media},
        # each passage quoted for it, as the last check found it: present, altered or missing
        "quotes": quotes_json(index, url),
        # its attachments and scans, each with what is known of its text (issue 26)
        "documents": source_documents(index, shown) if shown else [],
    }


def source_documents(index: ArchiveIndex, capture: Capture) -> list[dict[str, Any]]:
    """The page's documents (`archive_store.index.pagedocs`), each with `note` (its text size, or
    why there is none) and the start of its text."""
    from archive_store.index.pagedocs import document_note, page_documents  # noqa: PLC0415

    documents = page_documents(index, capture)
    for document in documents:
        document["note"] = document_note(document)
        page = index.page_for(document["capture_id"]) if document["capture_id"] else None
        text = page.text if page is not None and page.kind == "document" else ""
        document["text"] = text[:DOCUMENT_TEXT_LIMIT]
        document["text_truncated"] = len(text) > DOCUMENT_TEXT_LIMIT
    return documents


def document_lines(source: dict[str, Any]) -> list[str]:
    """The text form's lines for a source's documents: URL, link text, text size or why none, 文号."""
    from sourcekeeper.urltext import shown  # noqa: PLC0415

    lines = []
    for document in source.get("documents") or []:
        name = f" “{document['name']}”" if document.get("name") else ""
        number = f" {document['doc_number']}" if document.get("doc_number") else ""
        lines.append(f"document {shown(document['url'])}{name} — {document['note']}{number}")
    return lines


def _number_footnotes(sources: list[dict[str, Any]]) -> None:
    """A source cited without a footnote mark gets its row number as the footnote label."""
    from archive_store.index.robustlinks import ArchivedCopy, markdown_footnote  # noqa: PLC0415

    for number, source in enumerate(sources, start=1):
        links = source["robust_links"]
        if links["markdown"].startswith("[^]"):
            copies = [ArchivedCopy(**c) for c in links["copies"]]
            links["markdown"] = markdown_footnote(str(number), source["url"], copies)


def _third_party(capture: Capture, origin: Any) -> dict[str, Any]:
    return {
        "via": origin.via,
        "archive": origin.source,
        "memento_url": origin.memento_url,
        "memento_datetime": origin.memento_datetime,
        "captured_at": capture.captured_at.isoformat() + "Z",
        "state": capture.state,
        "record_id": capture.record_id,
    }


def _third_party_point(capture: Capture, origin: Any) -> dict[str, Any]:
    """On the timeline at the version's own date (a memento's datetime), marked third-party."""
    when = origin.memento_datetime or capture.captured_at.isoformat() + "Z"
    source = origin.memento_url or origin.source
    return {
        "t": when,
        "kind": "third-party",
        "state": capture_family(capture.state),
        "label": f"third-party copy ({origin.via}) of {when[:10]}: {source} — not our capture",
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


def source_order(source: dict[str, Any]) -> tuple[int, int]:
    """By state (removals first); a stealth edit ahead of ordinary edits."""
    return STATE_ORDER.index(source["state"]), 0 if source.get("stealth") else 1


def report_data(
    index: ArchiveIndex,
    archive_dir: Path,
    replay_base: str = DEFAULT_REPLAY_BASE,
    diffs: dict[str, Any] | None = None,
    *,
    visual: bool = False,
) -> dict[str, Any]:
    """The report's data; each changed or restored source carries its `diff` (JSON). `diffs`,
    when given, is filled with the CaptureDiff of each (url -> diff) for the HTML page;
    `visual` compares their screenshots too."""
    from archive_store.layout import WARCS_DIR  # noqa: PLC0415
    from sourcekeeper.reporting.diffs import source_diffs  # noqa: PLC0415

    urls, cited = source_urls(index)
    sources = [source_entry(index, url, replay_base) for url in urls]
    found = source_diffs(index, archive_dir / WARCS_DIR, sources, visual=visual)
    if diffs is not None:
        diffs.update(found)
    sources.sort(key=source_order)
    _number_footnotes(sources)
    counts = Counter(s["state"] for s in sources)
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "archive": str(archive_dir),
        "basis": "cited URLs" if cited else "archived seed URLs",
        "counts": {state: counts.get(state, 0) for state in STATE_ORDER},
        "sources": sources,
    }
