"""The monitored sources as one list, for the web view: each URL's state, title, site, first and
last capture, in a handful of grouped queries over the whole index (not one query per source as
`report` does), kept in memory until the index changes (`SourceList.rows`).

The state follows `report`'s rule (sourcekeeper/reporting/data.py `current_state`): the latest
re-check, a `restored` one holding while only `unchanged` re-checks follow it, `gone` for a source
never captured with content that answers as removed; without re-checks, `archived` when a good
capture exists, else what the last capture says. Third-party copies (imports, mementos) are left
out: never evidence of what we saw.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from archive_store.index.database import ArchiveIndex

# the order of `report`: newest removals and changes first
STATE_ORDER = ("removed", "restored", "gone", "blocked", "unreachable", "changed", "unchanged", "archived")


@dataclass(frozen=True)
class SourceRow:
    url: str
    state: str
    reason: str
    since: datetime | None  # the latest re-check, else the latest capture
    title: str | None
    site: str  # the URL's host
    captures: int
    first_at: datetime | None
    last_at: datetime | None
    profile: str | None  # the site profile whose run first captured it


@dataclass
class _Aggregate:
    captures: int = 0
    good: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    last_id: int = 0
    last_good_id: int | None = None
    first_run: int | None = None


def _time(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


_OWN = "LEFT JOIN capture_origins o ON o.capture_id = c.id WHERE o.capture_id IS NULL"
_AGGREGATE = (
    "SELECT c.url, count(*), sum(CASE WHEN c.state = 'ok' THEN 1 ELSE 0 END), min(c.captured_at), "
    "max(c.captured_at), max(c.id), max(CASE WHEN c.state = 'ok' THEN c.id END), min(c.run_id) "
    f"FROM captures c {_OWN} GROUP BY c.url"
)
_LAST_STATE = (
    "SELECT c.url, c.state, c.state_reason FROM captures c JOIN "
    f"(SELECT c.url AS url, max(c.id) AS id FROM captures c {_OWN} GROUP BY c.url) m ON m.id = c.id"
)
_TITLES = (
    "SELECT c.url, p.title FROM pages p JOIN captures c ON c.id = p.capture_id JOIN "
    "(SELECT c.url AS url, max(c.id) AS id FROM captures c "
    f"{_OWN} AND c.state = 'ok' GROUP BY c.url) m ON m.id = c.id"
)
_LAST_EVENT = (
    "SELECT e.url, e.state, e.reason, e.checked_at FROM recheck_events e JOIN "
    "(SELECT url, max(id) AS id FROM recheck_events{where} GROUP BY url) m ON m.id = e.id"
)


def _aggregates(conn: Connection) -> dict[str, _Aggregate]:
    found: dict[str, _Aggregate] = {}
    for url, n, good, first, last, last_id, last_good, run in conn.execute(text(_AGGREGATE)):
        found[url] = _Aggregate(
            int(n), int(good or 0), _time(first), _time(last), int(last_id), last_good, run
        )
    return found


def _events(conn: Connection, where: str = "") -> dict[str, tuple[str, str, datetime | None]]:
    try:
        rows = conn.execute(text(_LAST_EVENT.format(where=where)))
        return {url: (state, reason, _time(at)) for url, state, reason, at in rows}
    except (OperationalError, ProgrammingError):  # never re-checked: no events table yet
        return {}


def _profiles(conn: Connection) -> dict[int, str]:
    found: dict[int, str] = {}
    for run_id, command in conn.execute(text("SELECT id, command FROM runs WHERE kind = 'crawl'")):
        try:
            identity = json.loads(command or "{}")
        except json.JSONDecodeError:
            continue
        name = _profile_in(identity)
        if name:
            found[int(run_id)] = name
    return found


def _profile_in(value: Any) -> str | None:
    if isinstance(value, dict):
        if isinstance(value.get("profile"), str):
            return str(value["profile"])
        for item in value.values():
            name = _profile_in(item)
            if name:
                return name
    return None


def _state(
    agg: _Aggregate | None,
    last_state: tuple[str, str | None] | None,
    event: tuple[str, str, datetime | None] | None,
    changed_event: tuple[str, str, datetime | None] | None,
) -> tuple[str, str, datetime | None]:
    good = bool(agg and agg.good)
    if event is not None:
        state, reason, at = event
        if state == "unchanged" and changed_event is not None and changed_event[0] == "restored":
            state, reason, at = changed_event
        if state == "removed" and not good:
            return "gone", f"gone since its first fetch: {reason}", at
        return state, reason, at
    if agg is None:
        return "unreachable", "never captured", None
    if good:
        return "archived", "captured; not re-checked yet", agg.last_at
    family = (last_state[0] if last_state else "").split(":", 1)[0]
    reason = (last_state[1] or last_state[0]) if last_state else "never captured"
    if family == "removed":
        return "gone", f"gone since its first fetch: {reason}", agg.last_at
    return (family if family == "blocked" else "unreachable"), reason, agg.last_at


def build_rows(index: ArchiveIndex, urls: list[str]) -> list[SourceRow]:
    """One row per URL given, sorted as `report` sorts them (state order, newest first)."""
    with index.engine.connect() as conn:
        aggregates = _aggregates(conn)
        last_states = {url: (state, reason) for url, state, reason in conn.execute(text(_LAST_STATE))}
        titles: dict[str, str | None] = {url: title for url, title in conn.execute(text(_TITLES))}
        events = _events(conn)
        changed = _events(conn, " WHERE state != 'unchanged'")
        profiles = _profiles(conn)
    rows = []
    for url in urls:
        agg = aggregates.get(url)
        state, reason, since = _state(agg, last_states.get(url), events.get(url), changed.get(url))
        profile = profiles.get(agg.first_run) if agg and agg.first_run is not None else None
        rows.append(
            SourceRow(
                url=url,
                state=state,
                reason=reason,
                since=since,
                title=titles.get(url),
                site=(urlsplit(url).hostname or "").lower(),
                captures=agg.captures if agg else 0,
                first_at=agg.first_at if agg else None,
                last_at=agg.last_at if agg else None,
                profile=profile,
            )
        )
    rows.sort(key=lambda r: -(r.since or datetime.min).timestamp() if r.since else 0.0)
    rows.sort(key=lambda r: STATE_ORDER.index(r.state) if r.state in STATE_ORDER else len(STATE_ORDER))
    return rows


def fingerprint(index: ArchiveIndex) -> tuple[Any, ...]:
    """What changes when a capture, a page, a re-check or a citation is added: the tables' highest
    keys (one step down each primary key's index; a count would read the whole table)."""
    parts: list[Any] = []
    with index.engine.connect() as conn:
        for table in ("captures", "recheck_events", "citations", "monitored_sources", "pages"):
            key = "capture_id" if table == "pages" else "id"
            try:
                parts.append(conn.execute(text(f"SELECT max({key}) FROM {table}")).scalar())
            except (OperationalError, ProgrammingError):
                parts.append(None)
    return tuple(parts)


class SourceList:
    """The rows, rebuilt only when `fingerprint` moves; safe to share between threads.

    A rebuild that took longer than `SLOW` seconds last time (a large archive) is done in the
    background while the previous rows are served, so a crawl adding captures does not stall every
    page of the list; a small archive is always rebuilt at once."""

    SLOW = 1.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[Any, ...] | None = None
        self._rows: list[SourceRow] = []
        self._took = 0.0
        self._building = False

    def _build(self, index: ArchiveIndex, urls_of: Any, key: tuple[Any, ...]) -> list[SourceRow]:
        began = time.monotonic()
        try:
            rows = build_rows(index, urls_of(index))
        finally:
            with self._lock:
                self._building = False
        with self._lock:
            self._rows, self._key, self._took = rows, key, time.monotonic() - began
        return rows

    def rows(self, index: ArchiveIndex, urls_of: Any) -> list[SourceRow]:
        """`urls_of(index)` gives the monitored URLs (report's choice: cited, else seeds)."""
        key = fingerprint(index)
        with self._lock:
            if key == self._key or (self._building and self._key is not None):
                return self._rows
            stale = self._key is not None and self._took > self.SLOW
            self._building = True
        if stale:
            threading.Thread(target=self._build, args=(index, urls_of, key), daemon=True).start()
            return self._rows
        return self._build(index, urls_of, key)


def filter_rows(
    rows: list[SourceRow],
    *,
    state: str | None = None,
    site: str | None = None,
    urls: set[str] | None = None,
    profile: str | None = None,
) -> list[SourceRow]:
    """The rows that pass every filter given: `site` is the host or a parent domain of it."""
    site = (site or "").strip().lower()
    out = []
    for row in rows:
        if state and row.state != state:
            continue
        if site and not (row.site == site or row.site.endswith("." + site)):
            continue
        if urls is not None and row.url not in urls:
            continue
        if profile and row.profile != profile:
            continue
        out.append(row)
    return out
