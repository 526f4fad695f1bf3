"""Pages behind JavaScript challenges rendered in Chromium: the browser (browser), one page and
its requests fetched by Scrapy (page), the site's session on both sides (session), the downloader
middleware that decides (middleware), what a render leaves beside the exchanges (records), and a
seed's navigation budget (navigations).

May import: the crawl's session, `net` and the rooms below; never `archive_store.crawl.capture`.
"""
