"""Upload closed WARCs to S3: multipart, SHA-256 checked after upload, retried, indexed, custody-logged.

One upload at a time per process, in a background thread (a 1 GB file must not stall the crawl or
the frontier heartbeat); the process waits for queued uploads before it exits. A file whose upload
still fails after ARCHIVE_S3_RETRIES is left local and unlocated in the index: `upload_pending()`
(run by every worker start and end) finds it again. Nothing is ever overwritten: an object already
at the key with other content is reported as a conflict and left alone.

The check after upload (ARCHIVE_S3_VERIFY):
- "checksum": the upload sends SHA-256 checksums (the server checks every part as it arrives) and
  the object's stored ChecksumSHA256 is compared with the one computed here from the local file
  (the whole-file SHA-256, or for multipart the SHA-256 of the parts' SHA-256s, "-N"); a server that
  reports no checksum falls back to "download";
- "download": the object is read back whole and its SHA-256 compared with the local file's.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from archive_store.evidence.fixity import CustodyLog
from archive_store.hooks import FileClosedContext, SettingsReader
from archive_store.index.cdxj import fill_missing_cdxj
from archive_store.index.database import ArchiveIndex
from archive_store.index.schema import WarcFile
from archive_store.layout import CUSTODY_NAME, WARCS_DIR
from archive_store.storage.remote import StoreURI, s3_client
from archive_store.storage.sidecars import SidecarConflict, upload_sidecars
from archive_store.warc.writer import file_sha256

if TYPE_CHECKING:
    from archive_store.warc.writer import ClosedFile

logger = logging.getLogger(__name__)
MAX_RETRY_DELAY = 60.0
_executor: ThreadPoolExecutor | None = None
_pending: list[Future[UploadResult]] = []
_lock = threading.Lock()


class UploadMismatch(Exception):
    """The stored object is not the local file (checksum differs)."""


@dataclass(frozen=True)
class UploadJob:
    path: Path
    filename: str
    sha256: str
    store: StoreURI
    endpoint: str | None
    db_url: str
    custody_path: Path
    part_bytes: int
    retries: int
    retry_delay: float
    verify: str

    @classmethod
    def for_file(
        cls, settings: SettingsReader, archive_dir: Path, closed: ClosedFile, db_url: str
    ) -> UploadJob:
        return cls.from_settings(settings, archive_dir, closed.path, closed.sha256, db_url)

    @classmethod
    def from_settings(
        cls, settings: SettingsReader, archive_dir: Path, path: Path, sha256: str, db_url: str
    ) -> UploadJob:
        return cls(
            path=path,
            filename=path.name,
            sha256=sha256,
            store=StoreURI.parse(settings.get("ARCHIVE_STORE_URI")),
            endpoint=settings.get("ARCHIVE_S3_ENDPOINT") or None,
            db_url=db_url,
            custody_path=archive_dir / CUSTODY_NAME,
            part_bytes=max(5, settings.getint("ARCHIVE_S3_PART_MB")) << 20,
            retries=max(1, settings.getint("ARCHIVE_S3_RETRIES")),
            retry_delay=settings.getfloat("ARCHIVE_S3_RETRY_DELAY"),
            verify=settings.get("ARCHIVE_S3_VERIFY") or "checksum",
        )


@dataclass(frozen=True)
class UploadResult:
    filename: str
    location: str | None
    error: str | None = None
    attempts: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None


# the queue ---------------------------------------------------------------------------------------
def submit(job: UploadJob) -> Future[UploadResult]:
    global _executor  # noqa: PLW0603 (one upload thread per process, made on first use)
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(1, thread_name_prefix="warc-upload")
        future = _executor.submit(run_upload, job)
        _pending.append(future)
    return future


def wait_for_uploads() -> list[UploadResult]:
    """Block until every queued upload has ended; their results, oldest first."""
    with _lock:
        futures = list(_pending)
        _pending.clear()
    return [future.result() for future in futures]


# one upload --------------------------------------------------------------------------------------
def run_upload(job: UploadJob, on_retry: Callable[[int, Exception], None] | None = None) -> UploadResult:
    """Upload, check, record; retried with doubling delays while S3 is unreachable or failing."""
    location = job.store.location_of(job.filename)
    for attempt in range(1, job.retries + 1):
        try:
            verified_by = _upload_and_check(job)
            sidecars = _upload_sidecars(job)
        except (UploadMismatch, SidecarConflict) as exc:
            return _failed(job, location, f"conflict: {exc}", attempt)
        except Exception as exc:  # botocore/S3/network errors: all worth another try
            if attempt == job.retries:
                return _failed(job, location, f"{type(exc).__name__}: {exc}", attempt)
            delay = min(job.retry_delay * 2 ** (attempt - 1), MAX_RETRY_DELAY)
            logger.warning(
                "upload of %s to %s failed (attempt %d of %d: %s); retrying in %.1fs",
                job.filename, location, attempt, job.retries, exc, delay,
            )  # fmt: skip
            if on_retry is not None:
                on_retry(attempt, exc)
            time.sleep(delay)
            continue
        _record(job, location, verified_by, attempt, sidecars)
        return UploadResult(job.filename, location, None, attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def _upload_and_check(job: UploadJob) -> str:
    client = s3_client(job.endpoint)
    key = job.store.key_for(job.filename)
    existing = _head(client, job.store.bucket, key)
    if existing is None:
        _put(client, job, key)
        existing = _head(client, job.store.bucket, key)
        if existing is None:
            raise RuntimeError("the object is not there after the upload")
        fresh = True
    else:
        fresh = False
    try:
        return _check(client, job, key, existing)
    except UploadMismatch:
        if fresh:  # our own upload arrived damaged: not evidence, send it again
            raise RuntimeError("checksum differs after upload") from None
        raise


def _put(client: Any, job: UploadJob, key: str) -> None:
    from boto3.s3.transfer import TransferConfig  # noqa: PLC0415

    # parts go one after the other in this thread: s3transfer's own thread pool refuses work once
    # the interpreter is shutting down, which is when a plain `archive` run's last upload happens
    config = TransferConfig(
        multipart_threshold=job.part_bytes, multipart_chunksize=job.part_bytes, use_threads=False
    )
    extra = {"ChecksumAlgorithm": "SHA256", "Metadata": {"sha256": job.sha256}}
    client.upload_file(str(job.path), job.store.bucket, key, ExtraArgs=extra, Config=config)


def _head(client: Any, bucket: str, key: str) -> dict[str, Any] | None:
    from botocore.exceptions import ClientError  # noqa: PLC0415

    try:
        return dict(client.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED"))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def _check(client: Any, job: UploadJob, key: str, head: dict[str, Any]) -> str:
    """Raise UploadMismatch unless the stored object is the local file; say how it was checked."""
    size = job.path.stat().st_size
    if int(head.get("ContentLength", -1)) != size:
        raise UploadMismatch(f"{key}: {head.get('ContentLength')} bytes stored, {size} local")
    stored = head.get("ChecksumSHA256")
    if job.verify != "download" and stored:
        expected = expected_checksum(job.path, job.sha256, job.part_bytes, "-" in stored)
        if stored != expected:
            raise UploadMismatch(f"{key}: stored ChecksumSHA256 {stored}, local {expected}")
        return "checksum-sha256"
    body = client.get_object(Bucket=job.store.bucket, Key=key)["Body"]
    digest = hashlib.sha256()
    for block in iter(lambda: body.read(8 << 20), b""):
        digest.update(block)
    if digest.hexdigest() != job.sha256:
        raise UploadMismatch(f"{key}: SHA-256 read back {digest.hexdigest()}, local {job.sha256}")
    return "download-sha256"


def expected_checksum(path: Path, sha256_hex: str, part_bytes: int, multipart: bool) -> str:
    """S3's ChecksumSHA256 for this file: whole-object, or composite over the upload's parts."""
    if not multipart:
        return base64.b64encode(bytes.fromhex(sha256_hex)).decode()
    from s3transfer.utils import ChunksizeAdjuster  # noqa: PLC0415 (the part size boto3 used)

    size = path.stat().st_size
    part = ChunksizeAdjuster().adjust_chunksize(part_bytes, size)
    parts = []
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(part), b""):
            parts.append(hashlib.sha256(block).digest())
    combined = base64.b64encode(hashlib.sha256(b"".join(parts)).digest()).decode()
    return f"{combined}-{len(parts)}"


def _upload_sidecars(job: UploadJob) -> list[str]:
    """The WARC's CDXJ and RFC 3161 tokens go beside it (sidecars), after it is checked."""
    root = job.custody_path.parent
    keys = upload_sidecars(
        s3_client(job.endpoint), job.store.bucket, job.store.key_for(job.filename), root, job.filename
    )
    return [f"s3://{job.store.bucket}/{key}" for key in keys]


def _record(job: UploadJob, location: str, verified_by: str, attempts: int, sidecars: list[str]) -> None:
    index = ArchiveIndex(job.db_url, create=False)
    try:
        with index.session() as s:
            s.execute(update(WarcFile).where(WarcFile.filename == job.filename).values(location=location))
            s.commit()
    finally:
        index.close()
    size = job.path.stat().st_size
    CustodyLog(job.custody_path).record(
        "uploaded",
        file=job.filename,
        location=location,
        bytes=size,
        sha256=job.sha256,
        verified=verified_by,
        attempts=attempts,
        sidecars=sidecars,
    )
    logger.info("uploaded %s to %s (%s, %d attempt(s))", job.filename, location, verified_by, attempts)


def _failed(job: UploadJob, location: str, reason: str, attempts: int) -> UploadResult:
    logger.error("could not upload %s to %s: %s", job.filename, location, reason)
    CustodyLog(job.custody_path).record(
        "upload_failed", file=job.filename, location=location, reason=reason, attempts=attempts
    )
    return UploadResult(job.filename, None, reason, attempts)


# catching up -------------------------------------------------------------------------------------
def upload_pending(settings: SettingsReader, archive_dir: Path, index: ArchiveIndex) -> list[UploadResult]:
    """Upload closed local WARCs the index has no location for (a worker killed before or during
    the upload, a file recovered after a crash, an upload that ran out of retries). Synchronous.
    A file whose SHA-256 no longer matches the index is not uploaded: `verify` reports it."""
    # a file recovered after a crash was closed without the file-closed hooks: its CDXJ must exist
    # before the upload, which stores it beside the WARC (sidecars)
    fill_missing_cdxj(archive_dir)
    with index.session() as s:
        rows = s.execute(
            select(WarcFile.filename, WarcFile.sha256).where(
                WarcFile.status == "closed", WarcFile.location.is_(None)
            )
        ).all()
    results = []
    for filename, sha256 in rows:
        path = archive_dir / WARCS_DIR / filename
        if not path.exists():
            continue  # another worker's file (shared index): that worker uploads it
        if file_sha256(path) != sha256:
            logger.error("%s changed after it was closed; not uploaded (run verify)", filename)
            continue
        job = UploadJob.from_settings(settings, archive_dir, path, sha256, index.db_url)
        results.append(run_upload(job))
    return results


# the file-closed hook ---------------------------------------------------------------------------
def upload_closed_file(context: FileClosedContext, closed: ClosedFile) -> None:
    """ARCHIVE_FILE_CLOSED_HOOKS entry: queue the closed WARC for upload when a store is set
    (ARCHIVE_STORE_URI); does nothing otherwise. Uploads run in a background thread so the crawl
    (and the frontier heartbeat) goes on; the process waits for them before it exits."""
    if not context.settings.get("ARCHIVE_STORE_URI"):
        return
    submit(UploadJob.for_file(context.settings, context.paths.root, closed, context.index.db_url))
