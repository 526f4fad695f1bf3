"""The crawl, and the only part of `archive_store` that knows Scrapy and Twisted: the archive
session a crawl shares (session), the extension and add-on that switch it on, the proxy middleware,
resume, crash recovery, the graceful stop, the warcinfo record, failure wording, and every archive
setting's default (default_settings). Its rooms: `capture` (the recording download handler and the
path of its bytes into records) and `render` (pages rendered in Chromium).

Import a module by its own name (`archive_store.crawl.session`); this package re-exports nothing.

May import: every other room of `archive_store` (never `scrapers`, `pipelines` or `sourcekeeper`:
item pipelines are registered by import path).
"""
