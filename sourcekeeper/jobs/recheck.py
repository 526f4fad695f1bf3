"""Library entry of `recheck`: choose the URLs, crawl them with the `recheck` spider, read the events.

result = recheck_archive(Path("archive"), [], {}, older_than=timedelta(days=7))
result.new_removals  # URLs removed since their last good capture, confirmed twice
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from archive_store.index.baselines import RecheckTarget, archived_urls, build_target, last_checked
from archive_store.index.database import ArchiveIndex, default_db_url, utcnow
from archive_store.index.events import (
    add_to_run_summary,
    event_json,
    events_for_run,
    referenced_captures,
    run_counts,
)
from archive_store.index.lookup import url_variants
from archive_store.index.quotes import check_json, checks_of_run
from archive_store.layout import WARCS_DIR
from archive_store.lock import ArchiveLock
from sourcekeeper.jobs.recheck_resume import checked_urls, earlier_events, mark_resumed, unfinished_today
from sourcekeeper.jobs.runner import build_settings, run_spider
from sourcekeeper.jobs.unattended import enable_progress, record_custody, write_run_file
from sourcekeeper.urltext import did_you_mean

logger = logging.getLogger(__name__)


class NotArchived(ValueError):
    """URLs given to recheck that the archive holds no capture of."""


@dataclass
class RecheckResult:
    summary: dict[str, Any] | None  # the archive run summary (None: nothing was due)
    events: list[dict[str, Any]] = field(default_factory=list)  # JSON of each event
    counts: dict[str, Any] = field(default_factory=dict)
    run_file: Path | None = None

    @property
    def new_removals(self) -> list[str]:
        return list(self.counts.get("new_removals", []))


def select_targets(
    index: ArchiveIndex, warc_dir: Path, urls: list[str], older_than: timedelta | None
) -> list[RecheckTarget]:
    """The given URLs (each must be archived), else every archived seed URL; with `older_than`,
    only those not fetched within that time."""
    chosen = _given_urls(index, urls) if urls else archived_urls(index)
    if older_than is not None:
        cutoff = utcnow() - older_than
        chosen = [u for u in chosen if (last_checked(index, u) or cutoff) <= cutoff]
    return [build_target(index, warc_dir, url) for url in chosen]


def _given_urls(index: ArchiveIndex, urls: list[str]) -> list[str]:
    found: list[str] = []
    missing: list[str] = []
    for url in urls:
        spelling = next((v for v in url_variants(url) if index.captures_for(v)), None)
        if spelling is None:
            missing.append(url)
        elif spelling not in found:
            found.append(spelling)
    if missing:
        named = [url + did_you_mean(url, lambda u: bool(index.captures_for(u))) for url in missing]
        raise NotArchived("not in the archive (archive them first): " + ", ".join(named))
    return found


def recheck_archive(
    archive_dir: Path,
    urls: list[str],
    overrides: dict[str, str],
    *,
    older_than: timedelta | None = None,
    log_level: str = "WARNING",
    again: bool = False,
) -> RecheckResult:
    """Re-check archived URLs into `archive_dir`; every fetch becomes captures and one event.
    URLs today's unfinished (killed) re-check runs already checked are skipped unless `again`."""
    from scrapers.recheck import RecheckSpider  # noqa: PLC0415

    db_url = overrides.get("ARCHIVE_DB_URL") or default_db_url(archive_dir)
    with ArchiveLock(archive_dir):  # fail fast (exit 75) before reading targets or starting Scrapy
        index = ArchiveIndex(db_url)  # create: adds the event tables to older archives
        try:
            continues = [] if again else unfinished_today(index)
            done = checked_urls(index, continues)
            targets = select_targets(index, archive_dir / WARCS_DIR, urls, older_than)
        finally:
            index.close()
        if done:
            logger.warning("resuming: %d URL(s) re-checked by unfinished run(s) %s today are skipped "
                           "(--again checks them again)", len(done), continues)  # fmt: skip
        targets = [t for t in targets if t.url not in done]
        if not targets and not continues:
            return RecheckResult(None)
        summary: dict[str, Any] = {"run": None, "reason": "finished", "failed": 0}  # nothing left to do
        if targets:
            settings = build_settings(archive_dir, overrides, extract=True, log_level=log_level)
            enable_progress(settings)
            summary = run_spider(RecheckSpider, settings, targets=targets)
        summary["continues"] = continues
        return _collect(archive_dir, db_url, summary, continues)


def _collect(archive_dir: Path, db_url: str, summary: dict[str, Any], continues: list[int]) -> RecheckResult:
    """Read the run's events back (with those of the unfinished runs it continues, each URL once),
    add their counts to the run summary, row and file."""
    index = ArchiveIndex(db_url, create=False)
    try:
        events = earlier_events(index, continues)
        events += events_for_run(index, summary["run"]) if summary.get("run") else []
        if summary.get("reason") == "finished":
            mark_resumed(index, continues)  # done now: a later run today starts afresh
        captures = referenced_captures(index, events)
        counts = run_counts(events)
        runs = [*continues, *([summary["run"]] if summary.get("run") else [])]
        quotes = [check_json(row) for run in runs for row in checks_of_run(index, run)]
        counts["quote_changes"] = [q["url"] for q in quotes if quote_changed(q)]
        if summary.get("run"):
            try:
                add_to_run_summary(index, summary["run"], {"recheck": counts})
            except SQLAlchemyError as exc:  # a full disk: the events are in, the summary row is not
                logger.error("could not add the re-check counts to run %s: %s", summary["run"], exc)
        titles = {e.url: _title(index, e) for e in events}
    finally:
        index.close()
    jsons = [with_quotes({**event_json(e, captures), "title": titles.get(e.url)}, quotes) for e in events]
    record_custody(archive_dir, "recheck_finished", run=summary.get("run"), **counts)
    result = RecheckResult(summary, jsons, counts)
    result.run_file = write_run_file(archive_dir, summary, kind="recheck", recheck=counts)
    return result


def quote_changed(check: dict[str, Any]) -> bool:
    return bool(check.get("previous_status")) and check["previous_status"] != check["status"]


def with_quotes(event: dict[str, Any], quotes: list[dict[str, Any]]) -> dict[str, Any]:
    """An event's JSON with the quoted passages of its source as this re-check found them."""
    spellings = set(url_variants(event["url"]))
    latest: dict[str, dict[str, Any]] = {}
    for check in quotes:
        if check["url"] in spellings:
            latest[check["quote"]] = check  # a confirmation fetch's check comes last
    event["quotes"] = list(latest.values())
    event["quote_changes"] = sum(quote_changed(q) for q in latest.values())
    return event


def _title(index: ArchiveIndex, event: Any) -> str | None:
    """The source's title: of the new capture, else of the one it was compared with."""
    for capture_id in (event.new_capture_id, event.previous_capture_id):
        page = index.page_for(capture_id) if capture_id else None
        if page is not None and page.title:
            return str(page.title)
    return None
