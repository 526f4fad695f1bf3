"""Store a report's citations in the index (reports, citations tables) when the spider yields them."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured
from sqlalchemy import select

from archive_store.crawl.archive_settings import archive_settings
from archive_store.crawl.sessionapi import CaptureSession, capture_session
from archive_store.export.citations import add_report
from archive_store.index.citationplaces import add_places
from archive_store.index.database import utcnow
from archive_store.index.schema import Citation, Report
from pipelines.items import ReportCitations

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class CitationsPipeline:
    def __init__(self, session: CaptureSession) -> None:
        self.session = session

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not archive_settings(crawler).enabled:
            raise NotConfigured("citations are stored in the archive index")
        return cls(capture_session(crawler))

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ReportCitations) and not self._known(item):
            report = Report(
                run_id=self.session.run_id,
                source=item.source,
                format=item.format,
                title=item.title,
                sha256=item.sha256,
                added_at=utcnow(),
                capture_id=item.capture.capture_id if item.capture else None,
            )
            report_id = add_report(self.session.index, report, citation_rows(item))
            # every place each URL is cited, and the links left out with why (issue 17)
            add_places(
                self.session.index,
                report_id,
                (
                    (link.url, n, footnote, written)
                    for link in item.links
                    for (n, footnote), written in zip(link.places, _written(link), strict=True)
                ),
                ((skip.url, skip.anchor, skip.reason) for skip in item.skipped),
            )
            logger.info("%s: %d cited URLs", item.source, len(item.links))
        return item

    def _known(self, item: ReportCitations) -> bool:
        """A resumed run yields the report again; its rows are already there."""
        with self.session.index.session() as s:
            stmt = select(Report.id).where(
                Report.run_id == self.session.run_id,
                Report.source == item.source,
                Report.sha256 == item.sha256,
            )
            return s.scalars(stmt).first() is not None


def citation_rows(item: ReportCitations) -> list[Citation]:
    return [
        Citation(
            position=position,
            url=link.url,
            url_as_written=link.url_as_written,
            anchor=link.anchor,
            footnote=link.footnote,
            kind=link.kind,
            occurrences=link.occurrences,
            context=link.context,
        )
        for position, link in enumerate(item.links, start=1)
    ]


def _written(link: Any) -> list[str | None]:
    """The link as written at each place (a parser that does not fill `written` leaves None)."""
    written: list[str | None] = list(getattr(link, "written", None) or [])
    return written + [None] * (len(link.places) - len(written))
