"""Search at scale: an index of N synthetic pages built through the project's own write path
(`ArchiveIndex.insert_capture` + `save_page`), then the library `search()` timed.

Pages are 1,500–3,000 characters of Chinese sentences recombined at random from the real pages in
../shared/corpus/cwced/cleaned (read at run time, never copied), with 劝返 planted in 0.1 % of pages
(half of those with 亲属) and 海外警务 in 0.5 %. Reports, as JSON and one line per figure:
median warm latency (5 runs) of the first page of results, newest first, for 劝返, 劝返 亲属,
海外警务, 工作; the first query after the index file was dropped from the page cache (cold);
`sourcekeeper search` end to end; index size against text size; indexing cost per page, against
the trigram index of earlier versions on a sample.

    nice -n 10 .venv/bin/python bench/search_bench.py --pages 100000 [--db postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.index.schema import Page
from archive_store.index.search import search
from archive_store.layout import INDEX_NAME

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "cwced" / "cleaned"
QUERIES = ("劝返", "劝返 亲属", "海外警务", "工作")
_TRIGRAM_SETUP = [  # the trigram index of earlier versions, for the cost comparison
    "CREATE VIRTUAL TABLE IF NOT EXISTS pages_fts USING fts5("
    "title, text, content='pages', content_rowid='capture_id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS pages_fts_ai AFTER INSERT ON pages BEGIN "
    "INSERT INTO pages_fts(rowid, title, text) VALUES (new.capture_id, new.title, new.text); END",
]


def sentences() -> list[str]:
    if not CORPUS.is_dir():
        sys.exit(f"the corpus is not there: {CORPUS}")
    found: list[str] = []
    for path in sorted(CORPUS.glob("*.txt")):
        for raw in re.split(r"(?<=[。！？；])", path.read_text(encoding="utf-8", errors="replace")):
            piece = raw.strip()
            if 8 <= len(piece) <= 200 and "劝返" not in piece and "海外警务" not in piece:
                found.append(piece)
    return found


def page_text(rng: random.Random, pool: list[str], n: int) -> str:
    target = rng.randint(1500, 3000)
    parts: list[str] = []
    size = 0
    while size < target:
        piece = rng.choice(pool)
        parts.append(piece)
        size += len(piece)
    if n % 1000 == 7:  # 0.1 %
        parts.insert(
            rng.randrange(len(parts)), "对涉案人员亲属开展劝返工作。" if n % 2000 == 7 else "劝返在逃人员。"
        )
    if n % 200 == 3:  # 0.5 %
        parts.insert(rng.randrange(len(parts)), "所谓海外警务服务站。")
    return "".join(parts)[: target + 40]


def capture_row(n: int, url: str, when: datetime) -> dict[str, Any]:
    """The index row of the n-th made-up capture: the benches write these directly (search, serve,
    lookup), with no WARC behind them."""
    return {
        "url": url,
        "method": "GET",
        "captured_at": when,
        "warc_date": "",
        "http_status": 200,
        "record_type": "response",
        "record_id": f"<urn:uuid:{n:032x}>",
        "warc_file": "f.warc.gz",
        "warc_offset": n * 1000,
        "warc_length": 1000,
        "payload_digest": f"sha1:{n:032d}",
        "block_digest": "sha1:x",
        "payload_length": 5000,
        "content_type": "text/html",
        "chunked": False,
        "state": "ok",
        "hop": 0,
    }


def capture_values(n: int, start: datetime) -> dict[str, Any]:
    url = f"http://gaj.county{n % 300}.example.gov.cn/xxgk/t{n}.html"
    return capture_row(n, url, start + timedelta(seconds=30 * n))


def build(
    index: ArchiveIndex, pages: int, pool: list[str], seed: int = 28, budget: float | None = None
) -> tuple[int, float]:
    """Write `pages` captures and pages the way a crawl does (captures in batches, then each
    page's `save_page`), stopping early after `budget` seconds; returns the pages written and the
    CPU seconds spent in `save_page` (CPU, not wall time: on a shared machine the wall time
    mostly measures the neighbours)."""
    rng = random.Random(seed)
    start = datetime(2022, 1, 1)
    in_pages = 0.0
    began_build = time.monotonic()
    written = 0
    for n in range(pages):
        if budget is not None and n % 1000 == 0 and time.monotonic() - began_build > budget:
            break
        values = capture_values(n, start)
        capture_id = index.insert_capture(values, commit=False)
        page = Page(
            capture_id=capture_id, url=values["url"], title=f"关于第{n}号通知", text=page_text(rng, pool, n)
        )
        began = time.process_time()
        index.save_page(page)
        in_pages += time.process_time() - began
        written += 1
        if n and n % 5000 == 0:
            print(f"  {n} pages", file=sys.stderr, flush=True)
    return written, in_pages


def indexing_cost(pool: list[str], sample: int) -> dict[str, float]:
    """CPU ms per page of `save_page`: with the bigram index, with the trigram index, with neither."""
    costs = {}
    for variant in ("bigram", "trigram", "none"):
        with tempfile.TemporaryDirectory() as tmp:
            index = ArchiveIndex(default_db_url(Path(tmp)))
            if variant != "bigram":
                index._has_bigrams = False
            if variant == "trigram":
                with index.engine.begin() as conn:
                    for statement in _TRIGRAM_SETUP:
                        conn.execute(text(statement))
            costs[variant] = build(index, sample, pool)[1] / sample * 1000
            index.close()
    return {
        "bigram_ms_per_page": round(costs["bigram"] - costs["none"], 3),
        "trigram_ms_per_page": round(costs["trigram"] - costs["none"], 3),
        "save_page_ms_without_index": round(costs["none"], 3),
    }


def sizes(index: ArchiveIndex) -> dict[str, float]:
    with index.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            text_bytes = conn.execute(text("SELECT sum(length(CAST(text AS BLOB))) FROM pages")).scalar()
            index_bytes = conn.execute(
                text("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'pages_bigrams%'")
            ).scalar()
        else:
            text_bytes = conn.execute(text("SELECT sum(octet_length(text)) FROM pages")).scalar()
            index_bytes = conn.execute(text("SELECT pg_total_relation_size('page_bigrams')")).scalar()
    return {
        "text_mb": round(int(text_bytes or 0) / 1e6, 1),
        "index_mb": round(int(index_bytes or 0) / 1e6, 1),
        "index_over_text": round(int(index_bytes or 0) / max(int(text_bytes or 1), 1), 2),
    }


def drop_from_cache(archive: Path) -> None:
    for path in archive.glob(INDEX_NAME + "*"):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def timings(db_url: str, archive: Path | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if archive is not None:
        drop_from_cache(archive)
    index = ArchiveIndex(db_url, create=False)
    began = time.perf_counter()
    first = search(index, QUERIES[0], limit=20)
    out["cold_first_query_ms"] = round((time.perf_counter() - began) * 1000, 1)
    out["hits"] = {QUERIES[0]: len(first)}
    for query in QUERIES:
        runs = []
        for _ in range(6):
            began = time.perf_counter()
            hits = search(index, query, limit=20)
            runs.append(time.perf_counter() - began)
        out["hits"][query] = len(hits)
        out[f"warm_ms {query}"] = round(statistics.median(runs[1:]) * 1000, 1)
    index.close()
    if archive is not None:
        cli = [sys.executable, "-m", "sourcekeeper", "search", "劝返", "--archive", str(archive), "--json"]
        walls = []
        for _ in range(5):
            began = time.perf_counter()
            subprocess.run(cli, check=True, capture_output=True)
            walls.append(time.perf_counter() - began)
        out["cli_search_wall_ms"] = round(statistics.median(walls) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument(
        "--cost-sample", type=int, default=3000, help="pages for the indexing cost comparison"
    )
    parser.add_argument(
        "--db", help="a PostgreSQL URL (an empty database); default: SQLite in a temporary folder"
    )
    parser.add_argument("--keep", type=Path, help="build the SQLite archive here and keep it")
    parser.add_argument("--again", action="store_true", help="time the archive kept by --keep (no build)")
    parser.add_argument("--budget", type=float, help="stop building after this many seconds")
    args = parser.parse_args()
    pool = sentences()
    result: dict[str, Any] = {"pages": args.pages}  # the pages written, when building stopped early
    with tempfile.TemporaryDirectory() as tmp:
        archive = args.keep or Path(tmp) / "archive"
        archive.mkdir(parents=True, exist_ok=True)
        db_url = args.db or default_db_url(archive)
        result["backend"] = "postgresql" if args.db else "sqlite"
        index = ArchiveIndex(db_url)
        if not args.again:
            began = time.perf_counter()
            result["pages"], cpu = build(index, args.pages, pool, budget=args.budget)
            result["build_s"] = round(time.perf_counter() - began)
            result["save_page_cpu_ms_per_page"] = round(cpu / max(result["pages"], 1) * 1000, 3)
        if not args.db:
            with index.engine.begin() as conn:
                conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        else:
            with index.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        result.update(sizes(index))
        index.close()
        result.update(timings(db_url, None if args.db else archive))
    if args.cost_sample:
        result.update(indexing_cost(pool, args.cost_sample))
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
