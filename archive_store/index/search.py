"""Full-text search of extracted pages that is right for Chinese.

SQLite: an FTS5 `trigram` index answers terms of three or more characters (substring matches, no
word segmentation needed); one- and two-character terms such as 劝返 fall back to a scan with
LIKE/instr, so hits are exactly the pages containing every term. Other databases use LIKE (with
pg_trgm indexes on PostgreSQL, set up by the scale-out migrations).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from archive_store.index.database import ArchiveIndex
from archive_store.index.search_setup import FTS_TABLE

SNIPPET_CHARS = 40


@dataclass(frozen=True)
class Hit:
    url: str
    title: str | None
    date: str | None
    snippet: str
    captured_at: str
    score: float

    def to_json(self) -> dict[str, object]:
        return {
            "url": self.url,
            "title": self.title,
            "date": self.date,
            "snippet": self.snippet,
            "captured_at": self.captured_at,
        }


def _terms(query: str) -> list[str]:
    return [t for t in query.split() if t]


def _candidates(index: ArchiveIndex, terms: list[str], limit: int) -> list[tuple]:  # type: ignore[type-arg]
    long_terms = [t for t in terms if len(t) >= 3]
    params: dict[str, object] = {"limit": limit}
    columns = (
        "SELECT p.capture_id, p.url, p.title, p.date, p.text, c.captured_at FROM pages p "
        "JOIN captures c ON c.id = p.capture_id"
    )
    conditions = ["c.state = 'ok'"]
    for n, term in enumerate(terms):
        params[f"t{n}"] = term
        conditions.append(f"(instr(coalesce(p.title, ''), :t{n}) > 0 OR instr(p.text, :t{n}) > 0)")
    if index.engine.dialect.name == "sqlite" and long_terms:
        params["fts"] = " AND ".join('"' + t.replace('"', '""') + '"' for t in long_terms)
        columns += f" JOIN {FTS_TABLE} f ON f.rowid = p.capture_id"
        conditions.append(f"{FTS_TABLE} MATCH :fts")
    elif index.engine.dialect.name != "sqlite":
        conditions = ["c.state = 'ok'", *_like_conditions(terms, params)]
    sql = f"{columns} WHERE {' AND '.join(conditions)} ORDER BY c.captured_at DESC LIMIT :limit"
    with index.engine.connect() as conn:
        return list(conn.execute(text(sql), params))


def _like_conditions(terms: list[str], params: dict[str, object]) -> list[str]:
    """PostgreSQL: `LIKE '%term%'` on the bare columns, which the pg_trgm GIN indexes answer for
    terms of 3+ characters; shorter terms scan. Exact substring matches for any length."""
    conditions = []
    for n, term in enumerate(terms):
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params[f"l{n}"] = f"%{escaped}%"
        conditions.append(f"(p.title LIKE :l{n} ESCAPE '\\' OR p.text LIKE :l{n} ESCAPE '\\')")
    return conditions


def _snippet(body: str, term: str) -> str:
    at = body.find(term)
    if at < 0:
        return body[: SNIPPET_CHARS * 2].replace("\n", " ")
    start = max(at - SNIPPET_CHARS, 0)
    end = min(at + len(term) + SNIPPET_CHARS, len(body))
    piece = body[start:at] + "【" + term + "】" + body[at + len(term) : end]
    return ("…" if start else "") + piece.replace("\n", " ") + ("…" if end < len(body) else "")


def search(index: ArchiveIndex, query: str, limit: int = 50) -> list[Hit]:
    """Pages whose title or text contains every term, best first; one hit per URL."""
    terms = _terms(query)
    if not terms:
        return []
    hits: dict[str, Hit] = {}
    for _cid, url, title, date, body, captured_at in _candidates(index, terms, limit * 20):
        if url in hits:
            continue  # newest capture of a URL first
        title_text = title or ""
        count = sum(body.count(t) + 5 * title_text.count(t) for t in terms)
        score = count / (1 + len(body) / 2000)
        when = str(captured_at).replace(" ", "T") + "Z"
        hits[url] = Hit(url, title, date, _snippet(body or title_text, terms[0]), when, score)
    return sorted(hits.values(), key=lambda h: -h.score)[:limit]
