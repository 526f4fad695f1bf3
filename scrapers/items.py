"""Items the spiders yield for the pipelines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ArchivedResponse:
    """A captured response as the spider saw it (body content-decoded by Scrapy's middlewares)."""

    url: str
    requested_url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes = field(repr=False)  # never in a log line ("Error processing …" shows the item)
    capture: dict[str, Any]
    hop: int = 0
    kind: str = "page"  # page | attachment
    flags: list[str] = field(default_factory=list)


@dataclass
class FetchFailure:
    """A URL the crawl gave up on, with the reason; `kind` is "final" or "seed"."""

    url: str
    reason: str
    kind: str = "final"
