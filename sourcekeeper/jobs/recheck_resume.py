"""A killed `recheck` resumes: the next run the same (UTC) day skips the sources the unfinished
runs already re-checked, and its report covers those runs' events too, each URL once.

A re-check run is never "resumed" into the same run id (see RecheckSpider.run_identity: captures
of an earlier moment must not answer a new fetch); instead the new run names the runs it
continues (`continues` in its summary) and, once it ends, marks them `resumed` so a later run
the same day starts afresh. `recheck --again` ignores unfinished runs and checks everything.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from archive_store.index.database import ArchiveIndex, utcnow
from archive_store.index.events import events_for_run
from archive_store.index.schema import RecheckEvent, Run

RECHECK_KIND = "recheck"
UNFINISHED = ("running", "interrupted")
RESUMED_STATUS = "resumed"


def unfinished_today(index: ArchiveIndex, now: datetime | None = None) -> list[int]:
    """Ids of today's re-check runs that did not finish (killed, or stopped by Ctrl-C)."""
    midnight = (now or utcnow()).replace(hour=0, minute=0, second=0, microsecond=0)
    with index.session() as s:
        stmt = (
            select(Run.id)
            .where(Run.kind == RECHECK_KIND, Run.status.in_(UNFINISHED), Run.started_at >= midnight)
            .order_by(Run.id)
        )
        return list(s.scalars(stmt))


def checked_urls(index: ArchiveIndex, run_ids: list[int]) -> set[str]:
    """URLs that have an event in these runs (re-checked to the end, confirmation included)."""
    if not run_ids:
        return set()
    with index.session() as s:
        return set(s.scalars(select(RecheckEvent.url).where(RecheckEvent.run_id.in_(run_ids))))


def earlier_events(index: ArchiveIndex, run_ids: list[int]) -> list[RecheckEvent]:
    return [event for run_id in run_ids for event in events_for_run(index, run_id)]


def mark_resumed(index: ArchiveIndex, run_ids: list[int]) -> None:
    """The runs a finished run continued: no longer unfinished, so they are not resumed again."""
    if not run_ids:
        return
    with index.session() as s:
        s.execute(update(Run).where(Run.id.in_(run_ids)).values(status=RESUMED_STATUS))
        s.commit()
