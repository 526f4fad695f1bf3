"""A crawl whose WARC disk, index disk or custody-log disk fills up: it stops in one plain line
(no traceback, no page text), its summary counts what was committed, no evidence file holds a
torn line, and once there is room again the same command finishes and `verify` passes."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from archive_helpers import archive_cli, run_cli
from small_disk import fill, mount_small_tmpfs

from archive_store.evidence.appendonly import torn_tail
from archive_store.evidence.custodychain import check_chain
from archive_store.layout import CUSTODY_NAME, EXPORTS_MANIFEST_NAME, MANIFEST_NAME

pytestmark = pytest.mark.slow  # crawls in subprocesses (see conftest.py)

SUMMARY = re.compile(r"run (\d+) \([^)]*\): (\d+) captured")


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "disk"
    mount_small_tmpfs(mount_point, "1m")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def grow(disk: Path) -> None:
    subprocess.run(["mount", "-o", "remount,size=64m", str(disk)], check=True)


def _captured_in_summary(stderr: str) -> int:
    found = SUMMARY.search(stderr)
    assert found, stderr
    return int(found.group(2))


def _committed(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM captures").fetchone()[0])


def _evidence_whole(archive: Path) -> None:
    for name in (CUSTODY_NAME, MANIFEST_NAME, EXPORTS_MANIFEST_NAME):
        assert torn_tail(archive / name) is None, name
    assert check_chain(archive / CUSTODY_NAME).problem is None


def _plain_stop(result, words: str) -> None:
    assert result.returncode == 1, result.stderr
    assert words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "[SQL:" not in result.stderr, result.stderr[-3000:]


def _finishes_and_verifies(archive: Path, urls: list[str], *extra: str) -> None:
    rerun = archive_cli(archive, *urls, "--no-extract", *extra)
    assert rerun.returncode == 0, rerun.stderr
    verified = run_cli("verify", "--archive", archive, *extra)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "note:" not in verified.stderr, verified.stderr
    _evidence_whole(archive)


def test_the_warc_disk_full(mocksite, disk):
    archive = disk / "archive"
    urls = [mocksite.url(f"/random?kb=200&seed={i}") for i in range(10)]  # 2 MiB, incompressible
    result = archive_cli(archive, *urls, "--no-extract")
    assert "No space left" in result.stderr or "disk full" in result.stderr
    _plain_stop(result, "stopping the crawl")
    assert _captured_in_summary(result.stderr) == _committed(archive / "index.sqlite3")
    _evidence_whole(archive)
    grow(disk)
    _finishes_and_verifies(archive, urls)


def test_the_index_disk_full(mocksite, disk, tmp_path):
    archive = tmp_path / "archive"
    db = f"sqlite:///{disk / 'index.sqlite3'}"
    urls = [mocksite.url(f"/big/{i}") for i in range(30)]  # ~64 KB of text each, indexed for search
    result = archive_cli(archive, *urls, "--db", db)
    _plain_stop(result, "cannot write to the index: database or disk is full")
    committed = _committed(disk / "index.sqlite3")
    assert committed and _captured_in_summary(result.stderr) == committed
    assert "huge body" not in result.stderr and "Large page" not in result.stderr  # no page text
    assert result.stderr.count("database or disk is full") <= 4, result.stderr
    _evidence_whole(archive)
    # run again while the disk is still full: one plain line before any fetch
    again = archive_cli(archive, *urls, "--db", db)
    assert again.returncode == 1 and "Traceback" not in again.stderr, again.stderr[-3000:]
    assert "database or disk is full" in again.stderr and "[SQL:" not in again.stderr
    grow(disk)
    _finishes_and_verifies(archive, urls, "--db", db)


def test_the_custody_log_disk_full(mocksite, disk, tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / CUSTODY_NAME).symlink_to(disk / CUSTODY_NAME)
    filler = fill(disk)
    urls = [mocksite.url("/plain"), mocksite.url("/gzip")]
    result = archive_cli(archive, *urls, "--no-extract")
    _plain_stop(result, "cannot write to the custody log: no space left on the device for custody.jsonl")
    assert _captured_in_summary(result.stderr) == 0 == _committed(archive / "index.sqlite3")
    assert (disk / CUSTODY_NAME).read_bytes() == b""
    # verify on the full disk: checks only read; its own entry is a note
    verified = run_cli("verify", "--archive", archive)
    assert verified.returncode == 0, verified.stderr
    assert "note: this verification could not be logged" in verified.stderr
    assert "Traceback" not in verified.stderr
    filler.unlink()
    _finishes_and_verifies(archive, urls)
