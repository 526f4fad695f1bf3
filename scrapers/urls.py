"""`urls`: archive a list of URLs (seeds) and the documents they link to (one hop by default).

scrapy crawl urls -a seeds=FILE          (from the checkout)
sourcekeeper archive URL ... --seeds FILE
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from archive_store.failures import describe_failure

from .items import ArchivedResponse, FetchFailure
from .links import attachment_links
from .seeds import SeedError, parse_seeds, read_seed_file

# Error pages reach the spider (they are captures to classify); redirects are still followed,
# which `handle_httpstatus_all` would stop.
NON_REDIRECT_STATUSES = [s for s in range(300, 600) if s not in (301, 302, 303, 307, 308)]


class UrlsSpider(scrapy.Spider):
    name = "urls"

    def __init__(self, seeds: str | None = None, urls: str | list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        entries: list[tuple[str, str]] = []
        if isinstance(urls, str):
            urls = urls.split()
        entries += [(f"argument {i}", u) for i, u in enumerate(urls or [], start=1)]
        if seeds:
            entries += read_seed_file(seeds)
        self.seed_urls, self.seed_errors = parse_seeds(entries)
        self._requested: set[str] = set()

    def run_identity(self) -> dict[str, Any]:
        """What makes two invocations "the same command" (a killed one is then resumed)."""
        return {
            "spider": self.name,
            "seeds": self.seed_urls,
            "extract": self.settings.getbool("EXTRACT_ENABLED"),
        }

    async def start(self) -> AsyncIterator[Any]:
        for error in self.seed_errors:
            self.logger.error("bad seed %s", error)
            yield FetchFailure(url=error.line, reason=_seed_reason(error), kind="seed")
        for url in self.seed_urls:
            yield self.page_request(url)

    def page_request(self, url: str, hop: int = 0, parent: str | None = None) -> scrapy.Request:
        # dont_filter: every redirect hop is fetched and captured, so a loop runs into
        # REDIRECT_MAX_TIMES and is reported; the spider deduplicates what it asks for itself.
        self._requested.add(url)
        return scrapy.Request(
            url,
            callback=self.parse,
            errback=self.failed,
            dont_filter=True,
            meta={
                "archive_hop": hop,
                "archive_parent": parent,
                "handle_httpstatus_list": NON_REDIRECT_STATUSES,
            },
        )

    def parse(self, response: Response) -> Any:
        hop = int(response.meta.get("archive_hop", 0))
        yield archived_item(response, "page" if hop == 0 else "attachment")
        if hop >= self.settings.getint("ARCHIVE_ATTACHMENT_HOPS") or not isinstance(response, TextResponse):
            return
        extensions = self.settings.getlist("ARCHIVE_ATTACHMENT_EXTENSIONS")
        for link in attachment_links(response.text, response.url, extensions):
            if link not in self._requested:
                yield self.page_request(link, hop + 1, response.url)

    def failed(self, failure: Failure) -> Any:
        request = failure.request  # type: ignore[attr-defined]
        chain = request.meta.get("redirect_urls") or []
        url = chain[0] if chain else request.url
        reason = describe_failure(failure.value or RuntimeError(str(failure)), request)
        if chain and "redirect" in str(failure.value).lower():
            hops = " -> ".join([*chain, request.url])
            reason = f"redirect loop or chain too long, gave up after {len(chain)} hops ({hops})"
        yield FetchFailure(url=url, reason=reason, kind="final")


def _seed_reason(error: SeedError) -> str:
    return f"bad seed at {error.where}: {error.reason}"


def archived_item(response: Response, kind: str) -> ArchivedResponse:
    capture = dict(response.meta.get("archive_capture") or {})
    headers = [
        (k.decode("latin-1"), v.decode("latin-1")) for k, values in response.headers.items() for v in values
    ]
    redirects = response.meta.get("redirect_urls") or []
    return ArchivedResponse(
        url=response.url,
        requested_url=redirects[0] if redirects else response.url,
        status=response.status,
        headers=headers,
        body=response.body,
        capture=capture,
        hop=int(response.meta.get("archive_hop", 0)),
        kind=kind,
        flags=list(response.flags),
    )
