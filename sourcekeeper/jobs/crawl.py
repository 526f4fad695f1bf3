"""Library entry of `crawl`: run a site profile into an archive and return the run summary.

summary = crawl_profile(Path("archive"), Path("profiles/trs-county-psb.toml"), since=None,
                        max_pages=5, overrides={}, log_level="WARNING")
summary["listing"]  # pages walked, notices listed/fetched/already archived, why paging stopped
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from archive_store.lock import ArchiveLock
from scrapers.profiles import load_profile
from sourcekeeper.jobs.runner import build_settings, run_spider
from sourcekeeper.jobs.unattended import enable_progress


def crawl_profile(
    archive_dir: Path,
    profile_path: Path,
    since: date | None,
    max_pages: int | None,
    overrides: dict[str, str],
    log_level: str = "WARNING",
    *,
    until: date | None = None,
    full: bool = False,
    variables: dict[str, str] | None = None,
    extract: bool = True,
) -> dict[str, Any]:
    """Walk the profile's column into ``archive_dir``. Raises ProfileError (bad profile) before
    anything is fetched, ArchiveLocked when another run holds the archive."""
    from scrapers.listing import ListingSpider  # noqa: PLC0415 (imports Scrapy)

    profile = load_profile(profile_path, variables or {})
    with ArchiveLock(archive_dir):  # fail fast with a clear message before Scrapy starts
        settings = build_settings(archive_dir, overrides, extract=extract, log_level=log_level)
        enable_progress(settings)  # on when ARCHIVE_PROGRESS is (a person watches a terminal)
        report: dict[str, Any] = {}
        summary = run_spider(
            ListingSpider,
            settings,
            profile=profile,
            since=since,
            until=until,
            max_pages=max_pages,
            full=full,
            report=report,
        )
    return {**summary, "listing": report}


def listing_line(listing: dict[str, Any]) -> str:
    """One line a person reads: what the column walk did and why it stopped."""
    stopped = listing.get("stopped_detail") or listing.get("stopped") or "finished"
    return (
        f"profile {listing.get('profile')}: {listing.get('pages', 0)} listing page(s), "
        f"{listing.get('listed', 0)} notice(s) listed, {listing.get('fetched', 0)} fetched, "
        f"{listing.get('already_archived', 0)} already archived, "
        f"{listing.get('outside_window', 0)} outside the date window; stopped: {stopped}"
    )
