"""Everything that touches the archive: WARC capture, writing, indexing and verification."""
