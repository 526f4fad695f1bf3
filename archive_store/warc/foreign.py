"""Read WARC files other tools wrote, leniently and in bounded memory: WARC/1.0 and 1.1, one gzip
member per record or plain, a damaged member in the middle skipped (its offset named, the records
after it still read), and a last record cut short (a killed crawler) noted instead of raised.

Our own reader (`members`) is strict on purpose: our files must be perfect. Files from wget,
Heritrix, Browsertrix or pywb are kept exactly as they came, so this reader only finds where each
record starts and ends (the offset and length a CDXJ line and `show` need) and reports what it
could not read, leaving every byte alone.

Memory does not grow with a record's size: each record's block is streamed into a spool (memory up
to `ReadLimits.spool_memory`, a temporary file beyond), and a file can set limits a hostile one
trips (`FileRefused`): the inflated size of one record, and the inflation ratio of one gzip member
(a decompression bomb).
"""

from __future__ import annotations

import os
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from archive_store.warc.record import NamedFields, StoredRecord

_GZIP_MAGIC = b"\x1f\x8b"
_MEMBER_MAGIC = b"\x1f\x8b\x08"
_READ = 1 << 20  # compressed bytes read at a time
_OUT = 1 << 20  # inflated bytes produced at a time
_HEAD_MAX = 1 << 20  # a WARC header longer than this is not one
RATIO_FLOOR = 1 << 20  # the inflation ratio is judged once a member has given this many bytes


class FileRefused(Exception):
    """The file breaks a limit (a record too big, a decompression bomb): it is not read further."""

    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(f"offset {offset}: {reason}")
        self.offset = offset
        self.reason = reason


@dataclass(frozen=True)
class ReadLimits:
    """0 means no limit."""

    max_record: int = 0  # inflated bytes of one record (header and block)
    max_ratio: float = 0  # inflated / compressed bytes of one gzip member
    spool_dir: Path | None = None  # where a block bigger than spool_memory is spooled
    spool_memory: int = 1 << 20


@dataclass
class ForeignRecord(NamedFields):
    """One record: named fields in file order, its place in the file, its block in a spool."""

    fields: list[tuple[str, str]]
    version: str  # the first line: WARC/1.0, WARC/1.1 ...
    offset: int
    length: int
    block: BinaryIO = field(repr=False)  # positioned anywhere: seek(0) before reading
    block_length: int = 0

    def block_chunks(self, size: int = _READ) -> Iterator[bytes]:
        self.block.seek(0)
        while chunk := self.block.read(size):
            yield chunk

    def stored(self) -> StoredRecord:
        """The record with its block in memory (for callers that bound the size themselves)."""
        self.block.seek(0)
        return StoredRecord(self.fields, self.block.read(), self.offset, self.length)

    def close(self) -> None:
        self.block.close()


@dataclass(frozen=True)
class TruncatedTail:
    """The file ends inside a record (or a gzip member): what came before it is read."""

    offset: int
    reason: str


@dataclass(frozen=True)
class Skipped:
    """Bytes in the middle that hold no readable record (a corrupt gzip member, a member that is
    not a WARC record, a record shorter than its Content-Length); reading goes on after them."""

    offset: int
    length: int
    reason: str


Item = ForeignRecord | TruncatedTail | Skipped


def is_gzip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == _GZIP_MAGIC


def iter_foreign(path: Path, limits: ReadLimits | None = None) -> Iterator[Item]:
    """Each record with its offset and length in the file, the damaged stretches between them,
    and a TruncatedTail that ends the iteration. Each record's spool is closed when the next item
    is asked for. Raises FileRefused when a limit is broken."""
    limits = limits or ReadLimits()
    items = _iter_gzip(path, limits) if is_gzip(path) else _iter_plain(path, limits)
    for item in items:
        try:
            yield item
        finally:
            if isinstance(item, ForeignRecord):
                item.close()


# gzip ------------------------------------------------------------------------------------------
class _Corrupt(Exception):
    pass


class _Truncated(Exception):
    pass


class _RecordSink:
    """Takes the inflated bytes of one member: the WARC header kept, the block spooled, the rest
    (the CRLF CRLF after a record, or a second record in a whole-file gzip) counted only."""

    def __init__(self, offset: int, limits: ReadLimits) -> None:
        self.offset = offset
        self.limits = limits
        self.inflated = 0
        self.head = bytearray()
        self.fields: list[tuple[str, str]] | None = None
        self.version = ""
        self.declared = 0
        self.block: BinaryIO | None = None
        self.block_length = 0
        self.bad: str | None = None

    def feed(self, data: bytes) -> None:
        self.inflated += len(data)
        limit = self.limits.max_record
        if limit and self.inflated > limit:
            self.discard()
            raise FileRefused(
                self.offset,
                f"the record at offset {self.offset} inflates to more than {limit} bytes "
                "(ARCHIVE_IMPORT_MAX_RECORD_SIZE)",
            )
        if self.bad is not None or not data:
            return
        if self.fields is None:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if not self.head.startswith(b"WARC/"[: len(self.head)]):
                self.bad = "not a WARC record (no WARC/ version line)"
                return
            if end < 0:
                if len(self.head) > _HEAD_MAX:
                    self.bad = f"not a WARC record (no end of header in {_HEAD_MAX} bytes)"
                return
            rest = bytes(self.head[end + 4 :])
            self.bad = self._parse_head(bytes(self.head[:end]))
            self.head = bytearray()
            if self.bad is not None:
                return
            data = rest
        take = min(len(data), self.declared - self.block_length)
        if take > 0:
            assert self.block is not None
            self.block.write(data[:take])
            self.block_length += take

    def _parse_head(self, head: bytes) -> str | None:
        fields, version, declared = parse_warc_head(head)
        if declared is None:
            return "not a whole WARC record (no readable Content-Length)"
        self.fields, self.version, self.declared = fields, version, declared
        self.block = _spool(self.limits)
        return None

    def finish(self, length: int) -> ForeignRecord | Skipped:
        if self.bad is None and self.fields is None:
            self.bad = "not a whole WARC record (no end of WARC header)"
        if self.bad is None and self.block_length < self.declared:
            self.bad = f"record block has {self.block_length} of {self.declared} bytes"
        if self.bad is not None:
            self.discard()
            return Skipped(self.offset, length, self.bad)
        assert self.fields is not None and self.block is not None
        return ForeignRecord(self.fields, self.version, self.offset, length, self.block, self.block_length)

    def discard(self) -> None:
        if self.block is not None:
            self.block.close()
            self.block = None


def _spool(limits: ReadLimits) -> BinaryIO:
    return tempfile.SpooledTemporaryFile(  # type: ignore[return-value]
        max_size=limits.spool_memory,
        prefix=".import-spool-",
        dir=None if limits.spool_dir is None else str(limits.spool_dir),
    )


def parse_warc_head(head: bytes) -> tuple[list[tuple[str, str]], str, int | None]:
    """Fields, version line and Content-Length (None when missing or not a number)."""
    lines = head.split(b"\r\n")
    version = lines[0].split(b"\n", 1)[0].decode("latin-1", "replace").strip()
    fields = []
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        fields.append((name.decode("utf-8", "replace").strip(), value.decode("utf-8", "replace").strip()))
    raw = next((v for k, v in fields if k.lower() == "content-length"), "")
    declared = int(raw) if raw.isascii() and raw.isdigit() else None
    return fields, version, declared


class _Stream:
    """A file read forwards in big reads; what one member leaves unread is handed to the next."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.pending = b""

    def seek(self, offset: int) -> None:
        self.handle.seek(offset)
        self.pending = b""

    def take(self) -> bytes:
        chunk, self.pending = self.pending, b""
        return chunk or self.handle.read(_READ)

    def give_back(self, rest: bytes) -> None:
        self.pending = rest


def _read_member(stream: _Stream, offset: int, limits: ReadLimits) -> tuple[ForeignRecord | Skipped, int]:
    """One gzip member starting where `stream` stands (`offset`): what it holds and its
    compressed length; the stream is left right after it."""
    inflater = zlib.decompressobj(31)
    sink = _RecordSink(offset, limits)
    used = 0
    try:
        while not inflater.eof:
            chunk = stream.take()
            if not chunk:
                sink.discard()
                raise _Truncated("truncated (file ends inside the member)")
            data = chunk
            while data and not inflater.eof:
                sink.feed(inflater.decompress(data, _OUT))
                _check_ratio(sink, used + len(chunk) - len(inflater.unconsumed_tail), limits)
                data = inflater.unconsumed_tail
            if inflater.eof:
                stream.give_back(inflater.unused_data)
            used += len(chunk) - len(inflater.unused_data)
    except zlib.error as exc:
        sink.discard()
        raise _Corrupt(f"corrupt gzip member ({exc})") from exc
    except BaseException:
        sink.discard()
        raise
    return sink.finish(used), used


def _check_ratio(sink: _RecordSink, compressed: int, limits: ReadLimits) -> None:
    ratio = limits.max_ratio
    if ratio and sink.inflated > RATIO_FLOOR and sink.inflated > ratio * max(compressed, 1):
        sink.discard()
        raise FileRefused(
            sink.offset,
            f"the gzip member at offset {sink.offset} inflates more than {ratio:g} times "
            "(a decompression bomb? ARCHIVE_IMPORT_MAX_RATIO)",
        )


def _next_magic(handle: BinaryIO, pos: int, size: int) -> int:
    """Offset of the next gzip member header at or after pos, or size."""
    carry = b""
    base = pos
    handle.seek(pos)
    while base < size:
        chunk = handle.read(_READ)
        if not chunk:
            break
        window = carry + chunk
        hit = window.find(_MEMBER_MAGIC)
        if hit != -1:
            return base - len(carry) + hit
        carry = window[-(len(_MEMBER_MAGIC) - 1) :]
        base += len(chunk)
    return size


def _iter_gzip(path: Path, limits: ReadLimits) -> Iterator[Item]:
    """One record per gzip member (as WARC 1.1 annex D recommends and every tool here writes).
    A corrupt member is skipped up to the next gzip header (consecutive damage is one Skipped);
    a member the file ends inside is a truncated tail."""
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        stream = _Stream(handle)
        offset = 0
        damaged: tuple[int, str] | None = None  # where the current run of damage started, why
        while offset < size:
            try:
                found, used = _read_member(stream, offset, limits)
            except _Truncated as exc:
                if damaged is not None:
                    yield Skipped(damaged[0], offset - damaged[0], damaged[1])
                yield TruncatedTail(offset, f"bad gzip member: {exc}")
                return
            except _Corrupt as exc:
                damaged = damaged or (offset, str(exc))
                offset = _next_magic(handle, offset + 1, size)
                stream.seek(offset)
                continue
            if damaged is not None:
                yield Skipped(damaged[0], offset - damaged[0], damaged[1])
                damaged = None
            yield found
            offset += used
        if damaged is not None:
            yield Skipped(damaged[0], size - damaged[0], damaged[1])


# plain -----------------------------------------------------------------------------------------
class _Buffered:
    """A file read forwards with a small look-ahead buffer, counting its position."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.buffer = bytearray()
        self.pos = 0  # file offset of buffer[0]

    def fill(self, wanted: int) -> bool:
        while len(self.buffer) < wanted:
            chunk = self.handle.read(max(_READ, wanted - len(self.buffer)))
            if not chunk:
                return False
            self.buffer += chunk
        return True

    def consume(self, count: int) -> bytes:
        taken = bytes(self.buffer[:count])
        del self.buffer[:count]
        self.pos += len(taken)
        return taken


def _iter_plain(path: Path, limits: ReadLimits) -> Iterator[Item]:
    with path.open("rb") as handle:
        reader = _Buffered(handle)
        while True:
            # records are separated by CRLF CRLF; tolerate stray blank lines between them
            while reader.fill(1) and reader.buffer[0] in b"\r\n":
                reader.fill(2)
                reader.consume(2 if reader.buffer[:2] == b"\r\n" else 1)
            if not reader.buffer:
                return
            offset = reader.pos
            end = reader.buffer.find(b"\r\n\r\n")
            while end < 0 and len(reader.buffer) <= _HEAD_MAX and reader.fill(len(reader.buffer) + 1):
                end = reader.buffer.find(b"\r\n\r\n")
            if end < 0 or not reader.buffer.startswith(b"WARC/"):
                why = "not a WARC record (no WARC/ version line)"
                if reader.buffer.startswith(b"WARC/"):
                    why = "the file ends inside a record header"
                yield TruncatedTail(offset, why)
                return
            fields, version, size = parse_warc_head(bytes(reader.buffer[:end]))
            if size is None:
                yield TruncatedTail(offset, "record without a readable Content-Length")
                return
            if limits.max_record and end + 4 + size > limits.max_record:
                raise FileRefused(
                    offset,
                    f"the record at offset {offset} is more than {limits.max_record} bytes "
                    "(ARCHIVE_IMPORT_MAX_RECORD_SIZE)",
                )
            reader.consume(end + 4)
            block = _spool(limits)
            copied = 0
            while copied < size:
                if not reader.fill(1):
                    block.close()
                    yield TruncatedTail(offset, f"record block has {copied} of {size} bytes")
                    return
                piece = reader.consume(min(size - copied, len(reader.buffer)))
                block.write(piece)
                copied += len(piece)
            if reader.fill(4) and reader.buffer[:4] == b"\r\n\r\n":
                reader.consume(4)
            yield ForeignRecord(fields, version, offset, reader.pos - offset, block, size)
