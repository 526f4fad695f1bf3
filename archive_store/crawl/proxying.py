"""The downloader middleware that sends a crawl's requests through its vantage point (the proxy
of the site profile or ARCHIVE_PROXY); what a vantage point is and how it is named: `net.vantage`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from archive_store.net.vantage import apply_proxy, check_proxy_url, proxy_setting, with_password

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler


class VantageMiddleware:
    """Sends every request through the configured proxy unless the request names its own: the
    spider's site profile (`proxy =`) first, then ARCHIVE_PROXY. Runs before HttpProxyMiddleware,
    which turns the URL's user:password into Proxy-Authorization for HTTP(S) proxies."""

    def __init__(self, crawler: Crawler, proxy: str) -> None:
        self.crawler = crawler
        self.proxy = proxy

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        proxy = proxy_setting(crawler.settings)
        if proxy:
            check_proxy_url(proxy, from_command_line=False)
        return cls(crawler, with_password(proxy) if proxy else "")

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        profile = getattr(self.crawler.spider, "profile", None)
        proxy = getattr(profile, "proxy", None)
        proxy = with_password(proxy) if proxy else self.proxy
        if proxy:
            apply_proxy(request, proxy)
