"""The extraction part of `make bench` alone: decode → classify → extract (`analyse`) over the
benchmark pages, one process, CPU time per page. Run it against another checkout's code to compare:

    .venv/bin/python bench/extraction_alone.py 430 [--repeat 3]
    PYTHONPATH=/path/to/other/checkout .venv/bin/python bench/extraction_alone.py 430
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchsite import unique_page

from pipelines.extraction.analyse import analyse
from pipelines.extraction.facts import ResponseFacts

HEADERS = [("Content-Type", "text/html")]


def run(count: int) -> float:
    """CPU seconds for `count` pages."""
    pages = [unique_page(n) for n in range(count)]
    start = time.process_time()
    for n, body in enumerate(pages):
        url = f"http://127.0.0.1/p/{n}.html"
        analyse(ResponseFacts(url, url, 200, HEADERS, body))
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("pages", type=int)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    run(min(args.pages, 43))  # warm-up: imports, lazy tables
    times = sorted(run(args.pages) for _ in range(args.repeat))
    best, median = times[0], times[len(times) // 2]
    print(
        f"{args.pages} pages: best {best:.2f} s CPU ({1000 * best / args.pages:.1f} ms/page), "
        f"median {median:.2f} s ({1000 * median / args.pages:.1f} ms/page)"
    )


if __name__ == "__main__":
    main()
