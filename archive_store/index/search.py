"""Full-text search of extracted pages that is right for Chinese (issue 28).

Every term of two or more characters is answered from the bigram index (search_setup.py): the
page must hold each of the term's bigram phrases (FTS5 on SQLite, a GIN index over the distinct
bigrams on PostgreSQL), and the exact substring check on those candidates keeps exactly the pages
containing every term in their title or text — the same hits a scan gives. A query made only of
one-character terms (or any term without two neighbouring letters or digits, such as "〔") scans
the pages, and says so (`Results.scanned`).

Newest first (the default) follows the index's own order — its key is the capture time — in
growing batches, and stops once it has the page of results asked for: a common word such as 工作
reads a few dozen pages, not all its matches. `sort="relevance"` ranks every match by BM25
(term frequency with saturation, shorter pages first at equal counts, a title occurrence worth five).

An index made before the bigram index answers the old way (SQLite's trigram table, pg_trgm) until
its backfill is done.
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from archive_store.index.bigrams import bigrams
from archive_store.index.docnumbers import is_doc_number, variants
from archive_store.index.reader import ConnectionReader, Reader
from archive_store.index.search_tables import (
    BIGRAM_TABLE,
    CAPTURED_AT_INDEX,
    FTS_TABLE,
    PG_BIGRAM_TABLE,
    bigram_index_state,
    has_table,
)

if TYPE_CHECKING:
    from archive_store.index.database import ArchiveIndex

SNIPPET_CHARS = 40
SORTS = ("newest", "relevance")
KINDS = ("page", "document")
_FIRST_BATCH = 64
_MAX_BATCH = 4096


@dataclass(frozen=True)
class Hit:
    url: str
    title: str | None
    date: str | None
    snippet: str
    captured_at: str
    score: float
    site: str = ""
    state: str = "ok"
    kind: str = "page"
    page_url: str | None = None  # a document's: the page that links it (its capture's parent)

    def to_json(self) -> dict[str, object]:
        return {
            "url": self.url,
            "title": self.title,
            "date": self.date,
            "snippet": self.snippet,
            "captured_at": self.captured_at,
            "site": self.site,
            "state": self.state,
            "kind": self.kind,
            "page_url": self.page_url,
        }


@dataclass(frozen=True)
class Filters:
    """What a hit must also be. `site`: the URL's host or a parent domain of it (or the page's
    site name); `state`: the capture's state ("any" for all; default "ok", as before);
    `since`/`until`: the publication date (the capture date when the page has none), inclusive,
    as YYYY-MM-DD or a prefix of it; `kind`: "document" for a non-HTML body (PDF, Word, …);
    `report`: only the sources a report cites (and the documents those pages link), the report
    named by its number, its file or URL as given to `archive --from-report` (or that file's
    name alone), or its title."""

    site: str | None = None
    state: str = "ok"
    since: str | None = None
    until: str | None = None
    kind: str | None = None
    report: str | None = None


_REPORTS_NAMED = (
    "SELECT r.id FROM reports r WHERE CAST(r.id AS TEXT) = :report OR r.source = :report "
    "OR r.title = :report OR r.source LIKE :report_tail ESCAPE '!'"
)


def _report_params(report: str, params: dict[str, Any]) -> None:
    params["report"] = report
    escaped = report.replace("!", "!!").replace("%", "!%").replace("_", "!_")
    params["report_tail"] = f"%/{escaped}"


def reports_named(conn: Reader, report: str) -> list[int]:
    """The ids of the reports `report` names (see `Filters.report`)."""
    params: dict[str, Any] = {}
    _report_params(report, params)
    return [int(row[0]) for row in conn.rows(_REPORTS_NAMED, params)]


def _cited(filters: Filters, params: dict[str, Any]) -> list[str]:
    """The condition that keeps the pages a report cites and the documents they link."""
    if not filters.report:
        return []
    _report_params(filters.report, params)
    cited = f"SELECT ci.url FROM citations ci WHERE ci.report_id IN ({_REPORTS_NAMED})"
    return [f"(p.url IN ({cited}) OR c.parent_url IN ({cited}))"]


@dataclass
class Results:
    hits: list[Hit]
    scanned: bool  # no term could use the index: every page was read
    facets: dict[str, int] | None = None  # hits per site (host), all of them, when asked
    terms: list[str] = field(default_factory=list)


def _terms(query: str) -> list[str]:
    return [t for t in query.split() if t]


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def kind_of(content_type: str | None) -> str:
    media = (content_type or "text/html").split(";")[0].strip().lower()
    return "page" if media in ("", "text/html", "application/xhtml+xml", "text/plain") else "document"


def hit_kind(page_kind: str | None, content_type: str | None) -> str:
    """ "document" for a document's text (its row says so) or any non-HTML body, else "page"."""
    return "document" if page_kind == "document" else kind_of(content_type)


_COLUMNS = (
    "p.url, p.title, p.date, p.text, c.captured_at, c.state, c.content_type, p.site, p.kind, c.parent_url"
)
# a government document's identity is searched as its text is (文号 shown in a box, not the body)
_SEARCHED = (
    "coalesce(p.title, '')",
    "p.text",
    "coalesce(p.doc_number, '')",
    "coalesce(p.issuer, '')",
    "coalesce(p.index_number, '')",
    "coalesce(p.topic, '')",
)


def _exact(dialect: str, terms: list[str], params: dict[str, Any]) -> list[str]:
    """The substring check of every term on the title, text or identity fields: what makes the
    hits exact. A 文号 term matches it printed with any brackets (docnumbers.variants)."""
    find = "instr({col}, :{name}) > 0" if dialect == "sqlite" else "strpos({col}, :{name}) > 0"
    conditions = []
    for n, term in enumerate(terms):
        alternatives = []
        for k, form in enumerate(variants(term)):
            name = f"t{n}" if k == 0 else f"t{n}v{k}"
            params[name] = form
            alternatives += [find.format(col=col, name=name) for col in _SEARCHED]
        conditions.append(f"({' OR '.join(alternatives)})")
    return conditions


def _state(filters: Filters, params: dict[str, Any]) -> list[str]:
    if filters.state == "any":
        return []
    params["state"] = filters.state
    return ["c.state = :state"]


def _indexed_rows(
    conn: Reader, terms: list[str], filters: Filters, sort: str, want: int
) -> Iterator[tuple[Any, ...]]:
    """Rows (url, title, date, text, captured_at, state, content_type, site, score) of the pages
    holding every term, from the bigram index, in the order asked."""
    dialect = conn.dialect_name
    params: dict[str, Any] = {}
    conditions = _exact(dialect, terms, params) + _state(filters, params) + _cited(filters, params)
    grams = sorted({gram for term in terms for gram in bigrams(term)})
    if dialect == "sqlite":
        params["fts"] = " AND ".join(f'"{gram}"' for gram in grams)
        key = "f.rowid"
        source = (
            f"FROM {BIGRAM_TABLE} f JOIN pages p ON p.capture_id = f.rowid JOIN captures c ON c.id = f.rowid "
            f"WHERE {BIGRAM_TABLE} MATCH :fts AND " + " AND ".join(conditions)
        )
    else:
        params["grams"] = grams
        key = "b.capture_id"
        source = (
            f"FROM {PG_BIGRAM_TABLE} b JOIN pages p ON p.capture_id = b.capture_id "
            "JOIN captures c ON c.id = b.capture_id "
            "WHERE b.grams @> CAST(:grams AS TEXT[]) AND " + " AND ".join(conditions)
        )
    if sort == "relevance":
        yield from _by_relevance(list(conn.rows(f"SELECT {_COLUMNS}, 0.0 {source}", params)), terms)
        return
    yield from _newest_first(conn, f"SELECT {key}, {_COLUMNS}, 0.0 {source}", key, params, want)


def _newest_first(
    conn: Reader, select: str, key: str, params: dict[str, Any], want: int
) -> Iterator[tuple[Any, ...]]:
    """The candidates newest first (capture time, then id), read from the index in capture-id
    order, latest first, in growing batches. Once `want` rows are in hand, the `want`-th newest
    time T is checked against the captures not read yet (lower ids): when none of them is newer
    than T — the usual case, captures being added in time order — every row read at T or later
    is final and is handed out, so a caller that has enough stops after a batch or two. The check
    walks the capture-time index over the captures newer than T only."""
    hint = f" INDEXED BY {CAPTURED_AT_INDEX}" if conn.dialect_name == "sqlite" else ""
    newer_unread = f"SELECT 1 FROM captures{hint} WHERE captured_at > :t AND id < :i LIMIT 1"
    pending: list[tuple[Any, ...]] = []
    before, batch = None, _FIRST_BATCH
    while True:
        params["n"] = batch
        bound = ""
        if before is not None:
            params["before"] = before
            bound = f" AND {key} < :before"
        rows = list(conn.rows(f"{select}{bound} ORDER BY {key} DESC LIMIT :n", params))
        pending.extend(rows)
        pending.sort(key=lambda row: (row[5], row[0]), reverse=True)
        if len(rows) < batch:  # every candidate read
            for row in pending:
                yield row[1:]
            return
        before, batch = rows[-1][0], min(batch * 2, _MAX_BATCH)
        if len(pending) < want:
            continue  # fewer rows than hits wanted: read more
        threshold = pending[want - 1][5]
        if conn.first(newer_unread, {"t": threshold, "i": before}) is not None:
            continue  # an unread capture is newer (e.g. imported later): read more
        final = want
        while final < len(pending) and pending[final][5] >= threshold:
            final += 1
        for row in pending[:final]:
            yield row[1:]
        del pending[:final]


def _by_relevance(rows: list[Any], terms: list[str]) -> list[tuple[Any, ...]]:
    """The rows best first by BM25 (k1 = 1.2, b = 0.75) over the matching pages: a term counts by
    its occurrences (five for each in the title), weighed by how few of the pages hold it, and a
    long page counts for less. The same on both back-ends (FTS5's own bm25() has no term
    frequencies in a contentless index that keeps no positions)."""
    if not rows:
        return []
    k1, b = 1.2, 0.75
    lengths = [len(row[3] or "") + len(row[1] or "") for row in rows]
    average = max(sum(lengths) / len(rows), 1.0)
    forms = {t: variants(t) for t in terms}
    freqs = [
        {t: sum((row[3] or "").count(f) + 5 * (row[1] or "").count(f) for f in forms[t]) for t in terms}
        for row in rows
    ]
    total = len(rows) + 1
    idf = {t: math.log(1 + (total - sum(1 for f in freqs if f[t])) + 0.5) for t in terms}
    scored = []
    for row, length, freq in zip(rows, lengths, freqs, strict=True):
        norm = k1 * (1 - b + b * length / average)
        score = sum(idf[t] * freq[t] * (k1 + 1) / (freq[t] + norm) for t in terms if freq[t])
        scored.append((*tuple(row)[:-1], score))
    return sorted(scored, key=lambda r: -r[-1])


def _scanned_rows(
    conn: Reader, terms: list[str], filters: Filters, sort: str, trigram: bool
) -> Iterator[tuple[Any, ...]]:
    """The same rows by reading the pages (one-character terms; an index whose bigram backfill is
    not finished, where the trigram table answers the terms of three or more characters)."""
    dialect = conn.dialect_name
    params: dict[str, Any] = {}
    conditions = _exact(dialect, terms, params) + _state(filters, params) + _cited(filters, params)
    source = "FROM pages p JOIN captures c ON c.id = p.capture_id"
    # a 文号 printed with other brackets than the query's is found by the substring check alone
    long_terms = [t for t in terms if len(t) >= 3 and not is_doc_number(t)]
    if trigram and long_terms:
        params["fts"] = " AND ".join('"' + t.replace('"', '""') + '"' for t in long_terms)
        source += f" JOIN {FTS_TABLE} f ON f.rowid = p.capture_id"
        conditions.append(f"{FTS_TABLE} MATCH :fts")
    elif dialect != "sqlite":  # LIKE, which pg_trgm's indexes answer for terms of 3+ characters
        for n, term in enumerate(terms):
            if is_doc_number(term):
                continue
            escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params[f"l{n}"] = f"%{escaped}%"
            conditions.append(f"(p.title LIKE :l{n} ESCAPE '\\' OR p.text LIKE :l{n} ESCAPE '\\')")
    where = " AND ".join(conditions)
    sql = f"SELECT {_COLUMNS}, 0.0 {source} WHERE {where} ORDER BY c.captured_at DESC, c.id DESC"
    rows = conn.rows(sql, params)
    if sort == "relevance":
        yield from _by_relevance(list(rows), terms)
    else:
        yield from (tuple(row) for row in rows)


def _keep(
    filters: Filters, url: str, date: str | None, captured_at: Any, kind: str, site: str | None
) -> bool:
    if filters.site:
        wanted = filters.site.lower()
        host = host_of(url)
        if not (host == wanted or host.endswith("." + wanted) or (site or "").lower() == wanted):
            return False
    if filters.kind and kind != filters.kind:
        return False
    if filters.since or filters.until:
        when = (date or str(captured_at))[:10]
        if filters.since and when < filters.since[:10]:
            return False
        if filters.until and when[: len(filters.until[:10])] > filters.until[:10]:
            return False
    return True


def _snippet(body: str, term: str) -> str:
    at = next((at for form in variants(term) if (at := body.find(form)) >= 0), -1)
    if at < 0:
        return body[: SNIPPET_CHARS * 2].replace("\n", " ")
    start = max(at - SNIPPET_CHARS, 0)
    end = min(at + len(term) + SNIPPET_CHARS, len(body))
    piece = body[start:at] + "【" + body[at : at + len(term)] + "】" + body[at + len(term) : end]
    return ("…" if start else "") + piece.replace("\n", " ") + ("…" if end < len(body) else "")


def find(
    index: ArchiveIndex | Reader,
    query: str,
    limit: int = 20,
    *,
    offset: int = 0,
    sort: str = "newest",
    filters: Filters | None = None,
    facets: bool = False,
) -> Results:
    """Pages whose title or text contains every term of `query`: one hit per URL (its newest
    matching capture), `offset` hits skipped, at most `limit`; with `facets`, the hits per site.
    `index`: an open `ArchiveIndex`, or a `reader.Reader` (what the command line opens: no
    SQLAlchemy on SQLite)."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    terms = _terms(query)
    filters = filters or Filters()
    if not terms:
        return Results([], scanned=False, facets={} if facets else None)
    if isinstance(index, Reader):
        return _find(index, terms, limit, offset, sort, filters, facets)
    with index.engine.connect() as connection:
        return _find(ConnectionReader(connection), terms, limit, offset, sort, filters, facets)


def _find(
    conn: Reader, terms: list[str], limit: int, offset: int, sort: str, filters: Filters, facets: bool
) -> Results:
    state = bigram_index_state(conn)
    ready = state is not None and state[1]
    indexed = ready and any(bigrams(t) for t in terms)
    if indexed:
        want = offset + limit if not facets else sys.maxsize
        rows = _indexed_rows(conn, terms, filters, sort, want)
    else:
        trigram = conn.dialect_name == "sqlite" and not ready and has_table(conn, FTS_TABLE)
        rows = _scanned_rows(conn, terms, filters, sort, trigram)
    hits: list[Hit] = []
    seen: set[str] = set()
    per_site: Counter[str] = Counter()
    for url, title, date, body, captured_at, cap_state, content_type, site, page_kind, parent, score in rows:
        kind = hit_kind(page_kind, content_type)
        if url in seen or not _keep(filters, url, date, captured_at, kind, site):
            continue
        seen.add(url)
        per_site[host_of(url)] += 1
        if offset < len(seen) <= offset + limit:
            when = str(captured_at).replace(" ", "T")[:19] + "Z"
            snippet = _snippet(body or title or "", terms[0])
            hits.append(
                Hit(
                    url,
                    title,
                    date,
                    snippet,
                    when,
                    float(score),
                    host_of(url),
                    cap_state,
                    kind,
                    parent if kind == "document" else None,
                )
            )
        elif len(seen) > offset + limit and not facets:
            break  # newest first: the rest is not needed
    # before the backfill is done, terms of 3+ characters still use the trigram indexes
    scanned = not indexed and not (not ready and any(len(t) >= 3 for t in terms))
    counts = dict(per_site.most_common()) if facets else None
    return Results(hits, scanned=scanned, facets=counts, terms=terms)


def search(index: ArchiveIndex | Reader, query: str, limit: int = 50, **options: Any) -> list[Hit]:
    """The hits of `find` (newest first unless `sort="relevance"`)."""
    return find(index, query, limit, **options).hits
