"""What each page of the web view shows, as plain data: one small function per view, over the
library (archive_store, the report's data, `show`'s fields). The routes (app.py) only call these
and render templates, so a richer library (a fuller `diff`, quote statuses, document rows) is
swapped in here, in one place per view."""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from archive_store.index.database import ArchiveIndex
from archive_store.index.schema import Capture, Citation, Report
from archive_store.index.sourcelist import STATE_ORDER, SourceList, SourceRow, filter_rows
from archive_store.layout import CUSTODY_NAME, WARCS_DIR

PAGE_SIZE = 50
TIMELINE_LIMIT = 300  # entries of a source's timeline shown (the newest)
TEXT_LIMIT = 50_000  # characters of a capture's text on its page
CUSTODY_LIMIT = 50


@dataclass
class Context:
    """What every view reads: the archive folder, the index, the cached source list."""

    archive: Path
    index: ArchiveIndex
    sources: SourceList = field(default_factory=SourceList)
    _custody: tuple[float, int, dict[str, list[dict[str, Any]]]] | None = None
    _custody_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def warc_dir(self) -> Path:
        return self.archive / WARCS_DIR


# Sources ---------------------------------------------------------------------------------------
def _monitored_urls(index: ArchiveIndex) -> list[str]:
    from sourcekeeper.reporting.data import source_urls  # noqa: PLC0415

    return source_urls(index)[0]


@dataclass
class SourcesPage:
    rows: list[SourceRow]
    total: int
    counts: dict[str, int]
    offset: int
    limit: int
    reports: list[tuple[int, str]]
    profiles: list[str]


def reports_list(index: ArchiveIndex) -> list[tuple[int, str]]:
    with index.session() as s:
        try:
            return [(r.id, r.title or r.source) for r in s.scalars(select(Report).order_by(Report.id))]
        except Exception:
            return []


def report_urls(index: ArchiveIndex, report_id: int) -> list[str]:
    """The URLs a report cites, in its order."""
    with index.session() as s:
        stmt = select(Citation.url).where(Citation.report_id == report_id).order_by(Citation.position)
        return list(dict.fromkeys(s.scalars(stmt)))


def sources_page(
    ctx: Context,
    *,
    state: str | None = None,
    site: str | None = None,
    report: int | None = None,
    profile: str | None = None,
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> SourcesPage:
    rows = ctx.sources.rows(ctx.index, _monitored_urls)
    urls = set(report_urls(ctx.index, report)) if report is not None else None
    counts = Counter(r.state for r in rows)
    chosen = filter_rows(rows, state=state, site=site, urls=urls, profile=profile)
    return SourcesPage(
        rows=chosen[offset : offset + limit],
        total=len(chosen),
        counts={s: counts.get(s, 0) for s in STATE_ORDER},
        offset=offset,
        limit=limit,
        reports=reports_list(ctx.index),
        profiles=sorted({r.profile for r in rows if r.profile}),
    )


# Search ----------------------------------------------------------------------------------------
@dataclass
class SearchPage:
    hits: list[dict[str, Any]]
    more: bool
    scanned: bool
    offset: int
    limit: int


def highlight(snippet: str, terms: list[str]) -> list[tuple[str, bool]]:
    """The snippet cut into (text, is a hit) pieces; the template escapes each piece."""
    pieces: list[tuple[str, bool]] = []
    for term in terms:  # the CLI's own marks around a hit (【term】) give way to the highlight
        snippet = snippet.replace(f"【{term}】", term)
    rest = snippet
    while rest:
        found = [(rest.find(t), t) for t in terms if t and rest.find(t) >= 0]
        if not found:
            pieces.append((rest, False))
            break
        at, term = min(found, key=lambda f: (f[0], -len(f[1])))
        if at:
            pieces.append((rest[:at], False))
        pieces.append((term, True))
        rest = rest[at + len(term) :]
    return pieces


def search_page(
    ctx: Context,
    query: str,
    *,
    offset: int = 0,
    limit: int = 20,
    kind: str | None = None,
    site: str | None = None,
) -> SearchPage:
    """The CLI's search (archive_store.index.search.find): same terms, same order, same hits."""
    from archive_store.index.search import Filters, find  # noqa: PLC0415

    terms = [t for t in query.split() if t]
    if not terms:
        return SearchPage([], False, False, offset, limit)
    results = find(ctx.index, query, limit + 1, offset=offset, filters=Filters(kind=kind, site=site or None))
    hits = [{**hit.to_json(), "pieces": highlight(hit.snippet, terms)} for hit in results.hits[:limit]]
    return SearchPage(hits, len(results.hits) > limit, results.scanned, offset, limit)


# One source ------------------------------------------------------------------------------------
def _spellings(url: str) -> list[str]:
    from archive_store.index.lookup import url_variants  # noqa: PLC0415

    return url_variants(url)


def source_timeline(ctx: Context, url: str) -> dict[str, Any]:
    """The source's state (as the list shows it) and its captures and re-check events, oldest
    first, the newest TIMELINE_LIMIT entries."""
    from archive_store.index.events import events_for  # noqa: PLC0415
    from archive_store.index.origins import origins_for, recovered_captures  # noqa: PLC0415
    from sourcekeeper.reporting.data import current_state  # noqa: PLC0415

    spellings = _spellings(url)
    captures = [c for s in spellings for c in ctx.index.captures_for(s)]
    if _has_mementos(ctx.index, spellings):  # a small table: asked first, the join only then
        captures += recovered_captures(ctx.index, spellings)
    origins = origins_for(ctx.index, (c.id for c in captures))
    try:
        events = events_for(ctx.index, spellings)
    except Exception:
        events = []
    own = sorted((c for c in captures if c.id not in origins), key=lambda c: (c.captured_at, c.id))
    state, reason, since = current_state(own, events)
    titles = _titles(ctx.index, [c.id for c in captures])
    entries: list[dict[str, Any]] = []
    for c in captures:
        origin = origins.get(c.id)
        entries.append(
            {
                "kind": "capture",
                "time": c.captured_at,
                "id": c.id,
                "state": c.state,
                "reason": c.state_reason,
                "http_status": c.http_status,
                "record_type": c.record_type,
                "title": titles.get(c.id),
                "third_party": None
                if origin is None
                else {"via": origin.via, "source": origin.source, "memento_url": origin.memento_url},
            }
        )
    for e in events:
        entries.append(
            {
                "kind": "recheck",
                "time": e.checked_at,
                "state": e.state,
                "reason": e.reason,
                "http_status": e.http_status,
                "new_capture": e.new_capture_id,
                "previous_capture": e.previous_capture_id,
                "new_removal": e.new_removal,
                "flapped": e.flapped,
                "detail": e.detail,
            }
        )
    entries.sort(key=lambda e: (e["time"], 0 if e["kind"] == "capture" else 1))
    return {
        "url": url,
        "state": state,
        "reason": reason,
        "since": since,
        "entries": entries[-TIMELINE_LIMIT:],
        "hidden": max(len(entries) - TIMELINE_LIMIT, 0),
        "captures": [e for e in entries if e["kind"] == "capture"],
        "cited_by": _cited_by(ctx.index, url),
    }


def _has_mementos(index: ArchiveIndex, urls: list[str]) -> bool:
    from archive_store.index.schema import CaptureOrigin  # noqa: PLC0415

    try:
        with index.session() as s:
            stmt = select(CaptureOrigin.capture_id).where(
                CaptureOrigin.via == "memento", CaptureOrigin.original_url.in_(urls)
            )
            return s.execute(stmt.limit(1)).first() is not None
    except Exception:
        return False


def _titles(index: ArchiveIndex, ids: list[int]) -> dict[int, str | None]:
    if not ids:
        return {}
    from archive_store.index.schema import Page  # noqa: PLC0415

    with index.session() as s:
        rows = s.execute(select(Page.capture_id, Page.title).where(Page.capture_id.in_(ids[:1000])))
        return {int(cid): title for cid, title in rows}


def _cited_by(index: ArchiveIndex, url: str) -> list[dict[str, Any]]:
    from archive_store.export.citations import cited_by_json  # noqa: PLC0415

    try:
        return cited_by_json(index, url)
    except Exception:
        return []


def capture_by_id(ctx: Context, capture_id: int) -> Capture | None:
    with ctx.index.session() as s:
        return s.get(Capture, capture_id)


def capture_detail(ctx: Context, capture: Capture) -> dict[str, Any]:
    """Everything `show --json` gives for the capture, its custody entries, its screenshot."""
    from archive_store.index.facts import facts_json  # noqa: PLC0415
    from archive_store.index.origins import origin_of  # noqa: PLC0415

    page = ctx.index.page_for(capture.id)
    text_value = page.text if page else ""
    with ctx.index.engine.connect() as conn:
        vantage = conn.execute(
            text("SELECT vantage FROM capture_facts WHERE record_id = :r"), {"r": capture.record_id}
        ).scalar()
    return {
        "id": capture.id,
        "url": capture.url,
        "captured_at": capture.captured_at,
        "http_status": capture.http_status,
        "state": capture.state,
        "state_reason": capture.state_reason,
        "title": page.title if page else None,
        "date": page.date if page else None,
        "document_date": page.document_date if page else None,
        # what identifies an official document (pipelines/extraction/govdoc.py)
        "identity": {name: getattr(page, name, None) if page else None for name in IDENTITY_FIELDS},
        "source": page.source if page else None,
        "author": page.author if page else None,
        "site": page.site if page else None,
        "text": text_value[:TEXT_LIMIT],
        "text_cut": len(text_value) > TEXT_LIMIT,
        "charset": page.charset if page else None,
        "warc_file": capture.warc_file,
        "warc_offset": capture.warc_offset,
        "warc_length": capture.warc_length,
        "record_id": capture.record_id,
        "record_type": capture.record_type,
        "payload_digest": capture.payload_digest,
        "block_digest": capture.block_digest,
        "content_type": capture.content_type,
        "ip_address": capture.ip_address,
        "truncated": capture.truncated,
        "tls": facts_json(ctx.index, capture.record_id),
        "vantage": vantage,
        "origin": origin_of(ctx.index, capture.id),
        "screenshot": screenshot_record(ctx, capture.id) is not None,
        "custody": custody_for(ctx, capture.warc_file),
        "documents": documents_of(ctx, capture),
        "quotes": quotes_of(ctx, capture.url),
    }


IDENTITY_FIELDS = ("doc_number", "issuer", "index_number", "document_date", "published_date", "topic")
DOCUMENT_LIMIT = 100  # documents listed under one capture


def documents_of(ctx: Context, capture: Capture) -> list[dict[str, Any]]:
    """The page's documents as `show` lists them (archive_store.index.pagedocs): each with its
    type, its text's size or why there is none, its 文号, and its own capture."""
    from archive_store.index.pagedocs import document_note, page_documents  # noqa: PLC0415

    return [{**d, "note": document_note(d)} for d in page_documents(ctx.index, capture)[:DOCUMENT_LIMIT]]


def quotes_of(ctx: Context, url: str) -> list[dict[str, Any]]:
    """The passages quoted from `url` and their newest check (present, altered with the closest
    sentence and its diff, missing), as `show --quotes` gives them."""
    from archive_store.index.quotes import quotes_json  # noqa: PLC0415

    return quotes_json(ctx.index, url)


def screenshot_record(ctx: Context, capture_id: int) -> tuple[str, int, int] | None:
    """(WARC file, offset, length) of the capture's newest stored screenshot, if it has one."""
    with ctx.index.engine.connect() as conn:
        try:
            row = conn.execute(
                text(
                    "SELECT warc_file, warc_offset, warc_length FROM rendered_records "
                    "WHERE capture_id = :c AND kind = 'screenshot' ORDER BY id DESC LIMIT 1"
                ),
                {"c": capture_id},
            ).first()
        except Exception:
            return None
    return (str(row[0]), int(row[1]), int(row[2])) if row else None


def screenshot_png(ctx: Context, capture_id: int) -> bytes | None:
    from archive_store.storage.remote import read_stored_record  # noqa: PLC0415

    found = screenshot_record(ctx, capture_id)
    if found is None:
        return None
    return read_stored_record(ctx.index, ctx.warc_dir, *found).block


def custody_for(ctx: Context, warc_file: str) -> list[dict[str, Any]]:
    """The custody log's entries about one WARC file (created, closed, uploaded, time-stamped…),
    read once per change of the log."""
    path = ctx.archive / CUSTODY_NAME
    try:
        stat = path.stat()
    except OSError:
        return []
    with ctx._custody_lock:
        if ctx._custody is None or ctx._custody[:2] != (stat.st_mtime, stat.st_size):
            by_file: dict[str, list[dict[str, Any]]] = {}
            for line in path.read_text("utf-8", errors="replace").splitlines():
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue
                name = entry.get("file") if isinstance(entry, dict) else None
                if isinstance(name, str):
                    by_file.setdefault(Path(name).name, []).append(entry)
            ctx._custody = (stat.st_mtime, stat.st_size, by_file)
        return ctx._custody[2].get(warc_file, [])[:CUSTODY_LIMIT]


# Compare ---------------------------------------------------------------------------------------


def compare_captures(ctx: Context, before_id: int, after_id: int) -> dict[str, Any] | None:
    """The `diff` of two captures (sourcekeeper.changes: sentences with moves and edits, fields
    incl. 文号 and issuer, links, documents with their own text diff, screenshots side by side with
    the changed regions marked), as an escaped HTML fragment that needs no inline style: its
    stylesheet is served at /diff.css."""
    from sourcekeeper.changes.capturediff import diff_two  # noqa: PLC0415
    from sourcekeeper.changes.html import diff_fragment  # noqa: PLC0415

    before, after = capture_by_id(ctx, before_id), capture_by_id(ctx, after_id)
    if before is None or after is None:
        return None
    if (before.captured_at, before.id) > (after.captured_at, after.id):
        before, after = after, before
    diff = diff_two(ctx.index, ctx.warc_dir, before, after)
    return {"before": before, "after": after, "diff": diff, "fragment": diff_fragment(diff)}


def replay_stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")
