"""The web view on a large index: N captures written directly (bulk inserts, then the bigram search index
filled by `search --build-index`'s backfill), over N/4 source
URLs with four captures each, a re-check event per source (a few removed, changed, restored), then
`sourcekeeper serve`'s application (uvicorn in a thread, on 127.0.0.1) asked over HTTP for the
sources list (first page and a filtered one), one source's page and a two-character search,
median of the warm requests.

    nice -n 10 .venv/bin/python bench/serve_bench.py --captures 100000
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.index.schema import Page, RecheckEvent

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_bench import capture_row, page_text, sentences

PER_SOURCE = 4


def build(root: Path, captures: int) -> str:
    """Rows written directly, in one transaction per table (a crawl's insert path would take most
    of an hour for 100,000 on a shared machine), then the bigram index filled by the same backfill
    `search --build-index` runs."""
    from sqlalchemy import insert, text  # noqa: PLC0415

    from archive_store.index.schema import Capture  # noqa: PLC0415
    from archive_store.index.search_setup import BACKFILL_TABLE, backfill_search_index  # noqa: PLC0415

    pool = sentences()
    rng = random.Random(30)
    index = ArchiveIndex(default_db_url(root))
    start = datetime(2024, 1, 1)
    sources = captures // PER_SOURCE
    capture_rows, page_rows = [], []
    for n in range(captures):
        source = n % sources
        url = f"http://gaj.county{source % 300}.example.gov.cn/xxgk/t{source}.html"
        when = start + timedelta(days=n // sources, seconds=source)
        capture_rows.append({"id": n + 1, **capture_row(n, url, when)})
        page_rows.append(
            {
                "capture_id": n + 1,
                "url": url,
                "title": f"关于第{source}号通知",
                "text": page_text(rng, pool, n)[:600],
            }
        )
    with index.engine.begin() as conn:
        conn.execute(insert(Capture), capture_rows)
        conn.execute(insert(Page), page_rows)
        conn.execute(text(f"UPDATE {BACKFILL_TABLE} SET done_through = 0, finished = 0 WHERE id = 1"))
    backfill_search_index(index.engine, batch=5000)
    states = ["unchanged"] * 90 + ["changed"] * 6 + ["removed"] * 3 + ["restored"]
    with index.session() as s:
        for source in range(sources):
            s.add(
                RecheckEvent(
                    url=f"http://gaj.county{source % 300}.example.gov.cn/xxgk/t{source}.html",
                    checked_at=start + timedelta(days=PER_SOURCE + 1, seconds=source),
                    state=rng.choice(states),
                    reason="bench",
                )
            )
        s.commit()
    index.close()
    return "http://gaj.county7.example.gov.cn/xxgk/t7.html"


def timed(base: str, path: str, runs: int) -> dict[str, float]:
    def get(path: str) -> int:
        with urllib.request.urlopen(base + path, timeout=60) as response:
            response.read()
            return int(response.status)

    first = time.perf_counter()
    status = get(path)
    cold = time.perf_counter() - first
    assert status == 200, (path, status)
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        get(path)
        times.append(time.perf_counter() - began)
    return {"first_ms": round(cold * 1000, 1), "median_ms": round(statistics.median(times) * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--captures", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the archive in this folder")
    args = parser.parse_args()
    import socket  # noqa: PLC0415
    import threading  # noqa: PLC0415

    import uvicorn  # noqa: PLC0415

    from sourcekeeper.web.app import Settings, create_app  # noqa: PLC0415

    folder = args.keep or Path(tempfile.mkdtemp(prefix="serve-bench-"))
    root = folder / "archive"
    began = time.monotonic()
    if not (root / "index.sqlite3").exists():
        root.mkdir(parents=True, exist_ok=True)
        one = build(root, args.captures)
    else:
        one = "http://gaj.county7.example.gov.cn/xxgk/t7.html"
    built_s = time.monotonic() - began
    app = create_app(Settings(archive=root, db_url=default_db_url(root), login=False, replay_port=None))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    client = f"http://127.0.0.1:{sock.getsockname()[1]}"
    figures = {
        "captures": args.captures,
        "sources": args.captures // PER_SOURCE,
        "build_s": round(built_s, 1),
        "sources_list": timed(client, "/", args.runs),
        "sources_list_removed_page_2": timed(client, "/?state=unchanged&offset=50", args.runs),
        "source_page": timed(client, "/source?url=" + quote(one, safe=""), args.runs),
        "search_two_characters": timed(client, "/search?q=" + quote("劝返"), args.runs),
        "search_common_word": timed(client, "/search?q=" + quote("工作"), args.runs),
    }
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    server.should_exit = True


if __name__ == "__main__":
    main()
