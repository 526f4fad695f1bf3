"""Tolerant parsers for WARC records; bytes in, never raise. A record keeps its block only as a
BlockScan (digests, lengths, the HTTP head...), so a big block is never held whole."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from archive_store.validate.blockscan import BlockScan, digest_algorithms

_LINE_BREAK = re.compile(rb"\r?\n")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z", re.ASCII)
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


@dataclass
class WarcRecord:
    """One WARC record as stored; `fields` keep the writer's names and order."""

    offset: int  # offset of the gzip member holding it
    length: int  # compressed length of that member
    version: str
    fields: list[tuple[str, str]]
    scan: BlockScan | None = None  # the block, read; None for a record that could not be parsed
    # a streamed block whose Content-Length is wrong: its scan is not of the true block
    block_unknown: bool = False
    # (rule, text) found while parsing; the rule checks add their own findings to these
    problems: list[tuple[str, str]] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.fields if k.lower() == wanted), None)

    def get_all(self, name: str) -> list[str]:
        wanted = name.lower()
        return [v for k, v in self.fields if k.lower() == wanted]

    def holds_http(self) -> bool:
        """Request/response/revisit records of http(s) URIs hold HTTP messages."""
        target = (self.get("WARC-Target-URI") or "").strip("<> \t").lower()
        content_type = (self.get("Content-Type") or "").lower()
        http = content_type.startswith("application/http") or target.startswith(("http:", "https:"))
        return self.get("WARC-Type") in ("request", "response", "revisit") and http

    def new_scan(self) -> BlockScan:
        """An empty scan for this record's block: its digests in the algorithms its fields name."""
        algorithms = digest_algorithms([self.get("WARC-Block-Digest"), self.get("WARC-Payload-Digest")])
        return BlockScan(algorithms, self.holds_http())

    @property
    def block_length(self) -> int:
        return self.scan.length if self.scan is not None else 0


def split_records(data: bytes, offset: int, length: int) -> list[WarcRecord]:
    """Split decompressed member data into records (normally exactly one)."""
    records: list[WarcRecord] = []
    pos = 0
    while pos < len(data):
        record, pos = _parse_record(data, pos, offset, length)
        records.append(record)
        if record.version == "":
            break
        if len(data) - pos > 0 and not data.startswith(b"WARC/", pos):
            record.problems.append(
                (
                    "W-ALL-2",
                    f"{len(data) - pos} stray bytes follow the record inside its gzip member; "
                    f"Content-Length or the record framing is wrong",
                )
            )
            break
    return records


def _parse_record(data: bytes, pos: int, offset: int, length: int) -> tuple[WarcRecord, int]:
    head_end = data.find(b"\r\n\r\n", pos)
    if not data.startswith(b"WARC/", pos) or head_end == -1:
        record = WarcRecord(offset, length, "", [])
        what = "does not start with a WARC/ version line" if head_end != -1 else "has no header end"
        record.problems.append(("W-ALL-1", f"the data at this member {what}; not a WARC record"))
        return record, len(data)
    lines = _LINE_BREAK.split(data[pos:head_end])
    version = lines[0].decode("utf-8", "replace").strip()
    record = WarcRecord(offset, length, version, [])
    record.fields = _fields(lines[1:], record.problems)
    body_start = head_end + 4
    raw_length = record.get("Content-Length")
    if raw_length is None or not (raw_length.isascii() and raw_length.isdigit()):
        record.problems.append(("W-ALL-2", f"Content-Length {raw_length!r} is not a number"))
        _scan(record, data[body_start:].removesuffix(b"\r\n\r\n"))
        return record, len(data)
    declared = int(raw_length)
    block_end = body_start + declared
    if data.startswith(b"\r\n\r\n", block_end):
        _scan(record, data[body_start:block_end])
        return record, block_end + 4
    # The declared length is wrong: find where the block really ends so the other checks still run.
    nxt = data.find(b"\r\n\r\nWARC/", body_start)
    true_end = nxt if nxt != -1 else len(data) - (4 if data.endswith(b"\r\n\r\n") else 0)
    _scan(record, data[body_start:true_end])
    record.problems.append(
        (
            "W-ALL-2",
            f"Content-Length says {declared} bytes but the block is {true_end - body_start} "
            f"bytes (or is not followed by CRLF CRLF)",
        )
    )
    return record, (nxt + 4 if nxt != -1 else len(data))


def _scan(record: WarcRecord, block: bytes) -> None:
    scan = record.new_scan()
    scan.feed(block)
    record.scan = scan.close()


def _fields(lines: list[bytes], problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    for raw in lines:
        line = raw.decode("utf-8", "replace")
        if line[:1] in (" ", "\t") and fields:  # folded continuation of the previous field
            name, value = fields[-1]
            fields[-1] = (name, f"{value} {line.strip()}")
        elif ":" in line:
            name, _, value = line.partition(":")
            fields.append((name.strip(), value.strip()))
        else:
            problems.append(("W-ALL-1", f"header line {line!r} is not `Name: value`"))
    return fields


def valid_date(value: str) -> bool:
    if not _DATE.fullmatch(value):
        return False
    try:
        datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return False
    return True


def uri_problem(uri: str) -> str | None:
    """Why uri is not plain RFC 3986 ASCII (W-ALL-5), or None."""
    if uri.startswith("<") or uri.endswith(">"):
        return f"URI {uri!r} is wrapped in <>; write it bare"
    if any(ch.isspace() for ch in uri):
        return f"URI {uri!r} contains white space; percent-encode it"
    if not uri.isascii():
        return f"URI {uri!r} is an IRI; percent-encode its non-ASCII characters"
    if not _URI.fullmatch(uri) or _BAD_PERCENT.search(uri):
        return f"URI {uri!r} has characters RFC 3986 does not allow; percent-encode them"
    return None


HEADER_LIMIT = 1 << 20  # a WARC header longer than this is not read as one


class _Stream:
    """Decompressed pieces of one gzip member, read from the front."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self._pieces = pieces
        self.buf = b""
        self.tail = b""  # the member's last bytes, once drained

    def fill(self) -> bool:
        piece = next(self._pieces, None)
        if piece is None:
            return False
        self.buf += piece
        return True

    def drain(self) -> int:
        """Bytes left in the member, read and dropped."""
        left = len(self.buf)
        self.tail = self.buf[-4:]
        self.buf = b""
        for piece in self._pieces:
            left += len(piece)
            self.tail = (self.tail + piece)[-4:]
        return left


def stream_records(pieces: Iterator[bytes], offset: int, length: int) -> list[WarcRecord]:
    """split_records for a member too big to hold: its decompressed data read once, in pieces."""
    stream = _Stream(pieces)
    records: list[WarcRecord] = []
    while True:
        while len(stream.buf) < 5 and stream.fill():
            pass
        if not stream.buf:
            return records
        if records and not stream.buf.startswith(b"WARC/"):
            records[-1].problems.append(
                (
                    "W-ALL-2",
                    f"{stream.drain()} stray bytes follow the record inside its gzip member; "
                    f"Content-Length or the record framing is wrong",
                )
            )
            return records
        record = _stream_record(stream, offset, length)
        records.append(record)
        if not record.version:
            stream.drain()
            return records


def _stream_record(stream: _Stream, offset: int, length: int) -> WarcRecord:
    start = 0
    while (head_end := stream.buf.find(b"\r\n\r\n", start)) == -1:
        start = max(0, len(stream.buf) - 3)
        if len(stream.buf) > HEADER_LIMIT or not stream.fill():
            break
    if not stream.buf.startswith(b"WARC/") or head_end == -1:
        record = WarcRecord(offset, length, "", [])
        what = "does not start with a WARC/ version line" if head_end != -1 else "has no header end"
        record.problems.append(("W-ALL-1", f"the data at this member {what}; not a WARC record"))
        return record
    lines = _LINE_BREAK.split(stream.buf[:head_end])
    record = WarcRecord(offset, length, lines[0].decode("utf-8", "replace").strip(), [])
    record.fields = _fields(lines[1:], record.problems)
    stream.buf = stream.buf[head_end + 4 :]
    scan = record.new_scan()
    record.scan = scan
    raw_length = record.get("Content-Length")
    if raw_length is None or not (raw_length.isascii() and raw_length.isdigit()):
        record.problems.append(("W-ALL-2", f"Content-Length {raw_length!r} is not a number"))
        while True:  # the block is the rest of the member but a final CRLF CRLF
            if len(stream.buf) > 4:
                scan.feed(stream.buf[:-4])
                stream.buf = stream.buf[-4:]
            if not stream.fill():
                break
        scan.feed(stream.buf.removesuffix(b"\r\n\r\n"))
        stream.buf = b""
        scan.close()
        return record
    left = int(raw_length)
    while left:
        if not stream.buf and not stream.fill():
            break
        piece = stream.buf[:left]
        stream.buf = stream.buf[len(piece) :]
        scan.feed(piece)
        left -= len(piece)
    while len(stream.buf) < 4 and stream.fill():
        pass
    scan.close()
    if not left and stream.buf.startswith(b"\r\n\r\n"):
        stream.buf = stream.buf[4:]
        return record
    # The declared length is wrong; a member this big is taken to hold one record, whose block
    # runs to the member's end. Its scan is of the declared length only, so the checks of the
    # block itself are skipped (a member held in memory is split where the next record starts).
    record.block_unknown = True
    rest = stream.drain()
    true_length = scan.length + rest - (4 if rest >= 4 and stream.tail == b"\r\n\r\n" else 0)
    record.problems.append(
        (
            "W-ALL-2",
            f"Content-Length says {raw_length} bytes but the block is {true_length} "
            f"bytes (or is not followed by CRLF CRLF)",
        )
    )
    return record
