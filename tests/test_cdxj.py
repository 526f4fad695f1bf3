"""C-1: a CDXJ per closed WARC, written as it closes (and after crash recovery), checked by verify."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from archive_helpers import archive_cli, warc_files
from sqlalchemy import update

from archive_store.audit.verify import verify_archive
from archive_store.index.cdxj import (
    cdxj_lines,
    cdxj_lines_from_index,
    cdxj_path,
    fill_missing_cdxj,
    read_cdxj,
    sort_bytewise,
    write_cdxj,
)
from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.index.schema import Capture
from archive_store.warc.members import read_member, read_record

PATHS = ["/redirect/301", "/gbk/page.html", "/gzip", "/same/a", "/same/b"]
LINE = re.compile(r"^(\S+) (\d{14}|\d{17}) (\{.*\})$")
FIELDS = {"url", "digest", "mime", "filename", "offset", "length", "status"}


@pytest.fixture(scope="module")
def crawled(mocksite, tmp_path_factory) -> Path:
    archive = tmp_path_factory.mktemp("cdxj") / "archive"
    result = archive_cli(archive, *(mocksite.url(p) for p in PATHS), "-s", "EXTRACT_PROCESSES=0")
    assert result.returncode == 0, result.stderr
    return archive


def _copy(archive: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(archive, target, ignore=shutil.ignore_patterns(".lock"))
    return target


def _captures_by_file(archive: Path) -> dict[str, dict[int, str]]:
    index = ArchiveIndex(default_db_url(archive), create=False)
    try:
        found: dict[str, dict[int, str]] = {}
        for capture in index.all_captures():
            found.setdefault(capture.warc_file, {})[capture.warc_offset] = capture.url
        return found
    finally:
        index.close()


@pytest.mark.slow
def test_every_closed_warc_has_a_sorted_cdxj_of_whole_members(crawled):
    warcs = warc_files(crawled)
    assert warcs
    captures = _captures_by_file(crawled)
    for warc in warcs:
        lines = cdxj_path(crawled, warc.name).read_text("utf-8").splitlines()
        assert lines == sorted(lines, key=lambda line: line.encode("utf-8")), "C-1: sorted bytewise"
        indexed = {}
        for line in lines:
            match = LINE.match(line)
            assert match, line
            fields = json.loads(match.group(3))
            assert fields.keys() >= FIELDS, fields
            assert fields["filename"] == warc.name
            # reading `length` bytes at `offset` gives one whole gzip member: the record indexed
            offset, length = int(fields["offset"]), int(fields["length"])
            read_member(warc, offset, length)
            record = read_record(warc, offset, length)
            assert record.record_type in ("response", "revisit")
            assert record.get("WARC-Target-URI") == fields["url"]
            indexed[offset] = fields["url"]
        # exactly the index's captures: no metadata records (they share the page's URL and second)
        assert indexed == captures[warc.name]


@pytest.mark.slow
def test_the_revisit_is_indexed_as_a_revisit_with_its_status(crawled):
    entries = [e for w in warc_files(crawled) for e in read_cdxj(cdxj_path(crawled, w.name))]
    by_path = {urlsplit(e.fields["url"]).path: e.fields for e in entries}
    # /same/a and /same/b are fetched concurrently: whichever is written second is the revisit
    same = sorted([by_path["/same/a"], by_path["/same/b"]], key=lambda f: f["mime"])
    assert [f["mime"] for f in same] == ["text/html", "warc/revisit"]
    assert same[0]["digest"] == same[1]["digest"] and same[1]["status"] == "200"
    assert by_path["/redirect/301"]["status"] == "301"


@pytest.mark.slow
def test_a_warc_closed_by_crash_recovery_gets_its_cdxj_at_the_next_start(crawled, mocksite, tmp_path):
    archive = _copy(crawled, tmp_path)
    warc = warc_files(archive)[0]
    cdxj_path(archive, warc.name).unlink()
    warc.rename(warc.with_name(warc.name + ".open"))  # as a killed run leaves it
    result = archive_cli(archive, mocksite.url("/plain"), "--no-extract")
    assert result.returncode == 0, result.stderr
    assert warc.exists() and cdxj_path(archive, warc.name).exists()
    assert all(cdxj_path(archive, w.name).exists() for w in warc_files(archive))
    assert verify_archive(archive).ok


@pytest.mark.slow
def test_verify_names_a_missing_unsorted_or_wrong_cdxj(crawled, tmp_path):
    archive = _copy(crawled, tmp_path)
    warc = warc_files(archive)[0]
    path = cdxj_path(archive, warc.name)
    lines = path.read_text("utf-8").splitlines()

    path.write_text("\n".join(reversed(lines)) + "\n", "utf-8")
    assert any("not sorted" in p and path.name in p for p in verify_archive(archive).problems)

    entry = json.loads(LINE.match(lines[0]).group(3))  # type: ignore[union-attr]
    moved = lines[0].replace(f'"offset": "{entry["offset"]}"', f'"offset": "{int(entry["offset"]) + 1}"')
    path.write_text("\n".join([moved, *lines[1:]]) + "\n", "utf-8")
    problems = verify_archive(archive).problems
    assert any("matches no capture" in p for p in problems), problems
    assert any("missing from the CDXJ" in p for p in problems), problems

    path.unlink()
    problems = verify_archive(archive).problems
    assert any(f"warcs/{warc.name}: no CDXJ index" in p for p in problems), problems


@pytest.mark.slow
def test_fill_missing_writes_only_what_is_missing(crawled, tmp_path):
    archive = _copy(crawled, tmp_path)
    warc = warc_files(archive)[0]
    existing = cdxj_path(archive, warc.name)
    existing.write_text("kept as it is\n", "utf-8")  # never replaced, even when wrong
    assert fill_missing_cdxj(archive) == []
    assert existing.read_text("utf-8") == "kept as it is\n"
    existing.unlink()
    assert fill_missing_cdxj(archive) == [warc.name]
    assert existing.read_text("utf-8") == cdxj_path(crawled, warc.name).read_text("utf-8")


# every awkward response the mock site has: statuses, framings, encodings, charsets, redirects,
# revisits (same payload at two URLs), a truncated body, IRIs, header bytes outside ASCII
AWKWARD = [
    "/plain",
    "/chunked",
    "/gzip",
    "/gzip-chunked",
    "/deflate",
    "/headers/repeated",
    "/headers/raw-utf8",
    "/headers/raw-gbk",
    "/redirect/301",
    "/status/404",
    "/status/410",
    "/status/500",
    "/same/a",
    "/same/b",
    "/http10",
    "/wrong-length/too-short",
    "/close-mid-body",
    "/gbk/page.html",
    "/page-with-attachments",
    "/query?q=%E4%B8%AD&a=1&b=2",
]


@pytest.mark.slow
def test_lines_built_from_the_index_are_the_lines_cdxj_indexer_writes(mocksite, tmp_path):
    """The crawl writes CDXJ from its index rows (no re-reading); they must equal the library's."""
    archive = tmp_path / "archive"
    result = archive_cli(archive, *(mocksite.url(p) for p in AWKWARD), "--no-extract", "-s", "RETRY_TIMES=0")
    assert result.returncode in (0, 1), result.stderr
    index = ArchiveIndex(default_db_url(archive), create=False)
    try:
        for warc in warc_files(archive):
            from_index = cdxj_lines_from_index(index, warc.name)
            assert from_index is not None
            assert from_index == cdxj_lines(warc), warc.name
            assert cdxj_path(archive, warc.name).read_text("utf-8").splitlines() == from_index
            assert len(from_index) >= len(AWKWARD)
    finally:
        index.close()


@pytest.mark.slow
def test_a_row_the_library_might_read_otherwise_falls_back_to_rereading(crawled, tmp_path):
    copy = _copy(crawled, tmp_path)
    name = warc_files(copy)[0].name
    cdxj_path(copy, name).unlink()
    index = ArchiveIndex(default_db_url(copy), create=False)
    try:
        assert cdxj_lines_from_index(index, name) is not None
        captures = index.all_captures()
        response = next(c for c in captures if c.record_type == "response" and c.warc_file == name)
        with index.engine.begin() as conn:  # header bytes outside ASCII: warcio decodes them its own way
            conn.execute(update(Capture).where(Capture.id == response.id).values(content_type="text/html 中"))
        assert cdxj_lines_from_index(index, name) is None
        write_cdxj(copy, name, index)
    finally:
        index.close()
    assert cdxj_path(copy, name).read_text("utf-8").splitlines() == cdxj_lines(copy / "warcs" / name)


@pytest.mark.parametrize(
    "lines",
    [
        ["com,example)/b 2020", "com,example)/B 2020", "", "com,example)/a 2021", "  "],
        ["cn,gov)/通报 2020", "cn,gov)/z 2020", "cn,gov)/\u00e9 2020", "cn,gov)/Z 2020"],
    ],
    ids=["ascii", "non-ascii"],
)
def test_lines_sort_in_the_order_of_their_utf8_bytes_and_blank_lines_go(lines: list[str]) -> None:
    expected = [line.encode("utf-8") for line in lines if line.strip()]
    expected.sort()
    assert [line.encode("utf-8") for line in sort_bytewise(lines)] == expected
