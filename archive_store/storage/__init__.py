"""Where the bytes live beyond the local folder: S3 locations and reading records back from
them (remote), verified multipart uploads and the upload file-closed hook (uploads), and loading a
capture's stored HTTP message from its WARC wherever it is (reader).

May import: `archive_store.evidence`, `archive_store.index` and the rooms below them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

if TYPE_CHECKING:
    from archive_store.storage.reader import decode_content as decode_content
    from archive_store.storage.reader import load_capture as load_capture
    from archive_store.storage.remote import StoreError as StoreError
    from archive_store.storage.remote import StoreURI as StoreURI
    from archive_store.storage.remote import materialize as materialize
    from archive_store.storage.remote import remote_only_files as remote_only_files
    from archive_store.storage.remote import s3_client as s3_client
    from archive_store.storage.remote import split_location as split_location
    from archive_store.storage.remote import warc_location as warc_location
    from archive_store.storage.sidecars import fetch_remote_warcs as fetch_remote_warcs
    from archive_store.storage.uploads import UploadJob as UploadJob
    from archive_store.storage.uploads import UploadResult as UploadResult
    from archive_store.storage.uploads import run_upload as run_upload
    from archive_store.storage.uploads import upload_pending as upload_pending
    from archive_store.storage.uploads import wait_for_uploads as wait_for_uploads

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "reader": ["decode_content", "load_capture"],
        "remote": [
            "StoreError",
            "StoreURI",
            "materialize",
            "remote_only_files",
            "s3_client",
            "split_location",
            "warc_location",
        ],
        "sidecars": ["fetch_remote_warcs"],
        "uploads": ["UploadJob", "UploadResult", "run_upload", "upload_pending", "wait_for_uploads"],
    },
)
