"""Scrapy project settings for sourcekeeper: turn the archive on and set politeness for gov sites.

Archive defaults (ARCHIVE_*, EXTRACT_*) live in archive_store/crawl/default_settings.py; override any
setting here or with `-s NAME=VALUE`.
"""

BOT_NAME = "sourcekeeper"
SPIDER_MODULES = ["scrapers"]
NEWSPIDER_MODULE = "scrapers"

ADDONS = {"pipelines.addon.SourcekeeperAddon": 0}

# A clear User-Agent: site operators can see who fetched and why.
USER_AGENT = "Mozilla/5.0 (compatible; sourcekeeper/0.1; archiving cited public sources; +https://pypi.org/project/sourcekeeper/)"
# The sources are Chinese: ask for the Chinese version (some sites answer another language to
# Scrapy's default "Accept-Language: en"). Written to every warcinfo record, like the User-Agent.
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
}
# Explicitly cited URLs are fetched as a reader's browser would; set True to obey robots.txt.
# The choice is written to every warcinfo record.
ROBOTSTXT_OBEY = False

# Politeness for small government servers: few connections per host, a delay, AutoThrottle.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # ±50% around DOWNLOAD_DELAY
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60
RETRY_TIMES = 2
# "Gave up retrying …" repeated our own failure summary at the default log level; -v shows it.
RETRY_GIVE_UP_LOG_LEVEL = "INFO"
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]

# Bounded bodies (S-3): larger bodies are kept up to the limit and marked WARC-Truncated: length.
DOWNLOAD_MAXSIZE = 100 * 1024 * 1024
DOWNLOAD_WARNSIZE = 32 * 1024 * 1024

# Redirects: every hop is captured; loops stop after this many hops and are recorded as failures.
REDIRECT_MAX_TIMES = 10

# Scrapy drops requests for URLs over 2,083 characters with a log line and nothing else: a cited
# URL that long (search results, tracking parameters) was neither fetched nor reported as failed.
# 0 turns that middleware off; a server that refuses the URL answers 414, and that is captured.
URLLENGTH_LIMIT = 0

TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

# Scrapy checks whether a generator callback returns a value by reading its source with
# inspect/ast; for a bound method its cache never hits, so that ran for every response (about 5%
# of a capture's CPU, measured with py-spy). Our callbacks never return values.
WARN_ON_GENERATOR_RETURN_VALUE = False

# Scrapy hands each callback's output to CONCURRENT_ITEMS asyncio tasks, and it starts all of
# them (and queues as many end markers) for every response, whatever the callback yields. At the
# default of 100 that was the largest cost of a crawl after the download itself; a page here
# yields one item and a few requests. Measured on the 1,500-page benchmark: reactor-thread CPU
# 6.5-7.7 s at 100, 5.5-5.8 s at 8.
CONCURRENT_ITEMS = 8
