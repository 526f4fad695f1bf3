"""End to end: one crawl of the mock site's awkward cases, then the WARC bytes are checked."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from archive_helpers import (
    CliResult,
    all_records,
    archive_cli,
    names_failure,
    records_for,
    run_cli,
    warc_files,
)

from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.validate.validator import validate_collection
from archive_store.warc.httpmessage import parse_response
from archive_store.warc.members import iter_records
from archive_store.warc.record import StoredRecord
from sourcekeeper.demo.rawsite import ServedSite

pytestmark = pytest.mark.slow  # crawls in subprocesses (see conftest.py)

EXACT = [
    "/plain",
    "/chunked",
    "/gzip",
    "/deflate",
    "/headers/repeated",
    "/headers/raw-utf8",
    "/headers/raw-gbk",
    "/attachment/notice.doc",
    "/http10",
    "/query?x=1&y=%E4%B8%AD",
    "/gbk/page.html",
    "/status/404",
    "/status/410",
]
OTHERS = [
    "/gzip-chunked",
    "/same/a",
    "/same/b",
    "/redirect/301",
    "/loop/a",
    "/status/500",
    "/reset-mid-body",
    "/close-mid-body",
    "/stall-before-headers",
    "/stall-mid-body",
    "/huge?mb=3",
    "/huge-chunked?mb=3",
    "/gzip-bomb",
    "/wrong-length/too-long",
    "/wrong-length/too-short",
    "/non-ascii-path/通知.html",
]
BAD_SEEDS = ["ftp://example.org/file.txt", "not a url", "http://", "mailto:someone@example.org"]


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


@pytest.fixture(scope="module")
def crawl(mocksite: ServedSite, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CliResult]:
    archive = tmp_path_factory.mktemp("capture") / "archive"
    seeds = archive.parent / "seeds.txt"
    lines = ["# awkward cases", ""] + [mocksite.url(p) for p in EXACT + OTHERS] + BAD_SEEDS
    seeds.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = archive_cli(
        archive,
        "--seeds",
        seeds,
        "--no-extract",
        "-s",
        "DOWNLOAD_MAXSIZE=1048576",
        "-s",
        "DOWNLOAD_WARNSIZE=0",
    )
    return archive, result


def one_response(archive: Path, url: str) -> StoredRecord:
    records = records_for(archive, url) + records_for(archive, url, "revisit")
    assert records, f"no response record for {url}"
    return records[0]


@pytest.mark.parametrize("path", EXACT)
def test_response_block_is_what_the_server_sent(crawl, mocksite, path):
    archive, _ = crawl
    record = one_response(archive, mocksite.url(path))
    sent = mocksite.sent(path)
    if record.record_type == "revisit":  # several routes share a body: headers only (W-REV-2)
        assert record.block == parse_response(sent).head_bytes
    else:
        assert record.block == sent


@pytest.mark.parametrize("path", ["/chunked", "/query?x=1&y=%E4%B8%AD", "/headers/repeated"])
def test_request_block_is_what_the_server_received(crawl, mocksite, path):
    archive, _ = crawl
    request = records_for(archive, mocksite.url(path), "request")[0]
    assert request.block == mocksite.received(path)
    assert request.block.split(b"\r\n", 1)[0] == b"GET " + path.encode() + b" HTTP/1.1"


def test_request_and_response_are_linked_and_share_the_date(crawl, mocksite):
    archive, _ = crawl
    response = one_response(archive, mocksite.url("/plain"))
    request = records_for(archive, mocksite.url("/plain"), "request")[0]
    assert request.get("WARC-Concurrent-To") == response.record_id
    assert request.get("WARC-Date") == response.get("WARC-Date")
    assert response.get("WARC-IP-Address") == "127.0.0.1"


def test_payload_digest_ignores_chunking_but_keeps_gzip(crawl, mocksite):
    archive, _ = crawl
    plain = one_response(archive, mocksite.url("/gzip"))
    chunked = one_response(archive, mocksite.url("/gzip-chunked"))
    parsed = parse_response(plain.block)
    assert parsed is not None and parsed.payload[:2] == b"\x1f\x8b"  # still gzip (W-DIG-2)
    assert plain.get("WARC-Payload-Digest") == sha1_b32(parsed.payload)
    assert chunked.get("WARC-Payload-Digest") == plain.get("WARC-Payload-Digest")
    assert b"transfer-encoding: chunked" in mocksite.sent("/gzip-chunked").lower()
    # same payload, framed differently: both kept whole, as replay joins a revisit's headers
    # to its original's stored body
    assert plain.record_type == chunked.record_type == "response"


def test_identical_payloads_become_revisits_with_all_refers_to_fields(crawl, mocksite):
    archive, _ = crawl
    a, b = (
        one_response(archive, mocksite.url("/same/a")),
        one_response(archive, mocksite.url("/same/b")),
    )
    revisit, original = (a, b) if a.record_type == "revisit" else (b, a)
    assert revisit.record_type == "revisit" and original.record_type == "response"
    assert revisit.get("WARC-Profile") == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    assert revisit.get("WARC-Refers-To") == original.record_id
    assert revisit.get("WARC-Refers-To-Target-URI") == original.get("WARC-Target-URI")
    assert revisit.get("WARC-Refers-To-Date") == original.get("WARC-Date")
    assert revisit.get("WARC-Payload-Digest") == original.get("WARC-Payload-Digest")
    parsed = parse_response(revisit.block)
    assert parsed is not None and parsed.status == 200 and parsed.body_as_sent == b""


def test_every_redirect_hop_is_its_own_response(crawl, mocksite):
    archive, _ = crawl
    assert parse_response(one_response(archive, mocksite.url("/redirect/301")).block).status == 301
    assert parse_response(one_response(archive, mocksite.url("/redirect/302")).block).status == 302


def test_redirect_loop_is_a_named_failure(crawl, mocksite):
    archive, result = crawl
    assert (
        len(records_for(archive, mocksite.url("/loop/b")))
        + len(records_for(archive, mocksite.url("/loop/b"), "revisit"))
        >= 2
    )
    assert names_failure(result.stderr, mocksite.url("/loop/a"), "redirect loop"), result.stderr


@pytest.mark.parametrize(
    ("path", "truncated"),
    [
        ("/reset-mid-body", "disconnect"),
        ("/close-mid-body", "disconnect"),
        ("/wrong-length/too-long", "disconnect"),
        ("/stall-mid-body", "time"),
        ("/huge?mb=3", "length"),
        ("/huge-chunked?mb=3", "length"),
    ],
)
def test_cut_bodies_are_kept_and_marked_truncated(crawl, mocksite, path, truncated):
    archive, _ = crawl
    record = one_response(archive, mocksite.url(path))
    assert record.get("WARC-Truncated") == truncated
    parsed = parse_response(record.block)
    assert parsed is not None and parsed.status == 200
    sent = mocksite.sent(path) if "huge" not in path else None
    if sent is not None:
        assert sent.startswith(record.block)  # what we kept is a prefix of what was sent
    assert record.get("WARC-Payload-Digest") == sha1_b32(parsed.payload)


def test_wrong_short_content_length_gives_a_consistent_record(crawl, mocksite):
    archive, _ = crawl
    parsed = parse_response(one_response(archive, mocksite.url("/wrong-length/too-short")).block)
    assert parsed is not None and parsed.complete
    assert int(parsed.head.get(b"content-length")) == len(parsed.body_as_sent)
    assert mocksite.sent("/wrong-length/too-short").startswith(parsed.block)


def test_gzip_bomb_is_captured_compressed_and_reported(crawl, mocksite):
    archive, result = crawl
    record = one_response(archive, mocksite.url("/gzip-bomb"))
    assert len(record.block) < 5 * 1024 * 1024
    assert names_failure(result.stderr, mocksite.url("/gzip-bomb")), result.stderr


def test_failures_without_an_answer_are_in_the_index_with_reasons(crawl, mocksite):
    archive, _ = crawl
    assert not records_for(archive, mocksite.url("/stall-before-headers"))
    index = ArchiveIndex(default_db_url(archive), create=False)
    with index.session() as session:
        from archive_store.index.schema import Failure

        rows = session.query(Failure).all()
    reasons = {(r.url, r.kind): r.reason for r in rows}
    assert "timed out" in reasons[(mocksite.url("/stall-before-headers"), "final")]
    assert "attempt" in {r.kind for r in rows if r.url == mocksite.url("/reset-mid-body")}
    for bad in BAD_SEEDS:
        assert any(r.kind == "seed" and bad in r.url for r in rows), bad


def test_bad_seed_lines_are_named_and_the_rest_proceeds(crawl, mocksite):
    archive, result = crawl
    assert result.returncode == 1
    assert "seeds.txt:" in result.stderr and "unsupported scheme 'ftp'" in result.stderr
    assert "no host name" in result.stderr
    assert one_response(archive, mocksite.url("/plain"))


def test_iri_seed_is_stored_percent_encoded(crawl, mocksite):
    archive, _ = crawl
    url = mocksite.url("/non-ascii-path/%E9%80%9A%E7%9F%A5.html")
    record = one_response(archive, url)
    assert parse_response(record.block).status == 200


def test_summary_names_counts_files_and_failures(crawl):
    archive, result = crawl
    assert " captured, " in result.stderr and " revisits, " in result.stderr
    for path in warc_files(archive):
        assert str(path.name) in result.stderr


def _chunked_with_spec_digest(record: StoredRecord) -> bool:
    """A chunked response whose payload digest is over the de-chunked body (W-DIG-2)."""
    parsed = parse_response(record.block)
    return (
        parsed is not None
        and parsed.framing == "chunked"
        and record.get("WARC-Payload-Digest") == sha1_b32(parsed.payload)
        and sha1_b32(parsed.body_as_sent) != sha1_b32(parsed.payload)
    )


def test_every_warc_passes_warcio_gzip_and_our_validator(crawl):
    archive, _ = crawl
    files = warc_files(archive)
    assert files and not list((archive / "warcs").glob("*.open"))
    warcio = str(Path(sys.executable).parent / "warcio")
    for path in files:
        subprocess.run(["gzip", "-t", str(path)], check=True)
        check = subprocess.run(
            [warcio, "check", "-v", str(path)], capture_output=True, text=True, check=False
        )
        failed = [
            int(line.split()[1])
            for line, nxt in zip(check.stdout.splitlines(), check.stdout.splitlines()[1:], strict=False)
            if line.strip().startswith("offset") and "failed" in nxt
        ]
        # `warcio check` hashes chunked bodies with their framing (webrecorder/warcio#74, #75, still
        # open); WARC 1.1 and W-DIG-2 say the payload is the de-chunked body. Only those records
        # may fail it, and only because of that; every other record must pass.
        by_offset = {r.offset: r for r in iter_records(path)}
        assert all(_chunked_with_spec_digest(by_offset[o]) for o in failed), check.stdout
    assert [str(p) for p in validate_collection(files)] == []


def test_verify_passes_on_a_fresh_archive(crawl):
    archive, _ = crawl
    result = run_cli("verify", "--archive", archive)
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stderr


def test_warcinfo_first_in_each_file_and_referenced(crawl):
    archive, _ = crawl
    records = all_records(archive)
    info_ids = {r.record_id for r in records if r.record_type == "warcinfo"}
    for path in warc_files(archive):
        first = next(iter_records(path))
        assert first.record_type == "warcinfo"
        assert b"robots: ignore" in first.block and b"run-id: " in first.block
    assert all(r.get("WARC-Warcinfo-ID") in info_ids for r in records if r.record_type != "warcinfo")
