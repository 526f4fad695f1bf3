"""Every place a report cites each URL, and the links it holds that are no citations (issue 17):
stored with the report (`citation_places`), given in the citation manifest."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from archive_store.index.database import ArchiveIndex
from archive_store.index.schema import CitationPlace


def add_places(
    index: ArchiveIndex,
    report_id: int,
    places: Iterable[tuple[str, int, str | None, str | None]],
    skipped: Iterable[tuple[str, str | None, str]],
) -> None:
    """places: (url, n-th citation, footnote, the link as written there: `…html#para2`);
    skipped: (url, anchor, reason)."""
    with index.session() as s:
        s.add_all(
            CitationPlace(
                report_id=report_id,
                kind="place",
                url=url,
                occurrence=n,
                footnote=footnote,
                url_as_written=written,
            )
            for url, n, footnote, written in places
        )
        s.add_all(
            CitationPlace(report_id=report_id, kind="skipped", url=url, anchor=anchor, reason=reason)
            for url, anchor, reason in skipped
        )
        s.commit()


def places_of(
    index: ArchiveIndex, report_id: int
) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """(url -> its places in reading order, the skipped links) of one report."""
    try:
        with index.session() as s:
            rows = list(
                s.scalars(
                    select(CitationPlace)
                    .where(CitationPlace.report_id == report_id)
                    .order_by(CitationPlace.id)
                )
            )
    except (OperationalError, ProgrammingError):  # an index from before issue 17
        return {}, []
    places: dict[str, list[dict[str, Any]]] = {}
    skipped = []
    for row in rows:
        if row.kind == "place":
            written = row.url_as_written or row.url
            fragment = written.partition("#")[2] or None
            place = {"citation": row.occurrence, "footnote": row.footnote, "url_as_written": written}
            places.setdefault(row.url, []).append({**place, "fragment": fragment})
        else:
            skipped.append({"url": row.url, "anchor": row.anchor, "reason": row.reason})
    return places, skipped
