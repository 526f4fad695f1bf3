"""`archive`: capture URLs (and what they link to) into an archive; the run summary and how it is shown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archive_store.crawl.medianotes import media_lines
from archive_store.layout import INDEX_NAME, WARCS_DIR
from archive_store.lock import ArchiveLock
from sourcekeeper.jobs.runner import build_settings, run_spider
from sourcekeeper.jobs.unattended import enable_progress, write_run_file
from sourcekeeper.options import err
from sourcekeeper.printable import json_line


def crawl_urls(
    archive_dir: Path,
    urls: list[str],
    seeds: str | None,
    overrides: dict[str, str],
    *,
    extract: bool = True,
    log_level: str = "WARNING",
) -> dict[str, Any]:
    """Library entry point of `archive`: capture the URLs into `archive_dir`, return the summary."""
    from scrapers.urls import UrlsSpider  # noqa: PLC0415

    with ArchiveLock(archive_dir):  # fail fast with a clear message before Scrapy starts
        settings = build_settings(archive_dir, overrides, extract=extract, log_level=log_level)
        enable_progress(settings)
        summary = run_spider(UrlsSpider, settings, urls=list(urls), seeds=seeds)
        write_run_file(archive_dir, summary, kind="archive")  # runs/<run id>.json
        return summary


def summary_ok(summary: dict[str, Any]) -> bool:
    return not summary["failed"] and not summary.get("write_error")


def report_summary(summary: dict[str, Any], *, as_json: bool = False, quiet: bool = False) -> None:
    if as_json:
        print(json_line(summary))
    if quiet and summary_ok(summary):
        return
    err(
        f"run {summary['run']} ({summary['reason']}): {summary['captured']} captured, "
        f"{summary['revisits']} revisits, {summary['truncated']} truncated, {summary['failed']} failed"
    )
    for failure in summary["failures"]:
        err(f"  failed: {failure['url']} — {failure['reason']}")
    for line in media_lines(summary.get("media")):
        err(f"  {line}")
    if summary.get("write_error"):
        err(f"  archive write error: {summary['write_error']}")
    for name in summary["files"]:
        err(f"  wrote {Path(summary['archive']) / WARCS_DIR / name}")
    index = str(summary.get("index") or "").removeprefix("sqlite:///")
    err(f"  index {index or Path(summary['archive']) / INDEX_NAME}")
