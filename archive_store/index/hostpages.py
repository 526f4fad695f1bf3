"""The other pages of a host in the index: their <title>s and recorded site names, from which
extraction learns the site's name (pipelines/extraction/sitenames.py). Bounded in rows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import or_, select

from archive_store.index.database import ArchiveIndex
from archive_store.index.schema import Page

# rows read per host: enough for the shared end of the titles to stand out, few enough to stay cheap
HOST_PAGES_LIMIT = 20


@dataclass(frozen=True)
class HostPages:
    """The ``<title>`` (else the stored title) and the recorded site name of a host's pages."""

    titles: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()


def host_of(url: str) -> str:
    """The host part of ``url`` (with its port), lower-cased; '' when there is none."""
    try:
        return (urlsplit(url).netloc or "").lower()
    except ValueError:
        return ""


def host_pages(index: ArchiveIndex, url: str, limit: int = HOST_PAGES_LIMIT) -> HostPages:
    """The newest ``limit`` pages (kind page) of ``url``'s host, other than ``url`` itself."""
    host = host_of(url)
    if not host:
        return HostPages()
    # a range per scheme, so the index on pages.url answers it ("0" sorts right after "/")
    ranges = [
        (Page.url >= f"{scheme}://{host}/") & (Page.url < f"{scheme}://{host}0")
        for scheme in ("http", "https")
    ]
    query = (
        select(Page.title, Page.site, Page.metadata_json)
        .where(or_(*ranges), Page.url != url, Page.kind == "page")
        .order_by(Page.capture_id.desc())
        .limit(limit)
    )
    titles: list[str] = []
    sites: list[str] = []
    with index.session() as s:
        for title, site, metadata in s.execute(query):
            own = _page_title(metadata) or title
            if own:
                titles.append(own)
            if site:
                sites.append(site)
    return HostPages(tuple(titles), tuple(sites))


def _page_title(metadata: str | None) -> str | None:
    try:
        value = json.loads(metadata or "{}").get("page_title")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) and value else None
