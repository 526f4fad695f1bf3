"""The items the spiders yield and the item pipelines consume: the hand-off between the two sides.

Defined here, below both, so that neither side imports the other: the spiders import this module
(never the pipelines themselves, which they register by import path), and the pipelines never
import the spiders. May import `archive_store` (not its crawl room) and `pipelines.documents`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:  # annotations only: a crawl that yields no report loads no document reader
    from scrapy import Request

    from archive_store.index.baselines import RecheckTarget
    from archive_store.index.captureref import CaptureRef
    from pipelines.documents.body import SkippedLink
    from pipelines.documents.links import CitedLink


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


# re-checks (scrapers/recheck.py yields them, pipelines/recheck.py judges them) -----------------
# request.meta: the outcome the first vantage point saw, on a fetch through the fallback one
VANTAGE_FIRST = "recheck_vantage_first"


@dataclass
class RecheckedResponse(ArchivedResponse):
    """A re-check answer with content (any status but 304); `first` is set on a confirmation fetch."""

    target: RecheckTarget | None = None
    first: dict[str, Any] | None = None
    vantage_first: dict[str, Any] | None = None  # what the first vantage point saw


@dataclass
class RecheckNotModified:
    """A 304 to a conditional re-check (captured as a server-not-modified revisit)."""

    target: RecheckTarget
    url: str
    capture: CaptureRef | None
    first: dict[str, Any] | None = None
    vantage_first: dict[str, Any] | None = None


@dataclass
class RecheckUnreachable:
    """No answer: DNS failure, refused or reset connection, timeout, redirect loop."""

    target: RecheckTarget
    url: str
    reason: str
    capture: CaptureRef | None = None  # a cut-off answer may still be kept
    first: dict[str, Any] | None = None
    vantage_first: dict[str, Any] | None = None


RecheckItem = RecheckedResponse | RecheckNotModified | RecheckUnreachable


@runtime_checkable
class RecheckRequests(Protocol):
    """What the re-check pipeline asks of the spider: the requests that fetch a source again."""

    def fetch(self, target: RecheckTarget, first: dict[str, Any] | None = None) -> Request:
        """The re-check request; with `first` (what the earlier fetch showed) a follow-up."""
        ...

    def confirm_request(self, target: RecheckTarget, first: dict[str, Any]) -> Request:
        """The follow-up fetch of `target` after `first`: never conditional."""
        ...


# reports (scrapers/report.py yields it, pipelines/citations.py stores it) ----------------------
@dataclass
class ReportCitations:
    """A report's citations: the links it cites, where, and the links left out with why."""

    source: str  # file path or URL as given
    format: str
    title: str | None
    sha256: str
    links: list[CitedLink]
    capture: CaptureRef | None = None  # the report's own capture (URL reports)
    skipped: list[SkippedLink] = field(default_factory=list)  # links that are no citations
