"""Items the spiders yield for the pipelines."""

from __future__ import annotations

from dataclasses import dataclass, field

from archive_store.index.captureref import CaptureRef


@dataclass
class ArchivedResponse:
    """A captured response as the spider saw it (body content-decoded by Scrapy's middlewares)."""

    url: str
    requested_url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes = field(repr=False)  # never in a log line ("Error processing …" shows the item)
    capture: CaptureRef | None  # None: not archived (ARCHIVE_ENABLED off, dont_archive)
    hop: int = 0
    kind: str = "page"  # page | attachment
    flags: list[str] = field(default_factory=list)


@dataclass
class FetchFailure:
    """A URL the crawl gave up on, with the reason; `kind` is "final" or "seed"."""

    url: str
    reason: str
    kind: str = "final"
