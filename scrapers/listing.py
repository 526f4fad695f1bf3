"""`listing`: walk a government column as a site profile describes it, archiving each notice.

scrapy crawl listing -a profile=profiles/trs-county-psb.toml [-a since=2024-01-01] [-a max_pages=5]
sourcekeeper crawl profiles/trs-county-psb.toml --since 2024-01-01 --max-pages 5

Listing pages are fetched one after another (each is captured: it is evidence of what the column
listed); the notices they link to, and the notices' attachments, are fetched alongside. Paging
stops at the last page, at ``max_pages``, when a page lists only notices older than ``since``, or
(incremental) when every notice a page lists is already archived by an earlier run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from archive_store.crawl.failures import describe_failure
from archive_store.crawl.stopping import StopRequested
from pipelines.items import FetchFailure
from scrapers.common import ArchivingSpider, archived_item, as_browsers_read_it
from scrapers.incremental import archived_urls
from scrapers.pagination import (
    ListedLink,
    TrsPager,
    hanweb_page,
    hanweb_records,
    listed_links,
    query_page_url,
    trs_page_url,
    trs_pager,
)
from scrapers.profiles import Profile, load_profile, parse_day
from scrapers.statuses import NON_REDIRECT_STATUSES


class ListingSpider(ArchivingSpider):
    name = "listing"

    def __init__(
        self,
        profile: Profile | str | None = None,
        since: date | str | None = None,
        until: date | str | None = None,
        max_pages: int | str | None = None,
        full: bool | str = False,
        base: str | None = None,
        report: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if profile is None:
            raise ValueError("the listing spider needs a profile: -a profile=FILE.toml")
        loaded = (
            profile if isinstance(profile, Profile) else load_profile(profile, {"base": base} if base else {})
        )
        self.profile = dataclasses.replace(
            loaded,
            since=parse_day(since, "command line", "since") if since else loaded.since,
            until=parse_day(until, "command line", "until") if until else loaded.until,
            max_pages=int(max_pages) if max_pages else loaded.max_pages,
        )
        self.full = full in (True, "1", "true", "True", "yes")
        self.report: dict[str, Any] = report if report is not None else {}
        self.report.update(
            profile=self.profile.name,
            pages=0,
            listed=0,
            fetched=0,
            already_archived=0,
            outside_window=0,
            stopped=None,
        )
        self._listed: set[str] = set()
        self._pager: TrsPager | None = None

    def run_identity(self) -> dict[str, Any]:
        """The profile's content and the window: the same command resumes an interrupted run."""
        p = self.profile
        return {
            "spider": self.name,
            "profile": p.text,
            "start_url": p.start_url,
            "since": p.since.isoformat() if p.since else None,
            "until": p.until.isoformat() if p.until else None,
            "max_pages": self.max_pages,
            "full": self.full,
            "extract": self.settings.getbool("EXTRACT_ENABLED"),
        }

    @property
    def progress_total(self) -> int:
        """For the progress bar: listing pages walked and notices to fetch, known so far."""
        return int(self.report["pages"]) + int(self.report["fetched"])

    @property
    def max_pages(self) -> int:
        return self.profile.max_pages or self.settings.getint("PROFILE_MAX_PAGES")

    async def start(self) -> AsyncIterator[Any]:
        if self.profile.pagination == "hanweb":  # the column page itself, as evidence
            yield self.listing_request(self.profile.start_url, None, None)
        yield self.page(0)

    # listing pages ------------------------------------------------------------------------------
    def page(self, number: int) -> scrapy.Request:
        p = self.profile
        if p.pagination == "hanweb" and p.hanweb is not None:
            url, form = hanweb_page(p.start_url, p.hanweb, number)
            return self.listing_request(url, number, form)
        if p.pagination == "query":
            return self.listing_request(
                query_page_url(p.start_url, p.page_param, p.first_page, number), number
            )
        return self.listing_request(trs_page_url(p.start_url, number, self._pager or TrsPager(1)), number)

    def page_request(
        self,
        url: str,
        hop: int = 0,
        parent: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        meta: dict[str, Any] | None = None,
    ) -> scrapy.Request:
        if self.profile.render:  # the profile's `render = true` (issue 14)
            meta = {"archive_render": True, **(meta or {})}
        if self.profile.render_selector:  # a render of the notice is done once this is there
            meta = {"archive_render_selector": self.profile.render_selector, **(meta or {})}
        return super().page_request(url, hop, parent, headers=headers, meta=meta)

    def listing_request(
        self, url: str, number: int | None, form: dict[str, str] | None = None
    ) -> scrapy.Request:
        meta = {"archive_hop": 0, "listing_page": number, "handle_httpstatus_list": NON_REDIRECT_STATUSES}
        if self.profile.render:  # the profile's `render = true`: listing pages too (issue 14)
            meta["archive_render"] = True
        kwargs: dict[str, Any] = {
            "callback": self.parse_listing,
            "errback": self.listing_failed,
            "dont_filter": True,
            "meta": meta,
            "priority": 10,  # paging decides what else is fetched: keep it ahead of the notices
        }
        if form is not None:
            return scrapy.FormRequest(url, formdata=form, **kwargs)
        return scrapy.Request(url, **kwargs)

    def parse_listing(self, response: Response) -> Iterator[Any]:
        number = response.meta.get("listing_page")
        yield archived_item(response, "listing")
        if number is None:  # the Hanweb column page: captured, its list comes from the data proxy
            return
        self.report["pages"] += 1
        self._inc("listing/pages")
        if not 200 <= response.status < 300 or not isinstance(response, TextResponse):
            yield from self._bad_page(response, number)
            return
        response = as_browsers_read_it(response)
        links = self._links(response)
        fresh = [link for link in links if link.url not in self._listed]
        self._listed.update(link.url for link in links)
        self.report["listed"] = len(self._listed)
        if not fresh:
            yield from self._no_links(response, number)
            return
        wanted = [link for link in fresh if self.profile.in_window(link.day)]
        self._count("outside_window", len(fresh) - len(wanted))
        archived = archived_urls(self.crawler, [link.url for link in wanted])
        self._count("already_archived", len(archived))
        for link in wanted:
            if link.url not in archived and link.url not in self._requested:
                self._count("fetched", 1)
                yield self.page_request(link.url, 0, response.url)
        yield from self._next(response, number, fresh, wanted, archived)

    def _links(self, response: TextResponse) -> list[ListedLink]:
        if self.profile.pagination == "hanweb":
            html, total = hanweb_records(response.text)
            self.report["total_records"] = total
            return listed_links(html, self.profile.start_url, self.profile.article_pattern)
        return listed_links(response.text, response.url, self.profile.article_pattern)

    def _next(
        self,
        response: TextResponse,
        number: int,
        fresh: list[ListedLink],
        wanted: list[ListedLink],
        archived: set[str],
    ) -> Iterator[Any]:
        since = self.profile.since
        if not wanted and since and all(link.day and link.day < since for link in fresh):
            self._stop("since", f"page {number + 1} lists only notices older than {since}")
        elif not self.full and wanted and all(link.url in archived for link in wanted):
            self._stop("archived", f"every notice on page {number + 1} is already archived")
        elif number + 1 >= self.max_pages:
            self._stop("max-pages", f"reached the limit of {self.max_pages} listing pages")
        elif not self._has_next(response, number):
            self._stop("last-page", f"page {number + 1} is the column's last page")
        else:
            yield self.page(number + 1)

    def _has_next(self, response: TextResponse, number: int) -> bool:
        p = self.profile
        if p.pagination == "trs":
            self._pager = trs_pager(response.text) or self._pager
            if self._pager is None:
                self.logger.warning("%s: no createPageHTML(...) pager on the page; stopping", response.url)
            return self._pager is not None and number + 1 < self._pager.count
        if p.pagination == "hanweb" and p.hanweb is not None:
            total = self.report.get("total_records")
            return total is None or (number + 1) * p.hanweb.perpage < total
        return True  # ?page=N: until a page brings no new notices

    def _no_links(self, response: TextResponse, number: int) -> Iterator[Any]:
        if number == 0:
            pattern = self.profile.article_pattern.pattern
            reason = f"no link matching article_pattern {pattern!r} on the first listing page"
            yield FetchFailure(url=response.url, reason=reason, kind="final")
            self._stop("no-links", reason)
        else:
            self._stop("last-page", f"page {number + 1} lists no new notices")

    def _bad_page(self, response: Response, number: int) -> Iterator[Any]:
        """A listing page that is an error: the end of a ?page=N list, otherwise a failure."""
        if number > 0 and self.profile.pagination == "query":
            self._stop("last-page", f"page {number + 1} answered HTTP {response.status}")
            return
        kind = (response.headers.get("Content-Type") or b"").decode("latin-1") or "no content type"
        reason = f"listing page {number + 1} answered HTTP {response.status} ({kind})"
        yield FetchFailure(url=response.url, reason=reason, kind="final")
        self._stop("error", reason)

    def listing_failed(self, failure: Failure) -> Iterator[Any]:
        if isinstance(failure.value, StopRequested):  # Ctrl-C: not failed; the next run fetches it
            return
        request = failure.request  # type: ignore[attr-defined]
        reason = "listing page: " + describe_failure(failure.value or RuntimeError(str(failure)), request)
        yield FetchFailure(url=request.url, reason=reason, kind="final")
        self._stop("error", reason)

    # bookkeeping --------------------------------------------------------------------------------
    def _stop(self, why: str, detail: str) -> None:
        self.report["stopped"] = why
        self.report["stopped_detail"] = detail
        self._inc(f"listing/stopped/{why}")
        self.logger.info("stopped paging: %s", detail)

    def _count(self, key: str, amount: int) -> None:
        self.report[key] += amount
        self._inc(f"listing/{key}", amount)

    def _inc(self, key: str, amount: int = 1) -> None:
        if self.crawler.stats is not None and amount:
            self.crawler.stats.inc_value(key, amount)
