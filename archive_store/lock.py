"""One writer per archive folder: an advisory lock that dies with its process (safe for cron)."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import ClassVar

LOCK_NAME = ".lock"


class ArchiveLocked(RuntimeError):
    """Another process is writing to this archive."""


class ArchiveLock:
    """Re-entrant within a process (the CLI and the crawler share it), exclusive across processes."""

    _held: ClassVar[dict[Path, tuple[int, int]]] = {}

    def __init__(self, archive_dir: Path) -> None:
        self.path = (archive_dir / LOCK_NAME).resolve()

    def acquire(self) -> None:
        if self.path in self._held:
            fd, count = self._held[self.path]
            self._held[self.path] = (fd, count + 1)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 200).decode("utf-8", "replace").strip() or "another process"
            os.close(fd)
            raise ArchiveLocked(
                f"the archive {self.path.parent} is in use by {holder}; wait for it to finish"
            ) from None
        try:  # who holds it, for the "in use" message; a full disk only loses that hint
            os.ftruncate(fd, 0)
            os.write(fd, f"pid {os.getpid()}\n".encode())
        except OSError:
            pass
        self._held[self.path] = (fd, 1)

    def __enter__(self) -> ArchiveLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()

    def release(self) -> None:
        if self.path not in self._held:
            return
        fd, count = self._held[self.path]
        if count > 1:
            self._held[self.path] = (fd, count - 1)
            return
        del self._held[self.path]
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
