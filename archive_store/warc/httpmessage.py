"""Split the bytes a server sent into head, body-as-sent and payload, by HTTP/1.x framing.

The capture keeps the wire bytes; this module only *reads* them, to find where the response ends,
to compute the payload digest (chunked framing removed, content coding kept: W-DIG-2) and to give
Scrapy-independent readers (show, verify, resume) the same view of a stored response.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

_HEAD_END = re.compile(rb"\r?\n\r?\n")
_STATUS_LINE = re.compile(rb"^(HTTP/\d(?:\.\d)?)[ \t]+(\d{3})(?:[ \t]+(.*))?$")
_NO_BODY_STATUSES = frozenset({204, 304}) | frozenset(range(100, 200))


@dataclass
class HttpHead:
    """A parsed status line or request line plus header fields, all as bytes."""

    first_line: bytes
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)

    def get_all(self, name: bytes) -> list[bytes]:
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    def get(self, name: bytes) -> bytes | None:
        values = self.get_all(name)
        return values[0] if values else None

    def has_token(self, name: bytes, token: bytes) -> bool:
        tokens = b",".join(self.get_all(name)).lower().split(b",")
        return token in {t.strip() for t in tokens}


@dataclass
class ParsedResponse:
    """A response as stored: `head_bytes` + `body_as_sent` is the whole HTTP block."""

    head: HttpHead
    head_bytes: bytes
    version: str
    status: int
    reason: bytes
    body_as_sent: bytes
    payload: bytes
    complete: bool
    framing: str  # "chunked" | "length" | "close" | "none"
    trailing: int = 0  # bytes received after the end of the message (dropped from the record)

    @property
    def block(self) -> bytes:
        return self.head_bytes + self.body_as_sent

    @property
    def payload_length(self) -> int:
        return len(self.payload)


def parse_head(head_bytes: bytes) -> HttpHead:
    """Parse a head (without the blank line) leniently: folded lines joined, colon-less lines kept."""
    lines = re.split(rb"\r?\n", head_bytes.rstrip(b"\r\n"))
    head = HttpHead(first_line=lines[0] if lines else b"")
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t") and head.headers:
            name, value = head.headers[-1]
            head.headers[-1] = (name, value + b" " + line.strip())
        elif b":" in line:
            name, value = line.split(b":", 1)
            head.headers.append((name.strip(), value.strip()))
    return head


def split_head(data: bytes) -> tuple[bytes, bytes] | None:
    """Return (head including the blank line, rest) or None while the head is incomplete."""
    match = _HEAD_END.search(data)
    if match is None:
        return None
    return data[: match.end()], data[match.end() :]


def dechunk(data: bytes) -> tuple[bytes, int, bool]:
    """Remove chunked framing. Returns (payload, bytes consumed incl. trailers, complete).

    On a cut message, "consumed" stops before a partial chunk-size line, so a truncated record
    can end on a chunk boundary or inside chunk data (readers such as warcio cope with both).
    """
    payload = bytearray()
    pos = 0
    while True:
        line_end = data.find(b"\n", pos)
        if line_end < 0:
            return bytes(payload), pos, False
        size_field = data[pos:line_end].split(b";", 1)[0].strip()
        try:
            size = int(size_field, 16)
        except ValueError:
            return bytes(payload), pos, False
        chunk_start = line_end + 1
        if size == 0:
            return bytes(payload), _skip_trailers(data, chunk_start), True
        chunk = data[chunk_start : chunk_start + size]
        payload += chunk
        if len(chunk) < size:
            return bytes(payload), len(data), False
        pos = chunk_start + size
        if data[pos : pos + 2] == b"\r\n":
            pos += 2
        elif data[pos : pos + 1] == b"\n":
            pos += 1


def _skip_trailers(data: bytes, pos: int) -> int:
    """Consume trailer lines up to and including the empty line that ends the message."""
    while True:
        line_end = data.find(b"\n", pos)
        if line_end < 0:
            return len(data)
        line = data[pos:line_end].strip()
        pos = line_end + 1
        if not line:
            return pos


def parse_response(data: bytes, *, request_method: bytes = b"GET") -> ParsedResponse | None:
    """Parse the bytes received for one exchange; None when not even a full head arrived."""
    parts = split_head(data)
    if parts is None:
        return None
    head_bytes, rest = parts
    head = parse_head(head_bytes)
    match = _STATUS_LINE.match(head.first_line.rstrip(b"\r"))
    if match is None:
        return None
    version = match.group(1).decode("ascii")
    status = int(match.group(2))
    reason = match.group(3) or b""
    body, payload, complete, framing, used = _frame_body(head, status, rest, request_method)
    return ParsedResponse(
        head=head,
        head_bytes=head_bytes,
        version=version,
        status=status,
        reason=reason,
        body_as_sent=body,
        payload=payload,
        complete=complete,
        framing=framing,
        trailing=len(rest) - used,
    )


def _frame_body(
    head: HttpHead, status: int, rest: bytes, method: bytes
) -> tuple[bytes, bytes, bool, str, int]:
    if method.upper() == b"HEAD" or status in _NO_BODY_STATUSES:
        return b"", b"", True, "none", 0
    if head.has_token(b"transfer-encoding", b"chunked"):
        payload, used, complete = dechunk(rest)
        return rest[:used], payload, complete, "chunked", used
    length = content_length(head)
    if length is not None:
        body = rest[:length]
        return body, body, len(body) == length, "length", len(body)
    return rest, rest, True, "close", len(rest)


def content_length(head: HttpHead) -> int | None:
    raw = head.get(b"content-length")
    if raw is None:
        return None
    try:
        value = int(raw.split(b",")[0].strip())
    except ValueError:
        return None
    return value if value >= 0 else None


# streaming: a response read from a spool in bounded memory ---------------------------------------
_HEAD_LIMIT = 1 << 20
_LINE_LIMIT = 1 << 13


class ChunkDecoder:
    """Chunked framing removed from bytes fed in pieces (the same leniency as `dechunk`):
    `done` once the last chunk and its trailers were read, `failed` at a bad chunk-size line."""

    def __init__(self) -> None:
        self.state = "size"
        self.left = 0
        self.line = bytearray()
        self.done = False
        self.failed = False

    def feed(self, data: bytes) -> list[bytes]:
        out: list[bytes] = []
        pos, end = 0, len(data)
        while pos < end and not (self.done or self.failed):
            if self.state == "data":
                take = min(self.left, end - pos)
                out.append(data[pos : pos + take])
                pos += take
                self.left -= take
                if not self.left:
                    self.state = "crlf"
            elif self.state in ("crlf", "lf"):
                byte = data[pos : pos + 1]
                if byte == b"\r" and self.state == "crlf":
                    pos, self.state = pos + 1, "lf"
                    continue
                if byte == b"\n":
                    pos += 1
                self.state = "size"
            else:  # a chunk-size line or a trailer line
                newline = data.find(b"\n", pos)
                stop = end if newline < 0 else newline
                self.line += data[pos:stop]
                pos = stop if newline < 0 else newline + 1
                if len(self.line) > _LINE_LIMIT:
                    self.failed = True
                elif newline >= 0:
                    self._line(bytes(self.line))
                    self.line.clear()
        return out

    def _line(self, line: bytes) -> None:
        if self.state == "trailer":
            self.done = not line.strip()
            return
        try:
            size = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            self.failed = True
            return
        if size < 0:
            self.failed = True
        elif size == 0:
            self.state = "trailer"
        else:
            self.state, self.left = "data", size


@dataclass
class ResponseFacts:
    """What `parse_response` tells about a response, measured without holding its body: the
    payload's length and digests (hashlib names -> raw digest). A chunked message that does not
    dechunk whole (`complete` False) gives the body as stored instead."""

    head: HttpHead
    status: int
    framing: str
    complete: bool
    payload_length: int
    digests: dict[str, bytes]


class _Hashes:
    def __init__(self, algorithms: tuple[str, ...]) -> None:
        self.hashes = [hashlib.new(name) for name in algorithms]
        self.names = algorithms
        self.length = 0

    def update(self, data: bytes) -> None:
        self.length += len(data)
        for digest in self.hashes:
            digest.update(data)

    def result(self) -> dict[str, bytes]:
        return {name: digest.digest() for name, digest in zip(self.names, self.hashes, strict=True)}


def measure_response(
    chunks: Iterator[bytes], algorithms: Iterable[str], *, request_method: bytes = b"GET"
) -> ResponseFacts | None:
    """`parse_response` for a block given in pieces; None when it holds no whole HTTP head."""
    names = tuple(dict.fromkeys(algorithms))
    prefix = bytearray()
    match = None
    for chunk in chunks:
        prefix += chunk
        match = _HEAD_END.search(prefix)
        if match is not None or len(prefix) > _HEAD_LIMIT:
            break
    if match is None:
        return None
    head = parse_head(bytes(prefix[: match.end()]))
    status_line = _STATUS_LINE.match(head.first_line.rstrip(b"\r"))
    if status_line is None:
        return None
    status = int(status_line.group(2))
    rest = itertools.chain([bytes(prefix[match.end() :])], chunks)
    payload = _Hashes(names)
    if request_method.upper() == b"HEAD" or status in _NO_BODY_STATUSES:
        return ResponseFacts(head, status, "none", True, 0, payload.result())
    if head.has_token(b"transfer-encoding", b"chunked"):
        decoder, stored = ChunkDecoder(), _Hashes(names)
        for piece in rest:
            stored.update(piece)
            for data in decoder.feed(piece):
                payload.update(data)
        if not decoder.done:
            payload = stored
        return ResponseFacts(head, status, "chunked", decoder.done, payload.length, payload.result())
    length = content_length(head)
    for piece in rest:
        payload.update(piece if length is None else piece[: max(length - payload.length, 0)])
    framing = "close" if length is None else "length"
    complete = length is None or payload.length == length
    return ResponseFacts(head, status, framing, complete, payload.length, payload.result())
