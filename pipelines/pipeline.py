"""Item pipelines: failures into the index; captures through decode → classify → extract → index."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from archive_store.session import ArchiveSession
from scrapers.items import FetchFailure

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class ExtractionPipeline:
    def __init__(self, session: ArchiveSession, extract: bool) -> None:
        self.session = session
        self.extract = extract

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        session = ArchiveSession.for_crawler(crawler)
        return cls(session, crawler.settings.getbool("EXTRACT_ENABLED"))

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchFailure):
            self.session.index.add_failure(self.session.run_id, item.url, item.kind, item.reason)
        return item
