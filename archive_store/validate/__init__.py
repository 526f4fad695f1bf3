"""The independent WARC 1.1 validator: the W-* rules of docs/capture-rules.md checked record by
record (recordchecks, httpchecks) and across records and files (crosschecks), with its own tolerant
parsers (warcparse, warcdigest, gzipmembers) so that it shares no code with the writer it checks.
`python -m archive_store.validate.validator FILE...` runs it alone.

May import: nothing of ours (it must stay independent of what it checks).

The names below are its public face (loaded on first use, so importing one room does not
load them all); every other name is private to the package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archive_store.validate.gzipmembers import iter_gzip_members as iter_gzip_members
    from archive_store.validate.validator import Problem as Problem
    from archive_store.validate.validator import main as main
    from archive_store.validate.validator import validate_collection as validate_collection
    from archive_store.validate.validator import validate_warc_file as validate_warc_file

_PUBLIC = {
    "Problem": "archive_store.validate.validator",
    "iter_gzip_members": "archive_store.validate.gzipmembers",
    "main": "archive_store.validate.validator",
    "validate_collection": "archive_store.validate.validator",
    "validate_warc_file": "archive_store.validate.validator",
}

__all__ = ["Problem", "iter_gzip_members", "main", "validate_collection", "validate_warc_file"]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        import importlib  # noqa: PLC0415

        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
