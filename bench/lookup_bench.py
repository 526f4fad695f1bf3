"""`show` on an archive of 100,000 captures: a generated index, timed in-process and as a command."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from search_bench import capture_row
from sqlalchemy import insert

from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.index.lookup import find_capture
from archive_store.index.schema import Capture, Page

CAPTURES = 100_000


def build_index(archive: Path, count: int = CAPTURES) -> list[str]:
    """`count` captures over count/4 URLs (four captures each, as after repeated re-checks)."""
    archive.mkdir(parents=True, exist_ok=True)
    index = ArchiveIndex(default_db_url(archive))
    start = datetime(2024, 1, 1)
    urls = [f"http://gaj.example-county.invalid/xxgk/tzgg/2024/t2024_{n}.html" for n in range(count // 4)]
    rows, pages = [], []
    for n in range(count):
        url = urls[n % len(urls)]
        rows.append({"id": n + 1, "run_id": None, **capture_row(n, url, start + timedelta(seconds=n))})
        pages.append(
            {"capture_id": n + 1, "url": url, "title": f"通知 {n}", "text": "关于开展工作的通知。" * 50}
        )
    with index.engine.begin() as conn:
        conn.execute(insert(Capture), rows)
        conn.execute(insert(Page), pages)
    index.close()
    return urls


def lookup_benchmark(archive: Path) -> None:
    urls = build_index(archive)
    from sourcekeeper.jobs.show import capture_fields  # noqa: PLC0415

    index = ArchiveIndex(default_db_url(archive), create=False)
    timings = []
    for url in urls[:: len(urls) // 200]:
        began = time.perf_counter()
        capture = find_capture(index, url)
        assert capture is not None
        capture_fields(index, capture)
        timings.append((time.perf_counter() - began) * 1000)
    index.close()
    command = [
        str(Path(sys.executable).parent / "sourcekeeper"),
        "show",
        "--archive",
        str(archive),
        "--json",
        urls[7],
    ]
    walls = []
    for _ in range(5):
        began = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        walls.append((time.perf_counter() - began) * 1000)
    print(
        f"show on {CAPTURES:,} captures: lookup median {statistics.median(timings):.2f} ms, "
        f"max {max(timings):.2f} ms (target < 50 ms); whole command incl. Python start "
        f"{statistics.median(walls):.0f} ms"
    )
