"""`verify`: fixity and structure of a whole archive (manifests, gzip members, record digests,
index↔WARC agreement, CDXJ, time-stamp tokens, exports); every problem names its file.

May import: `archive_store.storage`, `archive_store.evidence`, `archive_store.index`,
`archive_store.validate` and the rooms below them.
"""
