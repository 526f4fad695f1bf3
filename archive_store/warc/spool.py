"""WARC records of a spooled exchange (a media body in a temporary file), made without reading it
into memory: one pass for the digests, one pass that gzips the record into another temporary file
the writer copies into the WARC. Both run on the compressor thread; memory stays a few MB whatever
the body's size.

The same rules hold as for an exchange kept in memory (`httpmessage.parse_response`): the block is
the head and the body as sent, the payload digest is over the body with chunked framing removed and
content coding kept (W-DIG-2), bytes after the end of the message are not part of the record.
"""

from __future__ import annotations

import hashlib
import tempfile
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from isal import isal_zlib

from archive_store.warc.httpmessage import HttpHead, content_length, parse_response, split_head
from archive_store.warc.recordbuilder import (
    HTTP_RESPONSE_TYPE,
    WarcRecord,
    sha1_digest,
    target_uri,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

_READ = 1 << 20
_HEAD_MAX = 1 << 20
_NO_BODY_STATUSES = frozenset({204, 304}) | frozenset(range(100, 200))


@dataclass
class SpooledResponse:
    """What `parse_response` tells of a response, for one whose body stays in `handle`."""

    handle: BinaryIO
    head: HttpHead
    head_bytes: bytes
    status: int
    framing: str  # "chunked" | "length" | "close" | "none"
    body_length: int  # of the body as sent (what the record keeps after the head)
    payload_length: int
    complete: bool
    trailing: int
    block_digest: str
    payload_digest: str


def _b32(digest: hashlib._Hash) -> str:
    import base64  # noqa: PLC0415

    return "sha1:" + base64.b32encode(digest.digest()).decode("ascii")


def _ranges(handle: BinaryIO, start: int, length: int) -> Iterator[bytes]:
    """The bytes [start, start + length) of the file, a block at a time."""
    handle.seek(start)
    left = length
    while left > 0:
        block = handle.read(min(_READ, left))
        if not block:
            return
        left -= len(block)
        yield block


def _dechunked_length(
    handle: BinaryIO, start: int, end: int, payload: hashlib._Hash
) -> tuple[int, int, bool]:
    """Remove chunked framing from [start, end), hashing the payload. Returns (bytes used from
    `start`, payload bytes, complete), as `httpmessage.dechunk` does in memory."""
    pos, size_total = start, 0
    while True:
        handle.seek(pos)
        line = handle.readline(4096)
        if not line.endswith(b"\n"):
            return pos - start, size_total, False
        try:
            size = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            return pos - start, size_total, False
        data_start = pos + len(line)
        if size == 0:  # trailers, up to the empty line that ends the message
            pos = data_start
            while True:
                handle.seek(pos)
                trailer = handle.readline(65536)
                if not trailer:
                    return end - start, size_total, True
                pos += len(trailer)
                if not trailer.strip():
                    return pos - start, size_total, True
        available = min(size, max(end - data_start, 0))
        for block in _ranges(handle, data_start, available):
            payload.update(block)
        size_total += available
        if available < size:
            return end - start, size_total, False
        pos = data_start + size
        handle.seek(pos)
        after = handle.read(2)
        pos += 2 if after == b"\r\n" else 1 if after[:1] == b"\n" else 0


def scan_spooled(handle: BinaryIO, method: bytes = b"GET") -> SpooledResponse | None:
    """Head, framing and digests of the response in `handle`; None without a whole head."""
    handle.seek(0, 2)
    total = handle.tell()
    handle.seek(0)
    parts = split_head(handle.read(min(total, _HEAD_MAX)))
    if parts is None:
        return None
    head_bytes = parts[0]
    parsed = parse_response(head_bytes, request_method=b"HEAD")  # the head alone: no body read
    if parsed is None:
        return None
    start, available = len(head_bytes), total - len(head_bytes)
    block, payload = hashlib.sha1(head_bytes), hashlib.sha1()
    if method.upper() == b"HEAD" or parsed.status in _NO_BODY_STATUSES:
        framing, used, payload_length, complete = "none", 0, 0, True
    elif parsed.head.has_token(b"transfer-encoding", b"chunked"):
        framing = "chunked"
        used, payload_length, complete = _dechunked_length(handle, start, total, payload)
    else:
        length = content_length(parsed.head)
        framing = "length" if length is not None else "close"
        used = min(length, available) if length is not None else available
        payload_length, complete = used, length is None or used == length
    for chunk in _ranges(handle, start, used):
        block.update(chunk)
        if framing != "chunked":
            payload.update(chunk)
    return SpooledResponse(
        handle=handle,
        head=parsed.head,
        head_bytes=head_bytes,
        status=parsed.status,
        framing=framing,
        body_length=used,
        payload_length=payload_length,
        complete=complete,
        trailing=available - used,
        block_digest=_b32(block),
        payload_digest=_b32(payload) if framing != "none" else sha1_digest(b""),
    )


def spooled_response_record(
    uri: str, date: str, spooled: SpooledResponse, ip_address: str | None, truncated: str | None
) -> WarcRecord:
    """The response record's fields (its block stays in the spool file: see `gzip_spooled`)."""
    fields = [("WARC-Date", date), ("WARC-Target-URI", target_uri(uri))]
    if ip_address:
        fields.append(("WARC-IP-Address", ip_address))
    fields += [
        ("Content-Type", HTTP_RESPONSE_TYPE),
        ("WARC-Block-Digest", spooled.block_digest),
        ("WARC-Payload-Digest", spooled.payload_digest),
    ]
    if truncated:
        fields.append(("WARC-Truncated", truncated))
    return WarcRecord("response", fields)


@dataclass
class SpooledMember:
    """A gzip member in a temporary file, for the writer to copy into the WARC."""

    handle: BinaryIO
    length: int

    def __len__(self) -> int:
        return self.length

    def close(self) -> None:
        self.handle.close()


def _compressor(level: int) -> Any:
    if level in range(1, 4):
        return isal_zlib.compressobj(level, isal_zlib.DEFLATED, 31)
    return zlib.compressobj(level, zlib.DEFLATED, 31)


def gzip_spooled(
    record: WarcRecord, spooled: SpooledResponse, level: int, spool_dir: str | None
) -> SpooledMember:
    """`record` (its WARC-Warcinfo-ID set) with the spooled block, as one gzip member in a file."""
    length = len(spooled.head_bytes) + spooled.body_length
    out = tempfile.TemporaryFile(dir=spool_dir)  # noqa: SIM115 (closed once copied into the WARC)
    compressor = _compressor(level)
    written = 0
    for piece in _record_pieces(record, spooled, length):
        data = compressor.compress(piece)
        out.write(data)
        written += len(data)
    tail = compressor.flush()
    out.write(tail)
    written += len(tail)
    out.flush()
    out.seek(0)
    return SpooledMember(out, written)


def _record_pieces(record: WarcRecord, spooled: SpooledResponse, length: int) -> Iterator[bytes]:
    yield record.header_bytes(length)
    yield spooled.head_bytes
    yield from _ranges(spooled.handle, len(spooled.head_bytes), spooled.body_length)
    yield b"\r\n\r\n"
