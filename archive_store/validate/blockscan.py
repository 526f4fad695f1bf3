"""What the checks need to know of a record block, learnt by reading it once as a stream.

A block is fed in pieces of any size; only bounded state is kept: digests, lengths, the first
bytes of the block and of the payload, the HTTP head (up to HEAD_LIMIT), and the chunked framing's
state. So a record of any size is checked in memory that does not depend on its size. The results
are the same whichever way the block is cut into pieces.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from archive_store.validate.warcdigest import parse_digest

HEAD_LIMIT = 1 << 20  # an HTTP head longer than this is reported, not kept
BLOCK_PREFIX = 1 << 16  # kept for the warcinfo fields and a request's method
PAYLOAD_PREFIX = 4096  # enough to tell gzip or deflate data from decoded data
_LINE_LIMIT = 1 << 16  # a chunk-size line longer than this is not chunked framing
_LINE_BREAK = re.compile(rb"\r?\n")
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]+)[ \t]*(?:;[^\r\n]*)?\r?\n")
_PARTIAL_SIZE = re.compile(rb"[0-9A-Fa-f]*(?:[ \t;][^\n]*)?\r?")

ChunkState = Literal["ok", "not-chunked", "incomplete", "broken", "trailing"]


class Digests:
    """Running digests of one stream in every algorithm a record's digest fields name."""

    def __init__(self, algorithms: Iterable[str]) -> None:
        self._hashes = {name: hashlib.new(name) for name in algorithms}

    def update(self, data: bytes | memoryview) -> None:
        for running in self._hashes.values():
            running.update(data)

    def matches(self, value: str) -> bool | None:
        """True/False when value can be checked, None when it does not decode."""
        parsed = parse_digest(value)
        if parsed.algorithm is None or parsed.raw is None or parsed.algorithm not in self._hashes:
            return None
        return self._hashes[parsed.algorithm].digest() == parsed.raw


def digest_algorithms(values: Iterable[str | None]) -> set[str]:
    return {a for v in values if v and (a := parse_digest(v).algorithm) is not None}


@dataclass
class HttpHead:
    start_line: bytes
    headers: list[tuple[bytes, bytes]]  # names as sent; compare with .lower()

    def get_all(self, name: bytes) -> list[bytes]:
        wanted = name.lower()
        return [v for k, v in self.headers if k.lower() == wanted]

    def codings(self, name: bytes) -> list[bytes]:
        """Comma-separated tokens of every header called name, lower-cased."""
        tokens = b",".join(self.get_all(name)).split(b",")
        return [t.strip().lower() for t in tokens if t.strip()]


def head_end(buf: bytes | bytearray, start: int = 0) -> tuple[int, int] | None:
    """(end of the HTTP head, length of its separator), or None while it has not ended.
    A bare-LF blank line counts only before any CRLF CRLF (some servers end lines with LF)."""
    crlf = buf.find(b"\r\n\r\n", start)
    bare = buf.find(b"\n\n", start, len(buf) if crlf == -1 else crlf)
    if bare != -1:
        return bare, 2
    if crlf != -1:
        return crlf, 4
    return None


def parse_head(head: bytes) -> HttpHead:
    lines = _LINE_BREAK.split(head)
    headers: list[tuple[bytes, bytes]] = []
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t") and headers:
            name, value = headers[-1]
            headers[-1] = (name, value + b" " + line.strip())
        else:
            name, _, value = line.partition(b":")
            headers.append((name.strip(), value.strip()))
    return HttpHead(lines[0], headers)


class Dechunker:
    """Removes chunked framing from a body fed in pieces; the payload goes to `out`.
    Lenient as servers are: LF-only lines, chunk extensions, a trailer section."""

    def __init__(self, out: Callable[[bytes], None]) -> None:
        self._out = out
        self._state = "size"
        self._line = bytearray()
        self._left = 0
        self._first = True
        self._blank = True
        self.result: ChunkState | None = None

    def feed(self, data: bytes) -> None:
        i, n = 0, len(data)
        while i < n and self.result is None:
            state = self._state
            if state == "size":
                j = data.find(b"\n", i)
                self._line += data[i : n if j == -1 else j + 1]
                i = n if j == -1 else j + 1
                if j == -1 and len(self._line) <= _LINE_LIMIT:
                    continue
                found = _CHUNK_SIZE.fullmatch(self._line) if j != -1 else None
                if found is None:
                    self.result = "not-chunked" if self._first else "broken"
                    continue
                size = int(found.group(1), 16)
                self._line.clear()
                self._first = False
                self._state = "trailer" if size == 0 else "data"
                self._left, self._blank = size, True
            elif state == "data":
                take = min(self._left, n - i)
                self._out(data[i : i + take])
                self._left -= take
                i += take
                if not self._left:
                    self._state = "after"
            elif state in ("after", "after-cr"):
                byte = data[i]
                i += 1
                if byte == 0x0A:
                    self._state = "size"
                elif byte == 0x0D and state == "after":
                    self._state = "after-cr"
                else:
                    self.result = "broken"
            elif state == "trailer":
                j = data.find(b"\n", i)
                if data[i : n if j == -1 else j].strip(b"\r"):
                    self._blank = False
                if j == -1:
                    i = n
                    continue
                i = j + 1
                if self._blank:
                    self._state = "end"
                self._blank = True
            else:  # "end": anything after the blank line that ends the trailer is stray
                self.result = "trailing"

    def close(self) -> ChunkState:
        if self.result is not None:
            return self.result
        if self._state == "size":
            rest = bytes(self._line)
            if self._first and rest:
                return "not-chunked"
            return "incomplete" if _PARTIAL_SIZE.fullmatch(rest) else "broken"
        return "ok" if self._state == "end" else "incomplete"


class BlockScan:
    """Feed a block in pieces, then `close()`; the attributes hold what the checks need."""

    def __init__(self, algorithms: Iterable[str], http: bool) -> None:
        self.algorithms = set(algorithms)
        self.length = 0
        self.prefix = b""
        self.block = Digests(self.algorithms)
        self.http = http
        self.head: HttpHead | None = None
        self.head_too_long = False
        self.body_length = 0
        self.body = Digests(self.algorithms)
        self.chunked = False
        self.chunk_state: ChunkState | None = None
        self.payload = self.body  # the same stream unless chunked framing is removed
        self.payload_length = 0
        self.payload_prefix = b""
        self._head_buf: bytearray | None = bytearray() if http else None
        self._dechunker: Dechunker | None = None

    def feed(self, data: bytes) -> None:
        if not data:
            return
        self.length += len(data)
        self.block.update(data)
        if len(self.prefix) < BLOCK_PREFIX:
            self.prefix += data[: BLOCK_PREFIX - len(self.prefix)]
        if self._head_buf is None:
            if self.head is not None:
                self._body(data)
            return
        start = max(0, len(self._head_buf) - 3)
        self._head_buf += data
        end = head_end(self._head_buf, start)
        if end is None:
            if len(self._head_buf) > HEAD_LIMIT:
                self._head_buf = None
                self.head_too_long = True
            return
        buf, self._head_buf = bytes(self._head_buf), None
        self.head = parse_head(buf[: end[0]])
        if b"chunked" in self.head.codings(b"transfer-encoding"):
            self.chunked = True
            self.payload = Digests(self.algorithms)
            self._dechunker = Dechunker(self._payload)
        self._body(buf[end[0] + end[1] :])

    def _body(self, data: bytes) -> None:
        if not data:
            return
        self.body_length += len(data)
        self.body.update(data)
        if self._dechunker is not None:
            self._dechunker.feed(data)
        else:
            self._payload_prefix(data)
            self.payload_length += len(data)

    def _payload(self, data: bytes) -> None:
        self.payload.update(data)
        self.payload_length += len(data)
        self._payload_prefix(data)

    def _payload_prefix(self, data: bytes) -> None:
        if len(self.payload_prefix) < PAYLOAD_PREFIX:
            self.payload_prefix += data[: PAYLOAD_PREFIX - len(self.payload_prefix)]

    def close(self) -> BlockScan:
        if self._dechunker is not None:
            self.chunk_state = self._dechunker.close()
        return self


def scan_bytes(block: bytes, algorithms: Iterable[str], http: bool, piece: int = 1 << 20) -> BlockScan:
    """A BlockScan of a block held in memory, fed in pieces of `piece` bytes."""
    scan = BlockScan(algorithms, http)
    view = memoryview(block)
    for start in range(0, len(block), piece):
        scan.feed(bytes(view[start : start + piece]))
    return scan.close()
