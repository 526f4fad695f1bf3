"""What earlier runs already hold: the listing spider stops paging where the archive is complete."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from archive_store.crawl.archive_settings import archive_settings
from archive_store.crawl.sessionapi import capture_session
from archive_store.index.lookup import GOOD_STATE
from archive_store.index.schema import Capture

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


def archived_urls(crawler: Crawler, urls: Collection[str]) -> set[str]:
    """Those of ``urls`` with a good capture made by an *earlier* run.

    Captures of the current run do not count: a resumed run (after a crash) must keep paging
    through the listing it had started, not stop at the notices it fetched before the crash.
    """
    if not urls or not archive_settings(crawler).enabled:
        return set()
    session = capture_session(crawler)
    stmt = select(Capture.url).where(Capture.url.in_(list(urls)), Capture.state == GOOD_STATE)
    if session.run_id is not None:
        stmt = stmt.where(or_(Capture.run_id.is_(None), Capture.run_id != session.run_id))
    with session.index.session() as db:
        return set(db.scalars(stmt.distinct()))
