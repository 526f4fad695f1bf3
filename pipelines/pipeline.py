"""Item pipelines: failures into the index; captures through decode → classify → extract → index.

Extraction is CPU work, so it runs in worker processes (EXTRACT_PROCESSES) and the reactor keeps
fetching; EXTRACT_PROCESSES = 0 runs it in a thread instead (small runs, tests).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured
from sqlalchemy.exc import SQLAlchemyError

from archive_store.crawl.archive_settings import archive_settings
from archive_store.crawl.children import QuietSpawnContext, watch_parent
from archive_store.crawl.sessionapi import CaptureSession, capture_session
from archive_store.index.hostpages import HOST_PAGES_LIMIT, HostPages, host_of, host_pages
from archive_store.index.schema import Page
from pipelines.document_text import DocumentTexts
from pipelines.extraction.facts import ResponseFacts
from pipelines.extraction.worker import analyse_in_worker
from pipelines.items import ArchivedResponse, FetchFailure

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)
METADATA_TYPE = "application/json"


class ExtractionPipeline:
    def __init__(
        self,
        session: CaptureSession,
        extract: bool,
        processes: int,
        stats: Any,
        documents: DocumentTexts | None = None,
    ) -> None:
        self.session = session
        self.documents = documents  # the text of PDFs, Office files, OFD, scans (docs/documents.md)
        self.extract = extract
        self.processes = processes
        self.stats = stats
        self._pool: Executor | None = None
        # per host: its other pages' <title>s and site names (read again while fewer than the limit)
        self._hosts: dict[str, HostPages] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        archive = archive_settings(crawler)
        if not archive.enabled:
            raise NotConfigured("extraction stores into the archive's index")
        session = capture_session(crawler)
        return cls(
            session,
            settings.getbool("EXTRACT_ENABLED"),
            settings.getint("EXTRACT_PROCESSES"),
            crawler.stats,
            DocumentTexts.from_settings(archive.documents, session, crawler.stats),
        )

    def _executor(self) -> Executor:
        if self._pool is None:
            if self.processes > 0:
                # spawn: a forked child would inherit the reactor, its sockets and the index engine;
                # the workers leave Ctrl-C and SIGTERM to the crawl and end if it is killed
                self._pool = ProcessPoolExecutor(
                    self.processes,
                    mp_context=QuietSpawnContext(),
                    initializer=watch_parent,
                    initargs=(os.getpid(),),
                )
            else:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="extract")
        return self._pool

    async def process_item(self, item: Any) -> Any:
        if self.session.index_error is not None:
            return item  # the index refused a write (full disk): the crawl is stopping
        try:
            await self._process(item)
        except SQLAlchemyError as exc:
            # one line, never the statement's parameters (page text) nor a traceback per item
            self.session.index_failed(exc)
        return item

    async def _process(self, item: Any) -> Any:
        if isinstance(item, FetchFailure):
            self.session.index.add_failure(self.session.run_id, item.url, item.kind, item.reason)
        elif isinstance(item, ArchivedResponse) and self.extract and item.capture and item.capture.capture_id:
            # a redirected request is judged by where it started (redirect to the home page =
            # removed), so only a revisit fetched without redirects reuses its original's analysis
            unredirected = item.requested_url == item.url
            forced = item.capture.render_state  # set by the render middleware (issue 14)
            if (
                item.capture.record_type == "revisit"
                and unredirected
                and not forced
                and self._reuse_original(item)
            ):
                return item
            known = self._host_pages(item.url)
            facts = ResponseFacts(
                item.url, item.requested_url, item.status, item.headers, item.body, known.titles, known.sites
            )
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(self._executor(), analyse_in_worker, facts)
            self._store(item, result)
            if self.documents is not None and self.documents.wants(item, result):
                await self.documents.read_and_store(item)
        return item

    def _host_pages(self, url: str) -> HostPages:
        """The other pages of ``url``'s host, from the index once per host (again after a page of
        the host is stored, until the sample is full)."""
        host = host_of(url)
        known = self._hosts.get(host)
        if known is None:
            known = self._hosts[host] = host_pages(self.session.index, url)
        return known

    def _reuse_original(self, item: ArchivedResponse) -> bool:
        """A revisit carries the same payload as its original: reuse that analysis instead of
        extracting again and writing another metadata record (a second run then adds ~no bytes)."""
        assert item.capture is not None and item.capture.capture_id is not None
        capture_id = item.capture.capture_id
        found = self.session.index.original_analysis(capture_id)
        if found is None:
            return False
        original, _page = found
        # no page row of its own: index.page_for falls back to the original's, so the text is
        # neither stored nor full-text indexed a second time
        self.session.index.set_state(capture_id, original.state, original.state_reason)
        self._inc("extract/reused_for_revisit")
        return True

    def _store(self, item: ArchivedResponse, result: dict[str, Any]) -> None:
        assert item.capture is not None and item.capture.capture_id is not None
        capture_id = item.capture.capture_id
        if result.get("error"):
            self._inc("extract/errors")
            return
        record = {"url": item.url, "refers_to": item.capture.record_id, **result}
        block = json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8")
        record_id = self.session.write_derivative(item.url, item.capture.record_id, block, METADATA_TYPE)
        state = result["state"]
        forced = item.capture.render_state
        if forced:  # blocked:captcha, or a challenge still there after rendering
            state, result["reason"] = forced[0], forced[1]
            result["page"] = None
        if state:
            self.session.index.set_state(capture_id, state, result["reason"])
            self._inc(f"extract/state/{state.split(':')[0]}")
        page = result.get("page")
        if page is None:
            return
        self.session.index.save_page(Page.from_analysis(capture_id, item.url, result, record_id))
        self._inc("extract/pages")
        host = host_of(item.url)
        if len(self._hosts.get(host, HostPages()).titles) < HOST_PAGES_LIMIT:
            self._hosts.pop(host, None)  # the next page of the host learns from this one too
        # which body path the page took (pipelines/extraction/fastpath.py: fast_path or general)
        if page.get("extraction_path") in ("fast_path", "general"):
            self._inc(f"extraction/{page['extraction_path']}")

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)

    def close_spider(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        if self.documents is not None:
            self.documents.close()
