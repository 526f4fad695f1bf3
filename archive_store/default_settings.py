"""Every archive setting and its default, in one place (alphabetical within each group).

Override any of them with `-s NAME=VALUE` on the command line, in `settings.py`, or per spider.
Per-request switches live in `request.meta`: `dont_archive` (fetch without recording).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

# Documents linked from an archived page that are archived too (one hop by default).
ARCHIVE_ATTACHMENT_EXTENSIONS = [
    "pdf",
    "doc",
    "docx",
    "xls",
    "xlsx",
    "wps",
    "et",
    "ofd",
    "zip",
    "rar",
    "7z",
    "txt",
    "csv",
    "ppt",
    "pptx",
    "jpg",
    "jpeg",
    "png",
    "gif",
    "tif",
    "tiff",
]
ARCHIVE_ATTACHMENT_HOPS = 1
# Identical payloads shorter than this are written in full rather than as revisits.
ARCHIVE_DEDUP_ENABLED = True
ARCHIVE_DEDUP_MIN_SIZE = 1
# Empty: SQLite (WAL) inside the archive folder; or any SQLAlchemy URL (postgresql+psycopg://...).
ARCHIVE_DB_URL = ""
ARCHIVE_DIR = "archive"
ARCHIVE_ENABLED = True
# Run after each WARC file is closed, in order: callables (session, closed_file) -> None.
ARCHIVE_FILE_CLOSED_HOOKS: list[str] = []
ARCHIVE_GZIP_LEVEL = 6
# Who runs the crawl; written to every warcinfo record (e.g. "Example NGO <archive@example.org>").
ARCHIVE_OPERATOR = ""
# Request headers whose values are replaced by "[redacted]" in request records (warcinfo says so).
ARCHIVE_REDACT_HEADERS = ["Authorization", "Proxy-Authorization"]
# A rerun of the same command after a crash continues the unfinished run instead of refetching.
ARCHIVE_RESUME = True
ARCHIVE_WARC_MAX_SIZE = 1_000_000_000
ARCHIVE_WARC_PREFIX = "sourcekeeper"

# Extraction (pipelines): decode, classify, extract; off with --no-extract.
EXTRACT_ENABLED = True
EXTRACT_PROCESSES = 2


def apply_defaults(settings: BaseSettings) -> None:
    """Put these defaults into a Scrapy Settings object at "default" priority (never overriding)."""
    for name, value in globals().items():
        if name.isupper():
            settings.set(name, value, priority="default")
