"""A Redis restart can drop a connection after a claim or lease script ran but before its reply
arrived; the client retries it, and the first run's entries sit in this worker's claims or leases
although it never received them. Releasing and dropping must hand those back, not delete them."""

from __future__ import annotations

import pytest
import redis
from services import redis_server, redis_url

from scrapers.frontier import Frontier, FrontierKeys


@pytest.fixture
def frontier(tmp_path):
    server = redis_server(tmp_path)
    client = redis.Redis.from_url(redis_url(server))
    yield Frontier(client, FrontierKeys("t"), "w1", 60), client
    client.close()
    server.stop()


def test_a_claim_whose_reply_was_lost_goes_back_to_the_start_urls(frontier):
    front, client = frontier
    client.rpush("t:start_urls", b"a", b"b", b"c", b"d")
    client.rpush("t:claims:w1", *client.lpop("t:start_urls", 2))  # ran, but the reply was lost
    received = front.claim_start_urls("t:start_urls", 2)  # the retry
    assert received == [b"c", b"d"]
    for entry in received:
        front.handled(entry)
    assert front.release_claims() == 2
    assert client.exists("t:claims:w1") == 0
    assert sorted(client.lrange("t:start_urls", 0, -1)) == [b"a", b"b"]


def test_a_claim_not_queued_before_an_error_is_claimed_again_later(frontier):
    front, client = frontier
    client.rpush("t:start_urls", b"a", b"b")
    first = front.claim_start_urls("t:start_urls", 2)
    front.handled(first[0])  # b's request never reached the queue: the refill raised there
    # the next refill (nothing new to claim) releases a, and b goes back
    assert front.claim_start_urls("t:start_urls", 2) == []
    assert front.release_claims() == 1
    assert client.lrange("t:start_urls", 0, -1) == [b"b"]


def test_a_lease_whose_reply_was_lost_goes_back_to_the_queue(frontier):
    front, client = frontier
    client.zadd("t:requests", {b"r1": 0, b"r2": 1})
    client.zadd("t:leases:w1", {b"r1": 0})  # ran, but the reply was lost
    client.zrem("t:requests", b"r1")
    token, data = front.lease_request()  # the retry
    assert data == b"r2"
    front.ack(token)  # processed, item done
    assert front.drop_leases() == 0  # nothing it received is left unacknowledged
    assert client.zrange("t:requests", 0, -1, withscores=True) == [(b"r1", 0.0)]
    assert client.exists("t:leases:w1") == 0


def test_leases_received_but_never_acknowledged_are_dropped_at_idle(frontier):
    front, client = frontier
    client.zadd("t:requests", {b"r1": 0})
    front.lease_request()  # processed, but its callback raised: no item, no ack
    assert front.drop_leases() == 1
    assert client.zcard("t:requests") == 0 and client.exists("t:leases:w1") == 0
