"""`import` of hostile files (issue 24): bounded in memory, all-or-nothing per file, honest about
what it skipped and why, and the archive `verify`s after every case."""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

import pytest
from archive_helpers import cli_here
from hostile_files import (
    MIB,
    big_response_chunks,
    corrupt_member,
    not_warcs,
    run_measured,
    write_big_record,
    write_duplicate_wacz,
    write_pages,
    write_zip_bomb_wacz,
)

pytestmark = pytest.mark.slow  # every test here runs sourcekeeper in a subprocess

# the import command's own footprint (Python, SQLAlchemy, the extractors) is ~70-90 MB; reading
# any of these files whole would add at least the record's size on top
PEAK_MB = 160


def _verify(archive: Path) -> None:
    result = cli_here("verify", "--archive", archive)
    assert result.returncode == 0, result.stderr + result.stdout


def _nothing_kept(archive: Path) -> None:
    """No WARC, temporary copy or spool in warcs/, no manifest line, no CDXJ, no capture row."""
    warcs = archive / "warcs"
    assert not list(warcs.iterdir()) if warcs.exists() else True
    manifest = archive / "manifest-sha256.txt"
    assert not manifest.exists() or "imported-" not in manifest.read_text()
    assert not list((archive / "indexes").glob("*.cdxj")) if (archive / "indexes").exists() else True
    with sqlite3.connect(archive / "index.sqlite3") as db:
        assert db.execute("select count(*) from captures").fetchone() == (0,)
        assert db.execute("select count(*) from warc_files").fetchone() == (0,)


def test_a_gzip_bomb_record_is_refused_whole_in_bounded_memory(tmp_path):
    """A 2 MB file whose second member inflates to 512 MiB: refused at its offset, nothing kept."""
    bomb = write_big_record(tmp_path / "bomb.warc.gz", 512 * MIB, entropy=False)
    archive = tmp_path / "archive"
    run = run_measured("import", "--archive", archive, bomb)
    assert run.result.returncode == 1, run.result.stderr
    offset = member_offsets_first_two(bomb)[1]
    assert f"gzip member at offset {offset} inflates more than 200 times" in run.result.stderr
    assert run.peak_mb < PEAK_MB, run.peak_mb
    _nothing_kept(archive)
    _verify(archive)
    # with the ratio check off, the record limit stops it just as early
    run = run_measured(
        "import",
        "--archive",
        archive,
        bomb,
        "-s",
        "ARCHIVE_IMPORT_MAX_RATIO=0",
        "-s",
        f"ARCHIVE_IMPORT_MAX_RECORD_SIZE={32 * MIB}",
    )
    assert run.result.returncode == 1
    assert f"inflates to more than {32 * MIB} bytes (ARCHIVE_IMPORT_MAX_RECORD_SIZE)" in run.result.stderr
    assert run.peak_mb < PEAK_MB, run.peak_mb
    _nothing_kept(archive)


def member_offsets_first_two(path: Path) -> list[int]:
    """The offsets of the first two members (the second is the bomb: never inflated whole here)."""
    with path.open("rb") as handle:
        head = handle.read(64 * 1024)
    inflater = zlib.decompressobj(31)
    inflater.decompress(head)
    return [0, len(head) - len(inflater.unused_data)]


def test_a_zip_bomb_wacz_is_refused_before_anything_is_written(tmp_path):
    wacz = write_zip_bomb_wacz(tmp_path / "bomb.wacz", 512 * MIB)
    assert wacz.stat().st_size < 2 * MIB
    archive = tmp_path / "archive"
    run = run_measured("import", "--archive", archive, wacz)
    assert run.result.returncode == 1
    assert "archive/data.warc.gz inflates" in run.result.stderr
    assert "decompression bomb" in run.result.stderr
    assert run.peak_mb < PEAK_MB, run.peak_mb
    _nothing_kept(archive)
    _verify(archive)


def test_a_corrupt_member_in_the_middle_is_skipped_and_named_and_the_rest_imported(tmp_path):
    warc, offset = corrupt_member(tmp_path / "damaged.warc.gz", 21, 5)
    archive = tmp_path / "archive"
    run = run_measured("import", "--archive", archive, "--json", warc)
    assert run.result.returncode == 0, run.result.stderr
    [summary] = [json.loads(line) for line in run.result.stdout.splitlines()]
    assert summary["counts"]["indexed/response"] == 20
    assert summary["counts"]["odd/damaged_bytes_skipped"] == 1
    [problem] = summary["problems"]
    assert f"@{offset}: corrupt gzip member" in problem and "the records after them imported" in problem
    stored = archive / "warcs" / summary["stored_as"][0]
    assert stored.read_bytes() == warc.read_bytes()  # kept as it came, damage and all
    shown = cli_here("show", "--archive", archive, "--json", "http://hostile.example.org/notice/20.html")
    assert shown.returncode == 0 and json.loads(shown.stdout)["title"] == "通知第20号"
    missing = cli_here("show", "--archive", archive, "--json", "http://hostile.example.org/notice/5.html")
    assert missing.returncode == 1
    _verify(archive)


def test_files_that_are_not_warcs_are_refused_and_leave_nothing(tmp_path):
    archive = tmp_path / "archive"
    for name, path in not_warcs(tmp_path).items():
        run = run_measured("import", "--archive", archive, path)
        assert run.result.returncode == 1, name
        assert "not a WARC file" in run.result.stderr, (name, run.result.stderr)
        assert "at offset 0" in run.result.stderr, name
        _nothing_kept(archive)
    _verify(archive)


def test_the_same_warc_under_several_names_in_a_wacz_is_stored_once(tmp_path):
    warc = write_pages(tmp_path / "pages.warc.gz", 5)
    names = ["a.warc.gz", "copy-1.warc.gz", "copy-2.warc.gz", "sub-dir-copy.warc.gz"]
    wacz = write_duplicate_wacz(tmp_path / "dup.wacz", warc, names)
    archive = tmp_path / "archive"
    run = run_measured("import", "--archive", archive, "--json", wacz)
    assert run.result.returncode == 0, run.result.stderr
    [summary] = [json.loads(line) for line in run.result.stdout.splitlines()]
    assert summary["counts"]["skipped/duplicate_warc"] == 3
    assert summary["counts"]["indexed/response"] == 5
    [stored] = summary["stored_as"]
    assert [p.name for p in (archive / "warcs").iterdir()] == [stored]
    assert (archive / "warcs" / stored).read_bytes() == warc.read_bytes()
    # and the same bytes given again on their own add nothing
    run = run_measured("import", "--archive", archive, "--json", warc)
    [again] = [json.loads(line) for line in run.result.stdout.splitlines()]
    assert again["counts"] == {"skipped/warc_already_stored": 1} and again["stored_as"] == [stored]
    assert [p.name for p in (archive / "warcs").iterdir()] == [stored]
    _verify(archive)


def test_a_file_that_fails_mid_import_is_rolled_back_completely(tmp_path):
    """The index refuses the extracted pages after the captures were committed (as a full disk
    would): the file, its CDXJ, its captures and origins all go, and no manifest line is written."""
    archive = tmp_path / "archive"
    first = write_pages(tmp_path / "first.warc.gz", 3)
    assert run_measured("import", "--archive", archive, first).result.returncode == 0
    manifest_before = (archive / "manifest-sha256.txt").read_text()
    files_before = sorted(p.name for p in (archive / "warcs").iterdir())
    cdxj_before = sorted(p.name for p in (archive / "indexes").iterdir())
    with sqlite3.connect(archive / "index.sqlite3") as db:
        rows_before = db.execute("select count(*) from captures").fetchone()
        db.execute(
            "create trigger refuse_pages before insert on pages "
            "begin select raise(abort, 'database or disk is full'); end"
        )
    second = write_pages(tmp_path / "second.warc.gz", 30)
    run = run_measured("import", "--archive", archive, second)
    assert run.result.returncode == 1
    assert "nothing of the file was kept" in run.result.stderr
    assert "Error" not in run.result.stderr.split("(")[0]  # plain words before any detail
    assert (archive / "manifest-sha256.txt").read_text() == manifest_before
    assert sorted(p.name for p in (archive / "warcs").iterdir()) == files_before
    assert sorted(p.name for p in (archive / "indexes").iterdir()) == cdxj_before
    with sqlite3.connect(archive / "index.sqlite3") as db:
        assert db.execute("select count(*) from captures").fetchone() == rows_before
        assert db.execute("select count(*) from capture_origins").fetchone() == rows_before
        assert db.execute("select count(*) from warc_files").fetchone() == (1,)
        db.execute("drop trigger refuse_pages")
    _verify(archive)
    run = run_measured("import", "--archive", archive, "--json", second)
    assert run.result.returncode == 0, run.result.stderr
    assert json.loads(run.result.stdout)["counts"]["extract/pages"] == 30
    _verify(archive)


def test_a_big_honest_record_imports_in_bounded_memory(tmp_path):
    """A 96 MiB response (random bytes, stored uncompressed in its gzip member) is imported with
    the import's usual footprint, indexed with its payload digest, and verifies."""
    big = write_big_record(tmp_path / "big.warc.gz", 96 * MIB, level=0)
    archive = tmp_path / "archive"
    run = run_measured("import", "--archive", archive, "--json", big)
    assert run.result.returncode == 0, run.result.stderr
    summary = json.loads(run.result.stdout)
    assert summary["counts"]["indexed/response"] == 3
    assert summary["counts"]["skipped/too_big_to_extract"] == 1
    assert run.peak_mb < PEAK_MB, run.peak_mb
    shown = cli_here("show", "--archive", archive, "--json", "http://hostile.example.org/big.mp4")
    assert json.loads(shown.stdout)["http_status"] == 200
    _verify(archive)


def test_a_big_record_streams_through_verify_show_raw_and_export(tmp_path):
    """Each command reads the 96 MiB record in pieces: its peak stays near its own footprint
    (export wacz loads jieba's dictionary for pages.jsonl: ~170 MB without any big record)."""
    big = write_big_record(tmp_path / "big.warc.gz", 96 * MIB, level=0)
    archive = tmp_path / "archive"
    assert run_measured("import", "--archive", archive, "--no-extract", big).result.returncode == 0
    package = tmp_path / "out.wacz"
    url = "http://hostile.example.org/big.mp4"
    for args, bound in (
        (("verify",), PEAK_MB),
        (("show", "--raw", url), PEAK_MB),
        (("export", "wacz", package), 250),
        (("export", "check", package), PEAK_MB),
    ):
        run = run_measured(*args, "--archive", archive)
        assert run.result.returncode == 0, (args, run.result.stderr)
        assert run.peak_mb < bound, (args, run.peak_mb)
        if args[0] == "show":
            body = run.result.stdout_bytes
            assert len(body) > 96 * MIB and body.startswith(b"HTTP/1.1 200 OK\r\n")
            _, pieces = big_response_chunks(96 * MIB)
            assert body.endswith(b"".join(pieces)[-1024 - 4 : -4])  # the body as written
