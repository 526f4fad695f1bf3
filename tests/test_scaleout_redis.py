# ruff: noqa: F811 (pytest fixtures imported from services are used as arguments)
"""Redis restarted in the middle of a crawl: the workers ride it out, and nothing is lost
(Redis runs with appendonly + appendfsync always, as docs/scale-out.md tells operators)."""

from __future__ import annotations

from collections import Counter

import pytest
from archive_helpers import run_cli
from services import (  # noqa: F401
    bucket,
    captured,
    pg_url,
    postgres,
    redis_server,
    redis_url,
    s3,
    start_worker,
    wait_until,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def durable_redis(tmp_path):
    server = redis_server(tmp_path, appendonly=True)
    yield server
    server.stop()


def test_workers_survive_a_redis_restart_and_lose_nothing(
    tmp_path, mocksite, durable_redis, pg_url, s3, bucket
):
    frontier = redis_url(durable_redis)
    seeds = [mocksite.url(f"/unique?i={i}&ms=500") for i in range(24)]
    seeds.append(mocksite.url("/page-with-attachments"))
    queued = run_cli("enqueue", "--frontier", frontier, *seeds)
    assert queued.returncode == 0, queued.stderr
    options = ["--store", f"s3://{bucket}/crawl", "--idle-exit", "1", "-s", "CONCURRENT_REQUESTS=3"]
    workers = [start_worker(tmp_path / name, frontier, pg_url, *options, env=s3.env) for name in ("w1", "w2")]
    wait_until(lambda: len(captured(pg_url)) >= 4, "the workers to capture a few pages")
    assert len(set(captured(pg_url))) < len(seeds)  # mid-crawl
    durable_redis.restart()  # same port, same append-only file
    for worker in workers:
        assert worker.wait() == 0, worker.output()
    urls = Counter(captured(pg_url))
    assert set(seeds) <= set(urls)
    assert urls[mocksite.url("/files/notice.pdf")] == 1  # links found around the restart are kept
    assert sum(urls.values()) - len(urls) <= 1  # duplicates stay rare
