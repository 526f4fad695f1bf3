"""Push for corroboration (issue 17, off by default): after a capture, ask independent archives
(Save-Page-Now-style endpoints, ARCHIVE_PUSH_ENDPOINTS: a prefix the URL is appended to, e.g.
`https://web.archive.org/save/`) to keep the same URL, and record the memento each answers with —
another archive's copy of what we saw. A failure is recorded with its reason, never fatal.

The memento is read from the answer as the Wayback Machine and pywb give it: a redirect's
`Location`, a `Content-Location`, or a `Link` header entry with rel="memento"."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from archive_store.index.database import ArchiveIndex, utcnow
from archive_store.index.schema import PushResult
from archive_store.net.memento import USER_AGENT, parse_link_format
from archive_store.net.netpolicy import AddressPolicy
from archive_store.net.plainwords import plain_error
from archive_store.net.urlguard import guarded_opener


@dataclass(frozen=True)
class Pushed:
    url: str
    endpoint: str
    http_status: int | None
    memento_url: str | None
    error: str | None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the redirect's Location is the memento: read it, do not follow it


def memento_of(base: str, headers: Any) -> str | None:
    for name in ("Location", "Content-Location"):
        value = headers.get(name)
        if value:
            return urljoin(base, str(value).strip())
    for entry in parse_link_format(headers.get("Link") or ""):
        if "memento" in entry.rels:
            return urljoin(base, entry.uri)
    return None


def push_one(url: str, endpoint: str, timeout: float, policy: AddressPolicy | None = None) -> Pushed:
    request_url = endpoint + url
    opener = guarded_opener(policy, _NoRedirect())  # ARCHIVE_ALLOW_PRIVATE, as in the crawl
    request = urllib.request.Request(request_url, headers={"User-Agent": USER_AGENT})
    try:
        with opener.open(request, timeout=timeout) as answer:
            status, headers = answer.status, answer.headers
    except urllib.error.HTTPError as exc:  # 3xx (not followed) land here too
        status, headers = exc.code, exc.headers
        if not 300 <= exc.code < 400:
            return Pushed(url, endpoint, exc.code, None, f"HTTP {exc.code} {exc.reason}")
    except (OSError, ValueError) as exc:
        return Pushed(url, endpoint, None, None, plain_error(exc))
    memento = memento_of(request_url, headers)
    error = None if memento else f"HTTP {status}: the answer names no memento"
    return Pushed(url, endpoint, status, memento, error)


def push_urls(
    index: ArchiveIndex,
    urls: Iterable[str],
    endpoints: list[str],
    timeout: float = 60,
    policy: AddressPolicy | None = None,
) -> list[Pushed]:
    """Push each URL to each endpoint; every attempt is recorded in `push_results`."""
    results = [push_one(url, endpoint, timeout, policy) for url in urls for endpoint in endpoints]
    with index.session() as s:
        s.add_all(
            PushResult(
                url=r.url,
                endpoint=r.endpoint,
                pushed_at=utcnow(),
                http_status=r.http_status,
                memento_url=r.memento_url,
                error=r.error,
            )
            for r in results
        )
        s.commit()
    return results
