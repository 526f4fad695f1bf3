"""Build WARC 1.1 records as exact bytes.

warcio percent-encodes non-ASCII header values and hashes whatever it is handed, so the HTTP blocks
here are written as received and the WARC headers (ASCII, ours) are written by hand. Pure functions:
no files, and no clock unless the caller passes no time. Each builder takes the record id as a
keyword (`record_id=`, default a new UUID), so tests can compare whole records byte for byte.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote

from isal import isal_zlib

WARC_VERSION = b"WARC/1.1"
REVISIT_IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
REVISIT_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
HTTP_REQUEST_TYPE = "application/http;msgtype=request"
HTTP_RESPONSE_TYPE = "application/http;msgtype=response"
WARC_FIELDS_TYPE = "application/warc-fields"
_URI_SAFE = "!#$%&'()*+,/:;=?@[]~-._"


def new_record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def warc_date(moment: datetime | None = None) -> str:
    """UTC with microseconds (WARC 1.1 allows fractions); a request and its response share it."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sha1_digest(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def target_uri(url: str) -> str:
    """Plain RFC 3986 ASCII (W-ALL-5): IRIs and stray spaces percent-encoded, no angle brackets."""
    return quote(url.strip(), safe=_URI_SAFE)


@dataclass
class WarcRecord:
    """One record: named fields (Content-Length is added on serialisation) and a block."""

    record_type: str
    fields: list[tuple[str, str]]
    block: bytes = b""
    record_id: str = field(default_factory=new_record_id)

    def get(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.fields if k.lower() == wanted), None)

    def set(self, name: str, value: str) -> None:
        self.fields = [(k, v) for k, v in self.fields if k.lower() != name.lower()]
        self.fields.append((name, value))

    def to_bytes(self) -> bytes:
        return self.header_bytes(len(self.block)) + self.block + b"\r\n\r\n"

    def header_bytes(self, block_length: int) -> bytes:
        """The record up to its block (a block written apart, e.g. streamed from a file)."""
        lines = [
            WARC_VERSION,
            b"WARC-Type: " + self.record_type.encode("ascii"),
            b"WARC-Record-ID: " + self.record_id.encode("ascii"),
        ]
        lines += [f"{name}: {value}".encode("ascii") for name, value in self.fields]
        lines.append(b"Content-Length: " + str(block_length).encode("ascii"))
        return b"\r\n".join(lines) + b"\r\n\r\n"


# Levels 1-3 go to ISA-L (python-isal): 5-9 times faster than zlib on these pages, for files 3-11 %
# larger than zlib's level 6; compression was the largest CPU cost of a capture. 0 (stored) and 4-9
# are zlib's. Both write standard gzip (wbits 31), which every WARC reader inflates with zlib.
_ISAL_LEVELS = range(1, 4)
GZIP_LEVELS = range(10)


def gzip_member(data: bytes, level: int = 3) -> bytes:
    """One gzip member per record (W-FILE-1), so any record can be read at its offset alone."""
    if level in _ISAL_LEVELS:
        return isal_zlib.compress(data, level, 31)
    return zlib.compress(data, level, 31)


def _common(
    uri: str, date: str, ip_address: str | None, extra: Iterable[tuple[str, str]] = ()
) -> list[tuple[str, str]]:
    fields = [("WARC-Date", date), ("WARC-Target-URI", target_uri(uri))]
    if ip_address:
        fields.append(("WARC-IP-Address", ip_address))
    fields.extend(extra)
    return fields


def request_record(
    uri: str,
    date: str,
    block: bytes,
    ip_address: str | None,
    concurrent_to: str,
    *,
    record_id: str | None = None,
) -> WarcRecord:
    fields = _common(uri, date, ip_address)
    fields += [
        ("WARC-Concurrent-To", concurrent_to),
        ("Content-Type", HTTP_REQUEST_TYPE),
        ("WARC-Block-Digest", sha1_digest(block)),
    ]
    return WarcRecord("request", fields, block, record_id or new_record_id())


def response_record(
    uri: str,
    date: str,
    block: bytes,
    payload: bytes,
    ip_address: str | None,
    truncated: str | None = None,
    payload_digest: str | None = None,
    *,
    record_id: str | None = None,
) -> WarcRecord:
    """`payload_digest`: sha1_digest(payload) when the caller has it already."""
    fields = _common(uri, date, ip_address)
    fields += [
        ("Content-Type", HTTP_RESPONSE_TYPE),
        ("WARC-Block-Digest", sha1_digest(block)),
        ("WARC-Payload-Digest", payload_digest or sha1_digest(payload)),
    ]
    if truncated:
        fields.append(("WARC-Truncated", truncated))
    return WarcRecord("response", fields, block, record_id or new_record_id())


@dataclass(frozen=True)
class OriginalRef:
    """What a revisit must name about the record holding the payload (W-REV-1, W-REV-3)."""

    record_id: str
    target_uri: str
    date: str
    payload_digest: str


def revisit_record(
    uri: str,
    date: str,
    head_block: bytes,
    original: OriginalRef,
    ip_address: str | None,
    profile: str = REVISIT_IDENTICAL,
    *,
    record_id: str | None = None,
) -> WarcRecord:
    fields = _common(uri, date, ip_address)
    fields += [
        ("WARC-Profile", profile),
        ("WARC-Refers-To", original.record_id),
        ("WARC-Refers-To-Target-URI", original.target_uri),
        ("WARC-Refers-To-Date", original.date),
        ("Content-Type", HTTP_RESPONSE_TYPE),
        ("WARC-Block-Digest", sha1_digest(head_block)),
        ("WARC-Payload-Digest", original.payload_digest),
    ]
    return WarcRecord("revisit", fields, head_block, record_id or new_record_id())


def warc_fields_block(items: Sequence[tuple[str, str]]) -> bytes:
    """application/warc-fields: `name: value` lines; values UTF-8 (the spec allows it)."""
    return b"".join(f"{name}: {value}\r\n".encode() for name, value in items)


def warcinfo_record(
    filename: str, date: str, info: Sequence[tuple[str, str]], *, record_id: str | None = None
) -> WarcRecord:
    block = warc_fields_block(info)
    fields = [
        ("WARC-Date", date),
        ("WARC-Filename", filename),
        ("Content-Type", WARC_FIELDS_TYPE),
        ("WARC-Block-Digest", sha1_digest(block)),
    ]
    return WarcRecord("warcinfo", fields, block, record_id or new_record_id())


def derived_record(
    uri: str,
    date: str,
    refers_to: str,
    block: bytes,
    content_type: str,
    record_type: str,
    *,
    record_id: str | None = None,
) -> WarcRecord:
    """A derivative (extracted text, metadata JSON) pointing at the response it came from."""
    fields = [
        ("WARC-Date", date),
        ("WARC-Target-URI", target_uri(uri)),
        ("WARC-Refers-To", refers_to),
        ("Content-Type", content_type),
        ("WARC-Block-Digest", sha1_digest(block)),
    ]
    return WarcRecord(record_type, fields, block, record_id or new_record_id())
