"""Robust Links for report authors (issue 17): for a cited URL, its archived copies — ours, at the
replay base URL (`ARCHIVE_REPLAY_BASE_URL`, `report --replay-base`), and third parties' mementos
(recovered or imported) — as Robust Links HTML, a Markdown footnote and CSV columns.

Robust Links (https://robustlinks.mementoweb.org/spec/): the link keeps the original URL as its
href, and names a memento with `data-versionurl` and the date of that version with
`data-versiondate` (YYYY-MM-DD). One anchor per archived copy: our latest good capture first (the
one the author should cite), then the third parties' copies, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from archive_store.index.database import ArchiveIndex
from archive_store.index.lookup import GOOD_STATE, url_variants
from archive_store.index.origins import origins_for, recovered_captures
from archive_store.index.schema import Capture, PushResult

DEFAULT_REPLAY_BASE = "http://127.0.0.1:8090/archive/"


@dataclass(frozen=True)
class ArchivedCopy:
    url: str  # where the copy replays
    date: str  # YYYY-MM-DD of the version
    origin: str  # own | third-party
    archive: str  # "this archive", or the other archive's name / the imported file


def replay_url(base: str, capture: Capture, url: str) -> str:
    return f"{base.rstrip('/')}/{capture.captured_at.strftime('%Y%m%d%H%M%S')}/{url}"


def archived_copies(
    index: ArchiveIndex, url: str, replay_base: str = DEFAULT_REPLAY_BASE
) -> list[ArchivedCopy]:
    """Our latest good capture, then third parties' good copies (newest first)."""
    spellings = url_variants(url)
    captures = [c for s in spellings for c in index.captures_for(s)]
    captures += recovered_captures(index, spellings)
    origins = origins_for(index, (c.id for c in captures))
    good = sorted((c for c in captures if c.state == GOOD_STATE), key=lambda c: (c.captured_at, c.id))
    own = [c for c in good if c.id not in origins]
    copies = []
    if own:
        latest = own[-1]
        copies.append(
            ArchivedCopy(
                replay_url(replay_base, latest, latest.url),
                latest.captured_at.date().isoformat(),
                "own",
                "this archive",
            )
        )
    seen: set[str] = set()
    for capture in reversed([c for c in good if c.id in origins]):
        origin = origins[capture.id]
        if origin.memento_url:  # a public archive's copy: cite it where it lives
            where, date, archive = (
                origin.memento_url,
                (origin.memento_datetime or "")[:10],
                origin.source or "",
            )
        else:  # an imported capture replays here, in our archive
            where = replay_url(replay_base, capture, capture.url)
            date, archive = capture.captured_at.date().isoformat(), f"imported from {origin.source}"
        if where not in seen:
            seen.add(where)
            copies.append(ArchivedCopy(where, date, "third-party", archive))
    for pushed in _pushed(index, spellings):  # copies we asked independent archives to make
        if pushed.memento_url and pushed.memento_url not in seen:
            seen.add(pushed.memento_url)
            archive = f"{urlsplit(pushed.endpoint).netloc} (pushed)"
            copies.append(
                ArchivedCopy(pushed.memento_url, pushed.pushed_at.date().isoformat(), "third-party", archive)
            )
    return copies


def _pushed(index: ArchiveIndex, urls: list[str]) -> list[PushResult]:
    try:
        with index.session() as s:
            stmt = select(PushResult).where(PushResult.url.in_(urls), PushResult.memento_url.is_not(None))
            return list(s.scalars(stmt.order_by(PushResult.pushed_at.desc())))
    except (OperationalError, ProgrammingError):  # an index from before issue 17
        return []


def robust_link_html(url: str, copies: list[ArchivedCopy], text: str | None = None) -> str:
    """One anchor per copy (the original URL as href on each), or the bare link without copies."""
    label = escape(text or url)
    if not copies:
        return f'<a href="{escape(url)}">{label}</a>'
    return "\n".join(
        f'<a href="{escape(url)}" data-versionurl="{escape(c.url)}" data-versiondate="{c.date}">{label}</a>'
        for c in copies
    )


def markdown_footnote(label: str, url: str, copies: list[ArchivedCopy]) -> str:
    parts = [f"[^{label}]: <{url}>"]
    if copies:
        parts.append(
            "archived "
            + "; ".join(
                f"{c.date}: <{c.url}>" + ("" if c.origin == "own" else f" ({c.archive}, third-party copy)")
                for c in copies
            )
        )
    else:
        parts.append("no archived copy")
    return " — ".join(parts)


def csv_columns(copies: list[ArchivedCopy]) -> dict[str, str]:
    ours = [c for c in copies if c.origin == "own"]
    theirs = [c for c in copies if c.origin != "own"]
    return {
        "archived_url": ours[0].url if ours else "",
        "archived_date": ours[0].date if ours else "",
        "third_party_urls": " ".join(c.url for c in theirs),
        "third_party_dates": " ".join(c.date for c in theirs),
    }


def robust_entry(
    index: ArchiveIndex, url: str, replay_base: str, label: str, text: str | None = None
) -> dict[str, Any]:
    """Everything for one cited URL: the copies, and the three ready-to-paste forms."""
    copies = archived_copies(index, url, replay_base)
    return {
        "url": url,
        "copies": [c.__dict__ for c in copies],
        "html": robust_link_html(url, copies, text),
        "markdown": markdown_footnote(label, url, copies),
        **csv_columns(copies),
    }
