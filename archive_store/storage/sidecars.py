"""What travels with a WARC to S3: its CDXJ index and its RFC 3161 tokens, stored beside it.

A worker's disk is not evidence storage: once a WARC is uploaded, replay, export and verify on
another machine must find everything about it in the bucket. Each side file is stored at the WARC's
key plus the side file's suffix (`<key>.cdxj`, `<key>.tsr`, `<key>.custody.tsr`), uploaded after the
WARC by the same upload job, read back and compared by SHA-256 (they are small), and never
overwritten: an object already at the key with other bytes is a conflict, as for the WARC.
On the reading side, `fetch_sidecars` brings them to where the local tools look: the CDXJ into
`indexes/` (pywb's index folder), the tokens beside the WARC's checked copy in `s3-cache/`.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive_store.evidence.tsa import CUSTODY_TOKEN_SUFFIX, TOKEN_SUFFIX
from archive_store.index.cdxj import CDXJ_SUFFIX, cdxj_path
from archive_store.layout import S3_CACHE_DIR, WARCS_DIR
from archive_store.storage.remote import (
    is_s3,
    materialize,
    remote_only_files,
    s3_client,
    split_location,
    warc_location,
)

if TYPE_CHECKING:
    from archive_store.index.database import ArchiveIndex

logger = logging.getLogger(__name__)
SUFFIXES = (CDXJ_SUFFIX, TOKEN_SUFFIX, CUSTODY_TOKEN_SUFFIX)


class SidecarConflict(Exception):
    """An object already at a side file's key holds other bytes; it is left alone."""


def local_sidecars(root: Path, filename: str) -> dict[str, Path]:
    """suffix -> local side file of this WARC, for those that exist."""
    found = {CDXJ_SUFFIX: cdxj_path(root, filename)}
    for suffix in (TOKEN_SUFFIX, CUSTODY_TOKEN_SUFFIX):
        found[suffix] = root / WARCS_DIR / (filename + suffix)
    return {suffix: path for suffix, path in found.items() if path.is_file()}


def upload_sidecars(client: Any, bucket: str, warc_key: str, root: Path, filename: str) -> list[str]:
    """Store each side file at `<warc_key><suffix>` and check it; the keys stored (or found equal)."""
    stored = []
    for suffix, path in local_sidecars(root, filename).items():
        data = path.read_bytes()
        key = warc_key + suffix
        existing = _get(client, bucket, key)
        if existing is None:
            digest = hashlib.sha256(data).hexdigest()
            client.put_object(
                Bucket=bucket, Key=key, Body=data, ChecksumAlgorithm="SHA256", Metadata={"sha256": digest}
            )
            existing = _get(client, bucket, key)
            if existing != data:
                raise RuntimeError(f"{key}: the stored side file differs after upload")
        elif existing != data:
            raise SidecarConflict(f"{key}: an object with other bytes is already there")
        stored.append(key)
    return stored


def _get(client: Any, bucket: str, key: str) -> bytes | None:
    from botocore.exceptions import ClientError  # noqa: PLC0415

    try:
        body: bytes = client.get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return body


def fetch_sidecars(root: Path, index: ArchiveIndex, names: list[str]) -> list[Path]:
    """Bring the side files of these S3-held WARCs into the archive folder (written once: a
    file already there is kept); returns the files written."""
    written = []
    for name in names:
        location = warc_location(index, name)
        if not is_s3(location):
            continue
        bucket, key = split_location(str(location))
        for suffix in SUFFIXES:
            target = cdxj_path(root, name) if suffix == CDXJ_SUFFIX else root / S3_CACHE_DIR / (name + suffix)
            if target.exists():
                continue
            data = _get(s3_client(), bucket, key + suffix)
            if data is None:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".part")
            partial.write_bytes(data)
            partial.replace(target)
            written.append(target)
    return written


def fetch_remote_warcs(archive_dir: Path, index: ArchiveIndex) -> list[str]:
    """Bring every WARC that only S3 holds into the local cache (checked), so exports and replay
    can read it like a local file, with its CDXJ and tokens; returns their names."""
    names = remote_only_files(index, archive_dir / WARCS_DIR)
    materialize(archive_dir, names, index)
    fetch_sidecars(archive_dir, index, names)  # their CDXJ and RFC 3161 tokens, stored beside them
    return names
