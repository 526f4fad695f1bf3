"""Several crawls, one after another, in one process.

A Twisted reactor cannot be started twice, so `run_spider` runs its crawl's reactor to the end
and a second crawl needed a process of its own (a second of imports, its own Chromium). Inside
`one_reactor(settings)` the reactor runs in a thread of its own for the whole block, and each
`run_spider` there runs its crawl on it (Scrapy's CrawlerProcess without `start`), waiting for it
in the calling thread. Each crawl keeps what it had: its own crawler, settings, archive run,
WARC files and summary, and its stop: a Ctrl-C or SIGTERM begins that crawl's prompt stop, a
second stops the reactor at once (later crawls in the block then refuse to start).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy.settings import Settings

# the reactor's thread while a `one_reactor` block runs
_thread: threading.Thread | None = None
# how often the waiting thread looks whether the reactor is still there (signals are handled between)
_WAIT_SECONDS = 0.1
# at the block's end, this long for the reactor's shutdown (it has no crawl left by then)
_JOIN_SECONDS = 15.0


def running() -> bool:
    """True inside a `one_reactor` block whose reactor still runs."""
    return _thread is not None and _thread.is_alive()


@contextlib.contextmanager
def one_reactor(settings: Settings) -> Iterator[None]:
    """Install the reactor `settings` name (TWISTED_REACTOR) and run it in a thread until the
    block ends; `run_spider` calls inside it crawl on that reactor."""
    global _thread  # noqa: PLW0603
    from scrapy.crawler import CrawlerProcess  # noqa: PLC0415
    from scrapy.utils.reactor import install_reactor  # noqa: PLC0415

    if _thread is not None:
        raise RuntimeError("one_reactor blocks do not nest")
    install_reactor(settings["TWISTED_REACTOR"], settings["ASYNCIO_EVENT_LOOP"])
    from twisted.internet import reactor  # noqa: PLC0415 (the one installed above)

    # what CrawlerProcess.start does before it runs the reactor: the DNS resolver, the thread pool
    CrawlerProcess(settings)._setup_reactor(install_signal_handlers=False)
    clock: Any = reactor  # zope interfaces do not type-check as methods
    _thread = threading.Thread(
        target=clock.run, kwargs={"installSignalHandlers": False}, name="reactor", daemon=True
    )
    _thread.start()
    try:
        yield
    finally:
        thread, _thread = _thread, None
        if thread.is_alive():
            clock.callFromThread(_stop, clock)
            thread.join(_JOIN_SECONDS)


def _stop(clock: Any) -> None:
    with contextlib.suppress(RuntimeError):  # stopped already (a second Ctrl-C)
        clock.stop()


def crawl_on_running_reactor(process: Any, crawler: Any, spider_kwargs: dict[str, Any]) -> None:
    """`process.crawl(crawler, **spider_kwargs)` on the running reactor, to its end; meanwhile the
    first Ctrl-C / SIGTERM goes to `process._signal_shutdown` (the prompt stop), the second to
    `process._signal_kill` (the reactor stops at once)."""
    from scrapy.utils.ossignal import install_shutdown_handlers  # noqa: PLC0415
    from twisted.internet import reactor  # noqa: PLC0415

    if not running():
        raise RuntimeError("the crawl's reactor has stopped")
    finished = threading.Event()

    def begin() -> None:
        done = process.crawl(crawler, **spider_kwargs)
        done.addErrback(_log_failure)
        done.addBoth(lambda _: finished.set())

    clock: Any = reactor
    # noted, not raised, until the crawl's own handlers are in place (as run_spider does)
    noted: list[int] = []
    install_shutdown_handlers(lambda signum, _frame: noted.append(signum))
    clock.callFromThread(begin)
    install_shutdown_handlers(process._signal_shutdown)
    for count, signum in enumerate(noted[:2]):
        (process._signal_kill if count else process._signal_shutdown)(signum, None)
    while not finished.wait(_WAIT_SECONDS):
        if not running():  # stopped at once: the crawl will not finish
            break


def _log_failure(failure: Any) -> None:
    logging.getLogger(__name__).error("the crawl failed: %s", failure.getErrorMessage())
