"""Look for each quoted passage of a source in its capture, after extraction; the proof is a WARC
`metadata` record beside the capture (WARC-Refers-To its response) and a row of the `quotes` table.

The passages come from the seed lines (`URL  "劝返工作"`), `--quotes FILE` and a report's citing
paragraphs (the spider's `seed_quotes`), and, at a re-check, from the index (every passage ever
registered for the URL). A passage not in the page is looked for in the page's documents as they
arrive in the same run (their pages rows, by the capture's parent_url); at a re-check, in the newest
capture of each document when the passage was first found in one. Locating runs in a thread.
"""

from __future__ import annotations

import asyncio
import json
import logging
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured
from sqlalchemy.exc import SQLAlchemyError

from archive_store.crawl.archive_settings import archive_settings
from archive_store.crawl.sessionapi import CaptureSession, capture_session
from archive_store.index.database import utcnow
from archive_store.index.lookup import url_variants
from archive_store.index.quotes import (
    QUOTE_RECORD_PROFILE,
    add_check,
    capture_parent,
    check_of_run,
    checks_of_run,
    document_texts,
    first_checks,
    has_quotes,
    known_quotes,
    latest_checks,
    update_check,
)
from archive_store.index.schema import QuoteCheck
from pipelines.extraction.quotes import PRESENT, QuoteMatch, locate_in, sha256_text
from pipelines.items import ArchivedResponse

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)
METADATA_TYPE = "application/json"
FOLDING = "NFKC, OpenCC t2s, casefold; white space, punctuation and control characters dropped"
_RANK = {"present": 2, "altered": 1, "missing": 0}

# (url, capture id, response record id, text): a text the passage is looked for in
Text = tuple[str, int, str, str]


class QuotesPipeline:
    def __init__(self, crawler: Crawler, session: CaptureSession) -> None:
        self.crawler = crawler
        self.session = session
        self.index = session.index
        self._index_has_quotes: bool | None = None  # looked up once: most crawls quote nothing

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not archive_settings(crawler).enabled or not settings.getbool("EXTRACT_ENABLED"):
            # quoted passages are looked for in the extracted text; no argument, so Scrapy logs
            # nothing: a WARNING line here would break the one-line output of a --no-extract crawl
            raise NotConfigured
        return cls(crawler, capture_session(crawler))

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArchivedResponse) or item.capture is None or not item.capture.capture_id:
            return item
        if self.session.index_error is not None or not self._any_quotes():
            return item
        try:
            await self._check(item)
        except SQLAlchemyError as exc:
            self.session.index_failed(exc)
        return item

    def _any_quotes(self) -> bool:
        """Passages given to this run (seeds, a report) or registered earlier (a re-check)."""
        if getattr(self.crawler.spider, "seed_quotes", None):
            return True
        if self._index_has_quotes is None:
            self._index_has_quotes = has_quotes(self.index)
        return self._index_has_quotes

    def _wanted(self, urls: list[str]) -> dict[str, tuple[str, str | None]]:
        """passage -> (the source URL it is quoted from, where it was given)."""
        wanted: dict[str, tuple[str, str | None]] = {}
        given = getattr(self.crawler.spider, "seed_quotes", None) or {}
        for url in urls:
            for quote, where in given.get(url, []):
                wanted.setdefault(quote, (url, where))
        for quote, found in known_quotes(self.index, urls).items():
            wanted.setdefault(quote, found)
        return wanted

    async def _check(self, item: ArchivedResponse) -> None:
        assert item.capture is not None and item.capture.capture_id is not None  # process_item checked
        capture_id = item.capture.capture_id
        wanted = self._wanted(list(dict.fromkeys([item.requested_url, item.url])))
        if not wanted:
            await self._check_document(item, capture_id)
            return
        page = self.index.page_for(capture_id)
        text = "" if page is None else f"{page.title or ''}\n{page.text}"
        texts: list[Text] = [(item.url, capture_id, item.capture.record_id, text)]
        source = next(iter(wanted.values()))[0]
        earlier = first_checks(self.index, source)
        if any(row.found_url and row.found_url not in url_variants(row.url) for row in earlier.values()):
            texts += document_texts(self.index, item.url)  # a passage first found in a document
        previous = {row.quote: row.status for row in latest_checks(self.index, source)}
        for quote, (url, where) in wanted.items():
            found_in, match = await asyncio.to_thread(_best, quote, texts)
            record_id = self._write_record(url, found_in, match)
            row = _row(url, quote, where, self.session.run_id, capture_id, found_in, match, record_id)
            row.previous_status = previous.get(quote)
            add_check(self.index, row)
            self._inc(f"quotes/{match.status}")

    async def _check_document(self, item: ArchivedResponse, capture_id: int) -> None:
        """A document of a page whose passages this run did not find there: look in it too."""
        run_id = self.session.run_id
        if run_id is None:
            return
        parent = capture_parent(self.index, capture_id)
        if not parent:
            return
        spellings = set(url_variants(parent))
        open_rows = [
            r for r in checks_of_run(self.index, run_id) if r.url in spellings and r.status != PRESENT
        ]
        if not open_rows:
            return
        page = self.index.page_for(capture_id)
        if page is None or item.capture is None:
            return
        texts: list[Text] = [
            (item.url, capture_id, item.capture.record_id, f"{page.title or ''}\n{page.text}")
        ]
        for row in open_rows:
            current = check_of_run(self.index, run_id, row.url, row.quote) or row
            found_in, match = await asyncio.to_thread(_best, row.quote, texts)
            if (_RANK[match.status], match.score) <= (_RANK[current.status], current.score or 0.0):
                continue
            record_id = self._write_record(row.url, found_in, match)
            values = _values(found_in, match, record_id)
            update_check(self.index, current.id, values)
            self._inc("quotes/found_in_document")

    def _write_record(self, url: str, found_in: Text, match: QuoteMatch) -> str | None:
        """The metadata record of one check, WARC-Refers-To the response the text came from."""
        where_url, capture_id, record_id, text = found_in
        block = {
            "profile": QUOTE_RECORD_PROFILE,
            "source_url": url,
            "url": where_url,
            "refers_to": record_id,
            "capture_id": capture_id,
            "text": "the title, a line break and the extracted text of the capture",
            "text_sha256": sha256_text(text),
            "folding": FOLDING,
            "opencc": _opencc_version(),
            **match.to_json(),
        }
        data = json.dumps(block, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return self.session.write_derivative(where_url, record_id, data, METADATA_TYPE)

    def _inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)


def _best(quote: str, texts: list[Text]) -> tuple[Text, QuoteMatch]:
    name, match = locate_in(quote, [(str(i), t[3]) for i, t in enumerate(texts)])
    return texts[int(name or 0)], match


def _values(found_in: Text, match: QuoteMatch, record_id: str | None) -> dict[str, Any]:
    return {
        "status": match.status,
        "found_url": found_in[0],
        "found_capture_id": found_in[1],
        "start": match.start,
        "end": match.end,
        "sentence": match.sentence,
        "sentence_sha256": match.sentence_sha256,
        "score": match.score,
        "diff_json": json.dumps(match.diff, ensure_ascii=False) if match.diff else None,
        "record_id": record_id,
    }


def _row(
    url: str,
    quote: str,
    where: str | None,
    run_id: int | None,
    capture_id: int,
    found_in: Text,
    match: QuoteMatch,
    record_id: str | None,
) -> QuoteCheck:
    return QuoteCheck(
        url=url,
        quote=quote,
        quote_sha256=match.quote_sha256,
        given_in=where,
        run_id=run_id,
        capture_id=capture_id,
        checked_at=utcnow(),
        **_values(found_in, match, record_id),
    )


def _opencc_version() -> str | None:
    try:
        return version("opencc")
    except Exception:
        return None
