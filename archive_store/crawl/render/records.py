"""What a render leaves beside the exchanges: screenshot, PDF, DOM and a provenance summary.

Each is a WARC record referring to the final page's response record (`WARC-Refers-To`): the PNG,
the PDF and the DOM as `resource` records whose target URI names the page
(`urn:screenshot:<url>`, `urn:pdf:<url>`, `urn:dom:<url>`, as Browsertrix names its screenshots,
so replay never serves them in place of the page), the provenance as a `metadata` record of the
page's URL. They are indexed in a table of their own (`rendered_records`, Alembic migration 0007),
so `show --screenshot` finds them without reading the WARCs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, insert, select

from archive_store.index.captureref import CaptureRef
from archive_store.index.schema import RenderedRecordRow
from archive_store.warc.recordbuilder import derived_record, warc_date

if TYPE_CHECKING:
    from pathlib import Path

    from archive_store.crawl.session import ArchiveSession
    from archive_store.index.database import ArchiveIndex

rendered_records = cast("Table", RenderedRecordRow.__table__)

KINDS = {
    "screenshot": ("urn:screenshot:", "image/png", "resource"),
    "pdf": ("urn:pdf:", "application/pdf", "resource"),
    "dom": ("urn:dom:", "text/html; charset=utf-8", "resource"),
    "provenance": ("", "application/json", "metadata"),
}


@dataclass(frozen=True)
class RenderedRecord:
    kind: str
    record_id: str
    warc_file: str
    warc_offset: int
    warc_length: int
    content_type: str


def write_rendered(
    session: ArchiveSession,
    page_url: str,
    capture: CaptureRef,
    blocks: dict[str, bytes],
) -> list[RenderedRecord]:
    """Write each block (by kind) as its record referring to `capture`'s record, and index it."""
    written_rows: list[RenderedRecord] = []
    for kind, block in blocks.items():
        prefix, content_type, record_type = KINDS[kind]
        record = derived_record(
            prefix + page_url, warc_date(), capture.record_id, block, content_type, record_type
        )
        written = session.write_records([record])
        if not written:
            break  # the run's write error is reported by the session
        where = written[0]
        written_rows.append(
            RenderedRecord(kind, record.record_id, where.filename, where.offset, where.length, content_type)
        )
    if written_rows:
        with session.index.session() as s:
            s.execute(
                insert(rendered_records),
                [
                    {
                        "capture_id": capture.capture_id,
                        "page_url": page_url,
                        "created_at": datetime.now(UTC).replace(tzinfo=None),
                        **row.__dict__,
                    }
                    for row in written_rows
                ],
            )
            s.commit()
    return written_rows


def provenance_block(summary: dict[str, Any]) -> bytes:
    return json.dumps(summary, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


def rendered_for(index: ArchiveIndex, capture_id: int) -> dict[str, RenderedRecord]:
    """The render records of a capture, newest of each kind ({} when it was never rendered)."""
    table = rendered_records
    with index.session() as s:
        rows = s.execute(select(table).where(table.c.capture_id == capture_id).order_by(table.c.id)).all()
    return {
        row.kind: RenderedRecord(
            row.kind, row.record_id, row.warc_file, row.warc_offset, row.warc_length, row.content_type
        )
        for row in rows
    }


def rendered_block(index: ArchiveIndex, warc_dir: Path, found: RenderedRecord) -> bytes:
    """The stored PNG / PDF / DOM / provenance bytes of a render record."""
    from archive_store.storage.remote import read_stored_record  # noqa: PLC0415

    return read_stored_record(index, warc_dir, found.warc_file, found.warc_offset, found.warc_length).block


THUMBNAIL_MAX_BYTES = 400_000  # larger screenshots are left out of the report (it embeds them)


def screenshot_data_uri(index: ArchiveIndex, warc_dir: Path, capture_id: int) -> str | None:
    """The capture's stored screenshot as a data: URI, for the HTML report's thumbnail."""
    import base64  # noqa: PLC0415

    found = rendered_for(index, capture_id).get("screenshot")
    if found is None or found.warc_length > THUMBNAIL_MAX_BYTES:
        return None
    try:
        block = rendered_block(index, warc_dir, found)
    except (OSError, ValueError):
        return None
    return "data:image/png;base64," + base64.b64encode(block).decode("ascii")
