"""In-process Scrapy components for the fast tests: a crawler built with Scrapy's `get_crawler`
and the archive add-on, components built with `build_from_crawler`, and exchanges fed to the archive
session as the recording download handler would (a tape of the bytes on the connection). No
subprocess, no network, no running reactor.

Imported as a top-level module (pywb installs a `tests` package that hides `tests.*`)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.reactor import install_reactor, is_reactor_installed
from scrapy.utils.test import get_crawler

from archive_store.crawl.capture.tape import ExchangeTape
from archive_store.crawl.session import ArchiveSession

# The session arms a reactor timer to commit index batches; this installs the reactor Scrapy
# itself would (it is never run here, and every index read commits the batch first).
if not is_reactor_installed():
    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")

ADDON = "pipelines.addon.SourcekeeperAddon"
T = TypeVar("T")


class QuietSpider(Spider):
    name = "component-test"


def archive_crawler(archive: Path, spidercls: type[Spider] = QuietSpider, **settings: Any) -> Crawler:
    """A crawler with the archive add-on on, writing to `archive`, extraction on a thread."""
    values: dict[str, Any] = {
        "ADDONS": {ADDON: 0},
        "ARCHIVE_DIR": str(archive),
        "EXTRACT_PROCESSES": 0,
        "ARCHIVE_OPERATOR": "component tests",
        **settings,
    }
    return get_crawler(spidercls, values)


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def http_response(
    body: bytes,
    status: str = "200 OK",
    headers: list[tuple[str, str]] | None = None,
) -> bytes:
    """An HTTP/1.1 response as a server sends it (Content-Length framing)."""
    head = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers or [])]
    head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def capture(
    session: ArchiveSession,
    url: str,
    raw_response: bytes,
    *,
    ip_address: str = "127.0.0.1",
    meta: dict[str, Any] | None = None,
) -> Request:
    """Record one exchange as the download handler does; returns the request, whose
    meta["archive_capture"] names the capture (a CaptureRef, as the spider sees it)."""
    request = Request(url, meta=dict(meta or {}))
    tape = ExchangeTape(ip_address, limit=0)
    path = url.split("/", 3)[3] if url.count("/") >= 3 else ""
    host = url.split("/")[2]
    tape.sent += f"GET /{path} HTTP/1.1\r\nHost: {host}\r\nAccept: */*\r\n\r\n".encode()
    tape.on_received(raw_response)
    response = Response(url, request=request)
    run(session.record_exchange(request, response, tape))
    return request
