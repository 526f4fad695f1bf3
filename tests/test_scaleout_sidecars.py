# ruff: noqa: F811 (pytest fixtures imported from services and test_tsa are used as arguments)
"""A worker's CDXJ and RFC 3161 tokens go to S3 beside its WARCs: once the worker's disk is gone,
replay, export and verify on another machine find everything in the bucket and the shared index."""

from __future__ import annotations

import json
import shutil
import urllib.request
import zipfile

import pytest
from archive_helpers import archive_cli, run_cli, warc_files
from services import bucket, pg_url, postgres, s3  # noqa: F401
from test_replay import _free_port, start_replay, stop_replay
from test_tsa import local_tsa  # noqa: F401

from archive_store.index.cdxj import cdxj_path
from archive_store.storage.remote import StoreURI

pytestmark = pytest.mark.slow


def test_replay_export_and_verify_need_nothing_from_the_worker(
    tmp_path, mocksite, s3, bucket, pg_url, local_tsa, monkeypatch
):
    worker = tmp_path / "worker"
    store = StoreURI.parse(f"s3://{bucket}/w1")
    url = mocksite.url("/gbk/page.html")
    result = archive_cli(
        worker, "--db", pg_url, "--tsa", local_tsa.url, url,
        "-s", f"ARCHIVE_STORE_URI=s3://{bucket}/w1", "-s", f"ARCHIVE_S3_ENDPOINT={s3.endpoint}",
        "-s", f"ARCHIVE_TSA_CA={local_tsa.ca}", env=s3.env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (warc,) = warc_files(worker)
    cdxj = cdxj_path(worker, warc.name).read_bytes()
    token = warc.with_name(warc.name + ".tsr").read_bytes()
    custody_token = warc.with_name(warc.name + ".custody.tsr").read_bytes()
    uploaded = [
        json.loads(line)
        for line in (worker / "custody.jsonl").read_text("utf-8").splitlines()
        if '"uploaded"' in line
    ]
    key = store.key_for(warc.name)
    assert uploaded[0]["sidecars"] == [
        f"s3://{bucket}/{key}{suffix}" for suffix in (".cdxj", ".tsr", ".custody.tsr")
    ]
    stored = s3.client().get_object(Bucket=bucket, Key=key + ".cdxj")["Body"].read()
    assert stored == cdxj
    shutil.rmtree(worker)  # the worker's disk is gone

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    wacz = tmp_path / "out.wacz"
    exported = run_cli("export", "wacz", wacz, "--archive", elsewhere, "--db", pg_url, env=s3.env)
    assert exported.returncode == 0, exported.stderr
    with zipfile.ZipFile(wacz) as bundle:
        assert f"archive/{warc.name}" in bundle.namelist()
    # the side files came from the bucket, byte for byte (not rebuilt here)
    assert cdxj_path(elsewhere, warc.name).read_bytes() == cdxj
    assert (elsewhere / "s3-cache" / (warc.name + ".tsr")).read_bytes() == token
    assert (elsewhere / "s3-cache" / (warc.name + ".custody.tsr")).read_bytes() == custody_token

    verified = run_cli("verify", "--archive", elsewhere, "--db", pg_url, env=s3.env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    # a token in the bucket that does not match its WARC is named
    (elsewhere / "s3-cache" / (warc.name + ".tsr")).write_bytes(custody_token)
    tampered = run_cli("verify", "--archive", elsewhere, "--db", pg_url, env=s3.env)
    assert tampered.returncode == 1
    assert f"{warc.name}.tsr: RFC 3161 token does not verify" in tampered.stderr + tampered.stdout

    for name, value in s3.env.items():
        monkeypatch.setenv(name, value)  # start_replay hands os.environ to the child
    served = tmp_path / "served"
    served.mkdir()
    server = start_replay(served, _free_port(), tmp_path / "replay.log", "--db", pg_url)
    try:
        answer = server.get(f"/archive/id_/{url}")
        assert answer.status == 200
        with urllib.request.urlopen(url, timeout=10) as live:
            assert answer.read() == live.read()
    finally:
        stop_replay(server)
