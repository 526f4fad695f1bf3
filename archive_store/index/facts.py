"""How each capture was fetched, in the index (`capture_facts`, issue 16): written by the crawl
(archive_store.crawl.capture.fetchfacts), read by `show --json` (`tls`)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from archive_store.index.schema import CaptureFacts

if TYPE_CHECKING:
    from archive_store.index.database import ArchiveIndex


def add_facts(index: ArchiveIndex, rows: list[CaptureFacts]) -> None:
    """One transaction for a batch of rows (a crawl writes them with its batch of captures)."""
    with index.session() as db:
        for row in rows:
            db.merge(row)
        db.commit()


def facts_json(index: ArchiveIndex, record_id: str) -> dict[str, Any] | None:
    """`show --json`'s `tls`: the TLS summary of a capture, or None (plain HTTP, or not recorded)."""
    with index.session() as db:
        row = db.get(CaptureFacts, record_id)
    if row is None or not row.tls_json:
        return None
    tls: dict[str, Any] = json.loads(row.tls_json)
    tls["vantage"] = row.vantage
    tls["metadata_record_id"] = row.metadata_record_id
    return tls
