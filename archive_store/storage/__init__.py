"""Where the bytes live beyond the local folder: S3 locations and reading records back from
them (remote), verified multipart uploads and the upload file-closed hook (uploads), and loading a
capture's stored HTTP message from its WARC wherever it is (reader).

May import: `archive_store.evidence`, `archive_store.index` and the rooms below them.

The names below are its public face (loaded on first use, so importing one room does not
load them all); every other name is private to the package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archive_store.storage.reader import decode_content as decode_content
    from archive_store.storage.reader import load_capture as load_capture
    from archive_store.storage.remote import StoreError as StoreError
    from archive_store.storage.remote import StoreURI as StoreURI
    from archive_store.storage.remote import fetch_remote_warcs as fetch_remote_warcs
    from archive_store.storage.remote import materialize as materialize
    from archive_store.storage.remote import remote_only_files as remote_only_files
    from archive_store.storage.remote import s3_client as s3_client
    from archive_store.storage.remote import split_location as split_location
    from archive_store.storage.remote import warc_location as warc_location
    from archive_store.storage.uploads import UploadJob as UploadJob
    from archive_store.storage.uploads import UploadResult as UploadResult
    from archive_store.storage.uploads import run_upload as run_upload
    from archive_store.storage.uploads import upload_pending as upload_pending
    from archive_store.storage.uploads import wait_for_uploads as wait_for_uploads

_PUBLIC = {
    "StoreError": "archive_store.storage.remote",
    "StoreURI": "archive_store.storage.remote",
    "UploadJob": "archive_store.storage.uploads",
    "UploadResult": "archive_store.storage.uploads",
    "decode_content": "archive_store.storage.reader",
    "fetch_remote_warcs": "archive_store.storage.remote",
    "load_capture": "archive_store.storage.reader",
    "materialize": "archive_store.storage.remote",
    "remote_only_files": "archive_store.storage.remote",
    "run_upload": "archive_store.storage.uploads",
    "s3_client": "archive_store.storage.remote",
    "split_location": "archive_store.storage.remote",
    "upload_pending": "archive_store.storage.uploads",
    "wait_for_uploads": "archive_store.storage.uploads",
    "warc_location": "archive_store.storage.remote",
}

__all__ = [
    "StoreError",
    "StoreURI",
    "UploadJob",
    "UploadResult",
    "decode_content",
    "fetch_remote_warcs",
    "load_capture",
    "materialize",
    "remote_only_files",
    "run_upload",
    "s3_client",
    "split_location",
    "upload_pending",
    "wait_for_uploads",
    "warc_location",
]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        import importlib  # noqa: PLC0415

        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
