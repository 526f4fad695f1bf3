"""Large response records are digested and gzipped beside the reactor; the WARC stays the same:
identical payloads fetched at the same moment still become one response and revisits, and every
record names the warcinfo of the file it is in, across file rotations."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from archive_helpers import all_records, archive_cli, warc_files

from archive_store.validate.validator import validate_collection
from archive_store.warc.members import iter_records

pytestmark = pytest.mark.slow  # crawls in subprocesses (see conftest.py)

# below this size exchanges are recorded inline: the mock pages (~60 KB) go to the thread here
ASIDE = ["-s", "ARCHIVE_ASIDE_MIN_SIZE=16384"]
CONCURRENT = ["-s", "CONCURRENT_REQUESTS=8", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "--no-extract", *ASIDE]


def test_identical_large_payloads_fetched_together_are_one_response_and_revisits(mocksite, tmp_path: Path):
    urls = [mocksite.url(f"/big-same/{n}") for n in range(12)]
    # /plain answers at once and opens the WARC; the 12 arrive together 0.3 s later
    result = archive_cli(tmp_path / "archive", mocksite.url("/plain"), *urls, *CONCURRENT)
    assert result.returncode == 0, result.stderr
    records = all_records(tmp_path / "archive")
    big = [r for r in records if "/big-same/" in (r.get("WARC-Target-URI") or "")]
    kinds = Counter(r.record_type for r in big if r.record_type in ("response", "revisit"))
    assert kinds == {"response": 1, "revisit": 11}
    original = next(r for r in big if r.record_type == "response")
    revisits = [r for r in big if r.record_type == "revisit"]
    assert {r.get("WARC-Refers-To") for r in revisits} == {original.get("WARC-Record-ID")}


def test_records_gzipped_ahead_name_the_warcinfo_of_their_own_file(mocksite, tmp_path: Path):
    urls = [mocksite.url(f"/big/{n}") for n in range(30)]
    # ~60 KB pages, files of ~100 KB: the file rotates every few pages while others are in flight
    result = archive_cli(tmp_path / "archive", *urls, *CONCURRENT, "-s", "ARCHIVE_WARC_MAX_SIZE=100000")
    assert result.returncode == 0, result.stderr
    files = warc_files(tmp_path / "archive")
    assert len(files) >= 5
    responses = 0
    for path in files:
        records = list(iter_records(path))
        assert records[0].record_type == "warcinfo"
        info_id = records[0].get("WARC-Record-ID")
        assert all(r.get("WARC-Warcinfo-ID") == info_id for r in records[1:]), path.name
        responses += sum(r.record_type == "response" for r in records)
    assert responses == len(urls)
    assert validate_collection(files) == []


def test_request_records_made_aside_are_redacted_and_paired_with_their_response(mocksite, tmp_path: Path):
    urls = [mocksite.url(f"/big/{n}") for n in range(6)]
    headers = json.dumps({"Authorization": "Bearer top-secret-token", "X-Trace": "kept"})
    result = archive_cli(tmp_path / "archive", *urls, *CONCURRENT, "-s", f"DEFAULT_REQUEST_HEADERS={headers}")
    assert result.returncode == 0, result.stderr
    records = all_records(tmp_path / "archive")
    responses = {r.get("WARC-Record-ID"): r for r in records if r.record_type == "response"}
    requests = [r for r in records if r.record_type == "request"]
    assert len(requests) == len(responses) == len(urls)
    for request in requests:
        assert b"Authorization: [redacted]" in request.block and b"X-Trace: kept" in request.block
        response = responses[request.get("WARC-Concurrent-To")]
        assert response.get("WARC-Target-URI") == request.get("WARC-Target-URI")
        assert response.get("WARC-Date") == request.get("WARC-Date")
    assert b"top-secret-token" not in b"".join(r.block for r in records)
