"""Read WARC files other tools wrote, leniently: WARC/1.0 and 1.1, one gzip member per record or
plain, and a last record cut short (a killed crawler) noted instead of raised.

Our own reader (`members`) is strict on purpose: our files must be perfect. Files from wget,
Heritrix, Browsertrix or pywb are kept exactly as they came, so this reader only finds where each
record starts and ends (the offset and length a CDXJ line and `show` need) and reports what it
could not read, leaving every byte alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from archive_store.warc.members import BrokenMember, StoredRecord, iter_members, parse_record

_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class ForeignRecord:
    record: StoredRecord
    version: str  # the first line: WARC/1.0, WARC/1.1 ...


@dataclass(frozen=True)
class TruncatedTail:
    """The file ends inside a record (or a gzip member): what came before it is read."""

    offset: int
    reason: str


def is_gzip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == _GZIP_MAGIC


def iter_foreign(path: Path) -> Iterator[ForeignRecord | TruncatedTail]:
    """Each record with its offset and length in the file; a TruncatedTail ends the iteration."""
    if is_gzip(path):
        yield from _iter_gzip(path)
    else:
        yield from _iter_plain(path)


def _version(data: bytes) -> str:
    return data.split(b"\r\n", 1)[0].split(b"\n", 1)[0].decode("latin-1", "replace").strip()


def _parse(data: bytes, offset: int, length: int) -> ForeignRecord | TruncatedTail:
    """One record; a record whose block is shorter than its Content-Length is a cut one."""
    try:
        record = parse_record(data, offset, length)
        declared = int(record.get("Content-Length") or "0")
    except ValueError as exc:
        return TruncatedTail(offset, f"not a whole WARC record ({exc})")
    if len(record.block) < declared:
        return TruncatedTail(offset, f"record block has {len(record.block)} of {declared} bytes")
    return ForeignRecord(record, _version(data))


def _iter_gzip(path: Path) -> Iterator[ForeignRecord | TruncatedTail]:
    """One record per gzip member (as WARC 1.1 annex D recommends and every tool here writes);
    a cut or corrupt member ends the walk as a truncated tail instead of an error."""
    try:
        for member in iter_members(path):
            found = _parse(member.data, member.offset, member.length)
            yield found
            if isinstance(found, TruncatedTail):
                return
    except BrokenMember as exc:
        yield TruncatedTail(exc.offset, f"bad gzip member: {exc.reason}")


def _iter_plain(path: Path) -> Iterator[ForeignRecord | TruncatedTail]:
    data = path.read_bytes()  # imports are read once; a plain WARC is small next to our own
    offset = 0
    while offset < len(data):
        # records are separated by CRLF CRLF; tolerate stray blank lines between them
        while data[offset : offset + 2] in (b"\r\n", b"\n\n") or data[offset : offset + 1] == b"\n":
            offset += 2 if data[offset : offset + 2] == b"\r\n" else 1
        if offset >= len(data):
            return
        head_end = data.find(b"\r\n\r\n", offset)
        if head_end < 0:
            yield TruncatedTail(offset, "the file ends inside a record header")
            return
        try:
            size = int(_field(data[offset:head_end], b"content-length") or b"0")
        except ValueError:
            yield TruncatedTail(offset, "record without a readable Content-Length")
            return
        end = head_end + 4 + size
        if end > len(data):
            yield TruncatedTail(offset, f"record block has {len(data) - head_end - 4} of {size} bytes")
            return
        if data[end : end + 4] == b"\r\n\r\n":
            end += 4
        found = _parse(data[offset:end], offset, end - offset)
        yield found
        if isinstance(found, TruncatedTail):
            return
        offset = end


def _field(head: bytes, name: bytes) -> bytes | None:
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip()
    return None
