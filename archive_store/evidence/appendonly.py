"""Whole-line appends to the evidence files (custody log, manifests) that a full disk cannot tear.

A line is written only when the file system has room for it (with a block to spare), in one
`os.write` loop, then fsynced; if the write still fails part-way (ENOSPC from a disk filled by
another process, EIO), the file is cut back to where it was before this append, so what is on disk
is the file before the append or after it, never a torn line. Only a process killed inside the
write itself can leave a last line without its newline: `torn_tail` finds it, readers skip it,
`verify` names it as an interrupted write (not tampering), and the next append repairs it (see
custodychain and fixity).
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

_TAIL_BLOCK = 64 << 10


class NoRoom(OSError):
    """The file system lacks room for a whole entry: nothing was written."""


@dataclass(frozen=True)
class TornTail:
    """A last line without its newline: `line` (1-based), `offset` of its first byte, its bytes."""

    line: int
    offset: int
    data: bytes


def free_bytes(fd: int) -> int:
    stats = os.fstatvfs(fd)
    return stats.f_bavail * stats.f_frsize


def write_whole(fd: int, data: bytes, what: str) -> None:
    """Append `data` at the end of the file behind `fd` (opened for append or read/write) and
    fsync it; nothing of it stays if any part fails. `what` names the file in the error."""
    end = os.lseek(fd, 0, os.SEEK_END)
    stats = os.fstatvfs(fd)
    if free_bytes(fd) < len(data) + stats.f_frsize:
        raise NoRoom(
            errno.ENOSPC,
            f"no space left on the device for {what} ({len(data):,} bytes needed): nothing was written",
        )
    view = memoryview(data)
    written = 0
    try:
        while written < len(data):
            written += os.write(fd, view[written:])
        os.fsync(fd)
    except OSError:
        if os.fstat(fd).st_size != end:
            try:
                os.ftruncate(fd, end)  # frees what the partial line took; needs no new block
                os.fsync(fd)
            except OSError:
                pass  # a torn tail then: found and repaired by the next append
        raise


def torn_tail_of(data: bytes) -> TornTail | None:
    if not data or data.endswith(b"\n"):
        return None
    start = data.rfind(b"\n") + 1
    return TornTail(data.count(b"\n", 0, start) + 1, start, data[start:])


def torn_tail(path: Path) -> TornTail | None:
    """The file's last line if it lacks its newline (an append cut short), read from the end."""
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            if size == 0:
                return None
            handle.seek(size - 1)
            if handle.read(1) == b"\n":
                return None
            handle.seek(0)
            return torn_tail_of(handle.read())
    except FileNotFoundError:
        return None


def without_torn_tail(data: bytes) -> bytes:
    """The file's bytes up to its last whole line."""
    torn = torn_tail_of(data)
    return data if torn is None else data[: torn.offset]
