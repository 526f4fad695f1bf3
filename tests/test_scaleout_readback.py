# ruff: noqa: F811 (pytest fixtures imported from services are used as arguments)
"""`show` and `verify` on a machine that holds only the shared PostgreSQL index: WARC bytes come
from S3 (a range GET for one record, whole files downloaded and checked against the index)."""

from __future__ import annotations

import json

import pytest
from archive_helpers import archive_cli, run_cli, warc_files
from services import bucket, pg_url, postgres, s3  # noqa: F401

from archive_store.storage.remote import StoreURI, split_location
from archive_store.warc.members import iter_records

pytestmark = pytest.mark.slow


def test_show_and_verify_read_from_s3_where_only_the_index_is(tmp_path, mocksite, s3, bucket, pg_url):
    archive = tmp_path / "worker"
    store = f"s3://{bucket}/w1"
    settings_args = ["-s", f"ARCHIVE_STORE_URI={store}", "-s", f"ARCHIVE_S3_ENDPOINT={s3.endpoint}"]
    result = archive_cli(archive, "--db", pg_url, *settings_args, mocksite.url("/gbk/page.html"), env=s3.env)
    assert result.returncode == 0, result.stderr
    (warc,) = warc_files(archive)
    # another machine: an empty folder, the shared index, S3 credentials in the environment
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    url = mocksite.url("/gbk/page.html")
    raw = run_cli("show", url, "--raw", "--archive", elsewhere, "--db", pg_url, env=s3.env)
    assert raw.returncode == 0, raw.stderr
    response = next(r for r in iter_records(warc) if r.record_type == "response")
    assert raw.stdout_bytes == response.block
    shown = run_cli("show", url, "--json", "--archive", elsewhere, "--db", pg_url, env=s3.env)
    assert json.loads(shown.stdout)["warc_file"] == warc.name
    verified = run_cli("verify", "--archive", elsewhere, "--db", pg_url, env=s3.env)
    assert verified.returncode == 0, verified.stderr
    assert "1 WARC files" in verified.stderr
    # the stored copy changes behind our back: verify names it
    bucket_name, key = split_location(StoreURI.parse(store).location_of(warc.name))
    s3.client().put_object(Bucket=bucket_name, Key=key, Body=warc.read_bytes()[:-10] + b"0123456789")
    (elsewhere / "s3-cache" / warc.name).unlink()
    tampered = run_cli("verify", "--archive", elsewhere, "--db", pg_url, env=s3.env)
    assert tampered.returncode == 1
    assert f"warcs/{warc.name}" in tampered.stderr and "differs from the index" in tampered.stderr
