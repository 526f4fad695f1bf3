"""The shared Redis frontier of the `distributed` spider: leases, so a killed worker loses no URL.

scrapy-redis alone pops a request out of Redis and forgets it: a SIGKILLed worker loses every
request it had taken. Here every pop is a *lease* instead, in one Lua script:

- start URLs (`<name>:start_urls`, a list `enqueue` fills) move to `<name>:claims:<worker>` until the
  worker has turned them into requests in the shared queue;
- requests (`<name>:requests`, scrapy-redis's priority queue) move to `<name>:leases:<worker>` (a
  sorted set keeping their priority) until the worker acknowledges them: when the capture's item has
  gone through the pipelines (the request's links were queued before it), or when a redirect or retry
  replaced the request by a new one in the queue.

Each worker renews `<name>:alive:<worker>` (expiring after FRONTIER_LEASE_SECONDS) and is listed in
`<name>:workers`. Any worker that finds a listed worker without its heartbeat moves that worker's
claims and leases back to the queues (`reap`). A request whose capture was written just before the
kill is fetched once more: duplicates are possible, but only for requests in flight at the kill.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# start URLs: pop up to ARGV[1] from the head of KEYS[1] into the claims list KEYS[2]
_CLAIM = """
local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #items > 0 then
  redis.call('LTRIM', KEYS[1], #items, -1)
  redis.call('RPUSH', KEYS[2], unpack(items))
end
return items
"""
# requests: the best-priority member of KEYS[1] moves to the lease set KEYS[2], score kept
_LEASE = """
local found = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #found == 0 then return false end
redis.call('ZREM', KEYS[1], found[1])
redis.call('ZADD', KEYS[2], found[2], found[1])
return found[1]
"""
# Lua scripts are retried when a connection drops (a Redis restart): one that ran but whose reply
# was lost moved entries this worker never received. So a worker releases only what it handled and
# hands back whatever else its claims and leases hold.
# KEYS: claims, start_urls; ARGV: the entries handled (queued as requests, or rejected)
_RELEASE_CLAIMS = """
for i = 1, #ARGV do redis.call('LREM', KEYS[1], 1, ARGV[i]) end
local left = redis.call('LRANGE', KEYS[1], 0, -1)
if #left > 0 then redis.call('LPUSH', KEYS[2], unpack(left)) end
redis.call('DEL', KEYS[1])
return #left
"""
# KEYS: leases, requests; ARGV: the leased requests this worker received (all processed)
_DROP_LEASES = """
for i = 1, #ARGV do redis.call('ZREM', KEYS[1], ARGV[i]) end
local left = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #left, 2 do redis.call('ZADD', KEYS[2], left[i + 1], left[i]) end
redis.call('DEL', KEYS[1])
return #left / 2
"""
# a dead worker's claims and leases go back (KEYS: start_urls, requests, claims, leases)
_RETURN = """
local claims = redis.call('LRANGE', KEYS[3], 0, -1)
if #claims > 0 then redis.call('LPUSH', KEYS[1], unpack(claims)) end
local leases = redis.call('ZRANGE', KEYS[4], 0, -1, 'WITHSCORES')
for i = 1, #leases, 2 do redis.call('ZADD', KEYS[2], leases[i + 1], leases[i]) end
redis.call('DEL', KEYS[3], KEYS[4])
return #claims + #leases / 2
"""


class FrontierKeys:
    """Redis key names of one frontier (the spider name is the namespace, as in scrapy-redis)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.start_urls = f"{name}:start_urls"
        self.requests = f"{name}:requests"
        self.dupefilter = f"{name}:dupefilter"
        self.workers = f"{name}:workers"

    def claims(self, worker: str) -> str:
        return f"{self.name}:claims:{worker}"

    def leases(self, worker: str) -> str:
        return f"{self.name}:leases:{worker}"

    def alive(self, worker: str) -> str:
        return f"{self.name}:alive:{worker}"


class Frontier:
    """One worker's view of the shared frontier: claim, lease, acknowledge, heartbeat, reap."""

    def __init__(self, server: Any, keys: FrontierKeys, worker: str, lease_seconds: float) -> None:
        self.server = server
        self.keys = keys
        self.worker = worker
        self.lease_ms = max(1000, int(lease_seconds * 1000))
        self._claim = server.register_script(_CLAIM)
        self._lease = server.register_script(_LEASE)
        self._return = server.register_script(_RETURN)
        self._release = server.register_script(_RELEASE_CLAIMS)
        self._drop = server.register_script(_DROP_LEASES)
        self._handled: list[bytes] = []  # claimed start URLs turned into queued requests (or rejected)
        self._held: dict[str, bytes] = {}  # lease token -> the queued bytes it stands for
        self._unacked: list[str] = []  # acknowledgements Redis could not take yet

    # heartbeat -----------------------------------------------------------------------------------
    def heartbeat(self) -> None:
        self.server.set(self.keys.alive(self.worker), b"1", px=self.lease_ms)
        self.server.sadd(self.keys.workers, self.worker)

    def retire(self) -> None:
        """Clean exit: nothing held any more, heartbeat and registration removed."""
        self.server.delete(self.keys.alive(self.worker))
        self.server.srem(self.keys.workers, self.worker)

    # start URLs ----------------------------------------------------------------------------------
    def claim_start_urls(self, _key: str, count: int) -> list[bytes]:
        """scrapy-redis `fetch_data` signature; the entries stay claimed until `release_claims`."""
        keys = [self.keys.start_urls, self.keys.claims(self.worker)]
        return list(self._claim(keys=keys, args=[count]))

    def handled(self, entry: bytes) -> None:
        """A claimed start URL is a request in the shared queue now (or was rejected)."""
        self._handled.append(entry)

    def release_claims(self) -> int:
        """Drop the claims of the start URLs handled; any other claim (one whose request never
        reached the queue, or a claim whose reply was lost) goes back to the start URLs. Returns
        how many went back."""
        keys = [self.keys.claims(self.worker), self.keys.start_urls]
        returned = int(self._release(keys=keys, args=self._handled))
        self._handled.clear()
        if returned:
            logger.warning("frontier: %d claimed start URL(s) were not queued; queued again", returned)
        return returned

    # requests ------------------------------------------------------------------------------------
    def lease_request(self) -> tuple[str, bytes] | None:
        data = self._lease(keys=[self.keys.requests, self.keys.leases(self.worker)])
        if not data:
            return None
        token = hashlib.sha1(data).hexdigest()
        self._held[token] = data
        return token, data

    def ack(self, token: str) -> None:
        """The leased request's outcome is safe: drop the lease (later, if Redis is away)."""
        if token not in self._held:
            return
        self._unacked.append(token)
        self.flush_acks()

    def flush_acks(self) -> None:
        while self._unacked:
            token = self._unacked[0]
            try:
                self.server.zrem(self.keys.leases(self.worker), self._held[token])
            except RedisError as exc:
                logger.warning("frontier: acknowledgement deferred (%s)", exc)
                return
            self._unacked.pop(0)
            self._held.pop(token, None)

    def held(self) -> int:
        return len(self._held)

    def drop_leases(self) -> int:
        """Forget our own leases: called when the worker is idle, so every request it received has
        been processed (one whose callback raised, say, was never acknowledged). A lease it never
        received (its reply lost to a dropped connection) goes back to the queue. Returns how many
        leases of processed requests were still there."""
        pending = len(self._held) - len(self._unacked)
        keys = [self.keys.leases(self.worker), self.keys.requests]
        returned = int(self._drop(keys=keys, args=list(self._held.values())))
        self._held.clear()
        self._unacked.clear()
        if returned:
            logger.warning("frontier: %d leased request(s) never reached this worker; queued again", returned)
        return max(pending, 0)

    def return_own(self) -> int:
        """Give back what this worker still holds (a shutdown before its requests were done)."""
        self._held.clear()
        self._unacked.clear()
        return self._give_back(self.worker)

    # other workers -------------------------------------------------------------------------------
    def reap(self) -> int:
        """Return the claims and leases of registered workers whose heartbeat has expired."""
        returned = 0
        for raw in self.server.smembers(self.keys.workers):
            worker = raw.decode() if isinstance(raw, bytes) else str(raw)
            if worker == self.worker or self.server.exists(self.keys.alive(worker)):
                continue
            count = self._give_back(worker)
            self.server.srem(self.keys.workers, worker)
            returned += count
            if count:
                logger.warning("frontier: worker %s is gone; %d of its requests queued again", worker, count)
        return returned

    def _give_back(self, worker: str) -> int:
        keys = [self.keys.start_urls, self.keys.requests, self.keys.claims(worker), self.keys.leases(worker)]
        return int(self._return(keys=keys))

    def has_work(self) -> bool:
        """Anything queued, or held by another worker (alive, or not yet known to be dead)."""
        if self.server.llen(self.keys.start_urls) or self.server.zcard(self.keys.requests):
            return True
        for raw in self.server.smembers(self.keys.workers):
            worker = raw.decode() if isinstance(raw, bytes) else str(raw)
            if worker != self.worker and (
                self.server.zcard(self.keys.leases(worker)) or self.server.llen(self.keys.claims(worker))
            ):
                return True
        return False


# enqueue -----------------------------------------------------------------------------------------
# KEYS: dupefilter, start_urls; ARGV: fingerprint, entry, recrawl ("1"/"0"). Marking the URL seen
# and queueing it happen together, so a kill between the two cannot leave it seen but not queued.
_ENQUEUE = """
local new = redis.call('SADD', KEYS[1], ARGV[1])
if new == 1 or ARGV[3] == '1' then
  redis.call('RPUSH', KEYS[2], ARGV[2])
  return 1
end
return 0
"""


def enqueue_urls(server: Any, keys: FrontierKeys, urls: list[str], *, recrawl: bool = False) -> list[bool]:
    """Queue each URL as a start URL unless a worker already requested it (its fingerprint is in
    the shared dupefilter), or always with `recrawl`. One bool per URL: queued or not."""
    from scrapy import Request  # noqa: PLC0415
    from scrapy_redis.dupefilter import RFPDupeFilter  # noqa: PLC0415

    fingerprints = RFPDupeFilter(server, keys.dupefilter)
    script = server.register_script(_ENQUEUE)
    queued = []
    for url in urls:
        fingerprint = fingerprints.request_fingerprint(Request(url))
        entry = json.dumps({"url": url}, ensure_ascii=False)
        args = [fingerprint, entry, "1" if recrawl else "0"]
        queued.append(bool(script(keys=[keys.dupefilter, keys.start_urls], args=args)))
    return queued
