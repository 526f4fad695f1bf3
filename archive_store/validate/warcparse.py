"""Tolerant parsers for WARC records and the HTTP messages inside them; bytes in, never raise."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

_LINE_BREAK = re.compile(rb"\r?\n")
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]+)[ \t]*(?:;[^\r\n]*)?\r?\n")
_PARTIAL_SIZE = re.compile(rb"[0-9A-Fa-f]*(?:[ \t;][^\n]*)?\r?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z", re.ASCII)
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")

ChunkState = Literal["ok", "not-chunked", "incomplete", "broken", "trailing"]


@dataclass
class WarcRecord:
    """One WARC record as stored; `fields` keep the writer's names and order."""

    offset: int  # offset of the gzip member holding it
    length: int  # compressed length of that member
    version: str
    fields: list[tuple[str, str]]
    block: bytes
    # (rule, text) found while parsing; the rule checks add their own findings to these
    problems: list[tuple[str, str]] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.fields if k.lower() == wanted), None)

    def get_all(self, name: str) -> list[str]:
        wanted = name.lower()
        return [v for k, v in self.fields if k.lower() == wanted]


@dataclass
class HttpMessage:
    start_line: bytes
    headers: list[tuple[bytes, bytes]]  # names as sent; compare with .lower()
    body: bytes

    def get_all(self, name: bytes) -> list[bytes]:
        wanted = name.lower()
        return [v for k, v in self.headers if k.lower() == wanted]

    def codings(self, name: bytes) -> list[bytes]:
        """Comma-separated tokens of every header called name, lower-cased."""
        tokens = b",".join(self.get_all(name)).split(b",")
        return [t.strip().lower() for t in tokens if t.strip()]


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
        record = WarcRecord(offset, length, "", [], b"")
        what = "does not start with a WARC/ version line" if head_end != -1 else "has no header end"
        record.problems.append(("W-ALL-1", f"the data at this member {what}; not a WARC record"))
        return record, len(data)
    lines = _LINE_BREAK.split(data[pos:head_end])
    version = lines[0].decode("utf-8", "replace").strip()
    record = WarcRecord(offset, length, version, [], b"")
    record.fields = _fields(lines[1:], record.problems)
    body_start = head_end + 4
    raw_length = record.get("Content-Length")
    if raw_length is None or not (raw_length.isascii() and raw_length.isdigit()):
        record.problems.append(("W-ALL-2", f"Content-Length {raw_length!r} is not a number"))
        record.block = data[body_start:].removesuffix(b"\r\n\r\n")
        return record, len(data)
    declared = int(raw_length)
    block_end = body_start + declared
    if data.startswith(b"\r\n\r\n", block_end):
        record.block = data[body_start:block_end]
        return record, block_end + 4
    # The declared length is wrong: find where the block really ends so the other checks still run.
    nxt = data.find(b"\r\n\r\nWARC/", body_start)
    true_end = nxt if nxt != -1 else len(data) - (4 if data.endswith(b"\r\n\r\n") else 0)
    record.block = data[body_start:true_end]
    record.problems.append(
        (
            "W-ALL-2",
            f"Content-Length says {declared} bytes but the block is {true_end - body_start} "
            f"bytes (or is not followed by CRLF CRLF)",
        )
    )
    return record, (nxt + 4 if nxt != -1 else len(data))


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


def parse_http(block: bytes) -> HttpMessage | None:
    """Split an HTTP message into start line, headers and body; None if the head never ends."""
    crlf = block.find(b"\r\n\r\n")
    # Servers that end lines with a bare LF exist; look for that only before any CRLF CRLF.
    bare = block.find(b"\n\n", 0, len(block) if crlf == -1 else crlf)
    if crlf == -1 and bare == -1:
        return None
    head_end, sep = (bare, 2) if bare != -1 else (crlf, 4)
    lines = _LINE_BREAK.split(block[:head_end])
    headers: list[tuple[bytes, bytes]] = []
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t") and headers:
            name, value = headers[-1]
            headers[-1] = (name, value + b" " + line.strip())
        else:
            name, _, value = line.partition(b":")
            headers.append((name.strip(), value.strip()))
    return HttpMessage(lines[0], headers, block[head_end + sep :])


def dechunk(body: bytes) -> tuple[bytes, ChunkState]:
    """Remove chunked framing; a body cut short keeps what it had (the truncated payload)."""
    out: list[bytes] = []
    pos = 0
    while True:
        size_line = _CHUNK_SIZE.match(body, pos)
        if size_line is None:
            rest = body[pos:]
            if pos == 0 and rest:
                return b"", "not-chunked"
            # A size line cut off by the end of the data is a truncation, anything else is damage.
            cut_short = b"\n" not in rest and _PARTIAL_SIZE.fullmatch(rest) is not None
            return b"".join(out), "incomplete" if cut_short else "broken"
        size = int(size_line.group(1), 16)
        pos = size_line.end()
        if size == 0:
            return b"".join(out), _after_last_chunk(body, pos)
        out.append(body[pos : pos + size])
        if pos + size > len(body):
            return b"".join(out), "incomplete"
        pos += size
        tail = body[pos : pos + 2]
        if tail == b"\r\n":
            pos += 2
        elif tail[:1] == b"\n":  # LF-only framing is sloppy but unambiguous
            pos += 1
        elif b"\r\n".startswith(tail):  # the data ends right after the chunk
            return b"".join(out), "incomplete"
        else:
            return b"".join(out), "broken"


def _after_last_chunk(body: bytes, pos: int) -> ChunkState:
    """Skip the trailer section after the zero-size chunk; anything after it is stray."""
    while True:
        line_end = body.find(b"\n", pos)
        if line_end == -1:
            return "incomplete"
        line = body[pos:line_end].rstrip(b"\r")
        pos = line_end + 1
        if not line:
            return "ok" if pos == len(body) else "trailing"


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
