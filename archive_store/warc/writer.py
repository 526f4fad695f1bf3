"""The rotating WARC writer: the only code that appends to WARC files.

Files are written as `<name>.warc.gz.open`, one gzip member per record, and renamed when closed
(W-FILE-3). A group of records (request + response, say) is written with one `write` and stays in
one file; if the disk refuses it, the file is cut back to where the group began, so a failed write
never leaves half a record behind.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import shutil
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Protocol

from archive_store.warc.recordbuilder import GZIP_LEVELS, WarcRecord, gzip_member, warc_date, warcinfo_record

logger = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"


class FileMember(Protocol):
    """A gzip member kept in a file (`spool.SpooledMember`)."""

    handle: BinaryIO

    def __len__(self) -> int: ...


Member = bytes | FileMember
_HOST_UNSAFE = re.compile(r"[^A-Za-z0-9.]+")


class ArchiveWriteError(OSError):
    """Writing a record failed (disk full, permissions); the file was left at its last whole record."""


@dataclass(frozen=True)
class WrittenRecord:
    record_id: str
    record_type: str
    filename: str
    offset: int
    length: int


@dataclass(frozen=True)
class ClosedFile:
    filename: str
    path: Path
    size: int
    sha256: str


def safe_hostname(name: str | None = None) -> str:
    return _HOST_UNSAFE.sub("-", name or socket.gethostname()).strip("-") or "host"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


WarcinfoFields = Callable[[str, int], Sequence[tuple[str, str]]]


class RotatingWarcWriter:
    """Writes record groups to `<prefix>-<UTC ms timestamp>-<serial>-<host>.warc.gz` (W-FILE-2)."""

    def __init__(
        self,
        directory: Path,
        *,
        prefix: str,
        max_size: int,
        warcinfo_fields: WarcinfoFields,
        hostname: str | None = None,
        compress_level: int = 3,
        on_open: Callable[[str], None] | None = None,
        on_close: Callable[[ClosedFile], None] | None = None,
        before_close: Callable[[], None] | None = None,
    ) -> None:
        self.directory = directory
        self.prefix = prefix
        self.max_size = max_size
        self.hostname = safe_hostname(hostname)
        if compress_level not in GZIP_LEVELS:
            raise ValueError(f"ARCHIVE_GZIP_LEVEL must be a gzip level, 0-9, not {compress_level!r}")
        self.compress_level = compress_level
        self._warcinfo_fields = warcinfo_fields
        self._on_open = on_open
        self._on_close = on_close
        # runs while the file is still `.open`; raising ArchiveWriteError leaves it so
        self._before_close = before_close
        self._serial = 0
        self._handle: BinaryIO | None = None
        self._filename = ""
        self._warcinfo_id = ""
        self._size = 0
        self.files_written: list[str] = []

    @property
    def current_filename(self) -> str | None:
        return self._filename if self._handle else None

    def warcinfo_id_for_next_group(self) -> str | None:
        """The warcinfo record the next group will refer to, if known now (no file to open or
        rotate first): records gzipped ahead of `write_group` must name it."""
        return self._warcinfo_id if self._handle is not None and self._size < self.max_size else None

    def current_warcinfo_id(self) -> str | None:
        """The warcinfo record of the file now open, if one is."""
        return self._warcinfo_id if self._handle is not None else None

    def open_for_group(self) -> str:
        """Open (or rotate to) the file the next group goes to; its warcinfo record id. Members
        gzipped ahead for it (`write_group` with a member in a file) go to that file only."""
        if self._handle is None or self._size >= self.max_size:
            self.close()
            self._open_new_file()
        return self._warcinfo_id

    def write_group(
        self, records: Sequence[WarcRecord], precompressed: tuple[str, list[Member]] | None = None
    ) -> list[WrittenRecord]:
        """Append records as one group. `precompressed` = (warcinfo id, gzip members) prepared by
        the caller; used only if the file they named is still the one written to. A member in a
        file (a streamed body) can only go there: it is written even past the rollover size."""
        in_file = precompressed is not None and any(not isinstance(m, bytes) for m in precompressed[1])
        if in_file:
            assert precompressed is not None
            if self._handle is None or precompressed[0] != self._warcinfo_id:
                raise ValueError("a streamed record was gzipped for a WARC file no longer open")
            return self._append(records, precompressed[1])
        if self._handle is None or self._size >= self.max_size:
            self.close()
            self._open_new_file()
        assert self._handle is not None
        if precompressed is not None and precompressed[0] == self._warcinfo_id:
            return self._append(records, precompressed[1])
        return self._append(records)

    def _append(
        self, records: Sequence[WarcRecord], ready: Sequence[Member] | None = None
    ) -> list[WrittenRecord]:
        assert self._handle is not None
        written, members, offset = [], [], self._size
        for index, record in enumerate(records):
            if record.record_type != "warcinfo":
                record.set("WARC-Warcinfo-ID", self._warcinfo_id)
            member = ready[index] if ready else gzip_member(record.to_bytes(), self.compress_level)
            members.append(member)
            written.append(
                WrittenRecord(record.record_id, record.record_type, self._filename, offset, len(member))
            )
            offset += len(member)
        start = self._size
        try:
            for member in members:
                if isinstance(member, bytes):
                    self._handle.write(member)
                else:  # gzipped into a file on the compressor thread: copied, never read whole
                    member.handle.seek(0)
                    shutil.copyfileobj(member.handle, self._handle, 1 << 20)
            self._handle.flush()
        except OSError as exc:
            self._roll_back(start)
            reason = "disk full" if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT) else str(exc)
            raise ArchiveWriteError(exc.errno or 0, f"cannot write to {self._filename}: {reason}") from exc
        self._size = offset
        return written

    def _roll_back(self, size: int) -> None:
        """Cut the file back to its last whole record so nothing half-written stays on disk."""
        assert self._handle is not None
        try:
            self._handle.seek(size)
            self._handle.truncate(size)
        except OSError:
            logger.exception("could not cut %s back to %d bytes", self._filename, size)

    def _open_new_file(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC)
        stamp = now.strftime("%Y%m%d%H%M%S") + f"{now.microsecond // 1000:03d}"
        self._filename = f"{self.prefix}-{stamp}-{self._serial:05d}-{self.hostname}.warc.gz"
        self._serial += 1
        path = self.directory / (self._filename + OPEN_SUFFIX)
        # "xb": never reuse or overwrite an existing file (nothing archived is ever overwritten)
        self._handle = path.open("xb")
        self._size = 0
        info = warcinfo_record(
            self._filename, warc_date(now), self._warcinfo_fields(self._filename, self._serial - 1)
        )
        self._warcinfo_id = info.record_id
        try:
            self._append([info])
        except ArchiveWriteError:
            self._handle.close()
            self._handle = None
            path.unlink(missing_ok=True)
            raise
        self.files_written.append(self._filename)
        if self._on_open:
            self._on_open(self._filename)

    def abandon(self) -> None:
        """Stop writing but leave the file `.open`: the next run's recovery checks and indexes it."""
        if self._handle is not None:
            handle, self._handle = self._handle, None
            handle.close()

    def close(self) -> ClosedFile | None:
        """Flush, fsync, rename `.open` away, and report the closed file (for the manifest)."""
        if self._handle is None:
            return None
        if self._before_close:
            self._before_close()
        handle, self._handle = self._handle, None
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        open_path = self.directory / (self._filename + OPEN_SUFFIX)
        final_path = self.directory / self._filename
        os.link(open_path, final_path)  # unlike rename, fails rather than replace an existing WARC
        open_path.unlink()
        closed = ClosedFile(self._filename, final_path, final_path.stat().st_size, file_sha256(final_path))
        if self._on_close:
            self._on_close(closed)
        return closed
