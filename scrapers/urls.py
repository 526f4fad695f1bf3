"""`urls`: archive a list of URLs (seeds) and the documents they link to (one hop by default).

scrapy crawl urls -a seeds=FILE          (from the checkout)
sourcekeeper archive URL ... --seeds FILE [--seeds FILE ...]
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from pipelines.documents.seeds import SeedError, parse_seeds_with_logins, read_seed_files
from scrapers.common import ArchivingSpider, archived_item
from scrapers.items import FetchFailure
from scrapers.lazystart import lazily
from scrapers.statuses import NON_REDIRECT_STATUSES

__all__ = ["NON_REDIRECT_STATUSES", "UrlsSpider", "archived_item"]


class UrlsSpider(ArchivingSpider):
    name = "urls"

    def __init__(
        self, seeds: str | list[str] | None = None, urls: str | list[str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        entries: list[tuple[str, str]] = []
        if isinstance(urls, str):
            urls = urls.split()
        entries += [(f"argument {i}", u) for i, u in enumerate(urls or [], start=1)]
        entries += read_seed_files(seeds)  # every --seeds file, in order
        self.seed_urls, self.seed_errors, self.seed_logins = parse_seeds_with_logins(entries)
        self.start_left = len(self.seed_urls)  # counted down as they are handed over (lazystart)

    def run_identity(self) -> dict[str, Any]:
        """What makes two invocations "the same command" (a killed one is then resumed)."""
        return {
            "spider": self.name,
            "seeds": self.seed_urls,
            "extract": self.settings.getbool("EXTRACT_ENABLED"),
        }

    async def start(self) -> AsyncIterator[Any]:
        for error in self.seed_errors:  # named once, in the run summary ("file:line: reason")
            yield FetchFailure(url=error.line, reason=_seed_reason(error), kind="seed")
        async for request in lazily(
            self.crawler, map(self._seed_request, self.seed_urls), len(self.seed_urls)
        ):
            yield request

    def _seed_request(self, url: str) -> Any:
        """A seed's request; a URL given with `user:password@` sends them as Authorization
        (Scrapy drops it on a redirect to another host; request records redact it)."""
        login = self.seed_logins.get(url)
        return self.page_request(url, headers={"Authorization": login} if login else None)


def _seed_reason(error: SeedError) -> str:
    return f"{error.where}: {error.reason}"
