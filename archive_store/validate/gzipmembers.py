"""Walk the gzip members of a `.warc.gz` file one at a time, reporting damage instead of raising.

Members are inflated in bounded pieces. One that inflates to more than MEMORY_LIMIT is not kept:
it comes back `streamed` (data None) and `member_pieces` reads it again, piece by piece."""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

GZIP_MAGIC = b"\x1f\x8b\x08"
_READ_SIZE = 1 << 16  # small reads: what follows a member is read again as the next one
_SCAN_SIZE = 1 << 20
_OUT_SIZE = 1 << 20  # inflated output per step: a small input may inflate a thousandfold
MEMORY_LIMIT = 4 << 20  # a member inflating to more is read as a stream, never held whole
_CONTENT_LENGTH = re.compile(rb"(?im)^content-length[ \t]*:[ \t]*(\d+)[ \t]*\r?$")

# ok: a whole member; truncated: the file ends inside it; corrupt: zlib/CRC/length failure;
# garbage: bytes that are not a gzip member at all; multi: a good member holding several records.
MemberKind = Literal["ok", "truncated", "corrupt", "garbage", "multi"]


@dataclass(frozen=True)
class GzipMember:
    offset: int
    length: int
    data: bytes | None
    error: str | None
    kind: MemberKind
    streamed: bool = False  # too big to hold: read its data with member_pieces


def iter_gzip_members(path: str | Path) -> Iterator[tuple[int, int, bytes | None, str | None]]:
    """Yield (offset, compressed_length, decompressed_bytes or None, error or None) per member;
    the bytes are None for a damaged member and for one over MEMORY_LIMIT (read it with
    member_pieces)."""
    for member in scan_members(path):
        yield member.offset, member.length, member.data, member.error


def scan_members(path: str | Path) -> Iterator[GzipMember]:
    """Like iter_gzip_members, with the kind of failure so callers can map it to a rule."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        pos = 0
        while pos < size:
            member = _read_member(f, pos, size)
            yield member
            pos += member.length


def _read_member(f: BinaryIO, start: int, size: int) -> GzipMember:
    f.seek(start)
    head = f.read(3)
    if head != GZIP_MAGIC and len(head) < len(GZIP_MAGIC) and GZIP_MAGIC.startswith(head):
        return GzipMember(start, size - start, None, _cut_message(start), "truncated")
    if head != GZIP_MAGIC:
        plain = head.startswith(b"WAR")
        # An uncompressed WARC may hold gzip bodies: do not resync into them.
        end = size if plain and start == 0 else _next_magic(f, start + 1, size)
        what = "plain WARC data" if plain else "not gzip data"
        return GzipMember(
            start,
            end - start,
            None,
            f"{end - start} bytes at offset {start} are {what}; every record must be its own "
            f"gzip member (cut or recompress the file)",
            "garbage",
        )
    f.seek(start)
    d = zlib.decompressobj(wbits=31)  # 31: expect a gzip wrapper and verify its CRC32 and ISIZE
    parts: list[bytes] = []
    held = 0
    streamed = False
    used = 0
    while not d.eof:
        chunk = f.read(_READ_SIZE)
        if not chunk:
            return GzipMember(start, size - start, None, _cut_message(start), "truncated")
        try:
            for piece in _inflate(d, chunk):
                if not streamed:
                    parts.append(piece)
                    held += len(piece)
                    if held > MEMORY_LIMIT:
                        streamed, parts = True, []
        except zlib.error as exc:
            end = _next_magic(f, start + 1, size)
            return GzipMember(
                start,
                end - start,
                None,
                f"gzip member at offset {start} is corrupt ({exc}); the data was damaged after "
                f"writing: restore the file from a replica",
                "corrupt",
            )
        used += len(chunk) - len(d.unused_data)
    if streamed:  # counted as its records are read
        return GzipMember(start, used, None, None, "ok", streamed=True)
    data = b"".join(parts)
    records = count_records(data)
    if records > 1:
        return GzipMember(
            start,
            used,
            data,
            f"one gzip member holds {records} WARC records (whole-file gzip?); write one "
            f"member per record (`warcio recompress` fixes an existing file)",
            "multi",
        )
    return GzipMember(start, used, data, None, "ok")


def _inflate(d: zlib._Decompress, chunk: bytes) -> Iterator[bytes]:
    """The output of one input chunk, in pieces of at most _OUT_SIZE bytes."""
    yield d.decompress(chunk, _OUT_SIZE)
    while d.unconsumed_tail and not d.eof:
        yield d.decompress(d.unconsumed_tail, _OUT_SIZE)


def member_pieces(path: str | Path, member: GzipMember) -> Iterator[bytes]:
    """The decompressed data of a member that scan_members found whole, in bounded pieces."""
    d = zlib.decompressobj(wbits=31)
    with open(path, "rb") as f:
        f.seek(member.offset)
        left = member.length
        while left and not d.eof:
            chunk = f.read(min(_READ_SIZE, left))
            if not chunk:
                raise OSError(f"the gzip member at offset {member.offset} changed while it was read")
            left -= len(chunk)
            try:
                yield from _inflate(d, chunk)
            except zlib.error as exc:
                raise OSError(f"the gzip member at offset {member.offset} changed while it was read") from exc


def _cut_message(start: int) -> str:
    return (
        f"the file ends inside the gzip member at offset {start} (interrupted write); "
        f"cut the file back to {start} bytes"
    )


def _next_magic(f: BinaryIO, pos: int, size: int) -> int:
    """Offset of the next gzip header at or after pos, or size; used to resync after damage."""
    carry = b""
    base = pos
    f.seek(pos)
    while base < size:
        chunk = f.read(_SCAN_SIZE)
        if not chunk:
            break
        window = carry + chunk
        hit = window.find(GZIP_MAGIC)
        if hit != -1:
            return base - len(carry) + hit
        carry = window[-(len(GZIP_MAGIC) - 1) :]
        base += len(chunk)
    return size


def count_records(data: bytes) -> int:
    """Count the WARC records in decompressed member data by following Content-Length."""
    count = 0
    pos = 0
    while data.startswith(b"WARC/", pos):
        count += 1
        head_end = data.find(b"\r\n\r\n", pos)
        if head_end == -1:
            break
        found = _CONTENT_LENGTH.search(data, pos, head_end + 2)
        if found is None:
            break
        pos = head_end + 4 + int(found.group(1)) + 4
    return count
