"""`recover URL…` and `--recover`: look each URL up in the configured Memento / Wayback CDX
endpoints, fetch the latest mementos not held yet through the recording crawl (RecoverSpider),
and say per URL what was found, fetched and what failed. See docs/web-archives.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from archive_store.crawl.archive_settings import ArchiveSettings
from archive_store.crawl.default_settings import apply_defaults
from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.index.schema import CaptureOrigin
from archive_store.lock import ArchiveLock
from archive_store.net.memento import Fetcher, Lookup, Memento, lookup
from archive_store.net.netpolicy import AddressPolicy
from sourcekeeper.jobs.runner import build_settings, run_spider
from sourcekeeper.jobs.unattended import write_run_file


def held_mementos(db_url: str) -> set[str]:
    index = ArchiveIndex(db_url)
    try:
        with index.session() as s:
            return set(
                s.scalars(select(CaptureOrigin.memento_url).where(CaptureOrigin.memento_url.is_not(None)))
            )
    finally:
        index.close()


def choose(found: Lookup, held: set[str], per_url: int) -> list[Memento]:
    """The latest `per_url` mementos (all with 0), less those already in the archive."""
    latest = found.mementos[-per_url:] if per_url > 0 else found.mementos
    return [m for m in latest if m.memento_url not in held]


def recover_urls(
    archive_dir: Path,
    urls: list[str],
    overrides: dict[str, str],
    *,
    extract: bool = True,
    log_level: str = "WARNING",
) -> dict[str, Any]:
    """Library entry point of `recover`: the summary with one entry per URL."""
    with ArchiveLock(archive_dir):
        settings = build_settings(archive_dir, overrides, extract=extract, log_level=log_level)
        apply_defaults(settings)
        web_archives = ArchiveSettings.from_settings(settings).web_archives
        endpoints = list(web_archives.memento_endpoints)
        fetcher = Fetcher(
            timeout=web_archives.memento_timeout,
            retries=web_archives.memento_retries,
            max_wait=web_archives.memento_max_wait,
            policy=AddressPolicy.from_settings(settings),  # the crawl's ARCHIVE_ALLOW_PRIVATE
        )
        db_url = settings.get("ARCHIVE_DB_URL") or default_db_url(archive_dir)
        held = held_mementos(db_url)
        per_url = web_archives.memento_max_per_url
        entries: list[dict[str, Any]] = []
        wanted: list[Memento] = []
        for url in urls:
            found = lookup(url, endpoints, fetcher, web_archives.memento_max_pages)
            chosen = choose(found, held, per_url)
            wanted += chosen
            entries.append(
                {
                    "url": url,
                    "mementos_found": len(found.mementos),
                    "already_held": len([m for m in found.mementos if m.memento_url in held]),
                    "fetching": [m.memento_url for m in chosen],
                    "problems": found.problems,
                    "timemaps": found.asked,
                }
            )
        crawl: dict[str, Any] | None = None
        if wanted:
            mementos = [
                {
                    "original_url": m.original_url,
                    "memento_url": m.memento_url,
                    "fetch_url": m.fetch_url,
                    "datetime": m.datetime,
                    "archive": m.archive,
                    "timemap_url": m.timemap_url,
                }
                for m in wanted
            ]
            from scrapers.recover import RecoverSpider  # noqa: PLC0415

            crawl = run_spider(RecoverSpider, settings, mementos=mementos)
            write_run_file(archive_dir, crawl, kind="recover")
        stored = held_mementos(db_url) - held
        for entry in entries:
            entry["stored"] = [u for u in entry["fetching"] if u in stored]
            entry["failed"] = [u for u in entry["fetching"] if u not in stored]
        return {
            "archive": str(archive_dir),
            "endpoints": endpoints,
            "urls": entries,
            "stored": len(stored),
            "run": crawl["run"] if crawl else None,
            "failures": crawl["failures"] if crawl else [],
        }


def recover_ok(summary: dict[str, Any]) -> bool:
    """Something failed: an endpoint that did not answer, or a memento that was not stored."""
    return not any(entry["problems"] or entry["failed"] for entry in summary["urls"])
