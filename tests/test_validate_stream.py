"""The validator reads big records as streams: a member over MEMORY_LIMIT is inflated again in
pieces, and every block is checked through bounded state (issue 24: big records stream
everywhere). The streamed path must find exactly what the in-memory path finds."""

from __future__ import annotations

import tracemalloc
import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from archive_helpers import ROOT, archive_cli, warc_files
from bigvideosite import BIG_VIDEO_MB
from broken_warcs import BROKEN_CASES, GOOD_NAME, write_edge_warc, write_good_warc
from hostile_files import run_measured

from archive_store.validate import gzipmembers
from archive_store.validate.blockscan import BlockScan, Dechunker
from archive_store.validate.validator import Problem, validate_collection, validate_warc_file
from archive_store.warc.recordbuilder import gzip_member, response_record, warcinfo_record
from sourcekeeper.demo.rawsite import ServedSite

MIB = 1 << 20


def _cases(directory: Path) -> Iterator[tuple[str, Path]]:
    for name, (make, *_) in sorted(BROKEN_CASES.items()):
        folder = directory / name
        folder.mkdir()
        yield name, make(folder)
    yield "good", write_good_warc(directory / GOOD_NAME)
    yield "edge", write_edge_warc(directory / GOOD_NAME.replace("-00000-", "-00009-"))


def _shown(problems: list[Problem], root: Path) -> list[str]:
    return [str(replace(p, path=p.path.replace(str(root), ""))) for p in problems]


def test_every_member_streamed_in_one_byte_pieces_finds_what_memory_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every broken case, the good file and the edge cases, read once held whole and once as a
    stream cut into 1-byte pieces: the same problems, word for word."""
    cases = list(_cases(tmp_path))
    held = {name: _shown(validate_collection([path]), tmp_path) for name, path in cases}
    assert held["good"] == [] and held["edge"] == []
    assert sum(1 for found in held.values() if found) >= len(BROKEN_CASES) - 1
    monkeypatch.setattr(gzipmembers, "MEMORY_LIMIT", 0)
    monkeypatch.setattr(gzipmembers, "_OUT_SIZE", 1)
    streamed = {name: _shown(validate_collection([path]), tmp_path) for name, path in cases}
    assert streamed == held


def test_chunked_framing_gives_one_state_however_it_is_cut() -> None:
    cases = {
        b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n": ("ok", b"hello world"),
        b"5\nhello\n0\n\n": ("ok", b"hello"),
        b"5\r\nhello\r\n0\r\n\r\nmore": ("trailing", b"hello"),
        b"5\r\nhel": ("incomplete", b"hel"),
        b"5\r\nhello\r": ("incomplete", b"hello"),
        b"5\r\nhello\r\n1": ("incomplete", b"hello"),
        b"5\r\nhelloXX": ("broken", b"hello"),
        b"5\r\nhello\r\nzz\r\n": ("broken", b"hello"),
        b"<html>not chunked</html>": ("not-chunked", b""),
        b"": ("incomplete", b""),
    }
    for body, (state, payload) in cases.items():
        for piece in (1, 2, 3, len(body) or 1):
            out: list[bytes] = []
            dechunker = Dechunker(out.append)
            for start in range(0, len(body), piece):
                dechunker.feed(body[start : start + piece])
            assert (dechunker.close(), b"".join(out)) == (state, payload), (body, piece)


def _big_warc(path: Path, body: bytes, *, digest_of: bytes | None = None) -> Path:
    """warcinfo + one response written by the project's record builder, gzipped as the writer does."""
    http = b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: %d\r\n\r\n" % len(body)
    info = warcinfo_record(path.name, "2024-05-01T08:00:00Z", [("software", "sourcekeeper 1.0")])
    response = response_record(
        "http://example.com/big.mp4", "2024-05-01T08:00:01Z", http + body, digest_of or body, "127.0.0.1"
    )
    response.set("WARC-Warcinfo-ID", info.record_id)  # as the writer does
    path.write_bytes(gzip_member(info.to_bytes(), 1) + gzip_member(response.to_bytes(), 1))
    return path


def test_a_member_over_the_memory_limit_is_checked_in_bounded_memory(tmp_path: Path) -> None:
    size = 6 * gzipmembers.MEMORY_LIMIT
    body = b"0123456789abcdef" * (size // 16)
    good = _big_warc(tmp_path / "good.warc.gz", body)
    bad = _big_warc(tmp_path / "bad.warc.gz", body, digest_of=body[:-1] + b"!")
    del body
    tracemalloc.start()
    try:
        problems, summaries = validate_warc_file(good, expect_name=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # the warcinfo is a bare one: only its missing fields are reported
    assert [p.message for p in problems if "warcinfo block lacks" not in p.message] == []
    assert [s.record_type for s in summaries] == ["warcinfo", "response"]
    # the record is six times the limit; the limit (before the member is known to be big) and
    # pieces of it are held, never the record
    assert peak < 2 * gzipmembers.MEMORY_LIMIT + 2 * MIB, peak
    bad_problems, _ = validate_warc_file(bad, expect_name=False)
    assert [p.rule for p in bad_problems if "warcinfo block lacks" not in p.message] == ["W-DIG-2"]


def test_a_streamed_head_longer_than_the_limit_is_named() -> None:
    scan = BlockScan(["sha1"], http=True)
    for _ in range(3):
        scan.feed(b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * MIB)
    scan.close()
    assert scan.head is None and scan.head_too_long and scan.length > 3 * MIB


# a crawl of one page with a big video, streamed to the WARC by the crawl itself -------------
def _damage_body(warc: Path) -> int:
    """Change one byte inside the big record's body and gzip that member again: the file is
    whole, only the record's digests no longer match. Returns the member's offset."""
    data = warc.read_bytes()
    pos, out = 0, bytearray()
    while pos < len(data):
        inflater = zlib.decompressobj(31)
        plain = inflater.decompress(data[pos:])
        end = len(data) - len(inflater.unused_data)
        if len(plain) > BIG_VIDEO_MB * MIB:
            offset = pos
            middle = len(plain) // 2
            plain = plain[:middle] + bytes([plain[middle] ^ 1]) + plain[middle + 1 :]
            out += gzip_member(plain, 1)
        else:
            out += data[pos:end]
        pos = end
    warc.write_bytes(bytes(out))
    return offset


@pytest.mark.slow
def test_verify_reads_a_crawled_big_record_in_bounded_memory(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    with ServedSite(f"{ROOT}/tests/bigvideosite.py:ROUTES") as site:
        result = archive_cli(
            archive, site.url("/video.html"), "--no-extract", "-s", "DOWNLOAD_TIMEOUT=60", timeout=180
        )
    assert result.returncode == 0, result.stderr
    [warc] = warc_files(archive)
    assert warc.stat().st_size > MIB  # the video is in it
    run = run_measured("verify", "--archive", archive)
    assert run.result.returncode == 0, run.result.stdout + run.result.stderr
    assert run.peak_mb < 150, run.peak_mb  # the record is 128 MiB
    offset = _damage_body(warc)
    run = run_measured("verify", "--archive", archive)
    assert run.result.returncode == 1
    assert f"{warc.name}@{offset}: W-DIG-1:" in run.result.stdout + run.result.stderr
    assert "W-DIG-2" in run.result.stdout + run.result.stderr
    assert run.peak_mb < 150, run.peak_mb
