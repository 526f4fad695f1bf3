"""Where the bytes live beyond the local folder: S3 locations and reading records back from
them (remote), verified multipart uploads and the upload file-closed hook (uploads), and loading a
capture's stored HTTP message from its WARC wherever it is (reader).

May import: `archive_store.evidence`, `archive_store.index` and the rooms below them.
"""
