"""The capture side, and the only part of `archive_store` that knows Scrapy and Twisted: the
recording download handler (capture), the archive session a crawl shares (session), the extension
and add-on that switch it on, resume, crash recovery, header redaction, the warcinfo record, failure
wording, and every archive setting's default (default_settings).

May import: every other room of `archive_store` (never `scrapers`, `pipelines` or `sourcekeeper`:
item pipelines are registered by import path).

The names below are its public face (loaded on first use, so importing one room does not
load them all); every other name is private to the package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archive_store.crawl.default_settings import ARCHIVE_GZIP_LEVEL as ARCHIVE_GZIP_LEVEL
    from archive_store.crawl.default_settings import setting_problems as setting_problems
    from archive_store.crawl.extension import ArchiveExtension as ArchiveExtension
    from archive_store.crawl.failures import describe_failure as describe_failure
    from archive_store.crawl.recovery import recover_open_files as recover_open_files
    from archive_store.crawl.session import ArchiveSession as ArchiveSession

_PUBLIC = {
    "ARCHIVE_GZIP_LEVEL": "archive_store.crawl.default_settings",
    "ArchiveExtension": "archive_store.crawl.extension",
    "ArchiveSession": "archive_store.crawl.session",
    "describe_failure": "archive_store.crawl.failures",
    "recover_open_files": "archive_store.crawl.recovery",
    "setting_problems": "archive_store.crawl.default_settings",
}

__all__ = [
    "ARCHIVE_GZIP_LEVEL",
    "ArchiveExtension",
    "ArchiveSession",
    "describe_failure",
    "recover_open_files",
    "setting_problems",
]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        import importlib  # noqa: PLC0415

        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
