"""Evidence files beside the WARCs: the SHA-256 manifest and the append-only custody log
(fixity), RFC 3161 time-stamp tokens (tsa), and the record of what each export was (exports).

May import: `archive_store.index` and the rooms below it.
"""
