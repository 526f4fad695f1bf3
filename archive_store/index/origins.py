"""Whose capture is it: `own` (we fetched it) or `third-party` (imported from another tool's WARC,
or recovered from a public web archive). Captures without a `capture_origins` row are our own."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from archive_store.index.database import ArchiveIndex
from archive_store.index.schema import Capture, CaptureOrigin

OWN = "own"
THIRD_PARTY = "third-party"


def origins_for(index: ArchiveIndex, capture_ids: Iterable[int]) -> dict[int, CaptureOrigin]:
    ids = list(capture_ids)
    found: dict[int, CaptureOrigin] = {}
    try:
        with index.session() as s:
            for start in range(0, len(ids), 500):
                stmt = select(CaptureOrigin).where(CaptureOrigin.capture_id.in_(ids[start : start + 500]))
                found.update((row.capture_id, row) for row in s.scalars(stmt))
    except (OperationalError, ProgrammingError):  # an archive from before issue 17: all our own
        return {}
    return found


def third_party_ids(index: ArchiveIndex, capture_ids: Iterable[int]) -> set[int]:
    return set(origins_for(index, capture_ids))


def origin_json(row: CaptureOrigin | None) -> dict[str, Any]:
    """The `show --json` / `history --json` fields of a capture's origin."""
    if row is None:
        return {"origin": OWN, "memento_url": None, "memento_datetime": None}
    fields: dict[str, Any] = {
        "origin": row.origin,
        "origin_via": row.via,
        "memento_url": row.memento_url,
        "memento_datetime": row.memento_datetime,
    }
    if row.via == "import":
        fields["imported_from"] = {"file": row.source, "sha256": row.source_sha256}
    else:
        fields["memento_archive"] = row.source
        fields["timemap_url"] = row.timemap_url
    if row.notes:
        fields["origin_notes"] = json.loads(row.notes)
    return fields


def origin_of(index: ArchiveIndex, capture_id: int) -> dict[str, Any]:
    return origin_json(origins_for(index, [capture_id]).get(capture_id))


def recovered_captures(index: ArchiveIndex, urls: Iterable[str]) -> list[Capture]:
    """Captures of mementos of these (original) URLs: their own URL is the memento's."""
    wanted = list(urls)
    try:
        with index.session() as s:
            stmt = (
                select(Capture)
                .join(CaptureOrigin, CaptureOrigin.capture_id == Capture.id)
                .where(CaptureOrigin.original_url.in_(wanted), CaptureOrigin.via == "memento")
                .order_by(Capture.captured_at, Capture.id)
            )
            return list(s.scalars(stmt))
    except (OperationalError, ProgrammingError):
        return []


def memento_originals(index: ArchiveIndex) -> dict[str, str]:
    """URL fetched from another archive (its memento's `id_` form) -> the original URL."""
    try:
        with index.session() as s:
            stmt = (
                select(Capture.url, CaptureOrigin.original_url)
                .join(CaptureOrigin, CaptureOrigin.capture_id == Capture.id)
                .where(CaptureOrigin.via == "memento")
            )
            return {url: original for url, original in s.execute(stmt) if original}
    except (OperationalError, ProgrammingError):
        return {}


def imported_urls(index: ArchiveIndex, source_sha256: str) -> list[str]:
    """The URLs an imported file (by its SHA-256) holds an HTTP answer for, in the file's order,
    but its robots.txt: the other tool's own fetch, never a source anyone cites."""
    with index.session() as s:
        stmt = (
            select(Capture.url)
            .join(CaptureOrigin, CaptureOrigin.capture_id == Capture.id)
            .where(CaptureOrigin.via == "import", CaptureOrigin.source_sha256 == source_sha256)
            .order_by(Capture.id)
        )
        urls = list(dict.fromkeys(s.scalars(stmt)))
    return [u for u in urls if urlsplit(u).path != "/robots.txt"]
