"""WARC storage beyond the local folder: S3 locations, reading records back, local copies on demand.

Workers write WARCs locally and upload each closed file (`archive_store.storage.uploads`); the index then
records `s3://bucket/prefix/<file>` in `warc_files.location`. Whatever reads WARC bytes goes through
here, so `show`, `verify`, `export` and `replay` work on a machine that holds only the index:

- `read_stored_record()`: one record, from the local file when it is there, else by an S3 range GET;
- `materialize()`: whole files as local paths (downloaded into `<archive>/s3-cache/`, SHA-256 checked
  against the index before use).

Credentials come only from the environment or the standard AWS configuration (boto3's own chain);
the endpoint from the setting ARCHIVE_S3_ENDPOINT or, as boto3 reads it, AWS_ENDPOINT_URL_S3.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from archive_store.index.schema import WarcFile
from archive_store.layout import S3_CACHE_DIR, WARCS_DIR
from archive_store.warc.members import inflate_member, parse_record, read_record
from archive_store.warc.record import StoredRecord
from archive_store.warc.writer import file_sha256

if TYPE_CHECKING:
    from archive_store.index.database import ArchiveIndex

logger = logging.getLogger(__name__)

S3_SCHEME = "s3://"
_DOWNLOAD_BLOCK = 8 << 20


class StoreError(Exception):
    """A store URI or stored object that cannot be used (named in the message)."""


@dataclass(frozen=True)
class StoreURI:
    """`s3://bucket/prefix` (prefix optional): where a worker's closed WARCs go."""

    bucket: str
    prefix: str

    @classmethod
    def parse(cls, uri: str) -> StoreURI:
        if not uri.startswith(S3_SCHEME):
            raise StoreError(f"not an s3:// URI: {uri!r} (expected s3://bucket/prefix)")
        bucket, _, prefix = uri[len(S3_SCHEME) :].partition("/")
        if not bucket:
            raise StoreError(f"no bucket in {uri!r} (expected s3://bucket/prefix)")
        return cls(bucket, prefix.strip("/"))

    def key_for(self, filename: str) -> str:
        return f"{self.prefix}/{filename}" if self.prefix else filename

    def location_of(self, filename: str) -> str:
        return f"{S3_SCHEME}{self.bucket}/{self.key_for(filename)}"


def split_location(location: str) -> tuple[str, str]:
    """`s3://bucket/key` -> (bucket, key)."""
    bucket, _, key = location[len(S3_SCHEME) :].partition("/")
    return bucket, key


def is_s3(location: str | None) -> bool:
    return bool(location) and str(location).startswith(S3_SCHEME)


@cache
def s3_client(endpoint: str | None = None) -> Any:
    """A boto3 S3 client; credentials and (without `endpoint`) the endpoint from boto3's chain."""
    import boto3  # noqa: PLC0415 (only scale-out needs boto3 loaded)
    from botocore.config import Config  # noqa: PLC0415

    config = Config(
        retries={"max_attempts": 3, "mode": "standard"},
        connect_timeout=10,
        read_timeout=120,
        # checksums only where the caller asks (ChecksumAlgorithm=SHA256 on uploads)
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint or None, region_name=region, config=config
    )


# reading ---------------------------------------------------------------------------------------
def warc_location(index: ArchiveIndex, filename: str) -> str | None:
    with index.session() as s:
        return s.scalars(select(WarcFile.location).where(WarcFile.filename == filename)).first()


def read_stored_record(
    index: ArchiveIndex, warc_dir: Path, filename: str, offset: int, length: int
) -> StoredRecord:
    """The record at offset/length: from the local WARC, or by a range GET from its S3 location."""
    local = warc_dir / filename
    location = None if local.exists() else warc_location(index, filename)
    if location is None or not is_s3(location):
        return read_record(local, offset, length)
    bucket, key = split_location(location)
    answer = s3_client().get_object(Bucket=bucket, Key=key, Range=f"bytes={offset}-{offset + length - 1}")
    raw = answer["Body"].read()
    return parse_record(inflate_member(raw, offset, length), offset, length)


def materialize(
    archive_dir: Path, filenames: list[str], index: ArchiveIndex, cache_dir: Path | None = None
) -> list[Path]:
    """Local paths of these WARCs, in order: the archive's own file when present, else a copy
    downloaded from S3 into `<archive>/s3-cache/` and checked against the SHA-256 in the index."""
    cache_dir = cache_dir or archive_dir / S3_CACHE_DIR
    paths = []
    for name in filenames:
        local = archive_dir / WARCS_DIR / name
        paths.append(local if local.exists() else _cached_copy(index, name, cache_dir))
    return paths


def remote_only_files(index: ArchiveIndex, warc_dir: Path) -> list[str]:
    """Closed WARCs the index places in S3 that this archive folder does not hold."""
    with index.session() as s:
        rows = s.execute(
            select(WarcFile.filename, WarcFile.location).where(WarcFile.status == "closed")
        ).all()
    return [name for name, location in rows if is_s3(location) and not (warc_dir / name).exists()]


def _cached_copy(index: ArchiveIndex, filename: str, cache_dir: Path) -> Path:
    with index.session() as s:
        row = s.scalars(select(WarcFile).where(WarcFile.filename == filename)).first()
    if row is None or not is_s3(row.location):
        raise StoreError(f"{WARCS_DIR}/{filename}: not in this archive folder and not stored in S3")
    target = cache_dir / filename
    if target.exists() and file_sha256(target) == row.sha256:
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    bucket, key = split_location(str(row.location))
    digest = _download(bucket, key, partial)
    if row.sha256 and digest != row.sha256:
        partial.unlink()
        raise StoreError(
            f"{row.location}: SHA-256 {digest} differs from the index ({row.sha256}): "
            "the stored copy changed after upload"
        )
    partial.replace(target)
    return target


def _download(bucket: str, key: str, dest: Path) -> str:
    body = s3_client().get_object(Bucket=bucket, Key=key)["Body"]
    digest = hashlib.sha256()
    with dest.open("wb") as handle:
        for block in iter(lambda: body.read(_DOWNLOAD_BLOCK), b""):
            digest.update(block)
            handle.write(block)
    return digest.hexdigest()
