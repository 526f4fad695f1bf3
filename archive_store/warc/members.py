"""Read WARC files member by member: offsets, whole records, and where a killed write stopped."""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from archive_store.warc.foreign import ForeignRecord, iter_foreign
from archive_store.warc.record import StoredRecord

_READ_SIZE = 1 << 20


@dataclass(frozen=True)
class Member:
    offset: int
    length: int
    data: bytes


class BrokenMember(Exception):
    """A gzip member that does not decompress whole; `offset` is where it starts."""

    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(f"bad gzip member at offset {offset}: {reason}")
        self.offset = offset
        self.reason = reason


def iter_members(path: Path) -> Iterator[Member]:
    """Yield each whole gzip member; raise BrokenMember at the first one that is cut or corrupt."""
    with path.open("rb") as handle:
        pending = b""
        offset = 0
        while True:
            if not pending:
                pending = handle.read(_READ_SIZE)
                if not pending:
                    return
            inflater = zlib.decompressobj(31)
            out: list[bytes] = []
            consumed = 0
            try:
                while not inflater.eof:
                    if not pending:
                        pending = handle.read(_READ_SIZE)
                        if not pending:
                            raise BrokenMember(offset, "truncated (file ends inside the member)")
                    out.append(inflater.decompress(pending))
                    used = len(pending) - len(inflater.unused_data)
                    consumed += used
                    pending = inflater.unused_data
            except zlib.error as exc:
                raise BrokenMember(offset, str(exc)) from exc
            yield Member(offset, consumed, b"".join(out))
            offset += consumed


def read_member(path: Path, offset: int, length: int) -> bytes:
    with path.open("rb") as handle:
        handle.seek(offset)
        raw = handle.read(length)
    return inflate_member(raw, offset, length, where="on disk")


def inflate_member(raw: bytes, offset: int, length: int, where: str = "in the store") -> bytes:
    """The record inside one whole gzip member read at `offset`, wherever its bytes came from."""
    if len(raw) != length:
        raise BrokenMember(offset, f"only {len(raw)} of {length} bytes {where}")
    inflater = zlib.decompressobj(31)
    try:
        data = inflater.decompress(raw)
    except zlib.error as exc:
        raise BrokenMember(offset, str(exc)) from exc
    if not inflater.eof or inflater.unused_data:
        raise BrokenMember(offset, "length does not match one whole gzip member")
    return data


def parse_record(data: bytes, offset: int = 0, length: int = 0) -> StoredRecord:
    """Parse an uncompressed WARC record (header lines, blank line, Content-Length bytes)."""
    head_end = data.find(b"\r\n\r\n")
    if head_end < 0:
        raise ValueError("no end of WARC header")
    lines = data[:head_end].split(b"\r\n")
    fields = []
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        fields.append((name.decode("utf-8", "replace").strip(), value.decode("utf-8", "replace").strip()))
    record = StoredRecord(fields, b"", offset, length)
    size = int(record.get("Content-Length") or "0")
    block = data[head_end + 4 : head_end + 4 + size]
    return StoredRecord(fields, block, offset, length)


def read_record(path: Path, offset: int, length: int) -> StoredRecord:
    if path.name.endswith(".warc"):  # an imported uncompressed WARC (kept as it came)
        with path.open("rb") as handle:
            handle.seek(offset)
            raw = handle.read(length)
        if len(raw) != length:
            raise BrokenMember(offset, f"only {len(raw)} of {length} bytes on disk")
        return parse_record(raw, offset, length)
    return parse_record(read_member(path, offset, length), offset, length)


def iter_records(path: Path) -> Iterator[StoredRecord]:
    """Each record with its offset and length; an imported uncompressed `.warc` (kept as it came,
    issue 17) is walked record by record, and a cut tail there ends the walk (import reported it)."""
    if path.name.endswith(".warc"):
        yield from (item.stored() for item in iter_foreign(path) if isinstance(item, ForeignRecord))
        return
    for member in iter_members(path):
        yield parse_record(member.data, member.offset, member.length)


# streaming: one record read in bounded memory -----------------------------------------------------
_HEAD_MAX = 1 << 20


def stream_record(path: Path, offset: int, length: int) -> tuple[StoredRecord, Iterator[bytes]]:
    """A record's header (block left empty) and its block in pieces, never whole in memory.

    The pieces must be read to the end: only then is the record known to be whole (one whole gzip
    member of `length` bytes, or in a plain `.warc` a header and block of its Content-Length), and
    BrokenMember or ValueError is raised from the iteration when it is not."""
    raw = _raw_chunks(path, offset, length)
    if not path.name.endswith(".warc"):
        raw = _inflated(raw, offset, length)
    head = bytearray()
    for piece in raw:
        head += piece
        end = head.find(b"\r\n\r\n")
        if end >= 0:
            break
        if len(head) > _HEAD_MAX:
            raise ValueError("no end of WARC header")
    else:
        raise ValueError("no end of WARC header")
    record = parse_record(bytes(head[: end + 4]), offset, length)
    declared = int(record.get("Content-Length") or "0")
    return record, _block(bytes(head[end + 4 :]), raw, declared, offset, plain=path.name.endswith(".warc"))


def _raw_chunks(path: Path, offset: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as handle:
        handle.seek(offset)
        left = length
        while left:
            chunk = handle.read(min(left, _READ_SIZE))
            if not chunk:
                raise BrokenMember(offset, f"only {length - left} of {length} bytes on disk")
            left -= len(chunk)
            yield chunk


def _inflated(raw: Iterator[bytes], offset: int, length: int) -> Iterator[bytes]:
    inflater = zlib.decompressobj(31)
    try:
        for chunk in raw:
            if inflater.eof:
                raise BrokenMember(offset, "length does not match one whole gzip member")
            data = chunk
            while data:
                yield inflater.decompress(data, _READ_SIZE)
                data = inflater.unconsumed_tail
    except zlib.error as exc:
        raise BrokenMember(offset, str(exc)) from exc
    if not inflater.eof or inflater.unused_data:
        raise BrokenMember(offset, "length does not match one whole gzip member")


def _block(
    first: bytes, rest: Iterator[bytes], declared: int, offset: int, *, plain: bool
) -> Iterator[bytes]:
    left = declared
    after = 0
    for piece in itertools.chain([first], rest):
        take = min(left, len(piece))
        if take:
            yield piece[:take]
            left -= take
        after += len(piece) - take
    if left:
        raise ValueError(f"record block is {declared - left} of its {declared} bytes")
    if plain and after not in (0, 4):
        raise ValueError(f"{after} bytes follow the record at offset {offset}")


def iter_record_heads(path: Path) -> Iterator[StoredRecord]:
    """Like `iter_records`, each record's header with its offset and length but an empty block:
    memory stays bounded whatever a record's size. Raises BrokenMember as `iter_members` does."""
    if path.name.endswith(".warc"):
        for item in iter_foreign(path):
            if isinstance(item, ForeignRecord):
                yield StoredRecord(item.fields, b"", item.offset, item.length)
        return
    with path.open("rb") as handle:
        pending = b""
        offset = 0
        while True:
            if not pending:
                pending = handle.read(_READ_SIZE)
                if not pending:
                    return
            inflater = zlib.decompressobj(31)
            head = bytearray()
            consumed = 0
            try:
                while not inflater.eof:
                    if not pending:
                        pending = handle.read(_READ_SIZE)
                        if not pending:
                            raise BrokenMember(offset, "truncated (file ends inside the member)")
                    data = pending
                    while data and not inflater.eof:
                        out = inflater.decompress(data, _READ_SIZE)
                        if len(head) <= _HEAD_MAX and b"\r\n\r\n" not in head:
                            head += out
                        data = inflater.unconsumed_tail
                    used = len(pending) - len(inflater.unused_data)
                    consumed += used
                    pending = inflater.unused_data
            except zlib.error as exc:
                raise BrokenMember(offset, str(exc)) from exc
            end = head.find(b"\r\n\r\n")
            yield parse_record(bytes(head[: end + 4] if end >= 0 else head), offset, consumed)
            offset += consumed
