"""Run a spider in this process with the project's settings plus command-line overrides.

Scrapy (and Twisted through it) is imported when a crawl is set up, not with this module: the CLI
imports `CrawlFailed` from here for every command, most of which never crawl."""

from __future__ import annotations

import gc
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sourcekeeper import manners
from sourcekeeper.jobs import one_reactor
from sourcekeeper.manners import Interrupted, install_stop_handlers

if TYPE_CHECKING:
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings


_GC_GEN0_THRESHOLD = 10_000
_FULL_GC_SECONDS = 10.0
# after the stop's grace, this long for the pipelines and the WARC's close before it stops at once
_STOP_BACKSTOP_SECONDS = 15.0


class CrawlFailed(RuntimeError):
    """The crawl could not start or did not produce a run summary."""


class BadSettings(CrawlFailed):
    """A setting has a value the archive cannot use (a configuration error: exit code 2)."""


def build_settings(
    archive_dir: Path, overrides: dict[str, str], *, extract: bool, log_level: str
) -> Settings:
    from scrapy.settings import Settings  # noqa: PLC0415

    settings = Settings()
    settings.setmodule("settings", priority="project")
    # The command hands Scrapy its spider class, so Scrapy's spider loader has nothing to find;
    # left on, it imports every module in scrapers/ (Redis client, report readers): 0.35 s a run.
    settings.set("SPIDER_MODULES", [], priority="cmdline")
    settings.set("ARCHIVE_DIR", str(archive_dir), priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    if not extract:
        settings.set("EXTRACT_ENABLED", False, priority="cmdline")
    for name, value in overrides.items():
        settings.set(name, value, priority="cmdline")
    return settings


def _drop_unwanted_log_records() -> None:
    """Scrapy leaves the root logger at NOTSET and filters in its handler, so every page's DEBUG
    "Crawled (200)" record was built and then thrown away (about 1.5 % of a crawl's CPU). The root
    level becomes the lowest level any of its handlers wants: nothing anyone sees changes."""
    levels = [handler.level for handler in logging.root.handlers]
    if levels and min(levels) > logging.NOTSET:
        logging.root.setLevel(min(levels))


def _collect_cycles_regularly() -> None:
    """A full collection every `_FULL_GC_SECONDS`. CPython runs one only when the objects that
    survived into the oldest generation since the last have grown by a quarter of it: in a crawl
    that was never, so reference cycles (a failed Deferred's traceback, a response and its request)
    piled up for the whole run, 10,025 objects in 20,000 pages, 2,782 in 2,000. Each such
    collection takes about 7 ms here (most of the heap is frozen above)."""
    from twisted.internet import reactor, task  # noqa: PLC0415 (Scrapy installed the reactor)

    collector = task.LoopingCall(gc.collect, 2)
    collector.clock = reactor
    collector.start(_FULL_GC_SECONDS, now=False)


def _index_opens(settings: Settings) -> None:
    """The archive is free and its index opens (and takes its schema) before the crawl starts:
    "in use" (exit 75) or one plain line when the index cannot open (its disk is full), instead
    of a traceback from inside Scrapy's start."""
    from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415

    from archive_store.crawl import default_settings  # noqa: PLC0415
    from archive_store.crawl.runledger import plain_db_error  # noqa: PLC0415
    from archive_store.index.database import ArchiveIndex, default_db_url  # noqa: PLC0415
    from archive_store.lock import ArchiveLock  # noqa: PLC0415

    if not settings.getbool("ARCHIVE_ENABLED", default_settings.ARCHIVE_ENABLED):
        return
    folder = Path(settings.get("ARCHIVE_DIR") or default_settings.ARCHIVE_DIR).expanduser()
    url = settings.get("ARCHIVE_DB_URL") or default_db_url(folder)
    if not url.startswith("sqlite:"):
        return  # a database server reports its own errors, and its schema comes from migrations
    lock = ArchiveLock(folder)
    lock.acquire()  # another run writing: ArchiveLocked, exit 75, before Scrapy starts
    try:
        index = ArchiveIndex(url)
        try:
            _finish_search_index(index)
        finally:
            index.close()
    except SQLAlchemyError as exc:
        raise CrawlFailed(f"cannot open the index: {plain_db_error(exc)} (is its disk full?)") from None
    finally:
        lock.release()


def _finish_search_index(index: Any) -> None:
    """An archive made by an earlier version gets its bigram search index filled here, the first
    time a writing command opens it (minutes for 100,000 pages, with progress on stderr; stopped,
    the next run resumes where this one was). `search` answers the old way until it is done."""
    from archive_store.index.reader import ConnectionReader  # noqa: PLC0415
    from archive_store.index.search_setup import backfill_search_index  # noqa: PLC0415
    from archive_store.index.search_tables import bigram_index_state  # noqa: PLC0415

    with index.engine.connect() as connection:
        state = bigram_index_state(ConnectionReader(connection))
    if state is None or state[1]:
        return  # no bigram index to fill (made by the migrations), or filled already

    def progress(done: int, total: int) -> None:
        print(f"search index of an earlier version's archive: {done}/{total} pages", file=sys.stderr)

    backfill_search_index(index.engine, progress=progress)


def run_spider(spidercls: type, settings: Settings, **spider_kwargs: Any) -> dict[str, Any]:
    """Crawl to the end and return the archive run summary (see ArchiveSession.summary)."""
    from archive_store.crawl.archive_settings import setting_problems  # noqa: PLC0415

    problems = setting_problems(settings)
    if problems:
        raise BadSettings("; ".join(problems))
    _index_opens(settings)
    process = _stopping_process(settings)
    if one_reactor.running():  # a crawl after others in this process (sourcekeeper demo)
        process._initialized_reactor = True  # installed and running already
        crawler = process.create_crawler(spidercls)
        _drop_unwanted_log_records()
        one_reactor.crawl_on_running_reactor(process, crawler, spider_kwargs)
        install_stop_handlers()
        return _crawl_summary(process, crawler)
    crawler = process.create_crawler(spidercls)
    hand_over = _hold_signals_until_running(process)
    process.crawl(crawler, **spider_kwargs)  # installs the reactor, opens the spider
    hand_over()
    # Everything loaded so far (modules, settings, the index's mappings) lives for the whole run:
    # freezing it keeps the garbage collector from rescanning it on every full collection.
    gc.collect()
    gc.freeze()
    # Each page allocates thousands of short-lived containers (Deferreds, headers, requests); at
    # the default gen-0 threshold of 700 the collector ran 2,185 times in a 2,000-page crawl,
    # 0.86 s of pauses on the reactor thread (2.95 s for 8,000 pages). At 10,000: 0.36 s (0.67 s).
    # Garbage cycles then wait a little longer, and peak RSS grew 128 -> 141 MB from 2,000 to
    # 8,000 pages. 50,000 with (20, 20) saved a little more time but made full collections so
    # rare that RSS grew with the run (180 -> 261 MB): rejected.
    gc.set_threshold(_GC_GEN0_THRESHOLD, 10, 10)
    _collect_cycles_regularly()
    _drop_unwanted_log_records()
    process.start()  # the first Ctrl-C / SIGTERM: a prompt graceful stop; the second: at once
    install_stop_handlers()  # Scrapy's stay installed after the reactor stops, and do nothing then
    return _crawl_summary(process, crawler)


def _crawl_summary(process: Any, crawler: Any) -> dict[str, Any]:
    """The ended crawl's run summary; Interrupted when a signal stopped it, CrawlFailed without one."""
    from archive_store.crawl.extension import ArchiveExtension  # noqa: PLC0415

    try:
        middlewares = crawler.extensions.middlewares
    except RuntimeError:  # Scrapy raises when the crawl failed before its extensions were built
        middlewares = ()
    extension = next((m for m in middlewares if isinstance(m, ArchiveExtension)), None)
    summary = extension.summary if extension is not None else None
    stopped_by = getattr(process, "stop_signal", None)
    if stopped_by is not None and getattr(process, "killed", False):
        raise Interrupted(summary or {}, stopped_by, announced=True, at_once=True)
    if stopped_by is not None and summary is None:  # stopped before Scrapy's engine started
        raise Interrupted({}, stopped_by, announced=True)
    if summary is None:
        raise CrawlFailed("the crawl ended without a run summary; see the log above")
    logging.getLogger(__name__).debug("stats: %s", crawler.stats.get_stats() if crawler.stats else {})
    if stopped_by is not None:
        raise Interrupted(summary, stopped_by, announced=True)
    return summary


def _stopping_process(settings: Settings) -> CrawlerProcess:
    """Scrapy's CrawlerProcess, whose first shutdown signal also begins the prompt stop of each
    crawl (archive_store.crawl.stopping) and prints the one line, before Scrapy's own graceful
    stop; the second signal is Scrapy's: the reactor stops at once."""
    from scrapy.crawler import CrawlerProcess  # noqa: PLC0415

    from archive_store.crawl.stopping import CrawlStop, StopCounts  # noqa: PLC0415

    class StoppingCrawlerProcess(CrawlerProcess):
        stop_signal: int | None = None
        killed = False

        def _signal_shutdown(self, signum: int, frame: Any) -> None:
            # a signal handler: the work is done on the reactor thread, as Scrapy does its own
            from twisted.internet import reactor  # noqa: PLC0415 (the one Scrapy installed)

            self.stop_signal = signum
            reactor.callFromThread(self._stop_promptly, signum)
            super()._signal_shutdown(signum, frame)

        def _signal_kill(self, signum: int, frame: Any) -> None:
            self.killed = True
            super()._signal_kill(signum, frame)

        def _stop_promptly(self, signum: int) -> None:
            from twisted.internet import reactor  # noqa: PLC0415

            counts = StopCounts()
            grace = 0.0
            for crawler in list(self.crawlers):
                _close_progress_bar(crawler)
                counts += CrawlStop.for_crawler(crawler).begin()  # its ARCHIVE_STOP_GRACE
                grace = max(grace, crawler.settings.getfloat("ARCHIVE_STOP_GRACE"))
            line = manners.stopping_line(manners.current_command, signum, counts.captured, counts.not_fetched)
            _say_stopping(line, signum, counts.captured, counts.not_fetched)
            clock: Any = reactor  # zope interfaces do not type-check as methods
            clock.callLater(grace + _STOP_BACKSTOP_SECONDS, self._overran, grace + _STOP_BACKSTOP_SECONDS)

        def _overran(self, seconds: float) -> None:
            logger = logging.getLogger(__name__)
            logger.error("the crawl did not stop within %.0f s; stopping at once", seconds)
            self.killed = True
            self._stop_reactor()

    return StoppingCrawlerProcess(settings)


def _hold_signals_until_running(process: Any) -> Callable[[], None]:
    """From here until Scrapy installs its handlers (once the reactor runs), a Ctrl-C or SIGTERM
    is noted, not raised: the spider is opened (run started, files created) on the way, and a
    KeyboardInterrupt in the middle of that would end the command without closing the run.
    Call what this returns once the reactor is installed: noted signals are then handed to
    Scrapy's handlers as soon as they are in place."""
    noted: list[int] = []

    def note(signum: int, _frame: Any) -> None:
        noted.append(signum)

    signal.signal(signal.SIGINT, note)
    signal.signal(signal.SIGTERM, note)

    def hand_over() -> None:  # after every startup trigger, Scrapy's handler installation included
        for count, signum in enumerate(noted[:2]):
            (process._signal_kill if count else process._signal_shutdown)(signum, None)

    def when_running() -> None:
        from twisted.internet import reactor  # noqa: PLC0415 (installed by then)

        clock: Any = reactor  # zope interfaces do not type-check as methods
        clock.callWhenRunning(clock.callLater, 0, hand_over)

    return when_running


def _say_stopping(line: str, signum: int, captured: int, not_fetched: int) -> None:
    """The stop's one line on stderr; with --log-format json, one JSON log line instead."""
    from sourcekeeper.jobs.unattended import JsonLogFormatter, emit_json  # noqa: PLC0415

    if any(isinstance(handler.formatter, JsonLogFormatter) for handler in logging.root.handlers):
        signame = signal.Signals(signum).name
        counts = {"captured": captured, "not_fetched": not_fetched}
        emit_json("stopping", "WARNING", signal=signame, **counts, message=line)
    else:
        print(line, file=sys.stderr, flush=True)


def _close_progress_bar(crawler: Any) -> None:
    """The stop's line goes on a line of its own, not into the progress bar."""
    from sourcekeeper.jobs.unattended import ProgressExtension  # noqa: PLC0415

    try:
        middlewares = crawler.extensions.middlewares
    except RuntimeError:
        return
    for extension in middlewares:
        if isinstance(extension, ProgressExtension) and extension.bar is not None:
            extension.bar.close()
            extension.bar = None
