"""The independent WARC 1.1 validator: the W-* rules of docs/capture-rules.md checked record by
record (recordchecks, httpchecks) and across records and files (crosschecks), with its own tolerant
parsers (warcparse, warcdigest, gzipmembers, blockscan) so that it shares no code with the writer it
checks. Blocks are read as streams, so a record of any size is checked in bounded memory.
`python -m archive_store.validate.validator FILE...` runs it alone.

May import: nothing of ours (it must stay independent of what it checks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

if TYPE_CHECKING:
    from archive_store.validate.gzipmembers import iter_gzip_members as iter_gzip_members
    from archive_store.validate.validator import Problem as Problem
    from archive_store.validate.validator import main as main
    from archive_store.validate.validator import validate_collection as validate_collection
    from archive_store.validate.validator import validate_warc_file as validate_warc_file

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "gzipmembers": ["iter_gzip_members"],
        "validator": ["Problem", "main", "validate_collection", "validate_warc_file"],
    },
)
