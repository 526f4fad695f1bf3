# ruff: noqa: F811 (pytest fixtures imported from services are used as arguments)
"""S3 storage of closed WARCs against a real S3 server (SeaweedFS `weed mini` on 127.0.0.1):
upload with SHA-256 check, multipart, retries while S3 is down, no overwrite, and `show`/`verify`
reading from S3 on a machine that holds only the index."""

from __future__ import annotations

import hashlib
import shutil
import threading
from pathlib import Path

import pytest
from archive_helpers import archive_cli, warc_files
from scrapy.settings import Settings
from services import S3Service, bucket, pg_url, postgres, s3  # noqa: F401

from archive_store.crawl import default_settings
from archive_store.evidence.fixity import CustodyLog
from archive_store.index.database import ArchiveIndex
from archive_store.storage.remote import materialize, split_location, warc_location
from archive_store.storage.uploads import UploadJob, run_upload, upload_pending

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def s3_credentials(s3, monkeypatch):
    """This process talks to S3 too: credentials through the environment, as in production."""
    from archive_store.storage.remote import s3_client

    for name, value in s3.env.items():
        monkeypatch.setenv(name, value)
    s3_client.cache_clear()
    yield
    s3_client.cache_clear()


def store_settings(store: str, endpoint: str, **extra: object) -> Settings:
    settings = Settings()
    default_settings.apply_defaults(settings)
    settings.set("ARCHIVE_STORE_URI", store)
    settings.set("ARCHIVE_S3_ENDPOINT", endpoint)
    settings.set("ARCHIVE_S3_RETRY_DELAY", 0.1)
    for name, value in extra.items():
        settings.set(name, value)
    return settings


@pytest.fixture(scope="module")
def source_archive(tmp_path_factory, mocksite) -> Path:
    """One small archive (SQLite index) made once; each test uploads from its own copy. Its WARC
    holds 6 MiB of incompressible body, so with 5 MiB parts the upload is multipart."""
    archive = tmp_path_factory.mktemp("source") / "archive"
    urls = [mocksite.url("/plain"), mocksite.url("/random?kb=6144&seed=up")]
    result = archive_cli(archive, "--no-extract", *urls)
    assert result.returncode == 0, result.stderr
    return archive


@pytest.fixture
def archive(source_archive, tmp_path) -> Path:
    return Path(shutil.copytree(source_archive, tmp_path / "archive"))


def uploads_in_custody(archive: Path) -> list[dict[str, object]]:
    return [e for e in CustodyLog(archive / "custody.jsonl").events() if e["event"] == "uploaded"]


def stored_sha256(s3: S3Service, location: str) -> str:
    bucket_name, key = split_location(location)
    body = s3.client().get_object(Bucket=bucket_name, Key=key)["Body"].read()
    return hashlib.sha256(body).hexdigest()


@pytest.mark.parametrize("verify", ["checksum", "download"])
def test_closed_warcs_are_uploaded_checked_and_located(archive, s3, bucket, verify):
    settings = store_settings(
        f"s3://{bucket}/crawl", s3.endpoint, ARCHIVE_S3_PART_MB=5, ARCHIVE_S3_VERIFY=verify
    )
    index = ArchiveIndex(f"sqlite:///{archive / 'index.sqlite3'}")
    try:
        results = upload_pending(settings, archive, index)
        assert [r.error for r in results] == [None]
        (warc,) = warc_files(archive)
        location = warc_location(index, warc.name)
    finally:
        index.close()
    assert location == f"s3://{bucket}/crawl/{warc.name}"
    assert stored_sha256(s3, location) == hashlib.sha256(warc.read_bytes()).hexdigest()
    head = s3.client().head_object(Bucket=bucket, Key=f"crawl/{warc.name}")
    assert head["ContentLength"] == warc.stat().st_size > 5 << 20
    (event,) = uploads_in_custody(archive)
    assert event["location"] == location and event["verified"] == f"{verify}-sha256"
    assert warc.exists()  # the local copy is kept


def test_an_upload_retries_while_s3_is_down_and_lands_once(archive, s3, bucket):
    (warc,) = warc_files(archive)
    settings = store_settings(f"s3://{bucket}/p", s3.endpoint, ARCHIVE_S3_RETRIES=60)
    db = f"sqlite:///{archive / 'index.sqlite3'}"
    job = UploadJob.from_settings(settings, archive, warc, hashlib.sha256(warc.read_bytes()).hexdigest(), db)
    failed_once = threading.Event()
    s3.server.stop()
    try:
        outcome = []
        worker = threading.Thread(
            target=lambda: outcome.append(run_upload(job, on_retry=lambda n, exc: failed_once.set()))
        )
        worker.start()
        assert failed_once.wait(60), "the upload never tried while S3 was down"
    finally:
        s3.server.start()
    worker.join(120)
    (result,) = outcome
    assert result.ok and result.attempts > 1
    assert stored_sha256(s3, result.location or "") == job.sha256
    assert len(uploads_in_custody(archive)) == 1
    # a second pass finds nothing left to do: the location is in the index
    index = ArchiveIndex(db, create=False)
    try:
        assert upload_pending(settings, archive, index) == []
    finally:
        index.close()


def test_an_object_already_at_the_key_is_never_overwritten(archive, s3, bucket):
    (warc,) = warc_files(archive)
    s3.client().put_object(Bucket=bucket, Key=f"p/{warc.name}", Body=b"someone else's bytes")
    settings = store_settings(f"s3://{bucket}/p", s3.endpoint)
    index = ArchiveIndex(f"sqlite:///{archive / 'index.sqlite3'}")
    try:
        (result,) = upload_pending(settings, archive, index)
        assert warc_location(index, warc.name) is None
    finally:
        index.close()
    assert result.error and result.error.startswith("conflict")
    body = s3.client().get_object(Bucket=bucket, Key=f"p/{warc.name}")["Body"].read()
    assert body == b"someone else's bytes"
    assert uploads_in_custody(archive) == []


def test_materialize_gives_local_paths_checked_against_the_index(tmp_path, archive, s3, bucket):
    (warc,) = warc_files(archive)
    settings = store_settings(f"s3://{bucket}/m", s3.endpoint)
    index = ArchiveIndex(f"sqlite:///{archive / 'index.sqlite3'}")
    try:
        upload_pending(settings, archive, index)
        assert materialize(archive, [warc.name], index) == [warc]  # the archive's own file
        other = tmp_path / "other"
        (copy,) = materialize(other, [warc.name], index)
    finally:
        index.close()
    assert copy == other / "s3-cache" / warc.name
    assert copy.read_bytes() == warc.read_bytes()
