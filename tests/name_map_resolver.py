"""A DNS_RESOLVER for tests: names listed in TEST_NAME_MAP ("name=ip,name=ip") resolve to the
address given, as a public name would if its DNS pointed somewhere private; other names go to
Scrapy's resolver. No /etc/hosts edit, nothing outside the crawl process changes.

Used as `-s TWISTED_DNS_RESOLVER=name_map_resolver.MappedResolver` with tests/ on PYTHONPATH."""

from __future__ import annotations

import os
from collections.abc import Sequence

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer


class MappedResolver(CachingThreadedResolver):
    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred[str]:  # noqa: N802
        mapping = dict(
            pair.split("=", 1) for pair in os.environ.get("TEST_NAME_MAP", "").split(",") if "=" in pair
        )
        if name in mapping:
            return defer.succeed(mapping[name])
        return super().getHostByName(name, timeout)
