"""Baseline: trafilatura alone over the benchmark pages (bytes in, as most users call it), 2 processes."""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchsite import unique_page


def extract(n: int) -> int:
    text = trafilatura.extract(unique_page(n), with_metadata=True)
    return len(text or "")


if __name__ == "__main__":
    count = int(sys.argv[1])
    with ProcessPoolExecutor(2) as pool:
        total = sum(pool.map(extract, range(count), chunksize=16))
    print(f"{count} pages, {total} characters extracted")
