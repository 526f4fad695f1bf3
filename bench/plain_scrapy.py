"""Baseline: plain Scrapy fetching a URL list with 16 requests in flight, storing nothing."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess


class PlainSpider(scrapy.Spider):
    name = "plain"

    def __init__(self, url_file: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        with open(url_file, encoding="utf-8") as handle:
            self.url_list = [line.strip() for line in handle if line.strip()]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.url_list:
            yield scrapy.Request(url, dont_filter=True)

    def parse(self, response: scrapy.http.Response) -> None:
        return None


if __name__ == "__main__":
    process = CrawlerProcess(
        {
            "CONCURRENT_REQUESTS": 16,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "ROBOTSTXT_OBEY": False,
            "LOG_LEVEL": "WARNING",
            "TELNETCONSOLE_ENABLED": False,
            "REMOTE_CONTROL_ENABLED": False,
        }
    )
    process.crawl(PlainSpider, url_file=sys.argv[1])
    process.start()
