"""The benchmark site: real corpus pages, each made unique, answered after 20 ms.

Served by the project's raw-socket engine: `python -m sourcekeeper.demo.rawsite bench/benchsite.py:ROUTES`.
Page count and delay come from the environment (BENCH_PAGES, BENCH_DELAY_MS) so one module serves
every benchmark; pages are built once, lazily, from ../shared/corpus/cwced/original.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from sourcekeeper.demo.rawsite import RawReply, RawRequest, SiteState, Sleep, page

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "cwced" / "original"
PAGES = int(os.environ.get("BENCH_PAGES", "1500"))
DELAY = int(os.environ.get("BENCH_DELAY_MS", "20")) / 1000


@cache
def corpus_pages() -> list[bytes]:
    return [p.read_bytes() for p in sorted(CORPUS.glob("*.html"))]


def unique_page(n: int) -> bytes:
    """Corpus page n % 43 with a marker that makes its bytes (and payload digest) unique."""
    pages = corpus_pages()
    return pages[n % len(pages)] + f"\n<!-- bench page {n} -->\n".encode()


def serve_page(req: RawRequest, site: SiteState) -> RawReply:
    n = int(req.path.rsplit("/", 1)[-1].removesuffix(".html"))
    return [Sleep(DELAY), *page(unique_page(n), content_type=b"text/html")]


ROUTES = {"/p/": serve_page}


def page_urls(base_url: str, count: int = PAGES) -> list[str]:
    return [f"{base_url}/p/{n}.html" for n in range(count)]
