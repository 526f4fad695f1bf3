"""The capture side, and the only part of `archive_store` that knows Scrapy and Twisted: the
recording download handler (capture), the archive session a crawl shares (session), the extension
and add-on that switch it on, resume, crash recovery, header redaction, the warcinfo record, failure
wording, and every archive setting's default (default_settings).

May import: every other room of `archive_store` (never `scrapers`, `pipelines` or `sourcekeeper`:
item pipelines are registered by import path).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

if TYPE_CHECKING:
    from archive_store.crawl.default_settings import ARCHIVE_GZIP_LEVEL as ARCHIVE_GZIP_LEVEL
    from archive_store.crawl.default_settings import setting_problems as setting_problems
    from archive_store.crawl.extension import ArchiveExtension as ArchiveExtension
    from archive_store.crawl.failures import describe_failure as describe_failure
    from archive_store.crawl.recovery import recover_open_files as recover_open_files
    from archive_store.crawl.scrapy_seams import AGENT_ARGUMENTS as AGENT_ARGUMENTS
    from archive_store.crawl.scrapy_seams import seam_problems as seam_problems
    from archive_store.crawl.session import ArchiveSession as ArchiveSession

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "default_settings": ["ARCHIVE_GZIP_LEVEL", "setting_problems"],
        "extension": ["ArchiveExtension"],
        "failures": ["describe_failure"],
        "recovery": ["recover_open_files"],
        "scrapy_seams": ["AGENT_ARGUMENTS", "seam_problems"],
        "session": ["ArchiveSession"],
    },
)
