"""Finding a page's attachment links beside the reactor, in a worker process.

The scan (`page_links`: the charset the page declares, its links, whether it is a WeChat
article) is pure Python over the whole body: about 0.5 ms for a typical 50 KB government page,
and the reactor thread is the crawl's bottleneck. A thread would not help (the scan holds the
GIL); a process does, on the second core. The page's item is yielded before the scan, so only the
attachment requests wait for it.

The worker is one child process (`python -m scrapers.linkscan_worker`) spoken to over its stdin
and stdout by the reactor itself, in length-prefixed pickle frames. Not a ProcessPoolExecutor:
that one moves every call through a Python manager thread, which waits for the GIL the busy
reactor holds, and keeps only two calls queued for the child; measured, it capped the crawl at
about 160 pages a second where scanning inline reached 200 to 280.

ARCHIVE_SCAN_PROCESSES = 0 scans on the reactor thread; any other value starts the one worker
(it scans about 2,000 pages a second, several times what a crawl fetches). Pages smaller than
`_SCAN_ASIDE_MIN` are scanned there too (the hand-off would cost more than the scan), and so is
every page once the worker has died: the crawl goes on, slower, and says so once in the log.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import pickle
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.protocol import ProcessProtocol

from archive_store.crawl.archive_settings import archive_settings
from scrapers.links import PageLinks, page_links
from scrapers.linkscan_worker import FRAME_HEAD, encode_frame

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)
_SCAN_ASIDE_MIN = 16 * 1024
_PIPE_SIZE = 1024 * 1024
_PROJECT_ROOT = str(Path(__file__).resolve().parents[1])


class ScanWorkerGone(Exception):
    """The worker process ended (or never started) before answering."""


class LinkScanner:
    def __init__(self, processes: int, stats: Any = None) -> None:
        self.processes = processes
        self.stats = stats
        self._worker: _ScanWorker | None = None
        self._broken = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        scanner = cls(0)

        def opened() -> None:
            # not before: Scrapy builds the spider before the add-on puts in the project defaults,
            # and the crawler has no stats yet then
            scanner.processes = archive_settings(crawler).attachments.scan_processes
            scanner.stats = crawler.stats

        crawler.signals.connect(opened, signal=signals.spider_opened, weak=False)
        crawler.signals.connect(scanner.close, signal=signals.spider_closed)
        return scanner

    def start(self) -> None:
        """Start the worker (at the first page worth it: a run of a few small pages needs none)."""
        if self.processes > 0 and self._worker is None and not self._broken:
            self._worker = _ScanWorker.spawn()

    async def links(
        self, body: bytes, base_url: str, content_type: bytes | None, extensions: tuple[str, ...]
    ) -> PageLinks:
        """`page_links(body, base_url, content_type, extensions)`, in the worker if worth it."""
        if self.processes > 0 and not self._broken and len(body) >= _SCAN_ASIDE_MIN:
            self.start()
            assert self._worker is not None
            try:
                found = await maybe_deferred_to_future(
                    self._worker.scan(body, base_url, content_type, extensions)
                )
            except ScanWorkerGone as exc:
                if not self._broken:
                    logger.warning("the link-scan worker stopped (%s); scanning pages in the crawl", exc)
                self._broken = True
            except Exception:  # the scan below, inline, raises it again with its traceback
                pass
            else:
                self._inc("archive/links_scanned_aside")
                return found
        self._inc("archive/links_scanned_inline")
        return page_links(body, base_url, content_type, extensions)

    async def close(self) -> None:
        self.processes = 0  # a page still parsed after this is scanned inline
        if self._worker is not None:
            worker, self._worker = self._worker, None
            await maybe_deferred_to_future(worker.stop())

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)


class _ScanWorker(ProcessProtocol):
    """The parent's end of the worker: frames out on its stdin, answers in from its stdout."""

    def __init__(self) -> None:
        self._pending: dict[int, Deferred[PageLinks]] = {}
        self._next = 0
        self._buffer = bytearray()
        self._gone: str | None = None
        self._ended: Deferred[None] = Deferred()
        self._kill_timer: Any = None

    @classmethod
    def spawn(cls) -> _ScanWorker:
        from twisted.internet import reactor  # noqa: PLC0415 (the installed reactor, at call time)

        process_reactor: Any = reactor  # zope interfaces do not type-check as methods
        worker = cls()
        # the child imports this project's modules the way this process did, installed or not
        path = os.pathsep.join(p for p in (_PROJECT_ROOT, os.environ.get("PYTHONPATH")) if p)
        command = [sys.executable, "-m", "scrapers.linkscan_worker", str(os.getpid())]
        # In a session of its own, Ctrl-C at the terminal (sent to the whole foreground process
        # group) does not reach it, not even while it starts: the crawl stops it, by closing its
        # stdin, when the crawl stops. Twisted has no setsid option; util-linux's setsid execs
        # in place. Without it the worker ignores SIGINT once it has started.
        setsid = shutil.which("setsid")
        if setsid:
            command = [setsid, *command]
        process_reactor.spawnProcess(
            worker,
            command[0],
            command,
            env={**os.environ, "PYTHONPATH": path},
            childFDs={0: "w", 1: "r", 2: 2},  # its tracebacks go where ours do
        )
        return worker

    def scan(
        self, body: bytes, base_url: str, content_type: bytes | None, extensions: tuple[str, ...]
    ) -> Deferred[PageLinks]:
        answer: Deferred[PageLinks] = Deferred()
        if self._gone is not None or self.transport is None:
            answer.errback(ScanWorkerGone(self._gone or "not started"))
            return answer
        self._next += 1
        self._pending[self._next] = answer
        self._process.write(encode_frame((self._next, body, base_url, content_type, extensions)))
        return answer

    def connectionMade(self) -> None:  # noqa: N802 (Twisted's name)
        # A page (~50 KB framed) did not fit the default 64 KB pipe beside the one before it:
        # writes came in pieces, each waking the worker; 1 MB takes a burst of pages at once.
        grow = getattr(fcntl, "F_SETPIPE_SZ", None)
        stdin = getattr(self._process, "pipes", {}).get(0)
        if grow is not None and stdin is not None:
            with contextlib.suppress(OSError):  # above /proc/sys/fs/pipe-max-size: keep the default
                fcntl.fcntl(stdin.fileno(), grow, _PIPE_SIZE)

    @property
    def _process(self) -> Any:
        """The process transport (zope interfaces do not type-check as methods)."""
        return self.transport

    def outReceived(self, data: bytes) -> None:  # noqa: N802 (Twisted's name)
        self._buffer += data
        while len(self._buffer) >= FRAME_HEAD.size:
            (size,) = FRAME_HEAD.unpack_from(self._buffer)
            end = FRAME_HEAD.size + size
            if len(self._buffer) < end:
                return
            seq, found, error = pickle.loads(self._buffer[FRAME_HEAD.size : end])
            del self._buffer[:end]
            answer = self._pending.pop(seq)
            if error is None:
                answer.callback(PageLinks(*found))
            else:
                answer.errback(RuntimeError(error))

    def outConnectionLost(self) -> None:  # noqa: N802 (Twisted's name)
        self._lost("it closed its output")

    def processEnded(self, reason: Failure) -> None:  # noqa: N802 (Twisted's name)
        self._lost(reason.getErrorMessage())
        self._end()

    def _end(self) -> None:
        if self._kill_timer is not None and self._kill_timer.active():
            self._kill_timer.cancel()
        if not self._ended.called:
            self._ended.callback(None)

    def _lost(self, why: str) -> None:
        self._gone = self._gone or why
        pending, self._pending = self._pending, {}
        for answer in pending.values():
            answer.errback(ScanWorkerGone(self._gone))

    def stop(self) -> Deferred[None]:
        """Close its input (it exits when it has answered everything) and wait for it to end."""
        from twisted.internet import reactor  # noqa: PLC0415

        if self.transport is not None and not self._ended.called:
            self._process.closeStdin()
            # one that has not ended within 10 s is killed, and not waited for any longer
            timer_reactor: Any = reactor
            self._kill_timer = timer_reactor.callLater(10, self._kill)
        else:
            self._end()
        return self._ended

    def _kill(self) -> None:
        try:
            self._process.signalProcess("KILL")
        except Exception:
            logger.debug("link-scan worker already gone")
        self._end()
