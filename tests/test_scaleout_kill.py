# ruff: noqa: F811 (pytest fixtures imported from services are used as arguments)
"""A worker SIGKILLed in the middle of a crawl loses no URL: the requests it had taken are queued
again once its heartbeat expires, and its replacement recovers and uploads its unfinished WARC."""

from __future__ import annotations

import pytest
from services import (  # noqa: F401
    bucket,
    captured,
    check_all_uploaded_and_verified,
    enqueue,
    leased_requests,
    pg_url,
    postgres,
    redis,
    redis_url,
    s3,
    start_worker,
    wait_until,
)

pytestmark = pytest.mark.slow


def test_a_killed_worker_loses_no_url(tmp_path, mocksite, redis, pg_url, s3, bucket):
    frontier = redis_url(redis)
    seeds = [mocksite.url(f"/unique?i={i}&ms=400") for i in range(20)]
    enqueue(frontier, *seeds)
    options = ["--store", f"s3://{bucket}/crawl", "--idle-exit", "1"]
    options += ["-s", "CONCURRENT_REQUESTS=4", "-s", "FRONTIER_LEASE_SECONDS=2"]
    doomed = start_worker(tmp_path / "w1", frontier, pg_url, *options, env=s3.env)
    wait_until(lambda: len(captured(pg_url)) >= 4, "the first worker to capture a few pages")
    doomed.kill()  # SIGKILL: its leased requests, its .open WARC and its upload are left behind
    assert len(set(captured(pg_url))) < len(seeds)
    held = leased_requests(frontier)
    assert held > 0
    other = start_worker(tmp_path / "w2", frontier, pg_url, *options, env=s3.env)
    assert other.wait() == 0, other.output()
    urls = captured(pg_url)
    assert set(urls) == set(seeds)  # the killed worker's requests were queued again
    assert len(urls) - len(set(urls)) <= held  # only what it held at the kill is fetched twice
    assert "queued again" in other.output()
    # the replacement on the killed worker's folder recovers its WARC and uploads it
    replacement = start_worker(tmp_path / "w1", frontier, pg_url, *options, env=s3.env)
    assert replacement.wait() == 0, replacement.output()
    check_all_uploaded_and_verified(tmp_path, pg_url, s3)
