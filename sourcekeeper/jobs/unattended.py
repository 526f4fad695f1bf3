"""Running without a person: exit codes, JSON log lines, a progress bar only on a terminal, and a
run summary file in the archive (runs/<run id>.json) beside the index row.

Exit codes (README, "Unattended operation"): 0 ok; 1 the work ran but something failed; 2 usage or
configuration error; 3 a re-check found new removals; 75 the archive is locked by another run.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from archive_store.layout import RUNS_DIR
from sourcekeeper.printable import json_line

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)
_AGE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)
_AGE_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_age(text: str) -> timedelta:
    """`90m`, `12h`, `7d`, `2w` -> timedelta (argparse type)."""
    match = _AGE_RE.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"expected an age like 12h, 7d or 2w, got {text!r}")
    return timedelta(**{_AGE_UNITS[match.group(2).lower()]: float(match.group(1))})


def add_log_format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--log-format",
        choices=("text", "json"),
        default="text",
        help="json: every log line on stderr is one JSON object (for log collectors)",
    )


# log lines -------------------------------------------------------------------------------------
class JsonLogFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message (and the exception, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def crawl_output_settings(args: argparse.Namespace, overrides: dict[str, str]) -> dict[str, str]:
    """Settings for what a crawl prints: JSON log lines instead of Scrapy's text handler, and the
    progress bar only when a person watches stderr (a TTY, not --quiet, -v or JSON logs)."""
    overrides = dict(overrides)
    json_logs = getattr(args, "log_format", "text") == "json"
    if json_logs:
        overrides["LOG_ENABLED"] = "False"  # Scrapy's text handler; ours writes JSON instead
        install_json_logging("INFO" if args.verbose else "ERROR" if args.quiet else "WARNING")
    watched = sys.stderr.isatty() and not (args.quiet or args.verbose or json_logs)
    overrides.setdefault("ARCHIVE_PROGRESS", str(watched))
    return overrides


def install_json_logging(level: str, stream: TextIO | None = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLogFormatter())
    handler.setLevel(level)
    logging.root.addHandler(handler)
    logging.root.setLevel(logging.NOTSET)


def emit_json(event: str, level: str = "INFO", **fields: Any) -> None:
    """A command's own message as a JSON log line on stderr (same shape as JsonLogFormatter)."""
    entry = {"time": datetime.now(UTC).isoformat(), "level": level, "logger": "sourcekeeper"}
    print(json_line({**entry, "event": event, **fields}), file=sys.stderr)


# progress bar ----------------------------------------------------------------------------------
def enable_progress(settings: BaseSettings) -> None:
    """Add the progress extension (it stays off unless ARCHIVE_PROGRESS is true)."""
    settings.set_in_component_priority_dict("EXTENSIONS", ProgressExtension, 900)


class ProgressExtension:
    """A tqdm bar on stderr counting seed URLs done (answer or final failure) against the seeds."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.done: set[str] = set()
        self.bar: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        # Scrapy is imported once a crawl runs, not by every command that imports this module
        from scrapy import signals  # noqa: PLC0415
        from scrapy.exceptions import NotConfigured  # noqa: PLC0415

        from archive_store.crawl.archive_settings import archive_settings  # noqa: PLC0415

        if not archive_settings(crawler).progress:
            raise NotConfigured
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        from tqdm import tqdm  # noqa: PLC0415

        total = getattr(spider, "progress_total", None) or len(getattr(spider, "seed_urls", []))
        columns, lines = terminal_size()
        self.bar = tqdm(
            total=total or None, desc=spider.name, unit="URL", file=sys.stderr, ncols=columns, nrows=lines
        )

    def item_scraped(self, item: Any, response: Any, spider: Spider) -> None:
        key = seed_done(item)
        if key is None or key in self.done or self.bar is None:
            return
        self.done.add(key)
        total = getattr(spider, "progress_total", None)
        if total and total != self.bar.total:  # a report URL adds its citations once parsed
            self.bar.total = total
        self.bar.update(1)

    def spider_closed(self, spider: Spider) -> None:
        if self.bar is not None:
            self.bar.close()


def terminal_size() -> tuple[int, int]:
    """stderr's terminal size; a terminal that reports 0x0 (some ptys) gets COLUMNS/LINES or 80x24,
    since tqdm hides a bar below a zero-row screen."""
    try:
        size = os.get_terminal_size(sys.stderr.fileno())
    except (OSError, ValueError):
        size = os.terminal_size((0, 0))
    fallback = shutil.get_terminal_size()
    return size.columns or fallback.columns, size.lines or fallback.lines


def seed_done(item: Any) -> str | None:
    """The seed URL an item finishes, if it finishes one (attachments and hops do not)."""
    target = getattr(item, "target", None)
    if target is not None:
        return str(target.url)
    if getattr(item, "hop", None) == 0 and hasattr(item, "requested_url"):
        return str(item.requested_url)
    if getattr(item, "kind", None) in ("final", "seed") and hasattr(item, "reason"):
        return str(item.url)
    return None


# run summary file ------------------------------------------------------------------------------
def write_run_file(archive_dir: Path, summary: dict[str, Any], **extra: Any) -> Path | None:
    """runs/<run id>.json: the run's summary (and e.g. re-check counts), written atomically; a
    resumed run rewrites its own file, like its index row. A full disk costs the file, not the run
    (the summary is in the index and the custody log too): logged, None returned."""
    run_id = summary.get("run")
    if run_id is None:
        return None
    path = archive_dir / RUNS_DIR / f"{int(run_id)}.json"
    temporary = path.with_suffix(".json.tmp")
    body = {**summary, **extra, "written_at": datetime.now(UTC).isoformat()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        logger.error("could not write the run summary %s: %s", path, exc)
        return None
    return path


def record_custody(archive_dir: Path, event: str, **details: Any) -> None:
    """A custody-log line written after a crawl; a full disk is logged, never a traceback."""
    from archive_store.evidence.fixity import CustodyLog  # noqa: PLC0415
    from archive_store.layout import CUSTODY_NAME  # noqa: PLC0415

    try:
        CustodyLog(archive_dir / CUSTODY_NAME).record(event, **details)
    except OSError as exc:
        logger.error("could not append %s to the custody log: %s", event, exc)
