"""The gzip level of WARC records: ISA-L for 1-3 (the default, 3), zlib for 0 and 4-9; every level
writes standard gzip members that zlib, gzip and warcio read, and a bad level is a usage error."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import pytest
from archive_helpers import FAST, archive_cli, warc_files

from archive_store.crawl.default_settings import ARCHIVE_GZIP_LEVEL
from archive_store.validate.gzipmembers import iter_gzip_members
from archive_store.warc.recordbuilder import gzip_member

_OS_BYTE = 9  # gzip header: ISA-L writes 255 (unknown), zlib 3 (Unix)
PAGE = b"<html><head><meta charset='gbk'></head><body>" + "通报 公安局 ".encode("gb18030") * 4000


@pytest.mark.parametrize("level", range(10))
def test_every_level_writes_one_standard_gzip_member(level: int) -> None:
    member = gzip_member(PAGE, level)
    assert zlib.decompress(member, wbits=31) == PAGE
    assert gzip.decompress(member) == PAGE
    inflater = zlib.decompressobj(wbits=31)
    inflater.decompress(member)
    assert inflater.eof and inflater.unused_data == b""  # exactly one member, nothing after it
    assert member[_OS_BYTE] == (255 if 1 <= level <= 3 else 3)


def test_level_zero_stores_and_higher_levels_compress_better() -> None:
    assert len(gzip_member(PAGE, 0)) > len(PAGE)
    assert len(gzip_member(PAGE, 9)) <= len(gzip_member(PAGE, 6)) < len(gzip_member(PAGE, 1))


def _member_os_bytes(archive: Path) -> set[int]:
    found = set()
    for path in warc_files(archive):
        data = path.read_bytes()
        found |= {data[offset + _OS_BYTE] for offset, _, _, _ in iter_gzip_members(path)}
    return found


@pytest.mark.slow
def test_a_crawl_uses_the_configured_level(mocksite, tmp_path: Path) -> None:
    assert ARCHIVE_GZIP_LEVEL == 3
    default = tmp_path / "default"
    assert archive_cli(default, mocksite.url("/plain"), "--no-extract", *FAST).returncode == 0
    assert _member_os_bytes(default) == {255}  # warcinfo, request and response: all ISA-L
    zlib_six = tmp_path / "zlib6"
    result = archive_cli(
        zlib_six, mocksite.url("/plain"), "--no-extract", *FAST, "-s", "ARCHIVE_GZIP_LEVEL=6"
    )
    assert result.returncode == 0, result.stderr
    assert _member_os_bytes(zlib_six) == {3}


@pytest.mark.slow
@pytest.mark.parametrize("bad", ["12", "-1", "fast"])
def test_a_bad_level_is_a_usage_error_before_anything_is_written(mocksite, tmp_path: Path, bad: str) -> None:
    archive = tmp_path / "archive"
    result = archive_cli(archive, mocksite.url("/plain"), "--no-extract", "-s", f"ARCHIVE_GZIP_LEVEL={bad}")
    assert result.returncode == 2
    assert f"ARCHIVE_GZIP_LEVEL must be a gzip level, 0-9, not '{bad}'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (archive / "warcs").exists() and not (archive / "index.sqlite3").exists()


@pytest.mark.slow
def test_a_bad_aside_size_is_a_usage_error(mocksite, tmp_path: Path) -> None:
    result = archive_cli(
        tmp_path / "archive", mocksite.url("/plain"), "--no-extract", "-s", "ARCHIVE_ASIDE_MIN_SIZE=1MB"
    )
    assert result.returncode == 2
    assert "ARCHIVE_ASIDE_MIN_SIZE must be a number of bytes, not '1MB'" in result.stderr
