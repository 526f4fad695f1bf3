"""`recover`: fetch copies of gone sources from public web archives through the recording crawl.

Each memento is fetched at its `id_` URL (the archive's copy of the original bytes), so the
exchange with the other archive is kept byte-exact like any capture, its WARC-Target-URI the
memento URL. Beside it goes a metadata record linking the original URL, the memento datetime,
the archive and the TimeMap, and the capture is marked third-party (`capture_origins`): it is
never taken for something we saw ourselves. No links are followed into the other archive.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

from archive_store.crawl.sessionapi import capture_session
from archive_store.index.captureref import CaptureRef
from archive_store.index.schema import CaptureOrigin
from pipelines.items import FetchFailure
from scrapers.common import ArchivingSpider, archived_item

MEMENTO_METADATA_TYPE = "application/json"


class RecoverSpider(ArchivingSpider):
    name = "recover"
    custom_settings = {  # noqa: RUF012 (Scrapy's class attribute)
        "METAREFRESH_ENABLED": False,
        "ARCHIVE_ATTACHMENT_HOPS": 0,  # the other archive's pages link to its own chrome
        # a third party's copy stands on its own: never a revisit of our capture of the same bytes
        "ARCHIVE_DEDUP_ENABLED": False,
    }

    def __init__(self, mementos: list[dict[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mementos = list(mementos or [])

    def run_identity(self) -> dict[str, Any]:
        return {"spider": self.name, "mementos": sorted(m["memento_url"] for m in self.mementos)}

    async def start(self) -> AsyncIterator[Any]:
        for memento in self.mementos:
            yield self.page_request(memento["fetch_url"], meta={"archive_memento": memento})

    async def parse(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        memento = response.meta["archive_memento"]
        if (
            response.status in (429, 503)
            and int(response.meta.get("archive_memento_tries", 0)) < self.archive.web_archives.memento_retries
        ):
            # the answer is kept (it is an exchange); wait as the archive asks, then try again
            wait = _retry_after(response, self.archive.web_archives.memento_max_wait)
            if wait is not None:
                from twisted.internet import reactor  # noqa: PLC0415 (Scrapy installs it first)

                await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))
                tries = int(response.meta.get("archive_memento_tries", 0)) + 1
                yield self.page_request(
                    memento["fetch_url"], meta={"archive_memento": memento, "archive_memento_tries": tries}
                )
                return
        item = archived_item(response, "page")
        capture = item.capture
        if capture is not None and capture.capture_id and response.status == 200:
            self._mark_third_party(memento, capture)
        elif response.status != 200:
            reason = (
                f"{memento['archive']} answered HTTP {response.status} for memento {memento['fetch_url']}"
            )
            yield FetchFailure(url=memento["fetch_url"], reason=reason, kind="final")
        yield item

    def _mark_third_party(self, memento: dict[str, str], capture: CaptureRef) -> None:
        capture_id = capture.capture_id
        assert capture_id is not None  # checked by the caller
        session = capture_session(self.crawler)
        link = {
            "original_url": memento["original_url"],
            "memento_url": memento["memento_url"],
            "fetched_url": memento["fetch_url"],
            "memento_datetime": memento["datetime"],
            "archive": memento["archive"],
            "timemap": memento["timemap_url"],
            "origin": "third-party",
        }
        block = json.dumps(link, ensure_ascii=False, sort_keys=True).encode("utf-8")
        session.write_derivative(memento["fetch_url"], capture.record_id, block, MEMENTO_METADATA_TYPE)
        with session.index.session() as s:
            s.merge(
                CaptureOrigin(
                    capture_id=capture_id,
                    origin="third-party",
                    via="memento",
                    source=memento["archive"],
                    original_url=memento["original_url"],
                    memento_url=memento["memento_url"],
                    memento_datetime=memento["datetime"],
                    timemap_url=memento["timemap_url"],
                )
            )
            s.commit()
        self.crawler.stats.inc_value("recover/mementos_stored")


def _retry_after(response: Response, max_wait: float) -> float | None:
    from archive_store.net.memento import _retry_after as parse  # noqa: PLC0415

    raw = response.headers.get(b"Retry-After")
    wait = parse(raw.decode("latin-1") if raw else None, default=1.0)
    return wait if wait <= max_wait else None
