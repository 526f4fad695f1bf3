"""Turn stored records back into index rows and HTTP responses (recovery, resume, show)."""

from __future__ import annotations

from datetime import UTC, datetime

from archive_store.index.schema import Capture
from archive_store.warc.httpmessage import ParsedResponse, parse_response
from archive_store.warc.record import StoredRecord


def parse_warc_date(value: str) -> datetime:
    """WARC-Date (any precision, trailing Z) -> naive UTC datetime as the index stores it."""
    text = value.strip().rstrip("Z")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


TRUNCATED_STATE = "truncated"


def initial_state(status: int, truncated: str | None = None) -> str:
    """The state a capture has before classification looks at its content; a body cut short
    (WARC-Truncated: disconnect, time, length) is kept but is never a good capture."""
    if 200 <= status < 300:
        return TRUNCATED_STATE if truncated else "ok"
    if 300 <= status < 400:
        return "redirect"
    return f"error:http-{status}"


def parsed_block(record: StoredRecord) -> ParsedResponse | None:
    return parse_response(record.block)


def capture_from_record(
    record: StoredRecord, filename: str, run_id: int | None, request_ids: dict[str, str]
) -> Capture | None:
    """Index row for a response/revisit record found on disk but not in the index (recovery)."""
    if record.record_type not in ("response", "revisit"):
        return None
    parsed = parse_response(record.block)
    status = parsed.status if parsed else 0
    content_type = parsed.head.get(b"content-type") if parsed else None
    date = record.get("WARC-Date") or ""
    return Capture(
        run_id=run_id,
        url=record.get("WARC-Target-URI") or "",
        method="GET",
        captured_at=parse_warc_date(date),
        warc_date=date,
        http_status=status,
        record_type=record.record_type,
        record_id=record.record_id,
        request_record_id=request_ids.get(record.record_id),
        warc_file=filename,
        warc_offset=record.offset,
        warc_length=record.length,
        payload_digest=record.get("WARC-Payload-Digest") or "",
        block_digest=record.get("WARC-Block-Digest") or "",
        payload_length=len(parsed.payload) if parsed else 0,
        content_type=content_type.decode("latin-1") if content_type is not None else None,
        truncated=record.get("WARC-Truncated"),
        chunked=bool(parsed and parsed.framing == "chunked"),
        ip_address=record.get("WARC-IP-Address"),
        refers_to=record.get("WARC-Refers-To"),
        state=initial_state(status, record.get("WARC-Truncated")),
        hop=0,
    )
