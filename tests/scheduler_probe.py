"""A Scrapy extension for tests: the most requests the scheduler held at once, written at close.

Enabled with -s EXTENSIONS={"scheduler_probe.SchedulerProbe": 0} and the environment variable
SCHEDULER_PROBE_FILE=path (the tests directory on PYTHONPATH; `sourcekeeper -s` takes only setting
names Scrapy or the archive knows)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler


class SchedulerProbe:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.path = Path(crawler.settings.get("SCHEDULER_PROBE_FILE") or os.environ["SCHEDULER_PROBE_FILE"])
        self.most_pending = 0
        self.responses = 0
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SchedulerProbe:
        return cls(crawler)

    def response_received(self, **_: Any) -> None:
        self.responses += 1
        slot = self.crawler.engine._slot if self.crawler.engine else None
        if slot is not None:
            self.most_pending = max(self.most_pending, len(slot.scheduler))  # type: ignore[arg-type]

    def spider_closed(self, **_: Any) -> None:
        self.path.write_text(json.dumps({"most_pending": self.most_pending, "responses": self.responses}))
