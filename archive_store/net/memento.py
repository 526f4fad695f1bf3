"""Ask public web archives for copies of a URL: Memento TimeMaps (RFC 7089, application/link-format)
and the Wayback CDX API; the `id_` form of each memento URL gives the original bytes.

Endpoints come from ARCHIVE_MEMENTO_ENDPOINTS, comma-separated:
  `http://host/coll/timemap/link/`  a TimeMap prefix; the original URL is appended (pywb, Wayback)
  `cdx:CDX_PREFIX|REPLAY_PREFIX`    a Wayback CDX API (`CDX_PREFIX` + URL + `&output=json`), its
                                    mementos at `REPLAY_PREFIX<timestamp>/<url>`
A TimeMap that redirects is followed; one that pages (links with rel "timemap" or "next" to
another TimeMap) is followed up to ARCHIVE_MEMENTO_MAX_PAGES pages; 429 and 503 answers wait
Retry-After seconds (at most ARCHIVE_MEMENTO_MAX_WAIT) and try again up to ARCHIVE_MEMENTO_RETRIES
times. Every endpoint that fails is named with its reason; none stops the others.
"""

from __future__ import annotations

import email.utils
import json
import logging
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from archive_store.net.netpolicy import AddressPolicy
from archive_store.net.plainwords import plain_error
from archive_store.net.urlguard import guarded_opener

logger = logging.getLogger(__name__)

USER_AGENT = "sourcekeeper-recover (+https://github.com/ memento client)"
_LINK = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,<=\s]+\s*(?:=\s*(?:\"[^\"]*\"|[^;,\s]*))?)*)")
_PARAM = re.compile(r";\s*([^=;\s]+)\s*(?:=\s*(\"[^\"]*\"|[^;,]*))?")
_WAYBACK_STAMP = re.compile(r"^(.*?/)(\d{4,14})([a-z]{2}_)?/(https?:.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Memento:
    original_url: str
    memento_url: str  # as the archive lists it
    fetch_url: str  # the `id_` form when the archive has one: the original bytes, unrewritten
    datetime: str  # ISO 8601 UTC, e.g. 2020-01-14T08:00:00Z
    archive: str  # the endpoint's host
    timemap_url: str


@dataclass
class Lookup:
    url: str
    mementos: list[Memento] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # one per endpoint that failed, with why
    asked: list[str] = field(default_factory=list)  # TimeMap / CDX URLs fetched


@dataclass(frozen=True)
class LinkEntry:
    uri: str
    params: dict[str, str]

    @property
    def rels(self) -> set[str]:
        return set(self.params.get("rel", "").lower().split())


def parse_link_format(text: str) -> list[LinkEntry]:
    """RFC 6690 / RFC 8288 links: `<uri>; rel="memento"; datetime="…", …` (lenient on spacing)."""
    entries = []
    for match in _LINK.finditer(text):
        params = {}
        for name, value in _PARAM.findall(match.group(2)):
            params[name.lower()] = value.strip().strip('"')
        entries.append(LinkEntry(match.group(1).strip(), params))
    return entries


def id_url(memento_url: str) -> str:
    """`…/20200114080000/http://x` -> `…/20200114080000id_/http://x` (Wayback and pywb)."""
    match = _WAYBACK_STAMP.match(memento_url)
    if not match:
        return memento_url
    return f"{match.group(1)}{match.group(2)}id_/{match.group(4)}"


def http_date_to_iso(value: str) -> str:
    parsed = email.utils.parsedate_to_datetime(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def timestamp_to_iso(stamp: str) -> str:
    stamp = (stamp + "00000101000000"[len(stamp) :])[:14]
    return datetime.strptime(stamp, "%Y%m%d%H%M%S").strftime("%Y-%m-%dT%H:%M:%SZ")


class Fetcher:
    """GET with redirects followed, 429/503 waited out (Retry-After), a timeout per request."""

    def __init__(
        self,
        timeout: float = 20.0,
        retries: int = 2,
        max_wait: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        policy: AddressPolicy | None = None,
    ) -> None:
        self.timeout, self.retries, self.max_wait, self.sleep = timeout, retries, max_wait, sleep
        self.waited: list[float] = []
        # ARCHIVE_ALLOW_PRIVATE as the crawl has it (default: from the environment, else refuse)
        self.opener = guarded_opener(policy)

    def get(self, url: str, accept: str) -> tuple[str, bytes]:
        """(final URL, body); raises OSError / urllib.error.HTTPError with the reason."""
        attempt = 0
        while True:
            request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": accept})
            try:
                with self.opener.open(request, timeout=self.timeout) as answer:
                    return answer.geturl(), answer.read()
            except urllib.error.HTTPError as exc:
                if exc.code not in (429, 503) or attempt >= self.retries:
                    raise
                wait = _retry_after(exc.headers.get("Retry-After"), default=2.0**attempt)
                if wait > self.max_wait:
                    raise urllib.error.HTTPError(
                        url,
                        exc.code,
                        f"asked to wait {wait:.0f} s (over ARCHIVE_MEMENTO_MAX_WAIT)",
                        exc.headers,
                        None,
                    ) from exc
                self.waited.append(wait)
                self.sleep(wait)
                attempt += 1


def _retry_after(value: str | None, default: float) -> float:
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def parse_endpoints(value: str | Iterable[str]) -> list[str]:
    items = value.split(",") if isinstance(value, str) else list(value)
    return [item.strip() for item in items if item.strip()]


def lookup(url: str, endpoints: list[str], fetcher: Fetcher, max_pages: int = 10) -> Lookup:
    found = Lookup(url)
    for endpoint in endpoints:
        try:
            if endpoint.startswith("cdx:"):
                found.mementos += _from_cdx(url, endpoint[4:], fetcher, found)
            else:
                found.mementos += _from_timemap(url, endpoint, fetcher, found, max_pages)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:  # pywb and Wayback: no memento of this URL
                continue
            found.problems.append(f"{_archive_name(endpoint)}: HTTP {exc.code} {exc.reason}")
        except (OSError, ValueError) as exc:  # timeouts, refused connections, bad answers
            found.problems.append(f"{_archive_name(endpoint)}: {plain_error(exc)}")
    unique: dict[str, Memento] = {}
    for memento in found.mementos:
        unique.setdefault(memento.memento_url, memento)
    found.mementos = sorted(unique.values(), key=lambda m: (m.datetime, m.memento_url))
    return found


def _archive_name(endpoint: str) -> str:
    return urlsplit(endpoint.removeprefix("cdx:").split("|", 1)[0]).netloc or endpoint


def _from_timemap(url: str, prefix: str, fetcher: Fetcher, found: Lookup, max_pages: int) -> list[Memento]:
    archive = _archive_name(prefix)
    pending = [prefix + url]
    seen: set[str] = set()
    mementos = []
    while pending and len(seen) < max_pages:
        timemap_url = pending.pop(0)
        if timemap_url in seen:
            continue
        seen.add(timemap_url)
        final_url, body = fetcher.get(timemap_url, "application/link-format")
        found.asked.append(final_url)
        for entry in parse_link_format(body.decode("utf-8", "replace")):
            target = urljoin(final_url, entry.uri)
            if "memento" in entry.rels and entry.params.get("datetime"):
                when = http_date_to_iso(entry.params["datetime"])
                mementos.append(Memento(url, target, id_url(target), when, archive, final_url))
            elif {"timemap", "next", "prev"} & entry.rels and target not in {*seen, final_url, timemap_url}:
                pending.append(target)  # another page of a paged TimeMap
    if pending:
        found.problems.append(f"{archive}: TimeMap has more than {max_pages} pages; the rest not read")
    return mementos


def _from_cdx(url: str, spec: str, fetcher: Fetcher, found: Lookup) -> list[Memento]:
    cdx_prefix, _, replay_prefix = spec.partition("|")
    if not replay_prefix:
        raise ValueError(f"CDX endpoint {spec!r}: give `cdx:CDX_PREFIX|REPLAY_PREFIX`")
    archive = _archive_name(cdx_prefix)
    query = f"{cdx_prefix}{quote(url, safe='')}&output=json"
    final_url, body = fetcher.get(query, "application/json")
    found.asked.append(final_url)
    text = body.decode("utf-8", "replace").strip()
    rows = _cdx_rows(text)
    mementos = []
    for row in rows:
        stamp, original, status = (
            row.get("timestamp", ""),
            row.get("original") or row.get("url") or url,
            row.get("statuscode") or row.get("status"),
        )
        if not stamp or (status and status not in ("200", "-")):
            continue
        memento_url = f"{replay_prefix}{stamp}/{original}"
        mementos.append(
            Memento(url, memento_url, id_url(memento_url), timestamp_to_iso(stamp), archive, final_url)
        )
    return mementos


def _cdx_rows(text: str) -> list[dict[str, str]]:
    """The Wayback CDX server's JSON (a header row, then rows) or pywb's (one object a line)."""
    if not text:
        return []
    if text.startswith("["):
        table: list[list[str]] = json.loads(text)
        if not table:
            return []
        header, *rows = table
        return [dict(zip(header, row, strict=False)) for row in rows]
    return [_plain(json.loads(line)) for line in text.splitlines() if line.strip()]


def _plain(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in dict(value).items()}
