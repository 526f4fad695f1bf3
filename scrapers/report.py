"""`report`: archive everything a report cites (and the report itself when it is a URL).

A report file is parsed before the crawl (its citations become seeds); a report URL is fetched
and captured first, then parsed from the captured body, then its citations are fetched. Either way
a `ReportCitations` item carries the citations to the index (pipelines.citations).

sourcekeeper archive --from-report report.docx
sourcekeeper archive --from-report https://example.org/report.html
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from scrapy.http import Response
from scrapy.utils.misc import load_object

from archive_store.index.captureref import CaptureRef, capture_in
from pipelines.documents.limits import check_report_size
from pipelines.documents.links import CitedLink, ParsedReport, ReportError
from pipelines.documents.report import parse_report
from pipelines.items import FetchFailure, ReportCitations
from scrapers.urls import UrlsSpider, archived_item

# registered by import path: the spiders never import the item pipelines (docs/architecture.md)
CITATIONS_PIPELINE = "pipelines.citations.CitationsPipeline"

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


class ReportSpider(UrlsSpider):
    name = "report"

    def __init__(
        self,
        report: str = "",
        parsed: ParsedReport | None = None,
        report_sha256: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.report, self.parsed, self.report_sha256 = report, parsed, report_sha256
        if parsed is not None:
            self._add_seeds(parsed.links)
        self.progress_total = len(self.seed_urls) + (1 if parsed is None else 0)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # "spider" priority: the runner merges its own default-priority settings in later
        pipelines = settings.getdict("ITEM_PIPELINES")
        pipelines[load_object(CITATIONS_PIPELINE)] = 350
        settings.set("ITEM_PIPELINES", pipelines, priority="spider")

    def run_identity(self) -> dict[str, Any]:
        return {**super().run_identity(), "report": self.report, "sha256": self.report_sha256}

    def _add_seeds(self, links: list[CitedLink]) -> list[str]:
        added = [link.url for link in links if link.url not in self.seed_urls]
        self.seed_urls.extend(added)
        for link in links:  # passages the citing paragraphs quote, looked for in the capture
            known = self.seed_quotes.setdefault(link.url, [])
            known += [(q, self.report) for q in link.quotes if q not in {k for k, _ in known}]
        return added

    async def start(self) -> AsyncIterator[Any]:
        if self.parsed is not None:
            yield self._citations_item(self.report, self.parsed, self.report_sha256, None)
        else:
            yield self.page_request(self.report).replace(callback=self.parse_report)
        async for entry in super().start():
            yield entry

    def parse_report(self, response: Response) -> Any:
        yield archived_item(response, "page")
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        try:
            parsed = parse_report(response.body, response.url, content_type, base_url=response.url)
        except ReportError as exc:
            yield FetchFailure(url=self.report, reason=f"report not readable: {exc}", kind="final")
            return
        digest = hashlib.sha256(response.body).hexdigest()
        capture = capture_in(response.meta)
        yield self._citations_item(self.report, parsed, digest, capture)
        added = self._add_seeds(parsed.links)
        self.progress_total += len(added)
        for url in added:
            if url not in self._requested:
                yield self.page_request(url)

    @staticmethod
    def _citations_item(
        source: str, parsed: ParsedReport, digest: str, capture: CaptureRef | None
    ) -> ReportCitations:
        return ReportCitations(
            source, parsed.format, parsed.title, digest, parsed.links, capture, parsed.skipped
        )


def read_report_file(path: str) -> tuple[ParsedReport, str]:
    """Parse a local report file (no network); returns the citations and the file's SHA-256."""
    with open(path, "rb") as handle:
        check_report_size(os.fstat(handle.fileno()).st_size)  # before reading it into memory
        data = handle.read()
    return parse_report(data, path), hashlib.sha256(data).hexdigest()


def is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))
