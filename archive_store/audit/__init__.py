"""`verify`: fixity and structure of a whole archive (manifests, gzip members, record digests,
index↔WARC agreement, CDXJ, time-stamp tokens, exports); every problem names its file.

May import: `archive_store.storage`, `archive_store.evidence`, `archive_store.index`,
`archive_store.validate` and the rooms below them.

The names below are its public face (loaded on first use, so importing one room does not
load them all); every other name is private to the package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archive_store.audit.verify import verify_archive as verify_archive

_PUBLIC = {
    "verify_archive": "archive_store.audit.verify",
}

__all__ = ["verify_archive"]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        import importlib  # noqa: PLC0415

        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
