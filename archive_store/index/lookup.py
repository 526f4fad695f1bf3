"""Find captures of a URL in the index: latest good, as of a time, all of them."""

from __future__ import annotations

from datetime import datetime

from w3lib.url import safe_url_string

from archive_store.index.database import ArchiveIndex
from archive_store.index.schema import Capture
from archive_store.index.when import parse_when

GOOD_STATE = "ok"


def normalise_url(url: str) -> str:
    """The form the crawl stored: IRIs percent-encoded as Scrapy does, fragment dropped."""
    url = url.strip().split("#", 1)[0]
    return safe_url_string(url, encoding="utf-8")


def parse_time(text: str) -> datetime:
    """The first instant of a WHEN value (`archive_store.index.when`), naive UTC. A bare date is a
    whole day: for "as of" or "until", use `parse_when(text).last`."""
    return parse_when(text).start


def url_variants(url: str) -> list[str]:
    base = normalise_url(url)
    variants = [base]
    if base.count("/") == 2:
        variants.append(base + "/")
    return variants


def find_capture(index: ArchiveIndex, url: str, at: datetime | None = None) -> Capture | None:
    """The latest good capture (at or before `at`), else the latest capture of any state."""
    from archive_store.index.origins import recovered_captures, third_party_ids  # noqa: PLC0415

    captures: list[Capture] = []
    for variant in url_variants(url):
        captures.extend(index.captures_for(variant))
    captures += recovered_captures(index, url_variants(url))  # mementos of it (recover)
    if at is not None:
        captures = [c for c in captures if c.captured_at <= at]
    captures.sort(key=lambda c: (c.captured_at, c.id))
    good = [c for c in captures if c.state == GOOD_STATE]
    if good:
        # our own capture first: a third party's copy (import, recover) only where we have none
        others = third_party_ids(index, (c.id for c in good))
        own = [c for c in good if c.id not in others]
        return (own or good)[-1]
    return captures[-1] if captures else None
