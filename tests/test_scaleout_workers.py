# ruff: noqa: F811 (pytest fixtures imported from services are used as arguments)
"""Workers sharing a Redis frontier, a PostgreSQL index and S3 storage (real servers on 127.0.0.1)
split a crawl between them, and each URL is captured once across both."""

from __future__ import annotations

from collections import Counter

import pytest
from services import (  # noqa: F401
    bucket,
    captured,
    check_all_uploaded_and_verified,
    enqueue,
    pg_url,
    postgres,
    redis,
    redis_url,
    s3,
    start_worker,
    wait_until,
)

from archive_store.index.database import ArchiveIndex

pytestmark = pytest.mark.slow
ATTACHMENTS = ["/files/notice.pdf", "/files/form.doc", "/images/W020240627345678.jpg", "/P020240627.xlsx"]


def test_two_workers_split_a_crawl_and_capture_each_url_once(tmp_path, mocksite, redis, pg_url, s3, bucket):
    frontier = redis_url(redis)
    seeds = [mocksite.url(f"/unique?i={i}&ms=100") for i in range(30)]
    seeds += [mocksite.url("/page-with-attachments"), mocksite.url("/redirect/301")]
    assert enqueue(frontier, *seeds)["queued"] == seeds
    store = ["--store", f"s3://{bucket}/crawl", "--idle-exit", "1", "-s", "CONCURRENT_REQUESTS=3"]
    workers = [start_worker(tmp_path / name, frontier, pg_url, *store, env=s3.env) for name in ("w1", "w2")]
    for worker in workers:
        assert worker.wait() == 0, worker.output()
    urls = Counter(captured(pg_url))
    expected = {*seeds, *(mocksite.url(a) for a in ATTACHMENTS)}
    expected |= {mocksite.url("/redirect/302"), mocksite.url("/plain")}  # the redirect's hops
    assert expected <= set(urls)
    assert [u for u, n in urls.items() if n > 1] == []  # each URL captured once across both
    index = ArchiveIndex(pg_url, create=False)
    try:
        per_run = Counter(c.run_id for c in index.all_captures())
    finally:
        index.close()
    assert len(per_run) == 2 and min(per_run.values()) > 0  # both did part of the work
    check_all_uploaded_and_verified(tmp_path, pg_url, s3)
    # asked again, the frontier knows these URLs were requested: nothing is queued twice
    again = enqueue(frontier, *seeds[:3])
    assert again["queued"] == [] and again["already_requested"] == seeds[:3]
