"""One fetched exchange on its way to WARC records: parsed, and (for a large body) prepared on the
compressor thread: digests, the response and request records, their gzip members. Pure functions of
the tape; the exchange recorder (`archive_store.crawl.session`) writes and indexes what they make."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archive_store.crawl.capture.redact import redact_request
from archive_store.index.stored import initial_state, parse_warc_date
from archive_store.warc.httpmessage import ParsedResponse, parse_response
from archive_store.warc.recordbuilder import (
    REVISIT_IDENTICAL,
    REVISIT_NOT_MODIFIED,
    OriginalRef,
    WarcRecord,
    gzip_member,
    request_record,
    response_record,
    revisit_record,
    sha1_digest,
    target_uri,
    warc_date,
)
from archive_store.warc.spool import SpooledResponse

if TYPE_CHECKING:
    from scrapy import Request

    from archive_store.crawl.capture.tape import ExchangeTape


@dataclass
class Exchange:
    """One fetched exchange, parsed, on its way to becoming WARC records and an index row."""

    request: Request
    tape: ExchangeTape
    parsed: ParsedResponse | SpooledResponse
    date: str
    truncated: str | None
    note: str | None
    payload_digest: str = ""  # set once computed (inline, or on the compressor thread)

    @property
    def chunked(self) -> bool:
        return self.parsed.framing == "chunked"


def parsed_exchange(
    request: Request, tape: ExchangeTape | None, truncated: str | None, note: str | None
) -> Exchange | None:
    """The taped exchange parsed; None when nothing usable was received."""
    if tape is None:
        return None
    parsed = parse_response(bytes(tape.received), request_method=request.method.encode())
    if parsed is None:
        return None
    if not parsed.complete:
        truncated = truncated or "disconnect"
    return Exchange(request, tape, parsed, warc_date(tape.started), truncated, note)


def prepared_exchange(
    request: Request,
    tape: ExchangeTape,
    truncated: str | None,
    warcinfo_id: str,
    level: int,
    redact: list[bytes],
) -> tuple[Exchange | None, PreparedResponse | None]:
    """On the compressor thread: the exchange parsed, and its records prepared (see below)."""
    exchange = parsed_exchange(request, tape, truncated, note=None)
    if exchange is None:
        return None, None
    prepared = prepared_response(exchange, warcinfo_id, level, redact)
    exchange.payload_digest = prepared.payload_digest
    return exchange, prepared


def request_record_for(exchange: Exchange, concurrent_to: str, redact: list[bytes]) -> WarcRecord:
    tape = exchange.tape
    block = redact_request(bytes(tape.sent), redact)
    return request_record(exchange.request.url, exchange.date, block, tape.ip_address, concurrent_to)


@dataclass(frozen=True)
class PreparedResponse:
    payload_digest: str
    record: WarcRecord
    member: bytes
    request: WarcRecord  # the request record that goes with `record` (not with a revisit)
    request_member: bytes


def prepared_response(
    exchange: Exchange, warcinfo_id: str, level: int, redact: list[bytes]
) -> PreparedResponse:
    """On the compressor thread: the payload digest, the response record and the request record
    that goes with it, their gzip members."""
    parsed, tape = exchange.parsed, exchange.tape
    assert isinstance(parsed, ParsedResponse)  # spooled bodies take _record_spooled
    digest = sha1_digest(parsed.payload)
    record = response_record(
        exchange.request.url,
        exchange.date,
        parsed.block,
        parsed.payload,
        tape.ip_address,
        exchange.truncated,
        digest,
    )
    record.set("WARC-Warcinfo-ID", warcinfo_id)
    request = request_record_for(exchange, record.record_id, redact)
    request.set("WARC-Warcinfo-ID", warcinfo_id)
    return PreparedResponse(
        digest,
        record,
        gzip_member(record.to_bytes(), level),
        request,
        gzip_member(request.to_bytes(), level),
    )


def not_modified_original(request: Request, status: int) -> OriginalRef | None:
    """The capture a conditional re-check sent validators for (request.meta "archive_not_modified":
    for_url, and the url, record_id, warc_date, payload_digest of the record holding its payload),
    when the server answers 304 for that URL: the 304 becomes a server-not-modified revisit of it."""
    ref = request.meta.get("archive_not_modified")
    if status != 304 or not ref or ref.get("for_url") != request.url:
        return None
    return OriginalRef(ref["record_id"], target_uri(ref["url"]), ref["warc_date"], ref["payload_digest"])


def exchange_records(
    exchange: Exchange, original: OriginalRef | None, prepared: PreparedResponse | None, redact: list[bytes]
) -> tuple[WarcRecord, WarcRecord, OriginalRef | None]:
    """The request record and the response (`prepared` if given) or a revisit of `original` (a 304
    to a conditional re-check: a server-not-modified revisit of the capture it re-checked); the
    original a revisit refers to (`exchange.payload_digest` is computed before)."""
    parsed, tape, uri, date = exchange.parsed, exchange.tape, exchange.request.url, exchange.date
    profile = REVISIT_IDENTICAL
    not_modified = not_modified_original(exchange.request, parsed.status)
    if not_modified is not None:  # a 304 to a conditional re-check
        original, profile = not_modified, REVISIT_NOT_MODIFIED
        exchange.payload_digest = not_modified.payload_digest
    if original is None and prepared is not None:
        return prepared.request, prepared.record, None
    if original is not None:
        main: WarcRecord = revisit_record(uri, date, parsed.head_bytes, original, tape.ip_address, profile)
    else:
        assert isinstance(parsed, ParsedResponse)
        main = response_record(
            uri,
            date,
            parsed.block,
            parsed.payload,
            tape.ip_address,
            exchange.truncated,
            exchange.payload_digest,
        )
    return request_record_for(exchange, main.record_id, redact), main, original


def capture_fields(
    exchange: Exchange,
    req: WarcRecord,
    main: WarcRecord,
    written: Any,
    original: OriginalRef | None,
    run_id: int | None,
) -> dict[str, Any]:
    """The index row of a written exchange (`written`: the writer's WrittenRecord of `main`)."""
    request, parsed, tape, uri = exchange.request, exchange.parsed, exchange.tape, exchange.request.url
    content_type = parsed.head.get(b"content-type")
    return dict(
        run_id=run_id,
        url=uri,
        method=request.method,
        captured_at=parse_warc_date(exchange.date),
        warc_date=exchange.date,
        http_status=parsed.status,
        record_type=main.record_type,
        record_id=main.record_id,
        request_record_id=req.record_id,
        warc_file=written.filename,
        warc_offset=written.offset,
        warc_length=written.length,
        payload_digest=exchange.payload_digest,
        block_digest=main.get("WARC-Block-Digest") or "",
        payload_length=parsed.payload_length,
        content_type=content_type.decode("latin-1") if content_type is not None else None,
        truncated=exchange.truncated,
        chunked=exchange.chunked,
        ip_address=tape.ip_address,
        refers_to=original.record_id if original else None,
        state=initial_state(parsed.status, exchange.truncated),
        state_reason=exchange.note,
        hop=int(request.meta.get("archive_hop", 0)),
        parent_url=request.meta.get("archive_parent"),
    )
