"""The rotating writer: names, `.open` while writing, rollover, disk errors, recovery of cut files."""

from __future__ import annotations

import errno
import re
import subprocess
from pathlib import Path

import pytest

from archive_store.crawl.recovery import recover_open_files
from archive_store.evidence.fixity import CustodyLog, Manifest
from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.warc.members import BrokenMember, iter_members, iter_records
from archive_store.warc.recordbuilder import request_record, response_record, warc_date
from archive_store.warc.writer import ArchiveWriteError, RotatingWarcWriter

NAME = re.compile(r"^sk-\d{17}-\d{5}-[A-Za-z0-9.-]+\.warc\.gz$")


def make_writer(directory: Path, max_size: int = 10_000_000, **kwargs) -> RotatingWarcWriter:
    return RotatingWarcWriter(
        directory,
        prefix="sk",
        max_size=max_size,
        warcinfo_fields=lambda name, serial: [("filename", name)],
        **kwargs,
    )


def pair(n: int, size: int = 100):
    body = (b"%06d" % n) * (size // 6)
    block = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    date = warc_date()
    response = response_record(f"http://example.org/{n}", date, block, body, "127.0.0.1")
    request = request_record(
        f"http://example.org/{n}",
        date,
        b"GET /%d HTTP/1.1\r\n\r\n" % n,
        "127.0.0.1",
        response.record_id,
    )
    return [request, response]


def test_files_are_open_while_written_then_renamed_with_the_standard_name(tmp_path):
    opened, closed = [], []
    writer = make_writer(tmp_path, on_open=opened.append, on_close=closed.append)
    written = writer.write_group(pair(1))
    assert [p.name for p in tmp_path.iterdir()] == [written[0].filename + ".open"]
    writer.close()
    (path,) = tmp_path.iterdir()
    assert NAME.match(path.name) and opened == [path.name] and closed[0].path == path
    records = list(iter_records(path))
    assert [r.record_type for r in records] == ["warcinfo", "request", "response"]
    assert records[1].get("WARC-Warcinfo-ID") == records[0].record_id
    assert [(r.offset, r.length) for r in records[1:]] == [(w.offset, w.length) for w in written]
    subprocess.run(["gzip", "-t", str(path)], check=True)


def test_rollover_at_the_size_limit_keeps_pairs_together(tmp_path):
    writer = make_writer(tmp_path, max_size=3000)
    for n in range(20):
        writer.write_group(pair(n, size=600))
    writer.close()
    files = sorted(tmp_path.iterdir())
    assert len(files) > 3
    serials = [int(p.name.split("-")[2]) for p in files]
    assert serials == list(range(len(files)))
    for path in files:
        types = [r.record_type for r in iter_records(path)]
        assert types[0] == "warcinfo" and types.count("request") == types.count("response")


class FullDisk:
    """A file whose writes fail half-way, like a disk that fills up during a record."""

    def __init__(self, handle):
        self._handle = handle

    def write(self, data: bytes) -> int:
        self._handle.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name):
        return getattr(self._handle, name)


def test_a_failed_write_is_cut_back_and_reported_as_disk_full(tmp_path):
    writer = make_writer(tmp_path)
    writer.write_group(pair(1))
    size = (tmp_path / (writer.current_filename + ".open")).stat().st_size
    writer._handle = FullDisk(writer._handle)
    with pytest.raises(ArchiveWriteError, match="disk full"):
        writer.write_group(pair(2))
    writer._handle = writer._handle._handle
    path = tmp_path / (writer.current_filename + ".open")
    assert path.stat().st_size == size
    assert len(list(iter_members(path))) == 3  # warcinfo + the first pair, nothing half-written


def test_recovery_cuts_a_killed_file_back_to_its_last_whole_record(tmp_path):
    warcs = tmp_path / "warcs"
    writer = make_writer(warcs)
    writer.write_group(pair(1))
    writer.write_group(pair(2))
    name = writer.current_filename
    open_path = warcs / (name + ".open")
    whole = open_path.stat().st_size
    writer._handle.write(b"\x1f\x8b\x08\x00garbage of a record cut by SIGKILL")
    writer._handle.flush()
    writer._handle = None  # the process "dies": the file stays .open
    with pytest.raises(BrokenMember):
        list(iter_members(open_path))

    index = ArchiveIndex(default_db_url(tmp_path))
    manifest, custody = Manifest(tmp_path / "m.txt"), CustodyLog(tmp_path / "c.jsonl")
    (recovered,) = recover_open_files(warcs, index, manifest, custody)
    final = warcs / name
    assert not open_path.exists() and final.stat().st_size == whole
    assert recovered.records == 5 and recovered.reindexed == 2 and recovered.bytes_cut > 0
    subprocess.run(["gzip", "-t", str(final)], check=True)
    assert f"warcs/{name}" in manifest.entries()
    assert {c.url for c in index.all_captures()} == {"http://example.org/1", "http://example.org/2"}


def test_recovery_drops_a_file_with_no_whole_record(tmp_path):
    warcs = tmp_path / "warcs"
    warcs.mkdir()
    (warcs / "sk-20260101000000000-00000-h.warc.gz.open").write_bytes(b"\x1f\x8b\x08")
    index = ArchiveIndex(default_db_url(tmp_path))
    assert recover_open_files(warcs, index, Manifest(tmp_path / "m"), CustodyLog(tmp_path / "c")) == []
    assert list(warcs.iterdir()) == []


def test_the_writer_never_overwrites_an_existing_file(tmp_path):
    writer = make_writer(tmp_path)
    writer.write_group(pair(1))
    name = writer.current_filename
    (tmp_path / name).write_bytes(b"an archived file that must survive")
    with pytest.raises(FileExistsError):
        writer.close()
    assert (tmp_path / name).read_bytes() == b"an archived file that must survive"
