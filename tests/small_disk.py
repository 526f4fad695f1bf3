"""A small tmpfs to fill up (tests of full disks); skipped where it cannot be mounted."""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest


def mount_small_tmpfs(mount_point: Path, size: str) -> None:
    mount_point.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"needs root to mount a small tmpfs: {mounted.stderr.strip()}")


def fill(disk: Path) -> Path:
    """Fill the file system to its last byte; returns the filler (delete it to free the space)."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        for size in (1 << 16, 4096, 1):
            try:
                while os.write(fd, b"\0" * size):
                    pass
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    return filler
