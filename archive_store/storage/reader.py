"""Load a capture back from its WARC: the stored HTTP message and its payload (revisits resolved)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

from archive_store.index.database import ArchiveIndex
from archive_store.index.schema import Capture
from archive_store.storage.remote import read_stored_record
from archive_store.warc.httpmessage import ParsedResponse, parse_response
from archive_store.warc.record import StoredRecord

MAX_DECODED = 256 * 1024 * 1024


@dataclass(frozen=True)
class LoadedCapture:
    capture: Capture
    record: StoredRecord
    parsed: ParsedResponse | None
    payload: bytes  # chunked framing removed, content coding as sent; a revisit's comes from its original

    @property
    def content_encoding(self) -> str:
        if self.parsed is None:
            return ""
        raw = self.parsed.head.get(b"content-encoding") or b""
        return raw.decode("latin-1").strip().lower()


def load_capture(index: ArchiveIndex, warc_dir: Path, capture: Capture) -> LoadedCapture:
    # the local WARC, or its S3 copy when this folder does not hold it (scale-out)
    record = read_stored_record(index, warc_dir, capture.warc_file, capture.warc_offset, capture.warc_length)
    parsed = parse_response(record.block)
    payload = parsed.payload if parsed else b""
    if capture.record_type == "revisit" and capture.refers_to:
        original = index.capture_by_record_id(capture.refers_to)
        if original is not None and original.record_type == "response":
            payload = load_capture(index, warc_dir, original).payload
    return LoadedCapture(capture, record, parsed, payload)


def decode_content(payload: bytes, encoding: str, limit: int = MAX_DECODED) -> bytes:
    """Undo gzip/deflate (and br when brotli is installed), bounded against decompression bombs."""
    for coding in reversed([c.strip() for c in encoding.split(",") if c.strip()]):
        if coding in ("gzip", "x-gzip", "deflate"):
            wbits = 47 if coding != "deflate" else (15 if payload[:1] == b"\x78" else -15)
            inflater = zlib.decompressobj(wbits)
            payload = inflater.decompress(payload, limit)
        elif coding == "br":
            try:
                import brotli  # noqa: PLC0415
            except ImportError:
                return payload
            payload = brotli.decompress(payload)[:limit]
        elif coding != "identity":
            return payload
    return payload
