"""A disk that fills up mid-crawl: a clean error, whole records only, and a rerun that resumes."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from archive_helpers import archive_cli

from archive_store.warc.members import iter_members

pytestmark = pytest.mark.slow  # crawls in subprocesses (see conftest.py)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"needs root to mount a 1 MiB tmpfs: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_disk_full_stops_cleanly_with_whole_records(mocksite, small_disk, tmp_path):
    archive = small_disk / "archive"
    urls = [mocksite.url(f"/random?kb=200&seed={i}") for i in range(10)]  # 2 MiB, incompressible
    result = archive_cli(archive, *urls, "--no-extract")
    assert result.returncode == 1
    assert "No space left" in result.stderr or "disk full" in result.stderr
    assert "Traceback" not in result.stderr
    files = list((archive / "warcs").iterdir())
    assert files
    for path in files:
        members = list(iter_members(path))  # raises on a cut or corrupt member
        assert members
    # With room again, the same command finishes the job without losing anything.
    bigger = tmp_path / "bigger"
    subprocess.run(["cp", "-a", str(archive), str(bigger)], check=True)
    rerun = archive_cli(bigger, *urls, "--no-extract")
    assert rerun.returncode == 0, rerun.stderr
    verify = subprocess.run(["gzip", "-t", *map(str, (bigger / "warcs").glob("*.gz"))], check=False)
    assert verify.returncode == 0
