"""`urls`: archive a list of URLs (seeds) and the documents they link to (one hop by default).

scrapy crawl urls -a seeds=FILE          (from the checkout)
sourcekeeper archive URL ... --seeds FILE [--seeds FILE ...]
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from scrapy.utils.misc import load_object

from pipelines.documents.seeds import (
    SeedError,
    parse_seed_quotes,
    parse_seeds_with_logins,
    read_quotes_file,
    read_seed_files,
)
from pipelines.items import FetchFailure
from scrapers.common import ArchivingSpider, archived_item
from scrapers.lazystart import lazily
from scrapers.statuses import NON_REDIRECT_STATUSES

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

__all__ = ["NON_REDIRECT_STATUSES", "UrlsSpider", "archived_item"]


# looks for the seeds' quoted passages in their captures, after extraction (300); by import path
QUOTES_PIPELINE = "pipelines.quotes.QuotesPipeline"


class UrlsSpider(ArchivingSpider):
    name = "urls"

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        add_quotes_pipeline(settings)

    def __init__(
        self,
        seeds: str | list[str] | None = None,
        urls: str | list[str] | None = None,
        quotes: str | list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        entries: list[tuple[str, str]] = []
        if isinstance(urls, str):
            urls = urls.split()
        entries += [(f"argument {i}", u) for i, u in enumerate(urls or [], start=1)]
        entries += read_seed_files(seeds)  # every --seeds file, in order
        for path in [quotes] if isinstance(quotes, str) else quotes or []:
            entries += read_quotes_file(path)  # URL<TAB>passage: the URL is a seed too
        self.seed_urls, self.seed_errors, self.seed_logins = parse_seeds_with_logins(entries)
        # passages to look for in each seed's capture (pipelines/quotes.py): (passage, where given)
        self.seed_quotes: dict[str, list[tuple[str, str | None]]] = {
            url: list(found) for url, found in parse_seed_quotes(entries).items()
        }
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


def add_quotes_pipeline(settings: BaseSettings) -> None:
    """The quotes pipeline at 320: after extraction (300) has stored the page text."""
    pipelines = settings.getdict("ITEM_PIPELINES")
    pipelines[load_object(QUOTES_PIPELINE)] = 320
    settings.set("ITEM_PIPELINES", pipelines, priority="spider")


def _seed_reason(error: SeedError) -> str:
    return f"{error.where}: {error.reason}"
